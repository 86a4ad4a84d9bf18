/**
 * Notifications to merchants' servers (for now Robokassa's ResultURL call), kept with every delivery
 * attempt so the merchant's cabinet can show what was sent and what came back. A notification is an
 * outbox row: it and its delivery job are written in the caller's transaction, so a rollback sends
 * nothing and a commit can never lose it. Delivery itself is notification.jobs.ts.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import type { Clock } from '../../platform/clock.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob, type Executor } from '../../platform/jobs.js';
import type {
  Database,
  NotificationAttemptsTable,
  NotificationStatus,
  NotificationsTable,
} from '../../schema.js';
import { notificationErrors } from './notification.errors.js';

export const NOTIFICATION_QUEUE = 'notifications.deliver';

/** Robokassa's ResultURL (form fields, Password #2) and ResultUrl2 (a JWS signed with Kopek's key). */
export type NotificationKind = 'result_url' | 'result_url2';
const NOTIFICATION_KINDS: readonly string[] = ['result_url', 'result_url2'] satisfies NotificationKind[];

export interface NewNotification {
  readonly accountId: string;
  /** What the notification is about, e.g. the payment id. */
  readonly subjectId: string;
  readonly kind: NotificationKind;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Sent in this order. */
  readonly fields: [string, string][];
  /** The acknowledgement that counts as delivered, e.g. 'OK123'; null: any 2xx answer. */
  readonly expectedBody: string | null;
  /** Sent as the whole body (POST only) instead of the fields, e.g. a JWS. */
  readonly rawBody?: { readonly text: string; readonly contentType: string } | undefined;
  /** At most this many attempts; without it the retry schedule's 72-hour window alone decides. */
  readonly maxAttempts?: number | undefined;
}

/** Each job names the schedule slot it was made for; a job whose slot was replaced does nothing. */
export interface NotificationJobPayload {
  readonly notificationId: string;
  readonly scheduledFor: string;
}

export interface NotificationAttemptView {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requestLine: string;
  readonly responseStatus: number | null;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
  readonly isSuccess: boolean;
}

export interface NotificationView {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly status: NotificationStatus;
  readonly attemptCount: number;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  /** The latest acknowledged delivery; kept when the merchant asks for the notification again. */
  readonly deliveredAt: string | null;
  /** Oldest first. */
  readonly attempts: NotificationAttemptView[];
}

/** Page limits: a subject has a handful of notifications, each at most ten scheduled attempts. */
const MAX_NOTIFICATIONS_PER_SUBJECT = 100;
const MAX_ATTEMPTS_SHOWN = 100;

export async function enqueueDeliveryJob(
  executor: Executor,
  clock: Clock,
  notificationId: string,
  runAt: Date,
): Promise<void> {
  const payload: NotificationJobPayload = { notificationId, scheduledFor: runAt.toISOString() };
  await enqueueJob(executor, clock, { queue: NOTIFICATION_QUEUE, payload, runAt });
}

/**
 * Records the notification and its first delivery job in the caller's transaction. The URL is not
 * judged here: a bad one must not roll back the caller's change; its attempts record why it fails.
 */
export async function enqueueNotification(
  trx: Transaction<Database>,
  clock: Clock,
  notification: NewNotification,
): Promise<string> {
  if (notification.rawBody && notification.method !== 'POST')
    throw new Error('a notification with a body of its own is sent by POST');
  const id = createId('ntf');
  const now = clock.now();
  await trx
    .insertInto('notifications')
    .values({
      id,
      account_id: notification.accountId,
      subject_id: notification.subjectId,
      kind: notification.kind,
      url: notification.url,
      method: notification.method,
      fields: JSON.stringify(notification.fields),
      expected_body: notification.expectedBody,
      body: notification.rawBody?.text ?? null,
      content_type: notification.rawBody?.contentType ?? null,
      max_attempts: notification.maxAttempts ?? null,
      status: 'pending',
      next_attempt_at: now,
      created_at: now,
      delivered_at: null,
    })
    .execute();
  await enqueueDeliveryJob(trx, clock, id, now);
  return id;
}

/**
 * The cabinet's "send again": one more attempt now, whatever the status (a merchant may want a
 * delivered notification again, e.g. after restoring a backup). The job of any earlier schedule slot
 * becomes stale and does nothing. If this attempt fails, retries go on only while the schedule's 72-hour
 * window from creation allows.
 */
export async function resendNotification(
  deps: Deps,
  accountId: string,
  notificationId: string,
): Promise<NotificationView> {
  return deps.db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom('notifications')
      .select('id')
      .where('id', '=', notificationId)
      .where('account_id', '=', accountId)
      .forUpdate()
      .executeTakeFirst();
    if (!found) throw notificationErrors.notificationNotFound();
    const now = deps.clock.now();
    const updated = await trx
      .updateTable('notifications')
      .set({ status: 'pending', next_attempt_at: now })
      .where('id', '=', found.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueueDeliveryJob(trx, deps.clock, found.id, now);
    const [view] = await toNotificationViews(trx, [updated]);
    if (!view) throw new Error('resendNotification: the view went missing');
    return view;
  });
}

/** The account's notifications about one subject (e.g. a payment), oldest first, with their attempts. */
export async function listNotificationsForSubject(
  db: Kysely<Database>,
  accountId: string,
  subjectId: string,
): Promise<NotificationView[]> {
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('subject_id', '=', subjectId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_NOTIFICATIONS_PER_SUBJECT)
    .execute();
  return toNotificationViews(db, rows);
}

/** The statuses of every notification about each subject, in one query (for lists of operations). */
export async function listNotificationStatuses(
  db: Kysely<Database>,
  accountId: string,
  subjectIds: readonly string[],
): Promise<Map<string, NotificationStatus[]>> {
  const statuses = new Map<string, NotificationStatus[]>();
  if (subjectIds.length === 0) return statuses;
  const rows = await db
    .selectFrom('notifications')
    .select(['subject_id', 'status'])
    .where('account_id', '=', accountId)
    .where('subject_id', 'in', [...subjectIds])
    .execute();
  for (const row of rows) statuses.set(row.subject_id, [...(statuses.get(row.subject_id) ?? []), row.status]);
  return statuses;
}

/** Whether the merchant has acknowledged a notification of this kind about the subject at least once. */
export async function isSubjectNotified(
  db: Kysely<Database>,
  subjectId: string,
  kind: NotificationKind,
): Promise<boolean> {
  const found = await db
    .selectFrom('notifications')
    .select('id')
    .where('subject_id', '=', subjectId)
    .where('kind', '=', kind)
    .where('delivered_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

function toKind(kind: string): NotificationKind {
  if (!NOTIFICATION_KINDS.includes(kind)) throw new Error(`unknown notification kind ${kind}`);
  return kind as NotificationKind;
}

function toAttemptView(attempt: Omit<NotificationAttemptsTable, 'id'>): NotificationAttemptView {
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

type StoredNotification = Omit<NotificationsTable, 'attempt_count' | 'fields'> & {
  attempt_count: number;
};

async function toNotificationViews(
  db: Kysely<Database>,
  rows: StoredNotification[],
): Promise<NotificationView[]> {
  if (rows.length === 0) return [];
  // The newest attempts of each notification, shown oldest first.
  const attempts = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('notification_attempts')
        .selectAll()
        .select(sql<bigint>`row_number() over (partition by notification_id order by id desc)`.as('rank'))
        .where(
          'notification_id',
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
    kind: toKind(row.kind),
    url: row.url,
    method: row.method,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    attempts: attempts.filter((attempt) => attempt.notification_id === row.id).map(toAttemptView),
  }));
}
