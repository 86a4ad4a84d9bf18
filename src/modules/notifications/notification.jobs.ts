/**
 * Delivery of one notification attempt, run by the job worker. Three steps, so that no row stays locked
 * during the merchant's call: claim the schedule slot (transaction 1), call the merchant outside any
 * transaction, then record the attempt and schedule the next one or settle the status (transaction 2).
 * Merchant-side failures are recorded, never thrown; the handler throws only when Kopek itself fails
 * (a bad job payload, a database error), which the job queue retries.
 */
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../platform/jobs.js';
import { createPublicOnlyFetch } from '../../platform/network.js';
import type { NotificationsTable } from '../../schema.js';
import {
  performDeliveryAttempt,
  resolveHostAddresses,
  type AttemptOutcome,
  type DeliverySettings,
} from './notification.http.js';
import { nextAttemptAt } from './notification.schedule.js';
import { enqueueDeliveryJob } from './notification.service.js';

export interface NotificationDeliveryOptions {
  readonly fetchImpl?: typeof fetch;
  /** Resolves a host name to its addresses; production checks each one. Default: the system resolver. */
  readonly resolveHost?: (host: string) => Promise<string[]>;
  /** The deadline of one attempt: DNS, connection, answer and body together. */
  readonly timeoutMs?: number;
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

interface DeliveryJob {
  readonly notificationId: string;
  readonly scheduledFor: Date;
}

type ClaimedNotification = Pick<
  NotificationsTable,
  'id' | 'url' | 'method' | 'expected_body' | 'body' | 'content_type'
> & {
  readonly fields: [string, string][];
};

function parseJobPayload(payload: unknown): DeliveryJob {
  const { notificationId, scheduledFor } = (payload ?? {}) as Record<string, unknown>;
  if (typeof notificationId !== 'string' || !notificationId.startsWith('ntf_'))
    throw new Error('notification job without a notificationId');
  const scheduledAt = typeof scheduledFor === 'string' ? new Date(scheduledFor) : new Date(NaN);
  if (Number.isNaN(scheduledAt.getTime())) throw new Error('notification job without a valid scheduledFor');
  return { notificationId, scheduledFor: scheduledAt };
}

function parseFields(value: unknown, notificationId: string): [string, string][] {
  const isPair = (item: unknown): item is [string, string] =>
    Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string';
  if (!Array.isArray(value) || !value.every(isPair))
    throw new Error(`notification ${notificationId} has malformed fields`);
  return value;
}

/**
 * Takes the schedule slot the job was made for: the row must be pending and still scheduled for the
 * job's time. A job whose slot was replaced (the merchant pressed "send again", or another attempt
 * already rescheduled) finds a different time and does nothing, so each slot gets one attempt.
 *
 * One exception keeps a crash from losing the notification: a job run again by the queue (its previous
 * run died or failed after claiming, before recording) finds the slot claimed and unrecorded
 * (next_attempt_at null) and calls again. Delivery is therefore at least once, as with Robokassa.
 */
async function claimNotification(
  deps: Deps,
  job: DeliveryJob,
  isRunAgain: boolean,
): Promise<ClaimedNotification | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('notifications')
      .select([
        'id',
        'url',
        'method',
        'fields',
        'expected_body',
        'body',
        'content_type',
        'status',
        'next_attempt_at',
      ])
      .where('id', '=', job.notificationId)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.status !== 'pending') return undefined;
    const isThisSlot = row.next_attempt_at?.getTime() === job.scheduledFor.getTime();
    const isInterruptedClaim = isRunAgain && row.next_attempt_at === null;
    if (!isThisSlot && !isInterruptedClaim) return undefined;
    await trx.updateTable('notifications').set({ next_attempt_at: null }).where('id', '=', row.id).execute();
    return { ...row, fields: parseFields(row.fields, row.id) };
  });
}

/**
 * Records the attempt and moves the notification on. A failure reschedules only when the slot is still
 * the one this attempt claimed (pending, next_attempt_at null): if the merchant pressed "send again"
 * meanwhile, or a concurrent attempt already delivered it, that newer state stands. A notification with an
 * attempt limit of its own (ResultUrl2: six) fails once it has used them, whatever the schedule allows.
 */
async function recordOutcome(
  deps: Deps,
  notificationId: string,
  startedAt: Date,
  outcome: AttemptOutcome,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('notifications')
      .select(['status', 'attempt_count', 'next_attempt_at', 'created_at', 'max_attempts'])
      .where('id', '=', notificationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('notification_attempts')
      .values({
        notification_id: notificationId,
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
    const update = trx.updateTable('notifications').where('id', '=', notificationId);
    if (outcome.isSuccess) {
      await update
        .set({ attempt_count: attemptCount, status: 'delivered', delivered_at: now, next_attempt_at: null })
        .execute();
    } else if (row.status === 'pending' && row.next_attempt_at === null) {
      const isLimitReached = row.max_attempts !== null && attemptCount >= row.max_attempts;
      const next = isLimitReached ? null : nextAttemptAt(row.created_at, attemptCount, now);
      await update
        .set({ attempt_count: attemptCount, status: next ? 'pending' : 'failed', next_attempt_at: next })
        .execute();
      if (next) await enqueueDeliveryJob(trx, deps.clock, notificationId, next);
    } else {
      await update.set({ attempt_count: attemptCount }).execute();
    }
  });
}

export function createNotificationDeliveryHandler(
  deps: Deps,
  options: NotificationDeliveryOptions = {},
): JobHandler {
  const settings: DeliverySettings = {
    // In production every connection's address is checked again as it connects (DNS rebinding).
    fetchImpl: options.fetchImpl ?? (deps.config.isProduction ? createPublicOnlyFetch() : fetch),
    resolveHost: options.resolveHost ?? resolveHostAddresses,
    timeoutMs: options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    isDestinationChecked: deps.config.isProduction,
  };
  return async (payload, context) => {
    const job = parseJobPayload(payload);
    const notification = await claimNotification(deps, job, context.attempt > 1);
    if (!notification) {
      context.logger.debug({ notificationId: job.notificationId }, 'notification job is stale: skipped');
      return;
    }
    const startedAt = deps.clock.now();
    const outcome = await performDeliveryAttempt(
      {
        url: notification.url,
        method: notification.method,
        fields: notification.fields,
        expectedBody: notification.expected_body,
        body:
          notification.body !== null
            ? { text: notification.body, contentType: notification.content_type ?? 'text/plain' }
            : undefined,
      },
      settings,
    );
    await recordOutcome(deps, notification.id, startedAt, outcome);
    const summary = {
      notificationId: notification.id,
      requestLine: outcome.requestLine,
      responseStatus: outcome.responseStatus,
      error: outcome.error,
      durationMs: outcome.durationMs,
    };
    if (outcome.isSuccess) context.logger.info(summary, 'notification delivered');
    else context.logger.warn(summary, 'notification attempt failed');
  };
}
