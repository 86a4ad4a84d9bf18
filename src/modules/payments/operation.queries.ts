/**
 * Operations: payments as the merchant's cabinet shows them. Every query is scoped to the caller's
 * account, so another account's payment is "not found", never someone else's data. The list pages by
 * keyset on (created_at, id), newest first, in the order of the index payments_account_created_idx
 * (created_at descending, then id ascending), so a page never repeats or skips a payment even when many
 * share a timestamp. Notifications are read through the notifications module, which owns their tables.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { formatMinor } from '../../platform/money.js';
import type { Database, NotificationStatus, PaymentStatus } from '../../schema.js';
import {
  listNotificationsForSubject,
  listNotificationStatuses,
  notificationErrors,
  resendNotification,
  type NotificationView,
} from '../notifications/index.js';
import { withHoldTables, type HoldReleaseReason, type HoldRow, type HoldStatus } from './hold.tables.js';
import { operationErrors } from './operation.errors.js';

export const OPERATION_STATUSES = [
  'created',
  'processing',
  'awaiting_3ds',
  'paid',
  'failed',
  'expired',
  'held',
  'released',
] as const satisfies readonly PaymentStatus[];

export const DEFAULT_OPERATIONS_PAGE_SIZE = 50;
export const MAX_OPERATIONS_PAGE_SIZE = 200;
/** A payment has a handful of events; the limit only guards against a runaway writer. */
const MAX_TIMELINE_EVENTS = 500;

export type OperationNotificationState = 'delivered' | 'pending' | 'failed' | 'none';

export interface OperationSummary {
  readonly id: string;
  readonly shopId: string;
  readonly shopName: string;
  readonly merchantLogin: string;
  readonly invId: string;
  /** Decimal in the currency's scale, e.g. '1490.00'. */
  readonly amount: string;
  readonly currency: string;
  readonly status: PaymentStatus;
  readonly paymentMethod: string | null;
  readonly cardMask: string | null;
  readonly isTest: boolean;
  readonly createdAt: string;
  readonly paidAt: string | null;
  readonly notification: OperationNotificationState;
  /** Recurring=true: the parent of a recurring chain. */
  readonly isRecurringParent: boolean;
  /** A child charge (/Merchant/Recurring): the InvId of its previous invoice. */
  readonly recurringPreviousInvId: string | null;
  /** Paid (or to be paid) with a saved card: a CoF payment or a recurring charge. */
  readonly isSavedCard: boolean;
}

export interface OperationDetail extends OperationSummary {
  readonly description: string;
  readonly email: string | null;
  /** OutSum exactly as the merchant's site sent it (signatures are computed over it). */
  readonly outSumText: string;
  readonly fee: string;
  readonly opKey: string | null;
  readonly shp: [string, string][];
  readonly expiresAt: string | null;
}

export interface TimelineEntry {
  readonly at: string;
  readonly kind: string;
  readonly details: Record<string, unknown>;
}

/** A StepByStep payment's hold: what was reserved, and what became of it. */
export interface HoldView {
  readonly amount: string;
  readonly status: HoldStatus;
  /** When it is (or was to be) released if the shop does not confirm it. */
  readonly releaseAt: string;
  readonly capturedAmount: string | null;
  readonly releaseReason: HoldReleaseReason | null;
  readonly capturedAt: string | null;
  readonly releasedAt: string | null;
}

export interface OperationView {
  readonly operation: OperationDetail;
  /** Present for StepByStep payments once the card was authorized. */
  readonly hold: HoldView | null;
  /** Oldest first. */
  readonly timeline: TimelineEntry[];
  readonly notifications: NotificationView[];
}

/** Where the previous page ended: created_at to the microsecond (as PostgreSQL keeps it) and the id. */
export interface OperationCursor {
  readonly at: string;
  readonly id: string;
}

export interface OperationFilter {
  readonly shopId?: string | undefined;
  readonly status?: PaymentStatus | undefined;
  readonly isTest?: boolean | undefined;
  readonly before?: OperationCursor | undefined;
  readonly limit: number;
}

export interface OperationPage {
  readonly items: OperationSummary[];
  readonly nextCursor: string | null;
}

const CURSOR_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CURSOR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeOperationCursor(cursor: OperationCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id]), 'utf8').toString('base64url');
}

/** The cursor is opaque to clients; anything that is not one of ours is undefined (a field error). */
export function decodeOperationCursor(text: string): OperationCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string') return undefined;
  if (!CURSOR_TIME_PATTERN.test(at) || Number.isNaN(Date.parse(at)) || !CURSOR_ID_PATTERN.test(id))
    return undefined;
  return { at, id };
}

/** The left join finds a recurring charge's previous invoice by primary key: the "child of #N" mark. */
function selectOperations(db: Kysely<Database>, accountId: string) {
  return db
    .selectFrom('payments')
    .innerJoin('shops', 'shops.id', 'payments.shop_id')
    .leftJoin('payments as previous_payment', 'previous_payment.id', 'payments.previous_payment_id')
    .where('payments.account_id', '=', accountId)
    .select([
      'payments.is_recurring',
      'payments.cof_payment_id',
      'previous_payment.inv_id as previous_inv_id',
      'payments.id',
      'payments.shop_id',
      'shops.name as shop_name',
      'shops.merchant_login',
      'payments.inv_id',
      'payments.amount_minor',
      'payments.currency',
      'payments.status',
      'payments.payment_method',
      'payments.card_mask',
      'payments.is_test',
      'payments.created_at',
      'payments.paid_at',
      // Text, not a Date: JavaScript dates keep milliseconds, PostgreSQL keeps microseconds.
      sql<string>`to_char(payments.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
        'cursor_at',
      ),
    ]);
}

type OperationRow = Awaited<ReturnType<ReturnType<typeof selectOperations>['executeTakeFirstOrThrow']>>;

/**
 * One state for a list row. A delivery under way (including a "send again") is pending; otherwise a
 * notification that gave up outweighs one that arrived, so a problem is never hidden behind a success.
 */
export function summarizeNotifications(statuses: readonly NotificationStatus[]): OperationNotificationState {
  if (statuses.length === 0) return 'none';
  if (statuses.includes('pending')) return 'pending';
  if (statuses.includes('failed')) return 'failed';
  return 'delivered';
}

function toSummary(row: OperationRow, notification: OperationNotificationState): OperationSummary {
  return {
    id: row.id,
    shopId: row.shop_id,
    shopName: row.shop_name,
    merchantLogin: row.merchant_login,
    invId: String(row.inv_id),
    amount: formatMinor(row.amount_minor, row.currency),
    currency: row.currency,
    status: row.status,
    paymentMethod: row.payment_method,
    cardMask: row.card_mask,
    isTest: row.is_test,
    createdAt: row.created_at.toISOString(),
    paidAt: row.paid_at?.toISOString() ?? null,
    notification,
    isRecurringParent: row.is_recurring,
    recurringPreviousInvId: row.previous_inv_id === null ? null : String(row.previous_inv_id),
    isSavedCard: row.cof_payment_id !== null || row.previous_inv_id !== null,
  };
}

export async function listOperations(
  db: Kysely<Database>,
  accountId: string,
  filter: OperationFilter,
): Promise<OperationPage> {
  const limit = Math.min(Math.max(filter.limit, 1), MAX_OPERATIONS_PAGE_SIZE);
  let query = selectOperations(db, accountId);
  if (filter.shopId !== undefined) query = query.where('payments.shop_id', '=', filter.shopId);
  if (filter.status !== undefined) query = query.where('payments.status', '=', filter.status);
  if (filter.isTest !== undefined) query = query.where('payments.is_test', '=', filter.isTest);
  const before = filter.before;
  if (before) {
    const at = sql<Date>`${before.at}::timestamptz`;
    query = query.where((eb) =>
      eb.or([
        eb('payments.created_at', '<', at),
        eb.and([eb('payments.created_at', '=', at), eb('payments.id', '>', before.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('payments.created_at', 'desc')
    .orderBy('payments.id', 'asc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const statuses = await listNotificationStatuses(
    db,
    accountId,
    page.map((row) => row.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((row) => toSummary(row, summarizeNotifications(statuses.get(row.id) ?? []))),
    nextCursor:
      rows.length > limit && last ? encodeOperationCursor({ at: last.cursor_at, id: last.id }) : null,
  };
}

async function findOperationRow(db: Kysely<Database>, accountId: string, operationId: string) {
  return selectOperations(db, accountId)
    .where('payments.id', '=', operationId)
    .select([
      'payments.description',
      'payments.email',
      'payments.out_sum_text',
      'payments.fee_minor',
      'payments.op_key',
      'payments.shp',
      'payments.expires_at',
    ])
    .executeTakeFirst();
}

function toHoldView(hold: HoldRow): HoldView {
  const captured = hold.status === 'captured' ? hold.capture_amount_minor : null;
  return {
    amount: formatMinor(hold.amount_minor, hold.currency),
    status: hold.status,
    releaseAt: hold.expires_at.toISOString(),
    capturedAmount: captured === null ? null : formatMinor(captured, hold.currency),
    releaseReason: hold.release_reason,
    capturedAt: hold.captured_at?.toISOString() ?? null,
    releasedAt: hold.released_at?.toISOString() ?? null,
  };
}

export async function getOperation(
  db: Kysely<Database>,
  accountId: string,
  operationId: string,
): Promise<OperationView> {
  const row = await findOperationRow(db, accountId, operationId);
  if (!row) throw operationErrors.operationNotFound();
  const [events, notifications, hold] = await Promise.all([
    db
      .selectFrom('payment_events')
      .select(['kind', 'details', 'created_at'])
      .where('payment_id', '=', row.id)
      .orderBy('id')
      .limit(MAX_TIMELINE_EVENTS)
      .execute(),
    listNotificationsForSubject(db, accountId, row.id),
    withHoldTables(db)
      .selectFrom('payment_holds')
      .selectAll()
      .where('payment_id', '=', row.id)
      .executeTakeFirst(),
  ]);
  return {
    operation: {
      ...toSummary(row, summarizeNotifications(notifications.map((notification) => notification.status))),
      description: row.description,
      email: row.email,
      outSumText: row.out_sum_text,
      fee: formatMinor(row.fee_minor, row.currency),
      opKey: row.op_key,
      shp: row.shp,
      expiresAt: row.expires_at?.toISOString() ?? null,
    },
    hold: hold ? toHoldView(hold) : null,
    timeline: events.map((event) => ({
      at: event.created_at.toISOString(),
      kind: event.kind,
      details: event.details,
    })),
    notifications,
  };
}

/**
 * "Send again" from an operation's page: the notification must be about this operation and both must
 * belong to the caller's account; anything else is "not found", so ids cannot be probed.
 */
export async function resendOperationNotification(
  deps: Deps,
  accountId: string,
  operationId: string,
  notificationId: string,
): Promise<NotificationView> {
  const row = await findOperationRow(deps.db, accountId, operationId);
  if (!row) throw operationErrors.operationNotFound();
  const notifications = await listNotificationsForSubject(deps.db, accountId, row.id);
  if (!notifications.some((notification) => notification.id === notificationId))
    throw notificationErrors.notificationNotFound();
  return resendNotification(deps, accountId, notificationId);
}
