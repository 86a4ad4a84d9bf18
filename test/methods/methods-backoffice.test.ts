/**
 * Methods and providers in the back-office over HTTP on a real PostgreSQL: the catalogue with the
 * provider of each method, a shop's switches changed by an administrator (audit entry and the merchant's
 * message and mail, nothing written for a request that changes nothing), role limits (a support agent
 * looks but cannot switch), provider health computed from attempts of known ages, and the merchant's
 * read-only list scoped to its own account.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { MerchantStub, prepareDemoShop, startDemoPayment } from '../support/payments.js';

let context: TestContext;
const stub = new MerchantStub();
let admin: TestBrowser;
let adminId: string;
let support: TestBrowser;
let finance: TestBrowser;
let owner: {
  browser: TestBrowser;
  accountId: string;
  email: string;
  shop: { id: string; merchantLogin: string };
};
let stranger: TestBrowser;

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
  const operator = await createOperator(context, 'administrator');
  admin = operator.browser;
  adminId = operator.id;
  support = (await createOperator(context, 'support')).browser;
  finance = (await createOperator(context, 'finance')).browser;
  const registered = await registerMerchant(context);
  owner = {
    browser: registered.browser,
    accountId: registered.me.account.id,
    email: registered.form.email as string,
    shop: await createShopVia(registered.browser, { name: 'Чайная лавка' }),
  };
  stranger = (await registerMerchant(context)).browser;
  await context.deliverMail();
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

const put = (browser: TestBrowser, shopId: string, changes: unknown) =>
  browser.request('PUT', `/api/backoffice/shops/${shopId}/methods`, { changes });

interface ShopMethodRow {
  label: string;
  isEnabled: boolean;
  isExplicit: boolean;
}
const enabledLabels = (items: ShopMethodRow[]) =>
  items.filter((item) => item.isEnabled).map((item) => item.label);

async function methodMessages(accountId: string) {
  const result = await sql<{ title_ru: string; body_ru: string; body_en: string; link: string | null }>`
    select title_ru, body_ru, body_en, link from messages
    where account_id = ${accountId} and category = 'payment_changes'
    order by created_at, id`.execute(context.deps.db);
  return result.rows;
}

describe('the catalogue', () => {
  it('lists every group with limits, currencies, capabilities and the provider of each method', async () => {
    const response = await support.get('/api/backoffice/methods');
    expect(response.statusCode, response.body).toBe(200);
    const groups = response.json().groups as {
      code: string;
      items: {
        label: string;
        kind: string;
        minMinor: string | null;
        maxMinor: string | null;
        currencies: string[];
        capabilities: Record<string, boolean>;
        provider: { name: string; isSandbox: boolean } | null;
      }[];
    }[];
    expect(groups.map((group) => group.code)).toEqual([
      'BankCard',
      'SBP',
      'EMoney',
      'Bank',
      'Terminals',
      'Apps',
      'Mobile',
    ]);
    const card = groups[0]!.items[0]!;
    expect(card).toMatchObject({
      label: 'BankCardPSR',
      minMinor: null,
      currencies: ['RUB', 'KZT', 'USD', 'EUR'],
      capabilities: { isRefundable: true, isHoldable: true, isRecurring: true },
      provider: { name: 'sandbox', isSandbox: true },
    });
    const sbp = groups[1]!.items[0]!;
    expect(sbp).toMatchObject({
      label: 'SBPPSR',
      kind: 'sbp',
      minMinor: '100',
      maxMinor: '100000000',
      capabilities: { isRefundable: true, isHoldable: false },
      provider: { name: 'sandbox-sbp', isSandbox: true },
    });
  });

  it('is for operators only', async () => {
    expect((await owner.browser.get('/api/backoffice/methods')).statusCode).toBe(403);
    expect((await new TestBrowser(context.app).get('/api/backoffice/methods')).statusCode).toBe(401);
  });
});

describe('a shop’s methods', () => {
  it('finds the shop by MerchantLogin and shows the catalogue defaults', async () => {
    const found = await support.get(
      `/api/backoffice/methods/shops?q=${owner.shop.merchantLogin.toUpperCase()}`,
    );
    expect(found.statusCode).toBe(200);
    expect(found.json().items).toEqual([
      expect.objectContaining({
        id: owner.shop.id,
        merchantLogin: owner.shop.merchantLogin,
        accountId: owner.accountId,
      }),
    ]);
    const shown = await support.get(`/api/backoffice/shops/${owner.shop.id}/methods`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json().shop).toMatchObject({ id: owner.shop.id, name: 'Чайная лавка' });
    expect(enabledLabels(shown.json().items)).toEqual(['BankCardPSR']);
    expect((shown.json().items as ShopMethodRow[]).every((item) => !item.isExplicit)).toBe(true);
  });

  it('refuses a support agent and finance the change, and changes nothing', async () => {
    const changes = [{ label: 'SBPPSR', isEnabled: true }];
    expect((await put(support, owner.shop.id, changes)).statusCode).toBe(403);
    expect((await put(finance, owner.shop.id, changes)).statusCode).toBe(403);
    expect((await put(owner.browser, owner.shop.id, changes)).statusCode).toBe(403);
    const rows = await context.deps.db
      .selectFrom('shop_payment_methods')
      .selectAll()
      .where('shop_id', '=', owner.shop.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('lets an administrator switch methods, with an audit entry and a message and mail to the merchant', async () => {
    const response = await put(admin, owner.shop.id, [
      { label: 'SBPPSR', isEnabled: true },
      { label: 'PhoneBalancePSR', isEnabled: true },
      { label: 'BankCardPSR', isEnabled: true },
    ]);
    expect(response.statusCode, response.body).toBe(200);
    expect(enabledLabels(response.json().items)).toEqual(['BankCardPSR', 'SBPPSR', 'PhoneBalancePSR']);

    const [entry, ...more] = await auditEntries(context, 'shop.methods_changed', { target: owner.shop.id });
    expect(more).toEqual([]);
    // The card was on already: only real changes are recorded.
    expect(entry).toMatchObject({
      account_id: owner.accountId,
      actor_user_id: adminId,
      details: { enabled: ['SBPPSR', 'PhoneBalancePSR'], disabled: [] },
    });
    const [message] = await methodMessages(owner.accountId);
    expect(message?.title_ru).toBe('Способы оплаты магазина «Чайная лавка» изменены');
    expect(message?.body_ru).toContain('Подключены: СБП, Со счёта телефона.');
    expect(message?.body_en).toContain('Enabled: SBP, From the phone balance.');
    expect(message?.link).toBe(`/cabinet/shops/${owner.shop.id}`);
    await context.deliverMail();
    expect(
      context.mail.sent.some((mail) => mail.to === owner.email && mail.subject.includes('Чайная лавка')),
    ).toBe(true);
  });

  it('writes nothing for a request that changes nothing, and tells a switch-off', async () => {
    expect((await put(admin, owner.shop.id, [{ label: 'SBPPSR', isEnabled: true }])).statusCode).toBe(200);
    expect(await auditEntries(context, 'shop.methods_changed', { target: owner.shop.id })).toHaveLength(1);
    expect(await methodMessages(owner.accountId)).toHaveLength(1);

    context.clock.advanceMs(1000);
    const off = await put(admin, owner.shop.id, [{ label: 'PhoneBalancePSR', isEnabled: false }]);
    expect(enabledLabels(off.json().items)).toEqual(['BankCardPSR', 'SBPPSR']);
    const entries = await auditEntries(context, 'shop.methods_changed', { target: owner.shop.id });
    expect(entries[1]?.details).toEqual({ enabled: [], disabled: ['PhoneBalancePSR'] });
    expect((await methodMessages(owner.accountId))[1]?.body_ru).toContain('Отключены: Со счёта телефона.');
  });

  it('refuses an unknown method by field and an unknown shop with 404', async () => {
    const unknown = await put(admin, owner.shop.id, [{ label: 'BitcoinPSR', isEnabled: true }]);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.fields.methods).toBeDefined();
    expect((await put(admin, 'shp_missing', [{ label: 'SBPPSR', isEnabled: true }])).statusCode).toBe(404);
    expect((await admin.get('/api/backoffice/shops/shp_missing/methods')).statusCode).toBe(404);
  });
});

describe('the merchant’s view', () => {
  it('lists the enabled methods of its own shop with limits', async () => {
    const response = await owner.browser.get(`/api/cabinet/shops/${owner.shop.id}/methods`);
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as {
      label: string;
      minMinor: string | null;
      group: { code: string };
    }[];
    expect(items.map((item) => item.label)).toEqual(['BankCardPSR', 'SBPPSR']);
    expect(items[1]).toMatchObject({ minMinor: '100', maxMinor: '100000000', group: { code: 'SBP' } });
    expect(items[1]).not.toHaveProperty('provider');
  });

  it('answers 404 for another account’s shop', async () => {
    expect((await stranger.get(`/api/cabinet/shops/${owner.shop.id}/methods`)).statusCode).toBe(404);
  });
});

describe('provider health', () => {
  const HOUR = 3_600_000;
  let invId = 9100;

  async function attempt(label: string, kind: string, status: string, ageMs: number) {
    invId += 1;
    const paymentId = await startDemoPayment(context.app, { invId: String(invId) });
    const at = new Date(context.clock.now().getTime() - ageMs);
    await context.deps.db
      .insertInto('method_attempts')
      .values({
        id: `mat_health_${invId}`,
        payment_id: paymentId,
        method_label: label,
        kind,
        provider: 'sandbox-sbp',
        provider_reference: `ref-${invId}`,
        status: status as 'pending',
        amount_minor: 10_000n,
        expires_at: new Date(at.getTime() + 10 * 60_000),
        created_at: at,
        updated_at: at,
      })
      .execute();
  }

  async function cardAttempt(status: string, ageMs: number) {
    invId += 1;
    const paymentId = await startDemoPayment(context.app, { invId: String(invId) });
    const at = new Date(context.clock.now().getTime() - ageMs);
    // The figures need only the attempt; the vault row stands for a card stored at the attempt.
    await context.deps.db
      .insertInto('card_vault')
      .values({
        token: `tok_${invId}`,
        pan_sealed: 'sealed',
        first6: '411111',
        last4: '1111',
        brand: 'visa',
        expiry_month: 12,
        expiry_year: 2030,
        created_at: at,
      })
      .execute();
    await context.deps.db
      .insertInto('card_attempts')
      .values({
        id: `cat_health_${invId}`,
        payment_id: paymentId,
        submission_key: `key-${invId}`,
        amount_minor: 10_000n,
        status: status as 'approved',
        card_token: `tok_${invId}`,
        card_mask: '4111 11** **** 1111',
        acquirer_reference: null,
        decline_reason: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }

  beforeAll(async () => {
    await attempt('SBPPSR', 'sbp', 'paid', 1 * HOUR);
    await attempt('SBPPSR', 'sbp', 'paid', 2 * HOUR);
    await attempt('SBPPSR', 'sbp', 'declined', 3 * HOUR);
    await attempt('SBPPSR', 'sbp', 'expired', 4 * HOUR);
    await attempt('SBPPSR', 'sbp', 'pending', 30 * 60_000);
    // Three days old: in the week, not in the day; still waiting, so it is the oldest pending.
    await attempt('SBPPSR', 'sbp', 'paid', 72 * HOUR);
    await attempt('SBPPSR', 'sbp', 'pending', 72 * HOUR);
    await cardAttempt('approved', 1 * HOUR);
    await cardAttempt('declined', 1 * HOUR);
    await cardAttempt('unknown', 20 * 60_000);
  });

  interface HealthRow {
    label: string;
    started: number;
    paid: number;
    declined: number;
    expired: number;
    successRate: number | null;
    pendingNow: number;
    oldestPendingSeconds: number | null;
    provider: { name: string } | null;
  }
  const health = async (window: string) => {
    const response = await support.get(`/api/backoffice/methods/health?window=${window}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items as HealthRow[];
  };
  const row = (items: HealthRow[], label: string) => items.find((item) => item.label === label)!;

  it('counts the last 24 hours, the waiting ones and the age of the oldest', async () => {
    const items = await health('24h');
    expect(row(items, 'SBPPSR')).toEqual(
      expect.objectContaining({
        started: 5,
        paid: 2,
        declined: 1,
        expired: 1,
        successRate: 0.5,
        pendingNow: 2,
        oldestPendingSeconds: 72 * 3600,
        provider: expect.objectContaining({ name: 'sandbox-sbp' }),
      }),
    );
    expect(row(items, 'BankCardPSR')).toEqual(
      expect.objectContaining({
        started: 3,
        paid: 1,
        declined: 1,
        expired: 0,
        successRate: 0.5,
        pendingNow: 1,
      }),
    );
    expect(row(items, 'BankCardPSR').oldestPendingSeconds).toBe(20 * 60);
    expect(row(items, 'YooMoneyPSR')).toEqual(
      expect.objectContaining({ started: 0, successRate: null, pendingNow: 0, oldestPendingSeconds: null }),
    );
  });

  it('counts the last 7 days', async () => {
    const sbp = row(await health('7d'), 'SBPPSR');
    expect(sbp).toEqual(
      expect.objectContaining({ started: 7, paid: 3, declined: 1, expired: 1, successRate: 0.6 }),
    );
  });

  it('refuses another window and non-operators', async () => {
    expect((await support.get('/api/backoffice/methods/health?window=1y')).statusCode).toBe(422);
    expect((await owner.browser.get('/api/backoffice/methods/health')).statusCode).toBe(403);
  });
});
