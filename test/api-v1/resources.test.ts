/**
 * The JSON API v1's holds, payouts, ledger entries and payment links over HTTP on real PostgreSQL: the
 * answers and their database side effects, Idempotency-Key on every POST (missing → 400, replay → the
 * same answer, another body → 409), and the key's shop as the only scope (another account's key and
 * another shop's key of the same account get 404). The OpenAPI document lists every route.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, paymentIdFrom, submitCard } from '../support/payments.js';
import { fund, saveBankDetails } from '../payouts/helpers.js';
import { netByAccount } from '../payments/holds-support.js';
import {
  ledgerTotal,
  openLiveShop,
  pay,
  unbalancedTransfers,
  type LiveShop,
} from '../refunds/refund-support.js';

let context: TestContext;
let merchant: TestBrowser;
let shop: LiveShop;
/** The key of `shop`; of a second shop of the same account; of another account's shop. */
const keys = { own: '', sibling: '', stranger: '' };
let idempotency = 0;
let holdInvId = 7000;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

async function createKey(browser: TestBrowser, shopId: string): Promise<string> {
  const response = await browser.post(`/api/cabinet/shops/${shopId}/api-keys`, { name: 'Backend' });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { secret: string }).secret;
}

function v1(
  method: 'GET' | 'POST',
  url: string,
  options: { key?: string; body?: unknown; idem?: string | null } = {},
) {
  const idem = options.idem === undefined && method === 'POST' ? `k-${++idempotency}` : options.idem;
  return context.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${options.key ?? keys.own}`,
      ...(idem ? { 'idempotency-key': idem } : {}),
    },
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
}

/** A StepByStep payment of `outSum` paid with the approving sandbox card: the amount is held. */
async function takeHold(outSum: string): Promise<string> {
  holdInvId += 1;
  const invId = String(holdInvId);
  const query = new URLSearchParams({
    MerchantLogin: shop.merchantLogin,
    OutSum: outSum,
    InvId: invId,
    StepByStep: 'true',
    SignatureValue: md5([shop.merchantLogin, outSum, invId, 'true', shop.passwords.password1].join(':')),
  });
  const started = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${query}` });
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
  return paymentId;
}

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
  const sibling = await openLiveShop(context, merchant);
  await context.deps.db
    .updateTable('shops')
    .set({ is_hold_allowed: true })
    .where('id', '=', shop.id)
    .execute();
  const stranger = await registerMerchant(context);
  const strangerShop = await openLiveShop(context, stranger.browser);
  keys.own = await createKey(merchant, shop.id);
  keys.sibling = await createKey(merchant, sibling.id);
  keys.stranger = await createKey(stranger.browser, strangerShop.id);
  await saveBankDetails(merchant);
  await fund(context, shop.id, 1_000_000n);
});
afterAll(async () => context?.close());

describe('holds: POST /api/v1/payments/:id/capture and /cancel', () => {
  it('captures part of a hold once; replays the answer; refuses a second capture and other bodies', async () => {
    const paymentId = await takeHold('300.00');
    const url = `/api/v1/payments/${paymentId}/capture`;
    const missing = await v1('POST', url, { body: { amount: '200.00' }, idem: null });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: { code: 'idempotency_key_required' } });
    const tooMuch = await v1('POST', url, { body: { amount: '300.01' } });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json()).toMatchObject({ error: { fields: { amount: { code: 'exceeds_hold' } } } });

    const captured = await v1('POST', url, { body: { amount: '200.00' }, idem: 'capture-1' });
    expect(captured.statusCode, captured.body).toBe(200);
    expect(captured.json()).toMatchObject({ id: paymentId, status: 'paid', amount: '200.00', fee: '5.80' });
    const replay = await v1('POST', url, { body: { amount: '200.00' }, idem: 'capture-1' });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(captured.json());
    const reused = await v1('POST', url, { body: { amount: '100.00' }, idem: 'capture-1' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    const again = await v1('POST', url, { body: { amount: '50.00' } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'hold_not_held' } });

    // Captured 200.00 of 300.00: the shop is owed 200.00 less the 2.9% fee; the rest went back.
    const net = await netByAccount(context, paymentId);
    expect(net[`shop:${shop.id}:pending:RUB`]).toBe(-19_420n);
    expect(net['platform:fee_revenue:RUB']).toBe(-580n);
    expect(await unbalancedTransfers(context)).toBe(0);
    expect(await ledgerTotal(context)).toBe(0n);
  });

  it('cancels a hold, captures the whole amount without one, and refuses what is not a hold', async () => {
    const cancelled = await takeHold('120.00');
    const cancel = await v1('POST', `/api/v1/payments/${cancelled}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json()).toMatchObject({ id: cancelled, status: 'released' });
    expect((await v1('POST', `/api/v1/payments/${cancelled}/capture`, { body: {} })).json()).toMatchObject({
      error: { code: 'hold_not_held' },
    });

    const whole = await takeHold('80.00');
    const captured = await v1('POST', `/api/v1/payments/${whole}/capture`, { body: {} });
    expect(captured.json()).toMatchObject({ status: 'paid', amount: '80.00' });

    const ordinary = await pay(context, shop, '10.00');
    const refused = await v1('POST', `/api/v1/payments/${ordinary.id}/cancel`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'not_a_hold' } });
  });

  it('answers 404 to another shop’s key, of the same account or not, and changes nothing', async () => {
    const paymentId = await takeHold('50.00');
    for (const key of [keys.sibling, keys.stranger]) {
      for (const action of ['capture', 'cancel']) {
        const response = await v1('POST', `/api/v1/payments/${paymentId}/${action}`, { key, body: {} });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: { code: 'payment_not_found' } });
      }
    }
    const row = await context.deps.db
      .selectFrom('payments')
      .select('status')
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('held');
  });
});

describe('payouts: GET /api/v1/payouts, GET /api/v1/payouts/:id, POST /api/v1/payouts', () => {
  it('pays out on demand through the ledger, replays, lists and shows it only to its shop', async () => {
    const created = await v1('POST', '/api/v1/payouts', { body: { amount: '1000.00' }, idem: 'payout-1' });
    expect(created.statusCode, created.body).toBe(201);
    const payout = created.json() as { id: string; amount: string; status: string; shopId: string };
    expect(payout).toMatchObject({ amount: '1000.00', status: 'created', shopId: shop.id, fee: '0.00' });
    const replay = await v1('POST', '/api/v1/payouts', { body: { amount: '1000.00' }, idem: 'payout-1' });
    expect(replay.json()).toEqual(created.json());
    const reused = await v1('POST', '/api/v1/payouts', { body: { amount: '5.00' }, idem: 'payout-1' });
    expect(reused.statusCode).toBe(409);
    const payouts = await context.deps.db
      .withTables<{ payouts: { id: string; requested_by: string | null } }>()
      .selectFrom('payouts')
      .selectAll()
      .execute();
    expect(payouts).toEqual([{ ...payouts[0], id: payout.id, requested_by: null }]);
    expect(await unbalancedTransfers(context)).toBe(0);

    const list = await v1('GET', '/api/v1/payouts?limit=10');
    expect(list.statusCode).toBe(200);
    expect((list.json() as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([payout.id]);
    expect((await v1('GET', `/api/v1/payouts/${payout.id}`)).json()).toMatchObject({ id: payout.id });
    for (const key of [keys.sibling, keys.stranger]) {
      expect((await v1('GET', `/api/v1/payouts/${payout.id}`, { key })).statusCode).toBe(404);
      expect((await v1('GET', '/api/v1/payouts', { key })).json()).toEqual({ items: [] });
    }
  });

  it('refuses more than is available and a malformed amount, moving nothing', async () => {
    const tooMuch = await v1('POST', '/api/v1/payouts', { body: { amount: '999999.00' } });
    expect(tooMuch.statusCode).toBe(409);
    const malformed = await v1('POST', '/api/v1/payouts', { body: { amount: '1,5' } });
    expect(malformed.statusCode).toBe(422);
    expect((await v1('GET', '/api/v1/payouts')).json()).toMatchObject({ items: [{ amount: '1000.00' }] });
  });
});

describe('ledger: GET /api/v1/ledger/entries', () => {
  it('pages through an account newest first with a keyset cursor; pages join up exactly', async () => {
    const first = await v1('GET', '/api/v1/ledger/entries?account=available&limit=1');
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json() as {
      balance: string;
      items: { id: string; amount: string; balanceAfter: string; kind: string }[];
      nextCursor: string | null;
    };
    expect(page1.items).toHaveLength(1);
    expect(page1.items[0]?.balanceAfter).toBe(page1.balance);
    expect(page1.nextCursor).not.toBeNull();
    const second = await v1(
      'GET',
      `/api/v1/ledger/entries?account=available&limit=1&before=${page1.nextCursor}`,
    );
    const page2 = second.json() as typeof page1;
    expect(Number(page2.items[0]?.id)).toBeLessThan(Number(page1.items[0]?.id));
    // The newer entry's balance less its amount is the older entry's balance.
    const newer = page1.items[0];
    const older = page2.items[0];
    expect(Number(newer?.balanceAfter) - Number(newer?.amount)).toBeCloseTo(Number(older?.balanceAfter), 2);
    const everything = await v1('GET', '/api/v1/ledger/entries?account=available&limit=200');
    const all = (everything.json() as typeof page1).items;
    expect(all.slice(0, 2).map((item) => item.id)).toEqual([newer?.id, older?.id]);
    expect(all.map((item) => item.kind)).toContain('payout');
  });

  it('refuses a bad cursor or size and shows another shop only its own entries', async () => {
    expect((await v1('GET', '/api/v1/ledger/entries?before=abc')).statusCode).toBe(422);
    expect((await v1('GET', '/api/v1/ledger/entries?limit=500')).statusCode).toBe(422);
    expect((await v1('GET', '/api/v1/ledger/entries?account=cash')).statusCode).toBe(422);
    for (const key of [keys.sibling, keys.stranger]) {
      const response = await v1('GET', '/api/v1/ledger/entries?account=available', { key });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ balance: '0.00', items: [], nextCursor: null });
    }
  });
});

describe('payment links: POST/GET /api/v1/payment-links, GET /:id, POST /:id/deactivate', () => {
  it('creates a link the buyer can open, replays it, lists, reads and deactivates it', async () => {
    const body = { invoiceType: 'OneTime', amount: '150.00', description: 'Книга' };
    const created = await v1('POST', '/api/v1/payment-links', { body, idem: 'link-1' });
    expect(created.statusCode, created.body).toBe(201);
    const link = created.json() as { id: string; url: string; state: string };
    expect(link).toMatchObject({ state: 'active', amount: '150.00', invoiceType: 'OneTime', payments: [] });
    expect(link.url).toMatch(/\/merchant\/Invoice\/[a-z0-9]{20}$/);
    const page = await context.app.inject({ method: 'GET', url: new URL(link.url).pathname });
    expect(page.statusCode).toBe(200);
    const replay = await v1('POST', '/api/v1/payment-links', { body, idem: 'link-1' });
    expect(replay.json()).toEqual(created.json());
    const reused = await v1('POST', '/api/v1/payment-links', {
      body: { ...body, amount: '1.00' },
      idem: 'link-1',
    });
    expect(reused.statusCode).toBe(409);

    const list = await v1('GET', '/api/v1/payment-links');
    expect((list.json() as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([link.id]);
    expect((await v1('GET', `/api/v1/payment-links/${link.id}`)).json()).toMatchObject({ id: link.id });
    const deactivated = await v1('POST', `/api/v1/payment-links/${link.id}/deactivate`);
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    expect(deactivated.json()).toMatchObject({ id: link.id, state: 'deactivated' });
  });

  it('refuses a zero amount, a past expiry and unknown fields; other shops get 404', async () => {
    const zero = await v1('POST', '/api/v1/payment-links', {
      body: { invoiceType: 'Reusable', amount: '0.00', description: 'x' },
    });
    expect(zero.json()).toMatchObject({ error: { fields: { amount: { code: 'invalid_amount' } } } });
    const past = await v1('POST', '/api/v1/payment-links', {
      body: { invoiceType: 'Reusable', amount: '5.00', description: 'x', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.json()).toMatchObject({ error: { fields: { expiresAt: { code: 'invalid_expiry' } } } });
    const blank = await v1('POST', '/api/v1/payment-links', {
      body: { invoiceType: 'Reusable', amount: '5.00', description: '   ' },
    });
    expect(blank.json()).toMatchObject({
      error: { fields: { description: { code: 'invalid_description' } } },
    });
    const extra = await v1('POST', '/api/v1/payment-links', {
      body: { invoiceType: 'Reusable', amount: '5.00', description: 'x', shopId: 'shp_other' },
    });
    expect(extra.statusCode).toBe(422);

    const mine = await v1('POST', '/api/v1/payment-links', {
      body: { invoiceType: 'Reusable', amount: '5.00', description: 'Подписка' },
    });
    const linkId = (mine.json() as { id: string }).id;
    for (const key of [keys.sibling, keys.stranger]) {
      expect((await v1('GET', `/api/v1/payment-links/${linkId}`, { key })).statusCode).toBe(404);
      expect((await v1('POST', `/api/v1/payment-links/${linkId}/deactivate`, { key })).statusCode).toBe(404);
      expect((await v1('GET', '/api/v1/payment-links', { key })).json()).toMatchObject({
        items: [],
        total: 0,
      });
    }
    expect((await v1('GET', `/api/v1/payment-links/${linkId}`)).json()).toMatchObject({ state: 'active' });
  });
});

describe('the OpenAPI document', () => {
  it('documents every new route with its schemas and the Idempotency-Key header on POST', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const document = response.json() as {
      paths: Record<string, Record<string, { tags?: string[]; parameters?: { name: string; in: string }[] }>>;
    };
    const expected = {
      '/api/v1/payments/{id}/capture': ['post'],
      '/api/v1/payments/{id}/cancel': ['post'],
      '/api/v1/payouts': ['get', 'post'],
      '/api/v1/payouts/{id}': ['get'],
      '/api/v1/ledger/entries': ['get'],
      '/api/v1/payment-links': ['get', 'post'],
      '/api/v1/payment-links/{id}': ['get'],
      '/api/v1/payment-links/{id}/deactivate': ['post'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const method of methods) {
        const operation = document.paths[path]?.[method];
        expect(operation, `${method} ${path}`).toBeDefined();
        if (method === 'post')
          expect(operation?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')).toBe(
            true,
          );
      }
    }
  });
});
