/**
 * Idempotency records are remembered for 24 hours: the housekeeping function deletes only older ones,
 * after which the same Idempotency-Key is a new request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteStaleIdempotencyRecords, IDEMPOTENCY_RETENTION_MS } from '../../src/modules/api-v1/index.js';
import { openLiveShop, type LiveShop } from '../refunds/refund-support.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { callApi, createApiKey } from '../webhooks/webhook-support.js';

const HOUR_MS = 3_600_000;

let context: TestContext;
let shop: LiveShop;
let key: string;

beforeAll(async () => {
  context = await createTestContext();
  const { browser } = await registerMerchant(context);
  shop = await openLiveShop(context, browser);
  key = await createApiKey(browser, shop.id);
});
afterAll(async () => context?.close());

async function storedKeys(): Promise<string[]> {
  const rows = await context.deps.db
    .withTables<{ idempotency_records: { shop_id: string; key: string } }>()
    .selectFrom('idempotency_records')
    .select('key')
    .where('shop_id', '=', shop.id)
    .orderBy('key')
    .execute();
  return rows.map((row) => row.key);
}

function createEndpoint(idem: string, path: string) {
  return callApi(context, 'POST', '/api/v1/webhook-endpoints', key, {
    body: { url: `https://merchant.example.ru/${path}`, events: ['payment.paid'] },
    idem,
  });
}

describe('stale idempotency records', () => {
  it('deletes records older than 24 hours and keeps younger ones', async () => {
    expect(IDEMPOTENCY_RETENTION_MS).toBe(24 * HOUR_MS);
    expect((await createEndpoint('old-1', 'old')).statusCode).toBe(201);
    context.clock.advanceMs(2 * HOUR_MS);
    expect((await createEndpoint('young-1', 'young')).statusCode).toBe(201);
    context.clock.advanceMs(23 * HOUR_MS);
    expect(await storedKeys()).toEqual(['old-1', 'young-1']);

    const cutoff = new Date(context.clock.now().getTime() - IDEMPOTENCY_RETENTION_MS);
    expect(await deleteStaleIdempotencyRecords(context.deps.db, cutoff)).toBe(1);
    expect(await storedKeys()).toEqual(['young-1']);
    // Running it again changes nothing: every node's housekeeping may run it.
    expect(await deleteStaleIdempotencyRecords(context.deps.db, cutoff)).toBe(0);

    // The young key still replays; the forgotten one is a new request again.
    const replay = await createEndpoint('young-1', 'young');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const fresh = await createEndpoint('old-1', 'old');
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
  });
});
