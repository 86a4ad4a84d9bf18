/**
 * Per-shop API keys: created in the cabinet (the secret is shown once and only its SHA-256 is stored),
 * listed without secrets, revoked; and resolved from `Authorization: Bearer <secret>` for /api/v1.
 * Every cabinet query is scoped to the caller's account: another account's shop or key is "not found".
 */
import type { Deps } from '../../deps.js';
import { createSecretToken, hashToken } from '../../platform/crypto.js';
import { createId } from '../../platform/ids.js';
import { recordAudit } from '../audit/index.js';
import { findShopById } from '../shops/index.js';
import { apiV1Errors } from './api-v1.errors.js';
import { withApiV1Tables, type ApiKeyRow, type ApiV1Tables } from './api-v1.tables.js';

export const API_KEY_PREFIX = 'kpk_live_';
/** How many characters of the random part are kept to tell keys apart. */
const SHOWN_PREFIX_LENGTH = 8;
/** last_used_at is written at most this often per key, so a busy key is not a hot row. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView {
  readonly id: string;
  readonly shopId: string;
  readonly name: string;
  /** "kpk_live_" and the first 8 characters of the secret's random part. */
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface NewApiKey {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  /** Shown once; never stored. */
  readonly secret: string;
}

/** Who a valid key speaks for. */
export interface ApiClient {
  readonly keyId: string;
  readonly shopId: string;
  readonly accountId: string;
}

interface Actor {
  readonly accountId: string;
  readonly userId: string;
}

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    shopId: row.shop_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

async function requireOwnShop(deps: Deps, accountId: string, shopId: string): Promise<void> {
  const shop = await findShopById(deps.db, shopId);
  if (!shop || shop.account_id !== accountId) throw apiV1Errors.shopNotFound();
}

export async function createApiKey(
  deps: Deps,
  actor: Actor,
  shopId: string,
  name: string,
  ip: string | null,
): Promise<NewApiKey> {
  await requireOwnShop(deps, actor.accountId, shopId);
  const secret = `${API_KEY_PREFIX}${createSecretToken(32)}`;
  const prefix = secret.slice(0, API_KEY_PREFIX.length + SHOWN_PREFIX_LENGTH);
  const id = createId('key');
  const trimmed = name.trim();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .withTables<ApiV1Tables>()
      .insertInto('api_keys')
      .values({
        id,
        shop_id: shopId,
        account_id: actor.accountId,
        name: trimmed,
        prefix,
        secret_hash: hashToken(secret),
        created_by: actor.userId,
        created_at: deps.clock.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'api_key.created',
      target: id,
      details: { shopId, name: trimmed, prefix },
      ip,
    });
  });
  return { id, name: trimmed, prefix, secret };
}

export async function listApiKeys(deps: Deps, accountId: string, shopId: string): Promise<ApiKeyView[]> {
  await requireOwnShop(deps, accountId, shopId);
  const rows = await withApiV1Tables(deps.db)
    .selectFrom('api_keys')
    .selectAll()
    .where('shop_id', '=', shopId)
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(500)
    .execute();
  return rows.map(toView);
}

/** Revokes a key; revoking a revoked key again changes nothing and answers its view. */
export async function revokeApiKey(
  deps: Deps,
  actor: Actor,
  shopId: string,
  keyId: string,
  ip: string | null,
): Promise<ApiKeyView> {
  return deps.db.transaction().execute(async (trx) => {
    const db = trx.withTables<ApiV1Tables>();
    const row = await db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', keyId)
      .where('shop_id', '=', shopId)
      .where('account_id', '=', actor.accountId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw apiV1Errors.apiKeyNotFound();
    if (row.revoked_at !== null) return toView(row);
    const revoked = await db
      .updateTable('api_keys')
      .set({ revoked_at: deps.clock.now() })
      .where('id', '=', keyId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'api_key.revoked',
      target: keyId,
      details: { shopId, name: row.name, prefix: row.prefix },
      ip,
    });
    return toView(revoked);
  });
}

/** The shop a bearer secret speaks for; unknown, malformed or revoked keys are all 401 invalid_api_key. */
export async function authenticateApiKey(deps: Deps, secret: string | undefined): Promise<ApiClient> {
  if (secret === undefined || !secret.startsWith(API_KEY_PREFIX) || secret.length > 200)
    throw apiV1Errors.invalidApiKey();
  const db = withApiV1Tables(deps.db);
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'shop_id', 'account_id', 'last_used_at'])
    .where('secret_hash', '=', hashToken(secret))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw apiV1Errors.invalidApiKey();
  const now = deps.clock.now();
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { keyId: row.id, shopId: row.shop_id, accountId: row.account_id };
}
