/**
 * Webhook endpoints over HTTP, in the JSON API and the cabinet: create (the secret shown once, sealed at
 * rest and in the idempotency record), list, change, delete, rotate, reveal with the user's password;
 * validation; the limit per shop; permissions; and scoping: another account's or shop's ids are 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WEBHOOK_ENDPOINTS_PER_SHOP } from '../../src/modules/webhooks/index.js';
import { openLiveShop, type LiveShop } from '../refunds/refund-support.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, GOOD_PASSWORD, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { callApi, createApiKey, createEndpoint, type CreatedEndpoint } from './webhook-support.js';

let context: TestContext;
const a = {} as {
  admin: TestBrowser;
  developer: TestBrowser;
  viewer: TestBrowser;
  shop: LiveShop;
  other: LiveShop;
  key: string;
  otherKey: string;
};
const b = {} as { admin: TestBrowser; shop: LiveShop; key: string };

const ENDPOINT_URL = 'https://merchant.example.ru/kopek/hooks';

beforeAll(async () => {
  context = await createTestContext();
  a.admin = (await registerMerchant(context)).browser;
  a.developer = (await addEmployee(context, a.admin, 'developer')).browser;
  a.viewer = (await addEmployee(context, a.admin, 'viewer')).browser;
  a.shop = await openLiveShop(context, a.admin);
  a.other = await openLiveShop(context, a.admin);
  a.key = await createApiKey(a.admin, a.shop.id);
  a.otherKey = await createApiKey(a.admin, a.other.id);
  b.admin = (await registerMerchant(context)).browser;
  b.shop = await openLiveShop(context, b.admin);
  b.key = await createApiKey(b.admin, b.shop.id);
});
afterAll(async () => context?.close());

const cabinetPath = (shopId: string, rest = '') => `/api/cabinet/shops/${shopId}/webhook-endpoints${rest}`;

async function endpointRow(id: string) {
  return context.deps.db
    .withTables<{ webhook_endpoints: { id: string; secret_sealed: string; deleted_at: Date | null } }>()
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('in the JSON API', () => {
  it('creates, lists, reads, changes and deletes an endpoint of the key’s shop', async () => {
    const created = await callApi(context, 'POST', '/api/v1/webhook-endpoints', a.key, {
      body: { url: ENDPOINT_URL, events: ['refund.succeeded', 'payment.paid'], description: 'CRM' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const endpoint = created.json() as CreatedEndpoint & { shopId: string; description: string };
    expect(endpoint).toMatchObject({
      url: ENDPOINT_URL,
      shopId: a.shop.id,
      description: 'CRM',
      // Stored in the documented order, whatever order the request used.
      events: ['payment.paid', 'refund.succeeded'],
      isEnabled: true,
      previousSecretExpiresAt: null,
    });
    expect(endpoint.id).toMatch(/^whe_/);
    expect(endpoint.secret).toMatch(/^whsec_/);
    // Sealed at rest: the secret is nowhere in the row.
    expect(JSON.stringify(await endpointRow(endpoint.id))).not.toContain(endpoint.secret);

    const list = await callApi(context, 'GET', '/api/v1/webhook-endpoints', a.key);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(endpoint.secret);
    expect((list.json() as { items: { id: string }[] }).items.map((item) => item.id)).toContain(endpoint.id);
    const one = await callApi(context, 'GET', `/api/v1/webhook-endpoints/${endpoint.id}`, a.key);
    expect(one.statusCode).toBe(200);
    expect(one.json()).not.toHaveProperty('secret');

    const changed = await callApi(context, 'PATCH', `/api/v1/webhook-endpoints/${endpoint.id}`, a.key, {
      body: { events: ['payment.failed'], isEnabled: false, url: `${ENDPOINT_URL}/v2` },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      events: ['payment.failed'],
      isEnabled: false,
      url: `${ENDPOINT_URL}/v2`,
      description: 'CRM',
    });

    const deleted = await callApi(context, 'DELETE', `/api/v1/webhook-endpoints/${endpoint.id}`, a.key);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await endpointRow(endpoint.id)).deleted_at).not.toBeNull();
    const gone = await callApi(context, 'GET', `/api/v1/webhook-endpoints/${endpoint.id}`, a.key);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ error: { code: 'webhook_endpoint_not_found' } });
    const again = await callApi(context, 'DELETE', `/api/v1/webhook-endpoints/${endpoint.id}`, a.key);
    expect(again.statusCode).toBe(404);

    const audited = await auditEntries(context, 'webhook_endpoint.created', { target: endpoint.id });
    expect(audited).toHaveLength(1);
    expect(audited[0]?.details).toMatchObject({
      shopId: a.shop.id,
      apiKeyId: expect.stringMatching(/^key_/),
    });
    expect(JSON.stringify(audited.map((entry) => entry.details))).not.toContain(endpoint.secret);
    expect(await auditEntries(context, 'webhook_endpoint.updated', { target: endpoint.id })).toHaveLength(1);
    expect(await auditEntries(context, 'webhook_endpoint.deleted', { target: endpoint.id })).toHaveLength(1);
  });

  it('replays creation for the same Idempotency-Key with the same secret, kept sealed in the record', async () => {
    const body = { url: `${ENDPOINT_URL}/idem`, events: ['payment.paid'] };
    const first = await callApi(context, 'POST', '/api/v1/webhook-endpoints', a.key, { body, idem: 'whe-1' });
    const second = await callApi(context, 'POST', '/api/v1/webhook-endpoints', a.key, {
      body,
      idem: 'whe-1',
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const secret = (first.json() as CreatedEndpoint).secret;
    const record = await context.deps.db
      .withTables<{ idempotency_records: { key: string; shop_id: string; response_body: unknown } }>()
      .selectFrom('idempotency_records')
      .selectAll()
      .where('shop_id', '=', a.shop.id)
      .where('key', '=', 'whe-1')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(record.response_body).toEqual({ $sealed: expect.stringMatching(/^v1\./) });
    const all = await callApi(context, 'GET', '/api/v1/webhook-endpoints', a.key);
    const urls = (all.json() as { items: { url: string }[] }).items.map((item) => item.url);
    expect(urls.filter((url) => url === body.url)).toHaveLength(1);
  });

  it('rotates the secret: the new one is answered once, the old one is honoured for a day', async () => {
    const endpoint = await createEndpoint(context, a.key, `${ENDPOINT_URL}/rotate`, ['payment.paid']);
    const rotated = await callApi(
      context,
      'POST',
      `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`,
      a.key,
    );
    expect(rotated.statusCode, rotated.body).toBe(200);
    const body = rotated.json() as CreatedEndpoint & { previousSecretExpiresAt: string };
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(endpoint.secret);
    expect(body.previousSecretExpiresAt).toBe(
      new Date(context.clock.now().getTime() + 86_400_000).toISOString(),
    );
    expect(
      await auditEntries(context, 'webhook_endpoint.secret_rotated', { target: endpoint.id }),
    ).toHaveLength(1);
  });

  it('refuses unknown events, bad URLs, empty changes and missing Idempotency-Key', async () => {
    const attempts: [unknown, string][] = [
      [{ url: ENDPOINT_URL, events: ['payment.stolen'] }, 'events.0'],
      [{ url: ENDPOINT_URL, events: [] }, 'events'],
      [{ url: 'ftp://merchant.example.ru/', events: ['payment.paid'] }, 'url'],
      [{ url: 'not a url', events: ['payment.paid'] }, 'url'],
      [{ url: 'https://user:pass@merchant.example.ru/', events: ['payment.paid'] }, 'url'],
      [{ events: ['payment.paid'] }, 'url'],
    ];
    for (const [body, field] of attempts) {
      const response = await callApi(context, 'POST', '/api/v1/webhook-endpoints', a.key, { body });
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.json()).toMatchObject({
        error: { code: 'validation_failed', fields: { [field]: {} } },
      });
    }
    const endpoint = await createEndpoint(context, a.key, `${ENDPOINT_URL}/validation`, ['payment.paid']);
    const empty = await callApi(context, 'PATCH', `/api/v1/webhook-endpoints/${endpoint.id}`, a.key, {
      body: {},
    });
    expect(empty.statusCode).toBe(422);
    const noKey = await context.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: { authorization: `Bearer ${a.key}` },
      payload: { url: ENDPOINT_URL, events: ['payment.paid'] },
    });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json()).toMatchObject({ error: { code: 'idempotency_key_required' } });
  });

  it(`allows at most ${MAX_WEBHOOK_ENDPOINTS_PER_SHOP} endpoints per shop`, async () => {
    const shop = await openLiveShop(context, a.admin);
    const key = await createApiKey(a.admin, shop.id);
    for (let index = 0; index < MAX_WEBHOOK_ENDPOINTS_PER_SHOP; index += 1)
      await createEndpoint(context, key, `${ENDPOINT_URL}/${index}`, ['payment.paid']);
    const over = await callApi(context, 'POST', '/api/v1/webhook-endpoints', key, {
      body: { url: `${ENDPOINT_URL}/over`, events: ['payment.paid'] },
    });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ error: { code: 'too_many_webhook_endpoints' } });
  });
});

describe('scoping', () => {
  it("answers 404 for another account's or another shop's endpoint, in the API and the cabinet", async () => {
    const mine = await createEndpoint(context, a.key, `${ENDPOINT_URL}/mine`, ['payment.paid']);
    for (const key of [b.key, a.otherKey]) {
      const calls = [
        callApi(context, 'GET', `/api/v1/webhook-endpoints/${mine.id}`, key),
        callApi(context, 'PATCH', `/api/v1/webhook-endpoints/${mine.id}`, key, {
          body: { isEnabled: false },
        }),
        callApi(context, 'DELETE', `/api/v1/webhook-endpoints/${mine.id}`, key),
        callApi(context, 'POST', `/api/v1/webhook-endpoints/${mine.id}/rotate-secret`, key),
        callApi(context, 'GET', `/api/v1/webhook-endpoints/${mine.id}/deliveries`, key),
      ];
      for (const response of await Promise.all(calls)) {
        expect(response.statusCode, response.body).toBe(404);
        expect(response.json()).toMatchObject({ error: { code: 'webhook_endpoint_not_found' } });
      }
      const list = await callApi(context, 'GET', '/api/v1/webhook-endpoints', key);
      expect(list.body).not.toContain(mine.id);
    }

    // The cabinet of account B: A's shop is not found; B's own shop does not contain A's endpoint.
    expect((await b.admin.get(cabinetPath(a.shop.id))).statusCode).toBe(404);
    expect(
      (await b.admin.post(cabinetPath(a.shop.id), { url: ENDPOINT_URL, events: ['payment.paid'] }))
        .statusCode,
    ).toBe(404);
    for (const shopId of [a.shop.id, b.shop.id]) {
      expect((await b.admin.patch(cabinetPath(shopId, `/${mine.id}`), { isEnabled: false })).statusCode).toBe(
        404,
      );
      expect((await b.admin.delete(cabinetPath(shopId, `/${mine.id}`))).statusCode).toBe(404);
      expect((await b.admin.post(cabinetPath(shopId, `/${mine.id}/rotate-secret`))).statusCode).toBe(404);
      expect(
        (await b.admin.post(cabinetPath(shopId, `/${mine.id}/reveal-secret`), { password: GOOD_PASSWORD }))
          .statusCode,
      ).toBe(404);
      expect((await b.admin.get(cabinetPath(shopId, `/${mine.id}/deliveries`))).statusCode).toBe(404);
    }
    // A's other shop, same account: still not this shop's endpoint.
    expect((await a.admin.delete(cabinetPath(a.other.id, `/${mine.id}`))).statusCode).toBe(404);
    expect((await endpointRow(mine.id)).deleted_at).toBeNull();
    const still = await callApi(context, 'GET', `/api/v1/webhook-endpoints/${mine.id}`, a.key);
    expect(still.json()).toMatchObject({ isEnabled: true });
  });

  it("answers 404 when another account asks to send one of A's deliveries again", async () => {
    const resend = await b.admin.post(
      `/api/cabinet/shops/${b.shop.id}/webhook-deliveries/whd_unknown/resend`,
    );
    expect(resend.statusCode).toBe(404);
    expect(resend.json()).toMatchObject({ error: { code: 'webhook_delivery_not_found' } });
  });
});

describe('in the cabinet', () => {
  it('lets administrators and developers manage endpoints, and viewers nothing', async () => {
    const created = await a.developer.post(cabinetPath(a.shop.id), {
      url: `${ENDPOINT_URL}/cabinet`,
      events: ['payment.paid', 'payment.failed'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const endpoint = created.json() as CreatedEndpoint;
    expect(endpoint.secret).toMatch(/^whsec_/);
    const list = await a.admin.get(cabinetPath(a.shop.id));
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(endpoint.secret);
    expect((await a.viewer.get(cabinetPath(a.shop.id))).statusCode).toBe(403);
    expect(
      (await a.viewer.post(cabinetPath(a.shop.id), { url: ENDPOINT_URL, events: ['payment.paid'] }))
        .statusCode,
    ).toBe(403);
    const audited = await auditEntries(context, 'webhook_endpoint.created', { target: endpoint.id });
    expect(audited[0]?.actor_user_id).toMatch(/^usr_/);
  });

  it('reveals the secret only after the user re-enters their own password, and audits it', async () => {
    const endpoint = await createEndpoint(context, a.key, `${ENDPOINT_URL}/reveal`, ['payment.paid']);
    const path = cabinetPath(a.shop.id, `/${endpoint.id}/reveal-secret`);
    const wrong = await a.admin.post(path, { password: 'not my password' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ error: { fields: { password: { code: 'wrong_password' } } } });
    expect(
      await auditEntries(context, 'webhook_endpoint.secret_revealed', { target: endpoint.id }),
    ).toHaveLength(0);

    const right = await a.admin.post(path, { password: GOOD_PASSWORD });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.headers['cache-control']).toBe('no-store');
    expect(right.json()).toEqual({ secret: endpoint.secret });
    expect(
      await auditEntries(context, 'webhook_endpoint.secret_revealed', { target: endpoint.id }),
    ).toHaveLength(1);
  });
});
