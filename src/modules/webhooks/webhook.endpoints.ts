/**
 * A shop's webhook endpoints: URL, subscribed events, on/off, and the signing secret Kopek generates
 * (shown at creation and rotation; revealed again only through the cabinet, audited). Every query is
 * scoped to the caller's account and shop: another account's (or shop's) endpoint is "not found".
 * Changes are audited in their own transaction, whoever made them: a person in the cabinet or an API key.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { SecretBox } from '../../platform/crypto.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import { isPrivateHost } from '../../platform/network.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { findShopById } from '../shops/index.js';
import { webhookErrors, webhookFieldProblems } from './webhook.errors.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook.events.js';
import { createWebhookSecret } from './webhook.signature.js';
import {
  withWebhookTables,
  withWebhookTablesInTransaction,
  type WebhookDatabase,
  type WebhookEndpointRow,
} from './webhook.tables.js';

/** Enough for every integration we know of; the limit keeps one event from fanning out without end. */
export const MAX_WEBHOOK_ENDPOINTS_PER_SHOP = 16;
/** After a rotation the previous secret still signs (a second v1) for this long. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;
const MAX_URL_LENGTH = 2000;
const MAX_DESCRIPTION_LENGTH = 200;

/** Which shop the caller acts in: a cabinet user's account and chosen shop, or an API key's. */
export interface WebhookScope {
  readonly accountId: string;
  readonly shopId: string;
}

/** Who acts, for the audit log: a cabinet user, or an API key (no user). */
export interface WebhookActor {
  readonly userId: string | null;
  readonly apiKeyId?: string;
  readonly ip: string | null;
}

export interface WebhookEndpointInput {
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string;
  readonly isEnabled?: boolean;
}

export type WebhookEndpointChanges = Partial<WebhookEndpointInput>;

export interface WebhookEndpointView {
  readonly id: string;
  readonly shopId: string;
  readonly url: string;
  readonly description: string;
  readonly events: WebhookEventType[];
  readonly isEnabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Until then the secret replaced by the last rotation still signs deliveries too; else null. */
  readonly previousSecretExpiresAt: string | null;
}

/** The answer to creation and rotation: the only times the secret is shown without asking. */
export type WebhookEndpointWithSecret = WebhookEndpointView & { readonly secret: string };

export function webhookSecretBox(masterKey: Buffer): SecretBox {
  return new SecretBox(masterKey, 'webhook-secrets');
}

function toView(row: WebhookEndpointRow, now: Date): WebhookEndpointView {
  const isPreviousLive =
    row.previous_secret_expires_at !== null && row.previous_secret_expires_at.getTime() > now.getTime();
  return {
    id: row.id,
    shopId: row.shop_id,
    url: row.url,
    description: row.description,
    events: row.events.filter(isWebhookEventType),
    isEnabled: row.is_enabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    previousSecretExpiresAt: isPreviousLive ? (row.previous_secret_expires_at?.toISOString() ?? null) : null,
  };
}

/**
 * An absolute http(s) URL without credentials. In production the host must not name a private address
 * (names are resolved and checked again at every delivery, as for ResultURL).
 */
function checkEndpointUrl(text: string, isProduction: boolean): FieldProblem | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return webhookFieldProblems.invalidUrl;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > MAX_URL_LENGTH)
    return webhookFieldProblems.invalidUrl;
  if (url.username !== '' || url.password !== '') return webhookFieldProblems.urlHasCredentials;
  if (isProduction && isPrivateHost(url.hostname)) return webhookFieldProblems.privateUrl;
  return undefined;
}

/** Known event types, each once, in the documented order; a field error names the first unknown one. */
function checkEvents(events: readonly string[]): WebhookEventType[] {
  const unknown = events.find((event) => !isWebhookEventType(event));
  if (unknown !== undefined)
    throw validationError({ events: { ...webhookFieldProblems.unknownEvent, values: { event: unknown } } });
  const chosen = WEBHOOK_EVENT_TYPES.filter((type) => events.includes(type));
  if (chosen.length === 0) throw validationError({ events: webhookFieldProblems.noEvents });
  return chosen;
}

function checkSettings(deps: Deps, changes: WebhookEndpointChanges) {
  const url = changes.url?.trim();
  if (url !== undefined) {
    const problem = checkEndpointUrl(url, deps.config.isProduction);
    if (problem) throw validationError({ url: problem });
  }
  return {
    ...(url !== undefined ? { url } : {}),
    ...(changes.events !== undefined ? { events: checkEvents(changes.events) } : {}),
    ...(changes.description !== undefined
      ? { description: changes.description.trim().slice(0, MAX_DESCRIPTION_LENGTH) }
      : {}),
    ...(changes.isEnabled !== undefined ? { is_enabled: changes.isEnabled } : {}),
  };
}

async function requireShopInScope(db: Kysely<Database>, scope: WebhookScope): Promise<void> {
  const shop = await findShopById(db, scope.shopId);
  if (!shop || shop.account_id !== scope.accountId) throw webhookErrors.shopNotFound();
}

/**
 * The endpoint, locked, if it is in the scope and not deleted; otherwise "not found". FOR NO KEY UPDATE:
 * it serialises changes of the endpoint, yet payments recording deliveries for it (a foreign key, KEY
 * SHARE) do not wait for a change to commit, nor a change for them.
 */
async function lockEndpoint(
  trx: Transaction<WebhookDatabase>,
  scope: WebhookScope,
  endpointId: string,
): Promise<WebhookEndpointRow> {
  const row = await trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', endpointId)
    .where('shop_id', '=', scope.shopId)
    .where('account_id', '=', scope.accountId)
    .where('deleted_at', 'is', null)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!row) throw webhookErrors.webhookEndpointNotFound();
  return row;
}

async function audit(
  trx: Transaction<Database>,
  deps: Deps,
  scope: WebhookScope,
  actor: WebhookActor,
  action: string,
  endpointId: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(trx, deps.clock, {
    accountId: scope.accountId,
    actorUserId: actor.userId,
    action: `webhook_endpoint.${action}`,
    target: endpointId,
    details: { shopId: scope.shopId, ...(actor.apiKeyId ? { apiKeyId: actor.apiKeyId } : {}), ...details },
    ip: actor.ip,
  });
}

export async function createWebhookEndpoint(
  deps: Deps,
  scope: WebhookScope,
  input: WebhookEndpointInput,
  actor: WebhookActor,
): Promise<WebhookEndpointWithSecret> {
  const settings = checkSettings(deps, input);
  await requireShopInScope(deps.db, scope);
  const secret = createWebhookSecret();
  const id = createId('whe');
  return deps.db.transaction().execute(async (trx) => {
    const db = withWebhookTablesInTransaction(trx);
    // Two concurrent creations must not both pass the limit, so they queue on the shop's row. NO KEY
    // UPDATE, not UPDATE: payments being inserted for the shop (their foreign key takes KEY SHARE) never wait.
    await trx.selectFrom('shops').select('id').where('id', '=', scope.shopId).forNoKeyUpdate().execute();
    const count = await db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('shop_id', '=', scope.shopId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_WEBHOOK_ENDPOINTS_PER_SHOP)
      throw webhookErrors.tooManyWebhookEndpoints({ limit: MAX_WEBHOOK_ENDPOINTS_PER_SHOP });
    const now = deps.clock.now();
    const row = await db
      .insertInto('webhook_endpoints')
      .values({
        id,
        shop_id: scope.shopId,
        account_id: scope.accountId,
        url: settings.url ?? '',
        events: settings.events ?? [],
        description: settings.description ?? '',
        is_enabled: settings.is_enabled ?? true,
        secret_sealed: webhookSecretBox(deps.config.masterKey).encrypt(secret),
        previous_secret_sealed: null,
        previous_secret_expires_at: null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, deps, scope, actor, 'created', id, { url: row.url, events: row.events });
    return { ...toView(row, now), secret };
  });
}

export async function listWebhookEndpoints(deps: Deps, scope: WebhookScope): Promise<WebhookEndpointView[]> {
  await requireShopInScope(deps.db, scope);
  const rows = await withWebhookTables(deps.db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('shop_id', '=', scope.shopId)
    .where('account_id', '=', scope.accountId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_WEBHOOK_ENDPOINTS_PER_SHOP)
    .execute();
  const now = deps.clock.now();
  return rows.map((row) => toView(row, now));
}

export async function getWebhookEndpoint(
  deps: Deps,
  scope: WebhookScope,
  endpointId: string,
): Promise<WebhookEndpointView> {
  const row = await withWebhookTables(deps.db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', endpointId)
    .where('shop_id', '=', scope.shopId)
    .where('account_id', '=', scope.accountId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw webhookErrors.webhookEndpointNotFound();
  return toView(row, deps.clock.now());
}

export async function updateWebhookEndpoint(
  deps: Deps,
  scope: WebhookScope,
  endpointId: string,
  changes: WebhookEndpointChanges,
  actor: WebhookActor,
): Promise<WebhookEndpointView> {
  const settings = checkSettings(deps, changes);
  return deps.db.transaction().execute(async (trx) => {
    const db = withWebhookTablesInTransaction(trx);
    await lockEndpoint(db, scope, endpointId);
    const now = deps.clock.now();
    const row = await db
      .updateTable('webhook_endpoints')
      .set({ ...settings, updated_at: now })
      .where('id', '=', endpointId)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Field names only, as for shop settings: the values are in the endpoint itself.
    await audit(trx, deps, scope, actor, 'updated', endpointId, { fields: Object.keys(settings) });
    return toView(row, now);
  });
}

/** Deleted softly: no new deliveries, pending ones stop at their next attempt, the history stays. */
export async function deleteWebhookEndpoint(
  deps: Deps,
  scope: WebhookScope,
  endpointId: string,
  actor: WebhookActor,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const db = withWebhookTablesInTransaction(trx);
    const row = await lockEndpoint(db, scope, endpointId);
    const now = deps.clock.now();
    await db
      .updateTable('webhook_endpoints')
      .set({
        deleted_at: now,
        updated_at: now,
        previous_secret_sealed: null,
        previous_secret_expires_at: null,
      })
      .where('id', '=', endpointId)
      .execute();
    await audit(trx, deps, scope, actor, 'deleted', endpointId, { url: row.url });
  });
}

/**
 * A new secret signs from now on; the one it replaces signs too (a second v1 in Kopek-Signature) for
 * PREVIOUS_SECRET_GRACE_MS, so a receiver can deploy the new secret without refusing deliveries meanwhile.
 */
export async function rotateWebhookSecret(
  deps: Deps,
  scope: WebhookScope,
  endpointId: string,
  actor: WebhookActor,
): Promise<WebhookEndpointWithSecret> {
  const secret = createWebhookSecret();
  return deps.db.transaction().execute(async (trx) => {
    const db = withWebhookTablesInTransaction(trx);
    const current = await lockEndpoint(db, scope, endpointId);
    const now = deps.clock.now();
    const row = await db
      .updateTable('webhook_endpoints')
      .set({
        secret_sealed: webhookSecretBox(deps.config.masterKey).encrypt(secret),
        previous_secret_sealed: current.secret_sealed,
        previous_secret_expires_at: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS),
        updated_at: now,
      })
      .where('id', '=', endpointId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, deps, scope, actor, 'secret_rotated', endpointId);
    return { ...toView(row, now), secret };
  });
}

/** The current secret, for a cabinet user who has confirmed their own password; audited. */
export async function revealWebhookSecret(
  deps: Deps,
  scope: WebhookScope,
  endpointId: string,
  actor: WebhookActor,
): Promise<{ secret: string }> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockEndpoint(withWebhookTablesInTransaction(trx), scope, endpointId);
    await audit(trx, deps, scope, actor, 'secret_revealed', endpointId);
    return { secret: webhookSecretBox(deps.config.masterKey).decrypt(row.secret_sealed) };
  });
}
