/**
 * Safe deals through the JSON API v1: created with an Idempotency-Key (a repeat answers the first deal
 * and creates nothing), listed and read in the key's shop only, cancelled; webhook events on each step;
 * and the OpenAPI document lists the routes.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withWebhookTables } from '../../src/modules/webhooks/webhook.tables.js';
import type { TestBrowser } from '../support/client.js';
import { createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { openLiveShop, type LiveShop } from '../invoices/invoice-support.js';
import { buyerPost, nextBuyerEmail, payDeal, secretMailedTo } from './deal-support.js';

let context: TestContext;
let merchant: TestBrowser;
let shop: LiveShop;
let key: string;
let otherShopKey: string;

async function createKey(shopId: string): Promise<string> {
  const response = await merchant.post(`/api/cabinet/shops/${shopId}/api-keys`, { name: 'deals' });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { secret: string }).secret;
}

function api(
  method: 'GET' | 'POST',
  url: string,
  options: { body?: object; idempotencyKey?: string; key?: string } = {},
) {
  return context.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${options.key ?? key}`,
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    ...(options.body ? { payload: options.body } : {}),
  });
}

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
  key = await createKey(shop.id);
  // A second shop of the same account: its key must not see the first shop's deals.
  const second = await createShopVia(merchant);
  otherShopKey = await createKey(second.id);
  await merchant.post(`/api/cabinet/shops/${shop.id}/webhook-endpoints`, {
    url: 'https://shop.example.ru/hooks',
    events: ['deal.paid', 'deal.released'],
  });
});
afterAll(async () => context?.close());

const countDeals = async () =>
  Number(
    (await sql<{ n: string }>`select count(*)::text as n from deals`.execute(context.deps.db)).rows[0]?.n,
  );

describe('POST /api/v1/deals', () => {
  it('creates once per Idempotency-Key and refuses a request without one', async () => {
    const body = { amount: '2500', description: 'Ноутбук', buyerEmail: nextBuyerEmail(), deadlineDays: 7 };
    const without = await api('POST', '/api/v1/deals', { body });
    expect(without.statusCode).toBe(400);
    expect(without.json()).toMatchObject({ error: { code: 'idempotency_key_required' } });
    const before = await countDeals();

    const first = await api('POST', '/api/v1/deals', { body, idempotencyKey: 'deal-1' });
    expect(first.statusCode, first.body).toBe(201);
    const again = await api('POST', '/api/v1/deals', { body, idempotencyKey: 'deal-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await countDeals()).toBe(before + 1);
    expect(first.json()).toMatchObject({
      shopId: shop.id,
      status: 'created',
      amount: '2500.00',
      currency: 'RUB',
      deadlineDays: 7,
      source: 'api',
    });
    // The link goes to the buyer only.
    expect(first.body).not.toContain('/deal/');
    await secretMailedTo(context, body.buyerEmail);
  });

  it('answers field errors and creates nothing', async () => {
    const before = await countDeals();
    const response = await api('POST', '/api/v1/deals', {
      body: { amount: '1,5.0', description: '', buyerEmail: 'nobody', deadlineDays: 181 },
      idempotencyKey: 'bad-deal',
    });
    expect(response.statusCode).toBe(422);
    const fields = (response.json() as { error: { fields: Record<string, unknown> } }).error.fields;
    expect(Object.keys(fields).sort()).toEqual(['amount', 'buyerEmail', 'deadlineDays', 'description']);
    expect(await countDeals()).toBe(before);
  });
});

describe('reading and cancelling', () => {
  it('shows the key’s shop’s deals only, and cancels a paid deal with a refund', async () => {
    const buyerEmail = nextBuyerEmail();
    const created = await api('POST', '/api/v1/deals', {
      body: { amount: '300', description: 'Книга', buyerEmail },
      idempotencyKey: 'deal-2',
    });
    const { id } = created.json() as { id: string };
    const secret = await secretMailedTo(context, buyerEmail);
    await payDeal(context, secret);

    const one = await api('GET', `/api/v1/deals/${id}`);
    expect(one.json()).toMatchObject({ id, status: 'paid' });
    const list = await api('GET', '/api/v1/deals?status=paid');
    expect((list.json() as { items: { id: string }[] }).items.map((item) => item.id)).toContain(id);
    expect((await api('GET', `/api/v1/deals/${id}`, { key: otherShopKey })).statusCode).toBe(404);
    const foreignCancel = await api('POST', `/api/v1/deals/${id}/cancel`, {
      key: otherShopKey,
      idempotencyKey: 'x-1',
    });
    expect(foreignCancel.statusCode).toBe(404);
    expect((await api('GET', '/api/v1/deals', { key: otherShopKey })).json()).toMatchObject({ total: 0 });

    const cancelled = await api('POST', `/api/v1/deals/${id}/cancel`, { idempotencyKey: 'cancel-2' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'refunded', resolution: 'cancelled_by_merchant' });
    const audit = await context.deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('target', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((entry) => entry.action)).toEqual(['deal.created', 'deal.cancelled']);
  });
});

describe('webhook events', () => {
  it('are recorded for the subscribed steps, in the step’s transaction', async () => {
    const buyerEmail = nextBuyerEmail();
    const created = await api('POST', '/api/v1/deals', {
      body: { amount: '450', description: 'Лампа', buyerEmail },
      idempotencyKey: 'deal-3',
    });
    const { id } = created.json() as { id: string };
    const secret = await secretMailedTo(context, buyerEmail);
    await payDeal(context, secret);
    await buyerPost(context, `/deal/${secret}/confirm`);
    const events = await withWebhookTables(context.deps.db)
      .selectFrom('webhook_events')
      .select(['type', 'body'])
      .where('subject_id', '=', id)
      // Both steps happen at the same instant of the test's clock; the type orders them.
      .orderBy('created_at')
      .orderBy('type')
      .execute();
    expect(events.map((event) => event.type)).toEqual(['deal.paid', 'deal.released']);
    const body = JSON.parse(events[1]?.body ?? '{}') as {
      data: { deal: { status: string; amount: string } };
    };
    expect(body.data.deal).toMatchObject({ status: 'released', amount: '450.00' });
  });

  it('the OpenAPI document lists the deal routes under their tag', async () => {
    const document = (await context.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(document.paths['/api/v1/deals']?.post?.tags).toEqual(['deals']);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/deals/{id}', '/api/v1/deals/{id}/cancel']),
    );
  });
});
