/**
 * Tariffs and promo codes in the back-office over HTTP on a real PostgreSQL: the default and a shop's
 * tariff as schedules (history kept), the notice rule (an increase needs 14 days, a decrease may start at
 * once), the notice in the affected merchants' inbox and mailbox, cancellation, findTariff by date, the
 * merchant's view, role limits; promo codes with a limit, an end date and deactivation, and registration
 * refusing them on the promoCode field.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTariff } from '../../src/modules/tariffs/index.js';
import type { TestBrowser } from '../support/client.js';
import {
  auditEntries,
  createOperator,
  createShopVia,
  registerMerchant,
  registrationForm,
} from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { TestBrowser as Browser } from '../support/client.js';

let context: TestContext;
let admin: TestBrowser;
let finance: TestBrowser;
let support: TestBrowser;
let moderator: TestBrowser;
interface Merchant {
  browser: TestBrowser;
  accountId: string;
  email: string;
  shop?: { id: string; merchantLogin: string };
}
let withDefault: Merchant;
let withOwn: Merchant;
let withoutShops: Merchant;

async function merchant(hasShop: boolean): Promise<Merchant> {
  const registered = await registerMerchant(context);
  const shop = hasShop ? await createShopVia(registered.browser) : undefined;
  return {
    browser: registered.browser,
    accountId: registered.me.account.id,
    email: registered.form.email as string,
    ...(shop ? { shop } : {}),
  };
}

beforeAll(async () => {
  context = await createTestContext();
  admin = (await createOperator(context, 'administrator')).browser;
  finance = (await createOperator(context, 'finance')).browser;
  support = (await createOperator(context, 'support')).browser;
  moderator = (await createOperator(context, 'moderator')).browser;
  withDefault = await merchant(true);
  withOwn = await merchant(true);
  withoutShops = await merchant(false);
  await context.deliverMail();
});
afterAll(async () => context?.close());

interface MessageRow {
  title_ru: string;
  body_ru: string;
  category: string;
  link: string | null;
}

async function messagesOf(accountId: string): Promise<MessageRow[]> {
  const result = await sql<MessageRow>`
    select title_ru, body_ru, category, link from messages
    where account_id = ${accountId} and category = 'payment_changes'
    order by created_at, id`.execute(context.deps.db);
  return result.rows;
}

async function mailsTo(email: string) {
  return context.deps.db
    .selectFrom('mail_messages')
    .select(['subject', 'kind'])
    .where('to_address', '=', email)
    .where('kind', '=', 'message.payment_changes')
    .execute();
}

const bankCard = (fields: Record<string, unknown>) => ({ methodGroup: 'BankCard', ...fields });
const percentAt = async (shopId: string, at: string) =>
  (await findTariff(context.deps.db, shopId, 'BankCard', new Date(at))).percentBasisPoints;

describe('tariffs', () => {
  let increaseId = '';

  it('opens to administrators and finance only', async () => {
    for (const [browser, expected] of [
      [admin, 200],
      [finance, 200],
      [support, 403],
      [moderator, 403],
      [withDefault.browser, 403],
    ] as const) {
      expect((await browser.get('/api/backoffice/tariffs')).statusCode).toBe(expected);
      expect((await browser.get('/api/backoffice/promo-codes')).statusCode).toBe(expected);
    }
    const refused = await support.post('/api/backoffice/tariffs', bankCard({ percent: '1' }));
    expect(refused.statusCode).toBe(403);
    const promo = await moderator.post('/api/backoffice/promo-codes', {
      code: 'MOD',
      description: 'x',
      discountPercent: 10,
      discountDays: 10,
    });
    expect(promo.statusCode).toBe(403);
    expect(await percentAt(withDefault.shop!.id, '2026-03-02T09:00:00Z')).toBe(290);
  });

  it('lowers the default at once, keeps the old row as history, and tells merchants with shops', async () => {
    const created = await finance.post('/api/backoffice/tariffs', bankCard({ percent: '2.5' }));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ shop: null, percentBasisPoints: 250, status: 'current' });
    const list = (await admin.get('/api/backoffice/tariffs?shop=default')).json();
    expect(list.increaseNoticeDays).toBe(14);
    expect(
      list.items.map((item: { percentBasisPoints: number; status: string }) => [
        item.percentBasisPoints,
        item.status,
      ]),
    ).toEqual([
      [250, 'current'],
      [290, 'past'],
    ]);
    await context.deliverMail();
    const [notice] = await messagesOf(withDefault.accountId);
    expect(notice?.title_ru).toBe('Тариф на «Банковская карта» меняется с 2 марта 2026 г. в 12:00');
    expect(notice?.body_ru).toContain('составит 2,5%. До этого действует 2,9%.');
    expect(await mailsTo(withDefault.email)).toHaveLength(1);
    expect(await messagesOf(withoutShops.accountId)).toEqual([]);
    expect(await percentAt(withDefault.shop!.id, '2026-03-02T09:00:01Z')).toBe(250);
    expect(await percentAt(withDefault.shop!.id, '2026-03-02T08:59:59Z')).toBe(290);
  });

  it('refuses an increase with less than 14 days notice, naming the earliest date', async () => {
    const early = await admin.post(
      '/api/backoffice/tariffs',
      bankCard({ percent: '3.5', effectiveFrom: '2026-03-16' }),
    );
    expect(early.statusCode).toBe(422);
    expect(early.json().error.fields.effectiveFrom).toEqual({
      code: 'notice_too_short',
      message: 'Повышение тарифа объявляется не меньше чем за 14 дн.: выберите 2026-03-17 или позже.',
    });
    // A higher fixed part alone is an increase too.
    const fixed = await admin.post(
      '/api/backoffice/tariffs',
      bankCard({ percent: '2.5', fixed: '5', effectiveFrom: '2026-03-03' }),
    );
    expect(fixed.json().error.fields.effectiveFrom.code).toBe('notice_too_short');
    const past = await admin.post(
      '/api/backoffice/tariffs',
      bankCard({ percent: '1', effectiveFrom: '2026-03-01' }),
    );
    expect(past.json().error.fields.effectiveFrom.code).toBe('in_past');
    const bad = await admin.post('/api/backoffice/tariffs', {
      methodGroup: 'Gold',
      percent: '101',
      fixed: '1.234',
      effectiveFrom: '2026-02-30',
    });
    expect(Object.keys(bad.json().error.fields).sort()).toEqual([
      'effectiveFrom',
      'fixed',
      'methodGroup',
      'percent',
    ]);
  });

  it('schedules an increase 14 days ahead: notified now, applied from the start date', async () => {
    const mailsBefore = (await mailsTo(withDefault.email)).length;
    const created = await admin.post(
      '/api/backoffice/tariffs',
      bankCard({ percent: '3.5', effectiveFrom: '2026-03-17' }),
    );
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ status: 'scheduled', effectiveFrom: '2026-03-16T21:00:00.000Z' });
    increaseId = created.json().id;
    await context.deliverMail();
    const notices = await messagesOf(withDefault.accountId);
    expect(notices).toHaveLength(2);
    expect(notices).toContainEqual(
      expect.objectContaining({
        title_ru: 'Тариф на «Банковская карта» меняется с 17 марта 2026 г.',
        link: '/cabinet/shops',
      }),
    );
    expect(await mailsTo(withDefault.email)).toHaveLength(mailsBefore + 1);
    expect(
      context.mail.sent.some(
        (mail) => mail.to === withDefault.email && mail.subject.includes('17 марта 2026'),
      ),
    ).toBe(true);
    const row = (await admin.get('/api/backoffice/tariffs'))
      .json()
      .items.find((item: { id: string }) => item.id === increaseId);
    // Both merchants with shops (neither has a tariff of its own yet); not the one without shops.
    expect(row.accountsNotified).toBe(2);
    expect(await percentAt(withDefault.shop!.id, '2026-03-16T20:59:59.999Z')).toBe(250);
    expect(await percentAt(withDefault.shop!.id, '2026-03-16T21:00:00Z')).toBe(350);
    expect(await auditEntries(context, 'tariff.scheduled', { target: increaseId })).toHaveLength(1);

    const before = await admin.post(
      '/api/backoffice/tariffs',
      bankCard({ percent: '2', effectiveFrom: '2026-03-10' }),
    );
    expect(before.json().error.fields.effectiveFrom.code).toBe('change_scheduled');
  });

  it("gives a shop its own tariff, which wins over the default's schedule", async () => {
    // A minute after the default's change, so "before" is the new default, not the one before it.
    context.clock.advanceMs(60_000);
    const created = await admin.post(
      '/api/backoffice/tariffs',
      bankCard({ shop: withOwn.shop!.merchantLogin, percent: '1.9' }),
    );
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ shop: { id: withOwn.shop!.id }, status: 'current' });
    await context.deliverMail();
    const notice = (await messagesOf(withOwn.accountId)).find((item) => item.link !== '/cabinet/shops');
    expect(notice?.body_ru).toContain(`в магазине «Книжная лавка» составит 1,9%. До этого действует 2,5%.`);
    expect(notice?.link).toBe(`/cabinet/shops/${withOwn.shop!.id}`);
    expect(await percentAt(withOwn.shop!.id, '2026-03-20T00:00:00Z')).toBe(190);
    expect(await percentAt(withDefault.shop!.id, '2026-03-20T00:00:00Z')).toBe(350);
    const unknown = await admin.post('/api/backoffice/tariffs', bankCard({ shop: 'nope', percent: '1' }));
    expect(unknown.json().error.fields.shop.code).toBe('unknown_shop');
    const own = (await admin.get(`/api/backoffice/tariffs?shop=${withOwn.shop!.id}`)).json().items;
    expect(own).toHaveLength(1);
  });

  it("shows the merchant the shop's tariff now and the next change, and no other account's shop", async () => {
    const answer = await withDefault.browser.get(`/api/cabinet/shops/${withDefault.shop!.id}/tariffs`);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().items).toEqual([
      {
        methodGroup: 'BankCard',
        description: { ru: 'Банковская карта', en: 'Bank card' },
        current: expect.objectContaining({ source: 'default', percentBasisPoints: 250 }),
        next: expect.objectContaining({ percentBasisPoints: 350, effectiveFrom: '2026-03-16T21:00:00.000Z' }),
      },
    ]);
    const own = (await withOwn.browser.get(`/api/cabinet/shops/${withOwn.shop!.id}/tariffs`)).json().items[0];
    expect(own).toMatchObject({ current: { source: 'shop', percentBasisPoints: 190 }, next: null });
    const foreign = await withOwn.browser.get(`/api/cabinet/shops/${withDefault.shop!.id}/tariffs`);
    expect(foreign.statusCode).toBe(404);
  });

  it('cancels a change that has not started, and tells those who heard of it', async () => {
    const cancelled = await admin.post(`/api/backoffice/tariffs/${increaseId}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    await context.deliverMail();
    const titles = (await messagesOf(withDefault.accountId)).map((item) => item.title_ru);
    expect(titles).toContain('Изменение тарифа с 17 марта 2026 г. отменено');
    expect(titles).toHaveLength(3);
    expect(await percentAt(withDefault.shop!.id, '2026-03-20T00:00:00Z')).toBe(250);
    const again = await admin.post(`/api/backoffice/tariffs/${increaseId}/cancel`);
    expect(again.json().error.code).toBe('tariff_already_cancelled');
    const current = (await admin.get('/api/backoffice/tariffs?shop=default'))
      .json()
      .items.find((item: { status: string }) => item.status === 'current');
    const inEffect = await admin.post(`/api/backoffice/tariffs/${current.id}/cancel`);
    expect(inEffect.statusCode).toBe(409);
    expect(inEffect.json().error.code).toBe('tariff_already_effective');
    expect((await admin.post('/api/backoffice/tariffs/tar_none/cancel')).statusCode).toBe(404);
    // History is kept: every row is still there.
    const count = await context.deps.db
      .selectFrom('tariffs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(4);
  });
});

describe('promo codes', () => {
  const register = (promoCode: string) =>
    new Browser(context.app).post('/api/cabinet/registrations', registrationForm({ promoCode }));

  it('creates a code, counts its uses, and refuses registration past its limit', async () => {
    const created = await admin.post('/api/backoffice/promo-codes', {
      code: 'spring-1',
      description: 'Весна',
      discountPercent: 50,
      discountDays: 30,
      validUntil: '2026-03-10',
      usageLimit: 1,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      code: 'SPRING-1',
      usageCount: 0,
      usageLimit: 1,
      status: 'active',
      validUntil: '2026-03-10T21:00:00.000Z',
    });
    expect((await register('spring-1')).statusCode).toBe(201);
    const listed = (await finance.get('/api/backoffice/promo-codes')).json().items;
    expect(listed.find((item: { code: string }) => item.code === 'SPRING-1')).toMatchObject({
      usageCount: 1,
      status: 'exhausted',
    });
    const refused = await register('SPRING-1');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.promoCode).toEqual({
      code: 'promo_exhausted',
      message: 'Этот промокод уже использовали максимальное число раз.',
    });
  });

  it('names bad input and a taken code', async () => {
    const bad = await admin.post('/api/backoffice/promo-codes', {
      code: 'a b',
      description: ' ',
      discountPercent: 0,
      discountDays: 0,
      validUntil: '2026-03-01',
      usageLimit: 0,
    });
    expect(Object.keys(bad.json().error.fields).sort()).toEqual([
      'code',
      'description',
      'discountDays',
      'discountPercent',
      'usageLimit',
      'validUntil',
    ]);
    const taken = await admin.post('/api/backoffice/promo-codes', {
      code: 'Spring-1',
      description: 'Again',
      discountPercent: 10,
      discountDays: 10,
    });
    expect(taken.json().error.fields.code.code).toBe('code_taken');
  });

  it('deactivates a code: registration refuses it, a second deactivation is a conflict', async () => {
    await admin.post('/api/backoffice/promo-codes', {
      code: 'AUTUMN',
      description: 'Осень',
      discountPercent: 10,
      discountDays: 10,
    });
    const deactivated = await admin.post('/api/backoffice/promo-codes/autumn/deactivate');
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    expect(deactivated.json()).toMatchObject({ status: 'deactivated' });
    expect((await register('AUTUMN')).json().error.fields.promoCode.code).toBe('promo_inactive');
    expect((await admin.post('/api/backoffice/promo-codes/AUTUMN/deactivate')).statusCode).toBe(409);
    expect((await admin.post('/api/backoffice/promo-codes/NONE/deactivate')).statusCode).toBe(404);
    expect(await auditEntries(context, 'promo_code.deactivated', { target: 'AUTUMN' })).toHaveLength(1);
  });

  it('refuses a code after its last day', async () => {
    await admin.post('/api/backoffice/promo-codes', {
      code: 'MARCH',
      description: 'До 3 марта',
      discountPercent: 20,
      discountDays: 5,
      validUntil: '2026-03-03',
    });
    expect((await register('MARCH')).statusCode).toBe(201);
    context.clock.set('2026-03-03T21:00:00Z');
    expect((await register('MARCH')).json().error.fields.promoCode.code).toBe('promo_expired');
    // The clock moved past the sessions' idle limit: a fresh sign-in.
    const later = (await createOperator(context, 'finance')).browser;
    const listed = (await later.get('/api/backoffice/promo-codes')).json().items;
    expect(listed.find((item: { code: string }) => item.code === 'MARCH')).toMatchObject({
      status: 'expired',
      usageCount: 1,
    });
  });
});
