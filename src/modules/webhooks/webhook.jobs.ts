/**
 * Delivery of one webhook attempt, run by the job worker, in three steps like ResultURL notifications so
 * that no row stays locked during the call: claim the schedule slot (transaction 1), POST the event
 * outside any transaction, then record the attempt and schedule the next one or settle the status
 * (transaction 2). The HTTP call itself is the notifications module's (deadline, destination checks in
 * production, bounded reading of the answer); the retry schedule is ResultURL's too.
 */
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../platform/jobs.js';
import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  nextAttemptAt,
  performDeliveryAttempt,
  resolveHostAddresses,
  type AttemptOutcome,
  type DeliverySettings,
} from '../notifications/index.js';
import { webhookSecretBox } from './webhook.endpoints.js';
import { enqueueWebhookDeliveryJob } from './webhook.events.js';
import {
  buildSignatureHeader,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
} from './webhook.signature.js';
import { withWebhookTablesInTransaction } from './webhook.tables.js';

export const WEBHOOK_USER_AGENT = 'Kopek-Webhooks/1';
const MAX_REQUEST_LINE_CHARACTERS = 2000;

export interface WebhookDeliveryOptions {
  readonly fetchImpl?: typeof fetch;
  /** Resolves a host name to its addresses; production checks each one. Default: the system resolver. */
  readonly resolveHost?: (host: string) => Promise<string[]>;
  /** The deadline of one attempt: DNS, connection, answer and body together (default 10 s). */
  readonly timeoutMs?: number;
}

interface DeliveryJob {
  readonly deliveryId: string;
  readonly scheduledFor: Date;
}

/** What one attempt sends, read when its slot is claimed: the endpoint's URL and secrets as they are now. */
interface ClaimedDelivery {
  readonly id: string;
  readonly url: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  /** The current secret first, then the previous one while it is still honoured. */
  readonly secrets: string[];
  /** Why no call is made (the endpoint was deleted or switched off), or null. */
  readonly refusal: string | null;
}

function parseJobPayload(payload: unknown): DeliveryJob {
  const { deliveryId, scheduledFor } = (payload ?? {}) as Record<string, unknown>;
  if (typeof deliveryId !== 'string' || !deliveryId.startsWith('whd_'))
    throw new Error('webhook job without a deliveryId');
  const scheduledAt = typeof scheduledFor === 'string' ? new Date(scheduledFor) : new Date(NaN);
  if (Number.isNaN(scheduledAt.getTime())) throw new Error('webhook job without a valid scheduledFor');
  return { deliveryId, scheduledFor: scheduledAt };
}

/**
 * Takes the schedule slot the job was made for (see notification.jobs.ts for the rules): a job whose slot
 * was replaced does nothing; a job run again after its worker died mid-attempt calls again, so delivery
 * is at least once and receivers deduplicate by Kopek-Event-Id.
 */
async function claimDelivery(
  deps: Deps,
  job: DeliveryJob,
  isRunAgain: boolean,
): Promise<ClaimedDelivery | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    const db = withWebhookTablesInTransaction(trx);
    const row = await db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
      .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
      .select([
        'webhook_deliveries.id',
        'webhook_deliveries.status',
        'webhook_deliveries.next_attempt_at',
        'webhook_endpoints.url',
        'webhook_endpoints.is_enabled',
        'webhook_endpoints.deleted_at',
        'webhook_endpoints.secret_sealed',
        'webhook_endpoints.previous_secret_sealed',
        'webhook_endpoints.previous_secret_expires_at',
        'webhook_events.id as event_id',
        'webhook_events.type as event_type',
        'webhook_events.body',
      ])
      .where('webhook_deliveries.id', '=', job.deliveryId)
      .forUpdate('webhook_deliveries')
      .executeTakeFirst();
    if (!row || row.status !== 'pending') return undefined;
    const isThisSlot = row.next_attempt_at?.getTime() === job.scheduledFor.getTime();
    const isInterruptedClaim = isRunAgain && row.next_attempt_at === null;
    if (!isThisSlot && !isInterruptedClaim) return undefined;
    await db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: null })
      .where('id', '=', row.id)
      .execute();
    const box = webhookSecretBox(deps.config.masterKey);
    const isPreviousLive =
      row.previous_secret_sealed !== null &&
      row.previous_secret_expires_at !== null &&
      row.previous_secret_expires_at.getTime() > deps.clock.now().getTime();
    let refusal: string | null = null;
    if (row.deleted_at !== null) refusal = 'not sent: the endpoint was deleted';
    else if (!row.is_enabled) refusal = 'not sent: the endpoint is switched off';
    return {
      id: row.id,
      url: row.url,
      eventId: row.event_id,
      eventType: row.event_type,
      body: row.body,
      secrets: [
        box.decrypt(row.secret_sealed),
        ...(isPreviousLive && row.previous_secret_sealed ? [box.decrypt(row.previous_secret_sealed)] : []),
      ],
      refusal,
    };
  });
}

/**
 * performDeliveryAttempt speaks ResultURL's form encoding; a webhook is a JSON POST with its own headers.
 * This fetch keeps everything the attempt decided (URL, no redirects, the deadline's signal) and replaces
 * only the headers and the body, so webhooks get the same destination checks and limits unchanged.
 */
function sendingJson(fetchImpl: typeof fetch, headers: Record<string, string>, body: string): typeof fetch {
  return (input, init) => fetchImpl(input, { ...init, method: 'POST', headers, body });
}

/** Any 2xx answer acknowledges a webhook; its body is only kept as an excerpt. */
function isAcknowledged(outcome: AttemptOutcome): boolean {
  return outcome.responseStatus !== null && outcome.responseStatus >= 200 && outcome.responseStatus <= 299;
}

async function attemptDelivery(
  deps: Deps,
  settings: DeliverySettings,
  delivery: ClaimedDelivery,
): Promise<AttemptOutcome> {
  if (delivery.refusal !== null) {
    return {
      durationMs: 0,
      requestLine: `POST ${delivery.url}`.slice(0, MAX_REQUEST_LINE_CHARACTERS),
      responseStatus: null,
      responseExcerpt: null,
      error: delivery.refusal,
      isSuccess: false,
    };
  }
  const timestampSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  const headers = {
    'User-Agent': WEBHOOK_USER_AGENT,
    'Content-Type': 'application/json; charset=utf-8',
    [SIGNATURE_HEADER]: buildSignatureHeader(delivery.secrets, timestampSeconds, delivery.body),
    [EVENT_ID_HEADER]: delivery.eventId,
    [EVENT_TYPE_HEADER]: delivery.eventType,
  };
  const outcome = await performDeliveryAttempt(
    { url: delivery.url, method: 'POST', fields: [], expectedBody: '' },
    { ...settings, fetchImpl: sendingJson(settings.fetchImpl, headers, delivery.body) },
  );
  return { ...outcome, isSuccess: isAcknowledged(outcome) };
}

/**
 * Records the attempt and moves the delivery on. A failure reschedules only when the slot is still the
 * one this attempt claimed; a refused attempt (endpoint deleted or off) ends the schedule at once.
 */
async function recordOutcome(
  deps: Deps,
  delivery: ClaimedDelivery,
  startedAt: Date,
  outcome: AttemptOutcome,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const db = withWebhookTablesInTransaction(trx);
    const row = await db
      .selectFrom('webhook_deliveries')
      .select(['status', 'attempt_count', 'next_attempt_at', 'created_at'])
      .where('id', '=', delivery.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await db
      .insertInto('webhook_attempts')
      .values({
        delivery_id: delivery.id,
        started_at: startedAt,
        duration_ms: outcome.durationMs,
        request_line: outcome.requestLine,
        response_status: outcome.responseStatus,
        response_excerpt: outcome.responseExcerpt,
        error: outcome.error,
        is_success: outcome.isSuccess,
      })
      .execute();
    const attemptCount = row.attempt_count + 1;
    const now = deps.clock.now();
    const update = db.updateTable('webhook_deliveries').where('id', '=', delivery.id);
    if (outcome.isSuccess) {
      await update
        .set({ attempt_count: attemptCount, status: 'delivered', delivered_at: now, next_attempt_at: null })
        .execute();
    } else if (row.status === 'pending' && row.next_attempt_at === null) {
      const next = delivery.refusal === null ? nextAttemptAt(row.created_at, attemptCount, now) : null;
      await update
        .set({ attempt_count: attemptCount, status: next ? 'pending' : 'failed', next_attempt_at: next })
        .execute();
      if (next) await enqueueWebhookDeliveryJob(trx, deps.clock, delivery.id, next);
    } else {
      await update.set({ attempt_count: attemptCount }).execute();
    }
  });
}

export function createWebhookDeliveryHandler(deps: Deps, options: WebhookDeliveryOptions = {}): JobHandler {
  const settings: DeliverySettings = {
    fetchImpl: options.fetchImpl ?? fetch,
    resolveHost: options.resolveHost ?? resolveHostAddresses,
    timeoutMs: options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    isDestinationChecked: deps.config.isProduction,
  };
  return async (payload, context) => {
    const job = parseJobPayload(payload);
    const delivery = await claimDelivery(deps, job, context.attempt > 1);
    if (!delivery) {
      context.logger.debug({ deliveryId: job.deliveryId }, 'webhook job is stale: skipped');
      return;
    }
    const startedAt = deps.clock.now();
    const outcome = await attemptDelivery(deps, settings, delivery);
    await recordOutcome(deps, delivery, startedAt, outcome);
    const summary = {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      requestLine: outcome.requestLine,
      responseStatus: outcome.responseStatus,
      error: outcome.error,
      durationMs: outcome.durationMs,
    };
    if (outcome.isSuccess) context.logger.info(summary, 'webhook delivered');
    else context.logger.warn(summary, 'webhook attempt failed');
  };
}
