/**
 * Operations: payments as the merchant's cabinet shows them. Every query is scoped to the caller's
 * account, so another account's payment is "not found", never someone else's data. The list pages by
 * keyset on (sort key, id) in the order of an index (payments_account_created_idx for time,
 * payments_account_amount_idx for amount), so a page never repeats or skips a payment even when many
 * share a timestamp or an amount, and page 1,000 costs what page 1 does. Nothing counts the rows.
 * Notifications are read through the notifications module, which owns their tables.
 */
import { escapeLike } from '../../platform/sql-like.js';
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
import {
  encodeOperationCursor,
  invalidCursorError,
  MAX_OPERATIONS_PAGE_SIZE,
  type OperationCursor,
  type OperationFilter,
  type OperationSort,
} from './operation.filter.js';
import { operationErrors } from './operation.errors.js';

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

/** One leg of a ledger transfer of the payment: credits to an account are positive. */
export interface OperationLedgerEntry {
  readonly transferId: string;
  readonly kind: string;
  readonly at: string;
  readonly owner: 'shop' | 'platform';
  readonly account: string;
  readonly amount: string;
}

export interface OperationView {
  readonly operation: OperationDetail;
  /** Every ledger transfer made for this payment (paid, fee, hold, settlement, refunds), oldest first. */
  readonly ledger: OperationLedgerEntry[];
  /** Present for StepByStep payments once the card was authorized. */
  readonly hold: HoldView | null;
  /** Oldest first. */
  readonly timeline: TimelineEntry[];
  readonly notifications: NotificationView[];
}

export interface OperationPage {
  readonly items: OperationSummary[];
  readonly nextCursor: string | null;
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

/** The page's order and the keyset condition "after the cursor" for it; each has its index (0005, 0024). */
const SORT_ORDER: Record<OperationSort, { key: 'created_at' | 'amount_minor'; direction: 'asc' | 'desc' }> = {
  created_desc: { key: 'created_at', direction: 'desc' },
  created_asc: { key: 'created_at', direction: 'asc' },
  amount_desc: { key: 'amount_minor', direction: 'desc' },
  amount_asc: { key: 'amount_minor', direction: 'asc' },
};

type OperationQueryBuilder = ReturnType<typeof selectOperations>;

function applyFilter(query: OperationQueryBuilder, filter: OperationFilter): OperationQueryBuilder {
  let filtered = query;
  if (filter.shopId !== undefined) filtered = filtered.where('payments.shop_id', '=', filter.shopId);
  if (filter.status !== undefined) filtered = filtered.where('payments.status', '=', filter.status);
  if (filter.method !== undefined) filtered = filtered.where('payments.payment_method', '=', filter.method);
  if (filter.isTest !== undefined) filtered = filtered.where('payments.is_test', '=', filter.isTest);
  if (filter.from !== undefined) filtered = filtered.where('payments.created_at', '>=', filter.from);
  if (filter.until !== undefined) filtered = filtered.where('payments.created_at', '<', filter.until);
  if (filter.amountMinMinor !== undefined)
    filtered = filtered.where('payments.amount_minor', '>=', filter.amountMinMinor);
  if (filter.amountMaxMinor !== undefined)
    filtered = filtered.where('payments.amount_minor', '<=', filter.amountMaxMinor);
  if (filter.invId !== undefined) filtered = filtered.where('payments.inv_id', '=', filter.invId);
  // Written as the expression indexes of migration 0024 are, so the planner can use them.
  if (filter.email !== undefined)
    filtered = filtered.where(
      sql<boolean>`lower(payments.email) = ${filter.email} and payments.email is not null`,
    );
  if (filter.cardLast4 !== undefined)
    filtered = filtered.where(
      sql<boolean>`right(payments.card_mask, 4) = ${filter.cardLast4} and payments.card_mask is not null`,
    );
  const search = filter.search;
  if (search !== undefined) {
    const pattern = `%${escapeLike(search)}%`;
    // The expression of the trigram index payments_search_trgm_idx (migration 0024).
    const text = sql<string>`(payments.description || ' ' || coalesce(payments.email, ''))`;
    filtered = filtered.where((eb) =>
      eb.or([
        eb(text, 'ilike', pattern),
        ...(/^\d{1,18}$/.test(search) ? [eb('payments.inv_id', '=', BigInt(search))] : []),
      ]),
    );
  }
  return filtered;
}

/** Rows after the cursor: ties on the sort key are broken by id, against the key's direction. */
function applyCursor(query: OperationQueryBuilder, cursor: OperationCursor): OperationQueryBuilder {
  const { key, direction } = SORT_ORDER[cursor.sort];
  const column = `payments.${key}` as const;
  const value =
    key === 'created_at' ? sql<Date>`${cursor.key}::timestamptz` : sql<bigint>`${cursor.key}::bigint`;
  // The first condition repeats what the second implies, as a range the index can seek to; the second
  // breaks ties on the key by id, against the key's direction.
  return query
    .where(column, direction === 'desc' ? '<=' : '>=', value)
    .where((eb) =>
      eb.or([
        eb(column, direction === 'desc' ? '<' : '>', value),
        eb.and([eb(column, '=', value), eb('payments.id', direction === 'desc' ? '>' : '<', cursor.id)]),
      ]),
    );
}

export type OperationListRow = Awaited<ReturnType<typeof readOperationRows>>[number];

/** Up to `limit` rows of the filtered list after the cursor, in the filter's order. */
export async function readOperationRows(
  db: Kysely<Database>,
  accountId: string,
  filter: OperationFilter,
  before: OperationCursor | undefined,
  limit: number,
) {
  const { key, direction } = SORT_ORDER[filter.sort];
  let query = applyFilter(selectOperations(db, accountId), filter);
  if (before) query = applyCursor(query, before);
  return query
    .select(['payments.email', 'payments.description'])
    .orderBy(`payments.${key}`, direction)
    .orderBy('payments.id', direction === 'desc' ? 'asc' : 'desc')
    .limit(limit)
    .execute();
}

/** How many rows the filter selects (the exports' progress; the list never counts). */
export async function countOperationRows(
  db: Kysely<Database>,
  accountId: string,
  filter: OperationFilter,
): Promise<number> {
  const row = await applyFilter(selectOperations(db, accountId), filter)
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export function cursorAfter(row: OperationRow, sort: OperationSort): OperationCursor {
  const key = SORT_ORDER[sort].key === 'created_at' ? row.cursor_at : String(row.amount_minor);
  return { sort, key, id: row.id };
}

/** A page of the list: the filter (newest first unless it says otherwise), the cursor and the size. */
export type OperationListRequest = Omit<OperationFilter, 'sort'> & {
  readonly sort?: OperationSort | undefined;
  readonly before?: OperationCursor | undefined;
  readonly limit: number;
};

export async function listOperations(
  db: Kysely<Database>,
  accountId: string,
  request: OperationListRequest,
): Promise<OperationPage> {
  const filter: OperationFilter = { ...request, sort: request.sort ?? 'created_desc' };
  if (request.before && request.before.sort !== filter.sort) throw invalidCursorError();
  const limit = Math.min(Math.max(request.limit, 1), MAX_OPERATIONS_PAGE_SIZE);
  // One row more than the page tells whether there is a next page, without counting.
  const rows = await readOperationRows(db, accountId, filter, request.before, limit + 1);
  const shown = rows.slice(0, limit);
  const statuses = await listNotificationStatuses(
    db,
    accountId,
    shown.map((row) => row.id),
  );
  const last = shown.at(-1);
  return {
    items: shown.map((row) => toSummary(row, summarizeNotifications(statuses.get(row.id) ?? []))),
    nextCursor: rows.length > limit && last ? encodeOperationCursor(cursorAfter(last, filter.sort)) : null,
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

/** The legs of the transfers whose reference is the payment (ledger_transfers_reference_idx). */
async function listLedgerEntries(db: Kysely<Database>, paymentId: string): Promise<OperationLedgerEntry[]> {
  const rows = await db
    .selectFrom('ledger_transfers as t')
    .innerJoin('ledger_entries as e', 'e.transfer_id', 't.id')
    .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
    .select(['t.id', 't.kind', 'e.created_at', 'e.amount_minor', 'e.currency', 'a.owner_kind', 'a.purpose'])
    .where('t.reference', '=', paymentId)
    .orderBy('e.id')
    .limit(MAX_TIMELINE_EVENTS)
    .execute();
  return rows.map((row) => ({
    transferId: row.id,
    kind: row.kind,
    at: row.created_at.toISOString(),
    owner: row.owner_kind,
    account: row.purpose,
    // Debits are positive in the ledger; what an account receives reads better as a plus here.
    amount: formatMinor(-row.amount_minor, row.currency),
  }));
}

export async function getOperation(
  db: Kysely<Database>,
  accountId: string,
  operationId: string,
): Promise<OperationView> {
  const row = await findOperationRow(db, accountId, operationId);
  if (!row) throw operationErrors.operationNotFound();
  const [events, notifications, hold, ledger] = await Promise.all([
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
    listLedgerEntries(db, row.id),
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
    ledger,
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
