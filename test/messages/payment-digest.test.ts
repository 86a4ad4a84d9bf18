/**
 * The daily payment digest and "each payment" notices, with payments made the way buyers make them and
 * the injected clock moved across Moscow midnight: one digest per subscribed person and day, whatever the
 * number of runs or nodes; payments counted on their Moscow day; test payments left out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyPaymentPaid, runPaymentDigests } from '../../src/modules/messages/index.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, registerMerchant, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { openLiveShop, pay, type LiveShop } from '../refunds/refund-support.js';
import { deliveredSince, inbox } from './messages-support.js';

let context: TestContext;
const a = {} as {
  accountId: string;
  admin: TestBrowser;
  adminId: string;
  adminEmail: string;
  developer: TestBrowser;
  developerId: string;
  developerEmail: string;
  accountant: TestBrowser;
  accountantId: string;
  accountantEmail: string;
  viewerEmail: string;
  shop: LiveShop;
};
let quietAdmin: TestBrowser;
let quietAdminEmail: string;

const digestRows = async (day: string) =>
  context.deps.db
    .withTables<{
      messages: { id: string; user_id: string | null; dedup_key: string | null; category: string };
    }>()
    .selectFrom('messages')
    .select(['id', 'user_id', 'dedup_key'])
    .where('dedup_key', 'like', `payments-digest:${day}:%`)
    .orderBy('user_id')
    .execute();

beforeAll(async () => {
  context = await createTestContext();
  // 2026-03-02 12:00 Moscow time.
  context.clock.set('2026-03-02T09:00:00Z');
  const merchant = await registerMerchant(context);
  a.accountId = merchant.me.account.id;
  a.admin = merchant.browser;
  a.adminId = merchant.me.user.id;
  a.adminEmail = merchant.form.email as string;
  const developer = await addEmployee(context, a.admin, 'developer');
  Object.assign(a, {
    developer: developer.browser,
    developerId: developer.id,
    developerEmail: developer.email,
  });
  const accountant = await addEmployee(context, a.admin, 'accountant');
  Object.assign(a, {
    accountant: accountant.browser,
    accountantId: accountant.id,
    accountantEmail: accountant.email,
  });
  const viewer = await addEmployee(context, a.admin, 'viewer');
  a.viewerEmail = viewer.email;
  // The accountant wants each payment, the viewer nothing; administrator and developer keep the digest.
  await accountant.browser.request('PUT', '/api/cabinet/message-subscriptions/payments', {
    delivery: 'immediate',
  });
  await viewer.browser.request('PUT', '/api/cabinet/message-subscriptions/payments', { delivery: 'off' });
  a.shop = await openLiveShop(context, a.admin);
  // Another account without payments gets no digest.
  quietAdminEmail = (await registerMerchant(context)).form.email as string;
  await context.deliverMail();
});
afterAll(async () => context?.close());

describe('the daily digest', () => {
  it('sums the Moscow day’s live payments once per subscribed person, however often it runs', async () => {
    await pay(context, a.shop, '1000.00');
    context.clock.set('2026-03-02T20:59:59Z'); // 23:59:59 in Moscow: still 2 March
    await pay(context, a.shop, '490.50');
    await pay(context, a.shop, '777.00', { isTest: true });
    context.clock.set('2026-03-02T21:00:00Z'); // 00:00 on 3 March in Moscow
    await pay(context, a.shop, '300.00');
    await context.deliverMail();

    // Right after midnight nothing is due yet: a payment may still be committing.
    context.clock.set('2026-03-02T21:10:00Z');
    expect(await runPaymentDigests(context.deps)).toMatchObject({
      day: '2026-03-01',
      accounts: 0,
      messages: 0,
    });
    // From 00:15 the digest of 2 March is due; nothing for 3 March yet.
    context.clock.set('2026-03-02T21:20:00Z');
    const before = context.mail.sent.length;
    const summary = await runPaymentDigests(context.deps);
    expect(summary).toMatchObject({ day: '2026-03-02', isAlreadyDone: false, accounts: 1, messages: 2 });
    const rows = await digestRows('2026-03-02');
    expect(rows.map((row) => row.user_id).sort()).toEqual([a.adminId, a.developerId].sort());

    const mail = await deliveredSince(context, before);
    expect(mail.map((item) => item.to).sort()).toEqual([a.adminEmail, a.developerEmail].sort());
    const digest = mail.find((item) => item.to === a.adminEmail);
    // Amounts are grouped with no-break spaces, as Intl writes them.
    const text = digest?.text.replace(/[\u00a0\u202f]/g, ' ');
    expect(digest?.subject).toBe('Kopek: Платежи за 2 марта 2026 г.');
    // 1 000,00 + 490,50; the test payment and the one after midnight are not in it. Fee: 2.9 %.
    expect(text).toContain('Итого за 2 марта 2026 г. (по московскому времени): 2 платежа на 1 490,50 ₽.');
    expect(text).toMatch(/«Книжная лавка»: 2 платежа на 1 490,50 ₽, комиссия 43,2\d ₽/);
    expect(text).toContain('выбрали ежедневную сводку');
    expect(digest?.headers?.['List-Unsubscribe']).toMatch(/\/unsubscribe\/usr_\w+\.payments\./);

    // A personal message: the administrator sees their own digest, not the developer's. (Over 12 hours
    // have passed on the clock: sessions idled out, so people sign in again.)
    a.admin = await signInBrowser(context, a.adminEmail);
    quietAdmin = await signInBrowser(context, quietAdminEmail);
    const adminDigests = (await inbox(a.admin, '?category=payments')).items;
    expect(adminDigests.map((item) => item.id)).toEqual([rows.find((row) => row.user_id === a.adminId)?.id]);
    expect(adminDigests[0]).toMatchObject({ isPersonal: true, link: '/cabinet/operations', isRead: false });
    expect((await inbox(quietAdmin)).items).toEqual([]);

    // Later runs the same day, and a second node at the same moment, add nothing.
    for (const minutes of [10, 20, 600]) {
      context.clock.set(new Date(Date.parse('2026-03-02T21:20:00Z') + minutes * 60_000));
      expect(await runPaymentDigests(context.deps)).toMatchObject({
        day: '2026-03-02',
        isAlreadyDone: true,
        messages: 0,
      });
    }
    const again = context.mail.sent.length;
    expect(await deliveredSince(context, again)).toEqual([]);
    expect(await digestRows('2026-03-02')).toHaveLength(2);
  });

  it('is exactly once when two nodes run it together, and the next day counts the midnight payment', async () => {
    context.clock.set('2026-03-03T21:30:00Z'); // 00:30 on 4 March: the digest of 3 March is due
    const before = context.mail.sent.length;
    const [first, second] = await Promise.all([
      runPaymentDigests(context.deps),
      runPaymentDigests(context.deps),
    ]);
    expect(first.messages + second.messages).toBe(2);
    expect((await digestRows('2026-03-03')).map((row) => row.user_id).sort()).toEqual(
      [a.adminId, a.developerId].sort(),
    );
    const mail = await deliveredSince(context, before);
    expect(mail).toHaveLength(2);
    expect(mail[0]?.text.replace(/[\u00a0\u202f]/g, ' ')).toContain('1 платёж на 300,00 ₽');
    expect(await runPaymentDigests(context.deps)).toMatchObject({ isAlreadyDone: true });
  });

  it('skips a day without payments and sends nothing to people who turned payment mail off', async () => {
    context.clock.set('2026-03-05T06:00:00Z'); // the digest of 4 March: no payments that day
    const before = context.mail.sent.length;
    expect(await runPaymentDigests(context.deps)).toMatchObject({
      day: '2026-03-04',
      accounts: 0,
      messages: 0,
    });
    expect(await deliveredSince(context, before)).toEqual([]);
    expect(
      context.mail.sent.some((item) => item.to === a.viewerEmail && item.subject.includes('Платежи за')),
    ).toBe(false);
  });
});

describe('notifyPaymentPaid', () => {
  it('tells each person who chose every payment, once per payment, and nobody else', async () => {
    // Days have passed on the clock: the sessions of the first test have expired.
    a.admin = await signInBrowser(context, a.adminEmail);
    a.accountant = await signInBrowser(context, a.accountantEmail);
    const paid = await pay(context, a.shop, '250.00');
    const payment = await context.deps.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paid.id)
      .executeTakeFirstOrThrow();
    const before = context.mail.sent.length;
    const notify = () =>
      context.deps.db.transaction().execute((trx) => notifyPaymentPaid(trx, context.deps, payment));
    // Payment completion has already posted it, in the transaction that marked the payment paid:
    // calling again posts nothing.
    expect(await notify()).toBe(0);
    const mail = await deliveredSince(context, before);
    expect(mail.map((item) => item.to)).toEqual([a.accountantEmail]);
    expect(mail[0]?.subject).toBe(`Kopek: Оплачен платёж №${payment.inv_id} на 250,00 ₽`);
    expect(mail[0]?.text).toContain('Комиссия: 7,25 ₽');
    const shown = (await inbox(a.accountant, '?category=payments')).items;
    expect(shown[0]).toMatchObject({ isPersonal: true, link: `/cabinet/operations/${payment.id}` });
    expect(
      (await inbox(a.admin, '?category=payments')).items.some((item) => item.link?.endsWith(payment.id)),
    ).toBe(false);

    const test = await pay(context, a.shop, '10.00', { isTest: true });
    const testRow = await context.deps.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', test.id)
      .executeTakeFirstOrThrow();
    expect(
      await context.deps.db.transaction().execute((trx) => notifyPaymentPaid(trx, context.deps, testRow)),
    ).toBe(0);
  });
});
