/**
 * The JSON API v1 over HTTP: API keys from the cabinet (shown once, stored hashed, revoked → 401),
 * scoping to the key's shop, Idempotency-Key on POST (replay, reuse, missing, concurrent), and the
 * OpenAPI document and docs page.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { openLiveShop, pay, refundRows, startPayment, type LiveShop } from '../refunds/refund-support.js';

let context: TestContext;
const a = {} as {
  admin: TestBrowser;
  developer: TestBrowser;
  viewer: TestBrowser;
  shop: LiveShop;
  other: LiveShop;
};
const b = {} as { admin: TestBrowser; shop: LiveShop; paymentId: string };
let keyA: string;

const keysPath = (shopId: string) => `/api/cabinet/shops/${shopId}/api-keys`;

async function createKey(browser: TestBrowser, shopId: string, name = 'Backend') {
  const response = await browser.post(keysPath(shopId), { name });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; name: string; prefix: string; secret: string };
}

function v1(
  method: 'GET' | 'POST',
  url: string,
  key: string | undefined,
  options: { body?: unknown; idem?: string } = {},
) {
  return context.app.inject({
    method,
    url,
    headers: {
      ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}),
      ...(options.idem !== undefined ? { 'idempotency-key': options.idem } : {}),
    },
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
}

beforeAll(async () => {
  context = await createTestContext();
  const merchantA = await registerMerchant(context);
  a.admin = merchantA.browser;
  a.developer = (await addEmployee(context, a.admin, 'developer')).browser;
  a.viewer = (await addEmployee(context, a.admin, 'viewer')).browser;
  a.shop = await openLiveShop(context, a.admin);
  a.other = await openLiveShop(context, a.admin);
  await pay(context, a.shop, '5000.00'); // covers what refunds cost the shop
  b.admin = (await registerMerchant(context)).browser;
  b.shop = await openLiveShop(context, b.admin);
  b.paymentId = (await pay(context, b.shop, '100.00')).id;
  keyA = (await createKey(a.admin, a.shop.id)).secret;
});
afterAll(async () => context?.close());

describe('API keys in the cabinet', () => {
  it('shows the secret once, stores only its hash, lists without secrets, and revoking answers 401', async () => {
    const created = await createKey(a.developer, a.shop.id, 'CRM');
    expect(created.secret).toMatch(/^kpk_live_[A-Za-z0-9_-]{40,}$/);
    expect(created.prefix).toBe(created.secret.slice(0, 17));
    expect(created.id).toMatch(/^key_/);
    const row = await context.deps.db
      .withTables<{ api_keys: { id: string; secret_hash: string } }>()
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(createHash('sha256').update(created.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.secret);

    const list = await a.admin.get(keysPath(a.shop.id));
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.secret);
    const items = (list.json() as { items: { id: string; prefix: string; revokedAt: string | null }[] })
      .items;
    expect(items.find((item) => item.id === created.id)).toMatchObject({
      prefix: created.prefix,
      revokedAt: null,
    });

    expect((await v1('GET', '/api/v1/balance', created.secret)).statusCode).toBe(200);
    const revoked = await a.admin.delete(`${keysPath(a.shop.id)}/${created.id}`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ id: created.id, revokedAt: expect.any(String) });
    const after = await v1('GET', '/api/v1/balance', created.secret);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'invalid_api_key' } });

    expect(await auditEntries(context, 'api_key.created', { target: created.id })).toHaveLength(1);
    expect(await auditEntries(context, 'api_key.revoked', { target: created.id })).toHaveLength(1);
  });

  it('is scoped to the account and needs api_keys.manage', async () => {
    expect((await b.admin.get(keysPath(a.shop.id))).statusCode).toBe(404);
    expect((await b.admin.post(keysPath(a.shop.id), { name: 'x' })).statusCode).toBe(404);
    const mine = await createKey(a.admin, a.shop.id);
    expect((await b.admin.delete(`${keysPath(b.shop.id)}/${mine.id}`)).statusCode).toBe(404);
    expect((await b.admin.delete(`${keysPath(a.shop.id)}/${mine.id}`)).statusCode).toBe(404);
    expect((await a.viewer.get(keysPath(a.shop.id))).statusCode).toBe(403);
    expect((await a.admin.post(keysPath(a.shop.id), { name: '' })).statusCode).toBe(422);
  });
});

describe('/api/v1 authentication and scoping', () => {
  it('answers 401 invalid_api_key without a key, with an unknown one, and ignores cookies', async () => {
    for (const key of [undefined, 'kpk_live_nope', 'garbage']) {
      const response = await v1('GET', '/api/v1/payments', key);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    }
    expect((await a.admin.get('/api/v1/payments')).statusCode).toBe(401);
  });

  it("lists and reads only the key's shop payments; another shop's payment is 404", async () => {
    const otherPayment = await pay(context, a.other, '10.00');
    const list = await v1('GET', '/api/v1/payments?limit=200', keyA);
    expect(list.statusCode, list.body).toBe(200);
    const ids = (list.json() as { items: { id: string }[] }).items.map((item) => item.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(otherPayment.id);
    expect(ids).not.toContain(b.paymentId);

    const one = await v1('GET', `/api/v1/payments/${ids[0]}`, keyA);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ id: ids[0], status: 'paid', currency: 'RUB' });
    expect(one.json()).not.toHaveProperty('shopName');

    for (const id of [b.paymentId, otherPayment.id, 'pay_unknown']) {
      const response = await v1('GET', `/api/v1/payments/${id}`, keyA);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'payment_not_found' } });
    }
    const refund = await v1('POST', `/api/v1/payments/${b.paymentId}/refunds`, keyA, {
      body: {},
      idem: 'b-1',
    });
    expect(refund.statusCode).toBe(404);
    expect(await refundRows(context, b.paymentId)).toHaveLength(0);

    expect((await v1('GET', '/api/v1/payments?status=paid&limit=1', keyA)).statusCode).toBe(200);
    expect((await v1('GET', '/api/v1/payments?limit=201', keyA)).statusCode).toBe(422);
    expect((await v1('GET', '/api/v1/payments?before=%21%21', keyA)).statusCode).toBe(422);
  });

  it("answers the shop's balance", async () => {
    const response = await v1('GET', '/api/v1/balance', keyA);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { shopId: string; balances: { currency: string; pending: string }[] };
    expect(body.shopId).toBe(a.shop.id);
    expect(body.balances[0]?.currency).toBe('RUB');
    expect(Number(body.balances[0]?.pending)).toBeGreaterThan(0);
  });
});

describe('Idempotency-Key', () => {
  it('is required on POST', async () => {
    const payment = await pay(context, a.shop, '100.00');
    const response = await v1('POST', `/api/v1/payments/${payment.id}/refunds`, keyA, { body: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'idempotency_key_required' } });
    expect(await refundRows(context, payment.id)).toHaveLength(0);
  });

  it('replays the first answer for the same request and refuses a different one', async () => {
    const payment = await pay(context, a.shop, '100.00');
    const url = `/api/v1/payments/${payment.id}/refunds`;
    const first = await v1('POST', url, keyA, { body: { amount: '10.00' }, idem: 'r-1' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.json()).toMatchObject({ paymentId: payment.id, amount: '10.00', currency: 'RUB' });

    const again = await v1('POST', url, keyA, { body: { amount: '10.00' }, idem: 'r-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await refundRows(context, payment.id)).toHaveLength(1);

    const different = await v1('POST', url, keyA, { body: { amount: '20.00' }, idem: 'r-1' });
    expect(different.statusCode).toBe(409);
    expect(different.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(await refundRows(context, payment.id)).toHaveLength(1);
  });

  it('stores 4xx answers too, and keys are per shop', async () => {
    const unpaid = await startPayment(context, a.shop, '50.00');
    const url = `/api/v1/payments/${unpaid}/refunds`;
    const first = await v1('POST', url, keyA, { body: {}, idem: 'r-unpaid' });
    expect(first.statusCode).toBeGreaterThanOrEqual(400);
    expect(first.statusCode).toBeLessThan(500);
    const again = await v1('POST', url, keyA, { body: {}, idem: 'r-unpaid' });
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  });

  it('executes one of several concurrent requests with the same key', async () => {
    const payment = await pay(context, a.shop, '100.00');
    const url = `/api/v1/payments/${payment.id}/refunds`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => v1('POST', url, keyA, { body: { amount: '1.00' }, idem: 'race-1' })),
    );
    const codes = answers.map((answer) => answer.statusCode);
    for (const answer of answers) {
      if (answer.statusCode === 409)
        expect(answer.json()).toMatchObject({ error: { code: 'idempotency_key_in_progress' } });
      else expect(answer.statusCode, answer.body).toBe(201);
    }
    expect(codes.filter((code) => code === 201).length).toBeGreaterThanOrEqual(1);
    expect(await refundRows(context, payment.id)).toHaveLength(1);
  });
});

describe('OpenAPI', () => {
  it('serves /api/openapi.json listing the v1 paths only', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = JSON.parse(response.body) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/v1/balance',
      '/api/v1/deals',
      '/api/v1/deals/{id}',
      '/api/v1/deals/{id}/cancel',
      '/api/v1/ledger/entries',
      '/api/v1/payment-links',
      '/api/v1/payment-links/{id}',
      '/api/v1/payment-links/{id}/deactivate',
      '/api/v1/payments',
      '/api/v1/payments/{id}',
      '/api/v1/payments/{id}/cancel',
      '/api/v1/payments/{id}/capture',
      '/api/v1/payments/{id}/refunds',
      '/api/v1/payouts',
      '/api/v1/payouts/{id}',
      '/api/v1/webhook-deliveries/{id}/resend',
      '/api/v1/webhook-endpoints',
      '/api/v1/webhook-endpoints/{id}',
      '/api/v1/webhook-endpoints/{id}/deliveries',
      '/api/v1/webhook-endpoints/{id}/rotate-secret',
    ]);
    expect(document.paths['/api/v1/payments/{id}/refunds']).toHaveProperty('post');
  });

  it('describes the webhook endpoints with request and answer schemas, and 429 everywhere', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/openapi.json' });
    type Operation = {
      tags?: string[];
      requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
      responses: Record<
        string,
        { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }
      >;
    };
    const document = JSON.parse(response.body) as { paths: Record<string, Record<string, Operation>> };
    const endpoints = document.paths['/api/v1/webhook-endpoints'] ?? {};
    expect(Object.keys(endpoints).sort()).toEqual(['get', 'post']);
    const create = endpoints.post;
    expect(create?.tags).toEqual(['webhooks']);
    const requestProperties = create?.requestBody?.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(requestProperties).sort()).toEqual(['description', 'events', 'isEnabled', 'url']);
    const created = create?.responses['201']?.content?.['application/json']?.schema.properties ?? {};
    expect(created).toHaveProperty('secret');
    expect(created).toHaveProperty('events');
    expect(Object.keys(document.paths['/api/v1/webhook-endpoints/{id}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.responses, `${method} ${path}`).toHaveProperty('429');
      }
    }
  });

  it('serves /api/docs as a page without scripts under a strict CSP', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(response.body).toContain('/api/v1/payments/{id}/refunds');
    expect(response.body).not.toContain('<script');
  });
});
