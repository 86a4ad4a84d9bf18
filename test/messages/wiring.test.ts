/**
 * Other modules' events reach the inbox and the mail through postMessage: a moderation decision by the
 * operator (same texts as before, now also in the inbox, for administrators and developers), a refund
 * from the cabinet, and payouts executed and returned by the sandbox bank.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSentPayouts, SandboxBank } from '../../src/modules/payouts/index.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, createOperator, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
import { fund, saveBankDetails } from '../payouts/helpers.js';
import { openLiveShop, pay } from '../refunds/refund-support.js';
import { deliveredSince, inbox, unreadCount, unsubscribeUrlOf } from './messages-support.js';

let context: TestContext;
const a = {} as {
  admin: TestBrowser;
  adminEmail: string;
  developer: TestBrowser;
  developerEmail: string;
  accountantEmail: string;
  viewer: TestBrowser;
};
let operator: TestBrowser;

beforeAll(async () => {
  context = await createTestContext();
  const merchant = await registerMerchant(context);
  a.admin = merchant.browser;
  a.adminEmail = merchant.form.email as string;
  const developer = await addEmployee(context, a.admin, 'developer');
  a.developer = developer.browser;
  a.developerEmail = developer.email;
  a.accountantEmail = (await addEmployee(context, a.admin, 'accountant')).email;
  a.viewer = (await addEmployee(context, a.admin, 'viewer')).browser;
  operator = (await createOperator(context)).browser;
  await context.deliverMail();
});
afterAll(async () => context?.close());

describe('moderation decisions', () => {
  it('reach the inbox and the mail of those who fix shops, with the same texts as before', async () => {
    const shop = await createShopVia(a.admin, { name: 'Чайная лавка' });
    expect((await a.admin.post(`/api/cabinet/shops/${shop.id}/moderation`)).statusCode).toBe(200);
    const unreadBefore = await unreadCount(a.admin);
    const before = context.mail.sent.length;
    const rejected = await operator.post(`/api/backoffice/shops/${shop.id}/reject`, { reason: 'Нет оферты' });
    expect(rejected.statusCode, rejected.body).toBe(200);

    const mail = await deliveredSince(context, before);
    expect(mail.map((item) => item.to).sort()).toEqual([a.adminEmail, a.developerEmail].sort());
    const toAdmin = mail.find((item) => item.to === a.adminEmail);
    expect(toAdmin?.subject).toBe('Kopek: магазин «Чайная лавка» не прошёл модерацию');
    expect(toAdmin?.text).toContain(
      `Магазин «Чайная лавка» (${shop.merchantLogin}) не прошёл модерацию. Причина: Нет оферты`,
    );
    expect(toAdmin?.text).toContain(`${TEST_PUBLIC_URL}/cabinet/shops/${shop.id}`);
    expect(unsubscribeUrlOf(toAdmin!)).toContain('.moderation.');

    expect(await unreadCount(a.admin)).toBe(unreadBefore + 1);
    const [message] = (await inbox(a.admin, '?category=moderation')).items;
    expect(message).toMatchObject({
      category: 'moderation',
      title: {
        ru: 'Магазин «Чайная лавка» не прошёл модерацию',
        en: 'The shop "Чайная лавка" did not pass moderation',
      },
      link: `/cabinet/shops/${shop.id}`,
      isRead: false,
      isPersonal: false,
    });
    const opened = (await a.developer.get(`/api/cabinet/messages/${message!.id}`)).json();
    expect(opened.body.ru).toContain('Причина: Нет оферты');
    // Viewers and accountants cannot change a shop: the decision is not theirs to act on.
    expect((await inbox(a.viewer, '?category=moderation')).items).toEqual([]);

    context.clock.advanceMs(60_000);
    await a.admin.post(`/api/cabinet/shops/${shop.id}/moderation`);
    await operator.post(`/api/backoffice/shops/${shop.id}/activate`);
    await context.deliverMail();
    const titles = (await inbox(a.admin, '?category=moderation')).items.map((item) => item.title.ru);
    expect(titles).toEqual([
      'Магазин «Чайная лавка» активирован',
      'Магазин «Чайная лавка» не прошёл модерацию',
    ]);
  });
});

describe('refunds', () => {
  it('post a message about each live refund with a link to the operation', async () => {
    const shop = await openLiveShop(context, a.admin);
    await pay(context, shop, '5000.00');
    const payment = await pay(context, shop, '1000.00');
    await context.deliverMail();
    const before = context.mail.sent.length;
    const refunded = await a.admin.post(`/api/cabinet/operations/${payment.id}/refunds`, {
      amount: '400.00',
    });
    expect(refunded.statusCode, refunded.body).toBe(201);
    const mail = await deliveredSince(context, before);
    // Refunds are for everyone who sees operations: every role has operations.read.
    const toAdmin = mail.find((item) => item.to === a.adminEmail);
    expect(toAdmin?.subject).toMatch(/^Kopek: Возврат 400,00\s₽ по платежу №\d+$/);
    expect(mail.some((item) => item.to === a.accountantEmail)).toBe(true);
    const [message] = (await inbox(a.admin, '?category=refunds')).items;
    expect(message?.link).toBe(`/cabinet/operations/${payment.id}`);
    expect(message?.preview.ru).toMatch(/Осталось вернуть: 600,00\s₽/);

    const test = await pay(context, shop, '100.00', { isTest: true });
    expect((await a.admin.post(`/api/cabinet/operations/${test.id}/refunds`, {})).statusCode).toBe(201);
    expect((await inbox(a.admin, '?category=refunds')).items).toHaveLength(1);
  });
});

describe('payouts', () => {
  it('post a message when the bank executes or returns a payout', async () => {
    const bank = new SandboxBank({ db: context.deps.db, clock: context.deps.clock });
    const shop = await createShopVia(a.admin);
    await saveBankDetails(a.admin);
    await fund(context, shop.id, 100_000n);
    const executed = await a.admin.post('/api/cabinet/payouts', { shopId: shop.id, amount: '300.00' });
    expect(executed.statusCode, executed.body).toBe(201);
    const returned = await a.admin.post('/api/cabinet/payouts', { shopId: shop.id, amount: '100.13' });
    expect(returned.statusCode, returned.body).toBe(201);
    await context.worker.drain();
    const before = context.mail.sent.length;
    expect(await checkSentPayouts(context.deps, bank)).toBe(2);
    expect(await checkSentPayouts(context.deps, bank)).toBe(0);

    const titles = (await inbox(a.admin, '?category=payouts')).items.map((item) =>
      item.title.ru.replace(/\s/g, ' '),
    );
    expect(titles.sort()).toEqual(['Выплата 100,13 ₽ вернулась', 'Выплата 300,00 ₽ исполнена']);
    const mail = await deliveredSince(context, before);
    // The developer has no balance.read: no payout mail.
    expect(mail.filter((item) => item.to === a.developerEmail)).toEqual([]);
    expect(mail.filter((item) => item.to === a.adminEmail)).toHaveLength(2);
    const returnedMail = mail.find((item) => item.to === a.adminEmail && item.subject.includes('вернулась'));
    expect(returnedMail?.text).toContain('Причина: account closed');
  });
});
