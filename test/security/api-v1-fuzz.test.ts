/**
 * Property-based fuzzing of the JSON API v1 (every route under /api/v1), with no key, with hostile
 * Authorization headers, and with a valid key: hostile path ids, query strings (repeated, broken
 * percent-encoding), JSON bodies (prototype-pollution keys, wrong types, huge numbers, deep nesting),
 * wrong content types and hostile Idempotency-Key headers. For each request:
 * - never a 5xx; every answer is JSON, and every 4xx is { error: { code, message } };
 * - without a valid key: 401 invalid_api_key and nothing changes;
 * - with the key: a refused request (4xx) changes nothing guarded; only a 2xx may change state;
 * - Object.prototype stays clean and the API key never comes back in an answer.
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { openLiveShop, pay } from '../refunds/refund-support.js';
import {
  brokenPieces,
  describeRequest,
  encodeFields,
  expectJsonError,
  expectNo5xx,
  expectNoSecrets,
  expectPrototypeClean,
  fuzzParameters,
  fuzzTimeoutMs,
  hostileFields,
  hostileJsonText,
  hostileString,
  percentEncode,
  safeJson,
  StateGuard,
  withoutKnownNul,
  withoutKnownNulJson,
} from './security-support.js';

let context: TestContext;
let apiKey: string;
const real = { paymentId: '', endpointId: '', deliveryId: '' };
const ENDPOINT_URL = 'https://merchant.example.ru/kopek/hooks';

async function createEndpoint(): Promise<string> {
  const response = await context.app.inject({
    method: 'POST',
    url: '/api/v1/webhook-endpoints',
    headers: { authorization: `Bearer ${apiKey}`, 'idempotency-key': `setup-${Math.random()}` },
    payload: { url: ENDPOINT_URL, events: ['payment.paid', 'refund.succeeded'] },
  });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

beforeAll(async () => {
  // Fuzzing sends thousands of wrong signatures from one address: the limit on them (tested in
  // signature-brute-force.test.ts) is raised so the fuzz keeps reaching the handlers.
  context = await createTestContext({ LOG_LEVEL: 'silent', KOPEK_SIGNATURE_FAILURE_LIMIT: '100000' });
  const merchant = await registerMerchant(context);
  const shop = await openLiveShop(context, merchant.browser);
  const key = await merchant.browser.post(`/api/cabinet/shops/${shop.id}/api-keys`, { name: 'Fuzz' });
  expect(key.statusCode, key.body).toBe(201);
  apiKey = (key.json() as { secret: string }).secret;
  real.endpointId = await createEndpoint();
  real.paymentId = (await pay(context, shop, '100000.00')).id;
  const delivery = await sql<{ id: string }>`select id from webhook_deliveries limit 1`.execute(
    context.deps.db,
  );
  expect(delivery.rows[0]?.id, 'the payment made a webhook delivery').toBeDefined();
  real.deliveryId = delivery.rows[0]?.id ?? '';
});
afterAll(() => context?.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Every /api/v1 route, with the kind of id its path takes. */
const ROUTES: readonly { method: Method; path: string; id?: keyof typeof real }[] = [
  { method: 'GET', path: '/api/v1/payments' },
  { method: 'GET', path: '/api/v1/payments/:id', id: 'paymentId' },
  { method: 'POST', path: '/api/v1/payments/:id/refunds', id: 'paymentId' },
  { method: 'GET', path: '/api/v1/balance' },
  { method: 'GET', path: '/api/v1/webhook-endpoints' },
  { method: 'POST', path: '/api/v1/webhook-endpoints' },
  { method: 'GET', path: '/api/v1/webhook-endpoints/:id', id: 'endpointId' },
  { method: 'PATCH', path: '/api/v1/webhook-endpoints/:id', id: 'endpointId' },
  { method: 'DELETE', path: '/api/v1/webhook-endpoints/:id', id: 'endpointId' },
  { method: 'POST', path: '/api/v1/webhook-endpoints/:id/rotate-secret', id: 'endpointId' },
  { method: 'GET', path: '/api/v1/webhook-endpoints/:id/deliveries', id: 'endpointId' },
  { method: 'POST', path: '/api/v1/webhook-deliveries/:id/resend', id: 'deliveryId' },
  { method: 'POST', path: '/api/v1/payments/:id/capture', id: 'paymentId' },
  { method: 'POST', path: '/api/v1/payments/:id/cancel', id: 'paymentId' },
  { method: 'GET', path: '/api/v1/payouts' },
  { method: 'GET', path: '/api/v1/payouts/:id' },
  { method: 'POST', path: '/api/v1/payouts' },
  { method: 'GET', path: '/api/v1/ledger/entries' },
  { method: 'GET', path: '/api/v1/payment-links' },
  { method: 'POST', path: '/api/v1/payment-links' },
  { method: 'GET', path: '/api/v1/payment-links/:id' },
  { method: 'POST', path: '/api/v1/payment-links/:id/deactivate' },
];

/** Header values must be Latin-1 without control characters, or the HTTP layer itself refuses them. */
function asHeaderValue(text: string): string {
  return text.replace(/[^\x20-\x7e\x80-\xff]/g, '?');
}

/** A path id within the router's maxParamLength (100 encoded characters). */
function fitParameter(text: string): string {
  let fitted = text;
  while (percentEncode(fitted).length > 100) fitted = fitted.slice(0, Math.floor(fitted.length / 2));
  return fitted;
}

const BODY_NAMES = [
  'amount',
  'url',
  'events',
  'description',
  'isEnabled',
  '__proto__',
  'constructor',
  'limit',
];
const hostileJsonField: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.double(),
  fc.constantFrom(null, true, false, [], {}, ['payment.paid'], ['payment.stolen'], 1e308, -1, '1.00', '0.01'),
  fc.constantFrom(ENDPOINT_URL, 'http://127.0.0.1/x', 'file:///etc/passwd', 'javascript:alert(1)'),
  fc.jsonValue({ maxDepth: 2 }),
);
const jsonBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .dictionary(fc.constantFrom(...BODY_NAMES), hostileJsonField, { maxKeys: 4 })
      .map((value) => withoutKnownNulJson(JSON.stringify(value))),
  },
  { weight: 2, arbitrary: hostileJsonText },
  { weight: 1, arbitrary: hostileString },
);

const requestArbitrary = fc.record({
  route: fc.constantFrom(...ROUTES),
  useRealId: fc.boolean(),
  id: hostileString.map(fitParameter),
  query: hostileFields(['status', 'limit', 'before', 'shopId', 'currency']),
  broken: brokenPieces,
  body: fc.option(jsonBody, { nil: undefined }),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    '',
  ),
  idempotencyKey: fc.oneof(
    { weight: 4, arbitrary: fc.constant('<fresh>') },
    { weight: 1, arbitrary: fc.constant('fuzz-reused-key') },
    { weight: 1, arbitrary: hostileString.map(asHeaderValue) },
  ),
});

type FuzzRequest = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

let idempotencyCounter = 0;

function buildRequest(input: FuzzRequest, authorization: string | undefined) {
  const { route } = input;
  const id = route.id && input.useRealId ? real[route.id] : input.id;
  const path = route.path.replace(':id', percentEncode(withoutKnownNul(id)));
  const query = encodeFields(input.query, input.broken);
  idempotencyCounter += 1;
  const idempotencyKey =
    input.idempotencyKey === '<fresh>' ? `fuzz-${idempotencyCounter}` : input.idempotencyKey;
  const hasBody = route.method === 'POST' || route.method === 'PATCH';
  const request: InjectOptions & { method: Method; url: string } = {
    method: route.method,
    url: query ? `${path}?${query}` : path,
    headers: {
      ...(authorization !== undefined ? { authorization } : {}),
      ...(route.method === 'POST' ? { 'idempotency-key': idempotencyKey } : {}),
      ...(hasBody && input.contentType ? { 'content-type': input.contentType } : {}),
    },
    ...(hasBody && input.body !== undefined ? { payload: input.body } : {}),
  };
  return request;
}

async function send(request: InjectOptions & { method: Method; url: string }) {
  // 200 requests per key in each 10 s window: 100 ms a request keeps the fuzz under the limit.
  context.clock.advanceMs(100);
  const response = await context.app.inject(request);
  const what = describeRequest(request);
  expectNo5xx(response, what);
  expectNoSecrets(response.body, [apiKey], what);
  expectPrototypeClean();
  if (response.statusCode !== 204) {
    expect(response.headers['content-type'], what).toMatch(/^application\/json/);
    expect(safeJson(response.body), `${what}: ${response.body.slice(0, 200)}`).not.toBeUndefined();
  }
  if (response.statusCode >= 400) expectJsonError(response, what);
  return { response, what };
}

const authorizationArbitrary = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    '',
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'bearer kpk_live_',
    'Bearer kpk_live_x kpk_live_y',
  ),
  hostileString.map((text) => asHeaderValue(`Bearer ${text}`)),
  hostileString.map((text) => asHeaderValue(`Bearer kpk_live_${text}`)),
  hostileString.map(asHeaderValue),
);

describe('/api/v1 without a valid API key', () => {
  // Fails if: any route answers other than 401 invalid_api_key to a missing or forged key, throws (5xx),
  // or changes anything: authentication must come before parsing, validation and idempotency.
  it(
    'answers 401 invalid_api_key on every route and changes nothing',
    async () => {
      const guard = await StateGuard.start(context);
      await fc.assert(
        fc.asyncProperty(requestArbitrary, authorizationArbitrary, async (input, authorization) => {
          const { response, what } = await send(buildRequest(input, authorization));
          expect(response.statusCode, `${what}: ${response.body}`).toBe(401);
          expect((response.json() as { error: { code: string } }).error.code, what).toBe('invalid_api_key');
          await guard.expectUnchanged(what);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );
});

describe('/api/v1 with a valid API key', () => {
  // Fails if: a hostile request throws (5xx), answers non-JSON or a 4xx outside the error shape, or a
  // refused request (4xx) changes any guarded table. A 2xx (a real refund, a new endpoint) may change
  // state; that is the API working. A deleted endpoint is replaced, so real ids stay reachable.
  it(
    'answers every route with JSON, refuses hostile input with the error shape, and changes state only on 2xx',
    async () => {
      const guard = await StateGuard.start(context);
      await fc.assert(
        fc.asyncProperty(requestArbitrary, async (input) => {
          const request = buildRequest(input, `Bearer ${apiKey}`);
          const { response, what } = await send(request);
          expect(response.statusCode, what).not.toBe(401);
          if (response.statusCode >= 400) return guard.expectUnchanged(what);
          if (request.method === 'GET') return guard.expectUnchanged(what);
          if (request.method === 'DELETE' && request.url.includes(real.endpointId))
            real.endpointId = await createEndpoint();
          await guard.accept();
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  // Fails if: the fuzz above could only ever see refusals because the key, the ids or the bodies were
  // wrong: the same routes with sane input succeed.
  it('serves the same routes to sane requests (the fuzz reaches the handlers)', async () => {
    const headers = { authorization: `Bearer ${apiKey}` };
    const payment = await context.app.inject({
      method: 'GET',
      url: `/api/v1/payments/${real.paymentId}`,
      headers,
    });
    expect(payment.statusCode, payment.body).toBe(200);
    const refund = await context.app.inject({
      method: 'POST',
      url: `/api/v1/payments/${real.paymentId}/refunds`,
      headers: { ...headers, 'idempotency-key': 'sane-refund' },
      payload: { amount: '0.01' },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    const endpoint = await context.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${real.endpointId}`,
      headers,
    });
    expect(endpoint.statusCode, endpoint.body).toBe(200);
  });
});
