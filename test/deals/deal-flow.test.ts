/**
 * A safe deal end to end on real PostgreSQL: created in the cabinet, its link mailed to the buyer only,
 * paid on the hosted checkout into escrow, released to the shop when the buyer confirms (then settled
 * to available), and the buyer page's refusals: a wrong secret, a second confirmation, a foreign site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { confirmReceipt } from '../../src/modules/deals/deal-buyer.service.js';
import { withDealTables } from '../../src/modules/deals/deal.tables.js';
import { maskUrlSecrets } from '../../src/platform/logger.js';
import type { TestBrowser } from '../support/client.js';
import { registerMerchant, signInBrowser } from '../support/flows.js';
import { loadConfig } from '../../src/config.js';
import { createTestContext, TEST_MASTER_KEY, type TestContext } from '../support/harness.js';
import { openLiveShop, payWithCard, type LiveShop } from '../invoices/invoice-support.js';
import { cardForm, paymentIdFrom, submitCard } from '../support/payments.js';
import {
  accountSum,
  buyerPost,
  createDealVia,
  escrowAccount,
  expectLedgerBalanced,
  payDeal,
  paymentFee,
  readDeal,
  secretMailedTo,
  shopAvailable,
  shopPending,
  transfersOfDeal,
} from './deal-support.js';

let context: TestContext;
let merchant: TestBrowser;
let merchantEmail: string;
let shop: LiveShop;

beforeAll(async () => {
  context = await createTestContext({ KOPEK_SETTLEMENT_BUSINESS_DAYS: '1' });
  const registered = await registerMerchant(context);
  merchant = registered.browser;
  merchantEmail = registered.form.email as string;
  shop = await openLiveShop(context, merchant);
});
afterAll(async () => context?.close());

async function openPage(secret: string, headers: Record<string, string> = {}) {
  return context.app.inject({
    method: 'GET',
    url: `/deal/${secret}`,
    headers: { 'accept-language': 'ru', ...headers },
  });
}

describe('a deal released on the buyer’s confirmation', () => {
  it('goes created → paid (escrow) → released (pending) → settled (available), balanced at every step', async () => {
    const created = await createDealVia(merchant, shop.id, { deadlineDays: 10 });
    expect(created).toMatchObject({
      status: 'created',
      amount: '1490.00',
      deadlineDays: 10,
      paymentId: null,
    });
    // The merchant never gets the buyer's link: whoever holds it can release the money.
    expect(JSON.stringify(created)).not.toMatch(/\/deal\//);
    const secret = await secretMailedTo(context, created.buyerEmail);

    const page = await openPage(secret);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Велосипед б/у');
    expect(page.body).toMatch(/1\s490,00\s₽/);
    expect(page.body).toContain(`action="/deal/${secret}/pay"`);
    const escrowBefore = await accountSum(context, escrowAccount);

    const paymentId = await payDeal(context, secret);
    const paid = await readDeal(context, created.id);
    expect(paid.status).toBe('paid');
    expect(paid.payment_id).toBe(paymentId);
    expect(paid.release_at?.toISOString()).toBe(
      new Date(context.clock.now().getTime() + 10 * 86_400_000).toISOString(),
    );
    // The whole amount waits in escrow; the shop is owed nothing yet.
    expect((await accountSum(context, escrowAccount)) - escrowBefore).toBe(-149_000n);
    expect(await accountSum(context, shopPending(shop.id))).toBe(0n);
    await expectLedgerBalanced(context);
    const paidPage = await openPage(secret);
    expect(paidPage.body).toContain(`action="/deal/${secret}/confirm"`);
    expect(paidPage.body).toContain(`action="/deal/${secret}/dispute"`);

    const confirmed = await buyerPost(context, `/deal/${secret}/confirm`);
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(`/deal/${secret}?done=confirmed`);
    const released = await readDeal(context, created.id);
    expect(released).toMatchObject({ status: 'released', resolution: 'buyer_confirmed' });
    const feeMinor = await paymentFee(context, paymentId);
    expect(feeMinor).toBeGreaterThan(0n);
    expect((await accountSum(context, escrowAccount)) - escrowBefore).toBe(0n);
    expect(await accountSum(context, shopPending(shop.id))).toBe(-(149_000n - feeMinor));
    expect(await transfersOfDeal(context, created.id)).toEqual([
      `deal:${created.id}:escrowed`,
      `deal:${created.id}:released`,
    ]);
    await expectLedgerBalanced(context);

    // One business day later the released money is available, as any payment's.
    context.clock.advanceMs(4 * 86_400_000);
    await context.worker.drain();
    expect(await accountSum(context, shopPending(shop.id))).toBe(0n);
    expect(await accountSum(context, shopAvailable(shop.id))).toBe(-(149_000n - feeMinor));
    await expectLedgerBalanced(context);

    // Days passed: the cabinet session has expired, so the merchant signs in again.
    merchant = await signInBrowser(context, merchantEmail);
    const view = await merchant.get(`/api/cabinet/deals/${created.id}`);
    expect(view.json()).toMatchObject({ status: 'released', resolution: 'buyer_confirmed', paymentId });
    const mails = await context.deps.db
      .selectFrom('mail_messages')
      .select('kind')
      .where('to_address', '=', created.buyerEmail)
      .orderBy('id')
      .execute();
    expect(mails.map((mail) => mail.kind)).toEqual(
      expect.arrayContaining(['deal.created', 'deal.paid', 'deal.released']),
    );
    const messages = await sql<{ dedup_key: string }>`
      select dedup_key from messages where dedup_key like ${`deal:${created.id}:%`}`.execute(context.deps.db);
    expect(messages.rows.map((message) => message.dedup_key).sort()).toEqual([
      `deal:${created.id}:paid`,
      `deal:${created.id}:released`,
    ]);
  });

  it('refuses a second confirmation, and releases once when two race', async () => {
    const deal = await createDealVia(merchant, shop.id);
    const secret = await secretMailedTo(context, deal.buyerEmail);
    await payDeal(context, secret);

    const outcomes = await Promise.all([
      confirmReceipt(context.deps, secret),
      confirmReceipt(context.deps, secret),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['done', 'refused']);
    expect(await transfersOfDeal(context, deal.id)).toEqual([
      `deal:${deal.id}:escrowed`,
      `deal:${deal.id}:released`,
    ]);

    const again = await buyerPost(context, `/deal/${secret}/confirm`);
    expect(again.headers.location).toBe(`/deal/${secret}?done=not_confirmable`);
    const page = await openPage(secret, {});
    expect(page.body).not.toContain('/confirm"');
    await expectLedgerBalanced(context);
  });

  it('reuses the started payment when the buyer presses "pay" twice, and after a declined card', async () => {
    const deal = await createDealVia(merchant, shop.id);
    const secret = await secretMailedTo(context, deal.buyerEmail);
    const first = await buyerPost(context, `/deal/${secret}/pay`);
    const second = await buyerPost(context, `/deal/${secret}/pay`);
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const paymentId = paymentIdFrom(first.headers.location as string);
    const payment = await context.deps.db
      .selectFrom('payments')
      .select(['is_escrow', 'status'])
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment).toEqual({ is_escrow: true, status: 'created' });

    // A declined card leaves the payment 'failed' but payable: the buyer comes back to the same one.
    await submitCard(context.app, paymentId, cardForm('4000 0000 0000 0002'));
    expect((await readDeal(context, deal.id)).status).toBe('created');
    const third = await buyerPost(context, `/deal/${secret}/pay`);
    expect(third.headers.location).toBe(first.headers.location);
    await payWithCard(context, paymentId);
    expect((await readDeal(context, deal.id)).status).toBe('paid');
    await expectLedgerBalanced(context);
  });
});

describe('the buyer page refuses', () => {
  it('a wrong or malformed secret with 404, and changes nothing', async () => {
    const wellFormed = 'A'.repeat(43);
    for (const secret of [wellFormed, 'short', `${wellFormed}B`]) {
      expect((await openPage(secret)).statusCode).toBe(404);
      expect((await buyerPost(context, `/deal/${secret}/confirm`)).statusCode).toBe(404);
      expect((await buyerPost(context, `/deal/${secret}/pay`)).statusCode).toBe(404);
    }
  });

  it('a POST from another site, before anything changes', async () => {
    const deal = await createDealVia(merchant, shop.id);
    const secret = await secretMailedTo(context, deal.buyerEmail);
    await payDeal(context, secret);
    const forged = await context.app.inject({
      method: 'POST',
      url: `/deal/${secret}/confirm`,
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(forged.statusCode).toBe(403);
    expect((await readDeal(context, deal.id)).status).toBe('paid');
  });

  it('a cabinet refund of a deal’s payment: the deal returns the money, not the refund path', async () => {
    const deal = await createDealVia(merchant, shop.id);
    const secret = await secretMailedTo(context, deal.buyerEmail);
    const paymentId = await payDeal(context, secret);
    const refund = await merchant.post(`/api/cabinet/operations/${paymentId}/refunds`, {});
    expect(refund.statusCode).toBe(409);
    expect(refund.json()).toMatchObject({ error: { code: 'deal_payment_not_refundable' } });
    expect(
      await context.deps.db.selectFrom('refunds').select('id').where('payment_id', '=', paymentId).execute(),
    ).toEqual([]);
  });
});

describe('the buyer’s secret', () => {
  it('is masked in logged URLs, as e-mailed tokens are', () => {
    const secret = 'A'.repeat(43);
    expect(maskUrlSecrets(`/deal/${secret}/confirm?done=x`)).toBe('/deal/[redacted]/confirm?done=x');
    expect(maskUrlSecrets('/api/cabinet/deals/deal_1')).toBe('/api/cabinet/deals/deal_1');
  });
});

describe('KOPEK_DEAL_DEADLINE_DAYS', () => {
  it('accepts 1 to 180 days, 14 by default, and stops the boot otherwise', () => {
    const environment = (days?: string) => ({
      NODE_ENV: 'test',
      KOPEK_MASTER_KEY: TEST_MASTER_KEY,
      ...(days === undefined ? {} : { KOPEK_DEAL_DEADLINE_DAYS: days }),
    });
    expect(loadConfig(environment()).dealDeadlineDays).toBe(14);
    expect(loadConfig(environment('1')).dealDeadlineDays).toBe(1);
    expect(loadConfig(environment('180')).dealDeadlineDays).toBe(180);
    for (const bad of ['0', '181', '7.5', 'week', '-1']) {
      expect(() => loadConfig(environment(bad))).toThrow(/KOPEK_DEAL_DEADLINE_DAYS/);
    }
  });
});

describe('creating a deal', () => {
  it('reports every bad field at once and writes nothing', async () => {
    const before = await withDealTables(context.deps.db).selectFrom('deals').select('id').execute();
    const response = await merchant.post('/api/cabinet/deals', {
      shopId: shop.id,
      amount: '-5',
      description: ' ',
      buyerEmail: 'not-an-address',
      deadlineDays: 0,
    });
    expect(response.statusCode).toBe(422);
    const fields = (response.json() as { error: { fields: Record<string, { code: string }> } }).error.fields;
    expect(Object.keys(fields).sort()).toEqual(
      ['amount', 'buyerEmail', 'deadlineDays', 'description'].sort(),
    );
    const valid = await merchant.post('/api/cabinet/deals', {
      shopId: shop.id,
      amount: '10.001',
      description: 'x',
      buyerEmail: 'b@example.ru',
    });
    expect(valid.statusCode).toBe(422);
    expect(await withDealTables(context.deps.db).selectFrom('deals').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('takes the installation’s default deadline and only test deals on a shop not yet active', async () => {
    const deal = await createDealVia(merchant, shop.id);
    expect(deal.deadlineDays).toBe(14);
    await context.deps.db
      .updateTable('shops')
      .set({ status: 'moderation' })
      .where('id', '=', shop.id)
      .execute();
    try {
      const live = await merchant.post('/api/cabinet/deals', {
        shopId: shop.id,
        amount: '100',
        description: 'x',
        buyerEmail: 'b@example.ru',
      });
      expect(live.json()).toMatchObject({ error: { code: 'shop_takes_test_payments_only' } });
      const test = await createDealVia(merchant, shop.id, { isTest: true });
      const secret = await secretMailedTo(context, test.buyerEmail);
      await payDeal(context, secret);
      expect((await readDeal(context, test.id)).status).toBe('paid');
      // Test deals move no money.
      expect(await transfersOfDeal(context, test.id)).toEqual([]);
    } finally {
      await context.deps.db
        .updateTable('shops')
        .set({ status: 'active' })
        .where('id', '=', shop.id)
        .execute();
    }
  });
});
