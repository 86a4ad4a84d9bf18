/**
 * ResultUrl2 delivery and Kopek's signing key: the JWS posted as the body and verifiable with the key
 * from /.well-known/jwks.json, acknowledged by any 2xx, given up after six attempts; the key made once
 * (even by racing transactions), its private half sealed, only its public half published.
 */
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueSignedNotification,
  JWS_CONTENT_TYPE,
  NOTIFICATION_QUEUE,
  signNotificationPayload,
} from '../../src/modules/notifications/index.js';
import { SecretBox } from '../../src/platform/crypto.js';
import { createTestContext, TEST_MASTER_KEY, type TestContext } from '../support/harness.js';
import { startMerchantStub, type MerchantStub } from './merchant-stub.js';

const HOUR_MS = 3_600_000;
let context: TestContext;
const stubs: MerchantStub[] = [];

beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
  await context.deps.db
    .updateTable('jobs')
    .set({ state: 'done' })
    .where('queue', '=', NOTIFICATION_QUEUE)
    .where('state', '=', 'pending')
    .execute();
});

const signing = () => ({ masterKey: context.deps.config.masterKey, clock: context.clock });

async function publishedKeys(): Promise<JSONWebKeySet> {
  const response = await context.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
  expect(response.headers['cache-control']).toBe('public, max-age=300');
  return response.json() as JSONWebKeySet;
}

async function keyRows() {
  const result = await sql<{ kid: string; private_key_sealed: string; retired_at: Date | null }>`
    select kid, private_key_sealed, retired_at from notification_signing_keys`.execute(context.deps.db);
  return result.rows;
}

let subjects = 0;
async function enqueueSigned(url: string, payload: unknown) {
  subjects += 1;
  return context.deps.db.transaction().execute((trx) =>
    enqueueSignedNotification(trx, signing(), {
      accountId: 'acc_result2',
      subjectId: `pay_result2_${subjects}`,
      kind: 'result_url2',
      url,
      payload,
      maxAttempts: 6,
    }),
  );
}

async function notification(id: string) {
  return context.deps.db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('the signing key', () => {
  it('is made once, even by racing transactions, and every signature names it', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 4 }, (_unused, index) =>
        context.deps.db.transaction().execute((trx) => signNotificationPayload(trx, signing(), { index })),
      ),
    );
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    const kids = tokens.map(
      (token) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid,
    );
    expect(new Set(kids)).toEqual(new Set([rows[0]?.kid]));
  });

  it('is published as a JWK Set with only its public half, its kid being the RFC 7638 thumbprint', async () => {
    const { keys } = await publishedKeys();
    expect(keys).toHaveLength(1);
    const [key] = keys as JWK[];
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(key).not.toHaveProperty(privateMember);
    const { kid, alg: _alg, use: _use, ...bare } = key ?? {};
    expect(kid).toBe(await calculateJwkThumbprint(bare as JWK));
    expect(Buffer.from(key?.n ?? '', 'base64url').length * 8).toBe(2048);
  });

  it('keeps the private key sealed with the master key, never as plain PEM', async () => {
    const [row] = await keyRows();
    expect(row?.private_key_sealed).toMatch(/^v1\./);
    expect(row?.private_key_sealed).not.toContain('PRIVATE KEY');
    const sealed = row?.private_key_sealed ?? '';
    const opened = new SecretBox(Buffer.from(TEST_MASTER_KEY, 'hex'), 'notification-signing-key').decrypt(
      sealed,
    );
    expect(opened).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(() => new SecretBox(Buffer.alloc(32, 7), 'notification-signing-key').decrypt(sealed)).toThrow();
  });

  it('signs what verifies with the published key, and nothing tampered verifies', async () => {
    const token = await context.deps.db
      .transaction()
      .execute((trx) => signNotificationPayload(trx, signing(), { data: { state: 'OK' } }));
    const keySet = createLocalJWKSet(await publishedKeys());
    const verified = await compactVerify(token, keySet);
    expect(verified.protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual({ data: { state: 'OK' } });
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ data: { state: 'HOLD' } })).toString('base64url');
    await expect(compactVerify(`${header}.${forged}.${signature}`, keySet)).rejects.toThrow();
  });
});

describe('delivery', () => {
  it('POSTs the bare JWS as text/plain and counts any 2xx as delivered', async () => {
    const stub = await startMerchantStub(() => ({ status: 204 }));
    stubs.push(stub);
    const id = await enqueueSigned(`${stub.origin}/result2?shop=1`, { data: { state: 'HOLD' } });
    await context.worker.runDueJobs();
    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/result2?shop=1');
    expect(request?.headers['content-type']).toBe(JWS_CONTENT_TYPE);
    const body = request?.body.toString('utf8') ?? '';
    expect(body).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body).toBe((await notification(id)).body);
    await compactVerify(body, createLocalJWKSet(await publishedKeys()));
    expect(await notification(id)).toMatchObject({
      status: 'delivered',
      attempt_count: 1,
      expected_body: null,
    });
  });

  it('tries six times in all (Robokassa: at most five redeliveries), then gives up', async () => {
    const stub = await startMerchantStub(() => ({ status: 500, body: 'down' }));
    stubs.push(stub);
    const id = await enqueueSigned(`${stub.origin}/result2`, { data: { state: 'OK' } });
    for (let round = 0; round < 8; round += 1) {
      await context.worker.runDueJobs();
      context.clock.advanceMs(2 * HOUR_MS);
    }
    expect(stub.requests).toHaveLength(6);
    expect(new Set(stub.requests.map((request) => request.body.toString('utf8'))).size).toBe(1);
    expect(await notification(id)).toMatchObject({
      status: 'failed',
      attempt_count: 6,
      next_attempt_at: null,
    });
  });

  it('is not acknowledged by a redirect', async () => {
    const stub = await startMerchantStub(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    stubs.push(stub);
    const id = await enqueueSigned(`${stub.origin}/result2`, {});
    await context.worker.runDueJobs();
    expect(await notification(id)).toMatchObject({ status: 'pending', attempt_count: 1 });
  });
});
