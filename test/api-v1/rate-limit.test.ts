/**
 * The JSON API's per-key rate limit: 200 requests per 10-second window, counted in PostgreSQL. The 201st
 * is answered 429 rate_limited with Retry-After; other keys are unaffected; a refused POST does not take
 * its Idempotency-Key; the next window lets the key in again.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_RATE_LIMIT } from '../../src/modules/api-v1/index.js';
import { openLiveShop, type LiveShop } from '../refunds/refund-support.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { callApi, createApiKey } from '../webhooks/webhook-support.js';

let context: TestContext;
let shop: LiveShop;
let busyKey: string;
let calmKey: string;

beforeAll(async () => {
  context = await createTestContext();
  const { browser } = await registerMerchant(context);
  shop = await openLiveShop(context, browser);
  busyKey = await createApiKey(browser, shop.id);
  calmKey = await createApiKey(browser, shop.id);
});
afterAll(async () => context?.close());

describe('the per-key rate limit', () => {
  it('answers 429 rate_limited with Retry-After past the limit, for that key only, until the next window', async () => {
    expect(API_KEY_RATE_LIMIT).toMatchObject({ limit: 200, windowMs: 10_000 });
    // The window runs from 10:00:00 to 10:00:10; three seconds in, seven are left.
    context.clock.set('2026-03-02T10:00:03Z');
    for (let batch = 0; batch < API_KEY_RATE_LIMIT.limit / 20; batch += 1) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => callApi(context, 'GET', '/api/v1/webhook-endpoints', busyKey)),
      );
      expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(200));
    }

    const refused = await callApi(context, 'GET', '/api/v1/balance', busyKey);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.json()).toMatchObject({
      error: { code: 'rate_limited', message: expect.stringContaining('7') },
    });

    const create = {
      body: { url: 'https://merchant.example.ru/hooks', events: ['payment.paid'] },
      idem: 'rl-1',
    };
    const refusedPost = await callApi(context, 'POST', '/api/v1/webhook-endpoints', busyKey, create);
    expect(refusedPost.statusCode).toBe(429);

    expect((await callApi(context, 'GET', '/api/v1/balance', calmKey)).statusCode).toBe(200);

    context.clock.advanceMs(7_000);
    expect((await callApi(context, 'GET', '/api/v1/balance', busyKey)).statusCode).toBe(200);
    // The refused POST never claimed its key: the same key now executes the request.
    const accepted = await callApi(context, 'POST', '/api/v1/webhook-endpoints', busyKey, create);
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(accepted.headers['idempotent-replayed']).toBeUndefined();
  });

  it('does not count requests without a valid key against anyone', async () => {
    context.clock.advanceMs(10_000);
    const countWindows = async () => {
      const result = await sql<{ hits: number }>`
        select coalesce(sum(hits), 0)::int as hits from rate_limit_windows
        where key like ${`${API_KEY_RATE_LIMIT.name}:%`}`.execute(context.deps.db);
      return result.rows[0]?.hits ?? -1;
    };
    const before = await countWindows();
    const response = await callApi(context, 'GET', '/api/v1/balance', 'kpk_live_not-a-key');
    expect(response.statusCode).toBe(401);
    expect(await countWindows()).toBe(before);
    expect((await callApi(context, 'GET', '/api/v1/balance', calmKey)).statusCode).toBe(200);
    expect(await countWindows()).toBe(before + 1);
  });
});
