/**
 * What was sent to a shop's endpoints and what came back: deliveries, newest first, each with its
 * attempts; and "send again", one more attempt now whatever the status. Scoped like the endpoints.
 */
import { sql, type Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import type { WebhookScope } from './webhook.endpoints.js';
import { webhookErrors } from './webhook.errors.js';
import { enqueueWebhookDeliveryJob, isWebhookEventType, type WebhookEventType } from './webhook.events.js';
import {
  withWebhookTables,
  withWebhookTablesInTransaction,
  type WebhookAttemptRow,
  type WebhookDatabase,
  type WebhookDeliveryStatus,
} from './webhook.tables.js';

export const DEFAULT_DELIVERIES_PAGE_SIZE = 20;
export const MAX_DELIVERIES_PAGE_SIZE = 100;
/** A delivery has at most ten scheduled attempts plus the ones people asked for. */
const MAX_ATTEMPTS_SHOWN = 20;

export interface WebhookAttemptView {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requestLine: string;
  readonly responseStatus: number | null;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
  readonly isSuccess: boolean;
}

export interface WebhookDeliveryView {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: WebhookEventType;
  /** The payment the event is about. */
  readonly paymentId: string;
  readonly status: WebhookDeliveryStatus;
  readonly attemptCount: number;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
  /** The newest attempts, shown oldest first. */
  readonly attempts: WebhookAttemptView[];
}

function toAttemptView(attempt: WebhookAttemptRow): WebhookAttemptView {
  return {
    startedAt: attempt.started_at.toISOString(),
    durationMs: attempt.duration_ms,
    requestLine: attempt.request_line,
    responseStatus: attempt.response_status,
    responseExcerpt: attempt.response_excerpt,
    error: attempt.error,
    isSuccess: attempt.is_success,
  };
}

function toEventType(type: string): WebhookEventType {
  if (!isWebhookEventType(type)) throw new Error(`unknown webhook event type ${type}`);
  return type;
}

function deliveriesQuery(db: Kysely<WebhookDatabase>, scope: WebhookScope) {
  return db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .selectAll('webhook_deliveries')
    .select(['webhook_events.type as event_type', 'webhook_events.subject_id'])
    .where('webhook_deliveries.shop_id', '=', scope.shopId)
    .where('webhook_deliveries.account_id', '=', scope.accountId);
}

type DeliveryWithEvent = Awaited<ReturnType<ReturnType<typeof deliveriesQuery>['execute']>>[number];

async function toDeliveryViews(
  db: Kysely<WebhookDatabase>,
  rows: readonly DeliveryWithEvent[],
): Promise<WebhookDeliveryView[]> {
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('webhook_attempts')
        .selectAll()
        .select(sql<bigint>`row_number() over (partition by delivery_id order by id desc)`.as('rank'))
        .where(
          'delivery_id',
          'in',
          rows.map((row) => row.id),
        )
        .as('ranked'),
    )
    .selectAll()
    .where('rank', '<=', BigInt(MAX_ATTEMPTS_SHOWN))
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: toEventType(row.event_type),
    paymentId: row.subject_id,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    attempts: attempts.filter((attempt) => attempt.delivery_id === row.id).map(toAttemptView),
  }));
}

/** An endpoint's newest deliveries (deleted endpoints are "not found" here, like everywhere). */
export async function listWebhookDeliveries(
  deps: Deps,
  scope: WebhookScope,
  endpointId: string,
  limit = DEFAULT_DELIVERIES_PAGE_SIZE,
): Promise<WebhookDeliveryView[]> {
  const db = withWebhookTables(deps.db);
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('id', '=', endpointId)
    .where('shop_id', '=', scope.shopId)
    .where('account_id', '=', scope.accountId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!endpoint) throw webhookErrors.webhookEndpointNotFound();
  const rows = await deliveriesQuery(db, scope)
    .where('webhook_deliveries.endpoint_id', '=', endpoint.id)
    .orderBy('webhook_deliveries.created_at', 'desc')
    .orderBy('webhook_deliveries.id')
    .limit(Math.min(Math.max(1, limit), MAX_DELIVERIES_PAGE_SIZE))
    .execute();
  return toDeliveryViews(db, rows);
}

/**
 * "Send again": one more attempt now, whatever the status. The job of any earlier schedule slot becomes
 * stale and does nothing. If this attempt fails, retries go on only while the schedule's window allows.
 * The body and the event id stay the same, so a receiver that already processed the event can tell.
 */
export async function resendWebhookDelivery(
  deps: Deps,
  scope: WebhookScope,
  deliveryId: string,
): Promise<WebhookDeliveryView> {
  return deps.db.transaction().execute(async (trx) => {
    const db = withWebhookTablesInTransaction(trx);
    const found = await db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
      .select('webhook_deliveries.id')
      .where('webhook_deliveries.id', '=', deliveryId)
      .where('webhook_deliveries.shop_id', '=', scope.shopId)
      .where('webhook_deliveries.account_id', '=', scope.accountId)
      .where('webhook_endpoints.deleted_at', 'is', null)
      .forUpdate('webhook_deliveries')
      .executeTakeFirst();
    if (!found) throw webhookErrors.webhookDeliveryNotFound();
    const now = deps.clock.now();
    await db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now })
      .where('id', '=', found.id)
      .execute();
    await enqueueWebhookDeliveryJob(trx, deps.clock, found.id, now);
    const rows = await deliveriesQuery(db, scope).where('webhook_deliveries.id', '=', found.id).execute();
    const [view] = await toDeliveryViews(db, rows);
    if (!view) throw new Error('resendWebhookDelivery: the view went missing');
    return view;
  });
}
