/**
 * Idempotency-Key for every POST under /api/v1. Before the handler runs, the request claims
 * (shop, key) by inserting its record in its own short transaction: the primary key lets exactly one of
 * several concurrent requests in. After the answer is serialised, the record keeps its status and body
 * (2xx and 4xx only; a 5xx releases the key so the client can retry). A later request with the same key:
 * - same method, path and canonical body → the stored answer, with `Idempotent-Replayed: true`;
 * - different request → 409 idempotency_key_reused;
 * - the first one still running → 409 idempotency_key_in_progress.
 * Answers that carry a secret (routes with `config: { isAnswerSecret: true }`, e.g. a new webhook
 * endpoint's signing secret) are kept sealed with the master key, never as readable JSON.
 * Records are kept IDEMPOTENCY_RETENTION_MS (24 hours); the housekeeping task deletes older ones, after
 * which the same key is a new request.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { SecretBox } from '../../platform/crypto.js';
import type { Database } from '../../schema.js';
import { apiV1Errors } from './api-v1.errors.js';
import { withApiV1Tables } from './api-v1.tables.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long an answer is remembered; documented in the README and the OpenAPI description. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;
/** The stored body of a secret answer: { "$sealed": "<SecretBox output>" }. No answer of ours has this key. */
const SEALED_KEY = '$sealed';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: { readonly shopId: string; readonly key: string };
  }
  interface FastifyContextConfig {
    /** The answer carries a secret: its idempotency record is sealed. */
    isAnswerSecret?: boolean;
  }
}

/** JSON with object keys sorted at every depth, so key order never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`, 'utf8')
    .digest('hex');
}

function sealBody(box: SecretBox, body: unknown): unknown {
  return { [SEALED_KEY]: box.encrypt(JSON.stringify(body)) };
}

function unsealBody(box: SecretBox, stored: unknown): unknown {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return stored;
  const sealed = (stored as Record<string, unknown>)[SEALED_KEY];
  return typeof sealed === 'string' ? (JSON.parse(box.decrypt(sealed)) as unknown) : stored;
}

/** Deletes records created before `before` (the housekeeping task passes now − 24 hours); returns how many. */
export async function deleteStaleIdempotencyRecords(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await withApiV1Tables(db)
    .deleteFrom('idempotency_records')
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/**
 * Installs the hooks on a context whose requests carry `shopIdOf(request)` after authentication.
 * Must be added after the authentication hook.
 */
export function installIdempotency(
  app: FastifyInstance,
  deps: Deps,
  shopIdOf: (request: FastifyRequest) => string,
): void {
  const db = withApiV1Tables(deps.db);
  const box = new SecretBox(deps.config.masterKey, 'idempotency-answers');

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const header = request.headers[IDEMPOTENCY_HEADER];
    const key = typeof header === 'string' ? header : undefined;
    if (key === undefined || !KEY_PATTERN.test(key)) throw apiV1Errors.idempotencyKeyRequired();
    const shopId = shopIdOf(request);
    const hash = requestHash(request.method, request.url.split('?')[0] ?? request.url, request.body);
    try {
      await db
        .insertInto('idempotency_records')
        .values({
          shop_id: shopId,
          key,
          request_hash: hash,
          status_code: null,
          response_body: null,
          created_at: deps.clock.now(),
        })
        .execute();
      request.idempotencyClaim = { shopId, key };
      return;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const existing = await db
      .selectFrom('idempotency_records')
      .select(['request_hash', 'status_code', 'response_body'])
      .where('shop_id', '=', shopId)
      .where('key', '=', key)
      .executeTakeFirst();
    // Released (a 5xx) between our insert and this read: the client may simply retry.
    if (!existing) throw apiV1Errors.idempotencyKeyInProgress();
    if (existing.request_hash !== hash) throw apiV1Errors.idempotencyKeyReused();
    if (existing.status_code === null) throw apiV1Errors.idempotencyKeyInProgress();
    return reply
      .code(existing.status_code)
      .header(REPLAYED_HEADER, 'true')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(unsealBody(box, existing.response_body)));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    const record = db
      .updateTable('idempotency_records')
      .where('shop_id', '=', claim.shopId)
      .where('key', '=', claim.key);
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await db
        .deleteFrom('idempotency_records')
        .where('shop_id', '=', claim.shopId)
        .where('key', '=', claim.key)
        .execute();
      return payload;
    }
    let body: unknown = null;
    try {
      body = payload === '' ? null : JSON.parse(payload);
    } catch {
      body = payload;
    }
    if (request.routeOptions.config.isAnswerSecret === true) body = sealBody(box, body);
    await record.set({ status_code: reply.statusCode, response_body: JSON.stringify(body) }).execute();
    return payload;
  });
}
