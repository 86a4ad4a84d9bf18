/**
 * GetInvoiceInformationList (reference §8): the filters it takes and the page of a shop's links they
 * select. Required: CurrentPage (from 1), PageSize (1-100), InvoiceStatuses (Paid|Expired|Notpaid),
 * InvoiceTypes (OneTime|Reusable), DateFrom and DateTo (when the link was created; ISO 8601, Moscow time
 * without an offset, and a DateTo without a time includes that whole day). Optional: Keywords (in the
 * description, the merchant's comments, or the InvId), IsAscending (default: newest first),
 * PaymentAliases, SumFrom, SumTo. Values are matched ignoring letter case (Robokassa's own sample sends
 * `paid`, `onetime`).
 */
import { escapeLike } from '../../platform/sql-like.js';
import { sql, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Deps } from '../../deps.js';
import { parseIsoDateTime } from '../protocol/index.js';
import { invalid, normalizeWord, ok, readAll, readAmount, take, type Read } from './invoice-api.payload.js';
import {
  LAST_PAID_AT,
  PAID_COUNT,
  robokassaStatusCondition,
  ROBOKASSA_INVOICE_STATUSES,
  type RobokassaInvoiceStatus,
} from './invoice.status.js';
import {
  withInvoiceTables,
  type InvoiceDatabase,
  type InvoiceRow,
  type InvoiceType,
} from './invoice.tables.js';

export const MAX_PAGE_SIZE = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ListFilters {
  readonly currentPage: number;
  readonly pageSize: number;
  readonly statuses: readonly RobokassaInvoiceStatus[];
  readonly types: readonly InvoiceType[];
  readonly createdFrom: Date;
  /** Exclusive. */
  readonly createdBefore: Date;
  readonly keywords: string | null;
  readonly isAscending: boolean;
  /** Every Kopek link is paid by bank card: a list of aliases without BankCard selects nothing. */
  readonly isBankCardIncluded: boolean;
  readonly sumFromMinor: bigint | null;
  readonly sumToMinor: bigint | null;
}

type Payload = Readonly<Record<string, unknown>>;

function readPositiveInteger(value: unknown, field: string, max: number): Read<number> {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1 || number > max)
    return invalid(field, `an integer from 1 to ${max} is expected.`);
  return ok(number);
}

function readChoices<T extends string>(value: unknown, field: string, choices: readonly T[]): Read<T[]> {
  const expected = `a non-empty array of ${choices.join(', ')} is expected.`;
  if (!Array.isArray(value) || value.length === 0) return invalid(field, expected);
  const chosen: T[] = [];
  for (const item of value) {
    const match = choices.find((choice) => normalizeWord(choice) === normalizeWord(item));
    if (!match) return invalid(field, expected);
    if (!chosen.includes(match)) chosen.push(match);
  }
  return ok(chosen);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function readDate(value: unknown, field: string, isEnd: boolean): Read<Date> {
  const text = typeof value === 'string' ? value.trim() : '';
  const moment = parseIsoDateTime(text);
  if (!moment) return invalid(field, 'an ISO 8601 date or date and time is expected.');
  // The end of a range is exclusive inside: a bare date ends when that day does.
  if (!isEnd) return ok(moment);
  return ok(new Date(moment.getTime() + (DATE_ONLY.test(text) ? DAY_MS : 1)));
}

function readOptionalAmount(value: unknown, field: string): Read<bigint | null> {
  if (value === undefined || value === null) return ok(null);
  if (value === 0 || value === '0') return ok(0n);
  return readAmount(value, field);
}

function readAliases(value: unknown): Read<boolean> {
  if (value === undefined || value === null) return ok(true);
  if (!Array.isArray(value))
    return invalid('PaymentAliases', 'an array of payment method aliases is expected.');
  return ok(value.length === 0 || value.some((alias) => normalizeWord(alias) === 'bankcard'));
}

function readKeywords(value: unknown): Read<string | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string' || value.length > 200)
    return invalid('Keywords', 'a string of at most 200 characters is expected.');
  return ok(value.trim() || null);
}

export function readListPayload(payload: Payload): Read<ListFilters> {
  return readAll(() => {
    const createdFrom = take(readDate(payload.DateFrom, 'DateFrom', false));
    const createdBefore = take(readDate(payload.DateTo, 'DateTo', true));
    if (createdBefore.getTime() <= createdFrom.getTime())
      take(invalid('DateTo', 'a moment not earlier than DateFrom is expected.'));
    const isAscending = payload.IsAscending;
    if (isAscending !== undefined && isAscending !== null && typeof isAscending !== 'boolean')
      take(invalid('IsAscending', 'true or false is expected.'));
    return {
      currentPage: take(readPositiveInteger(payload.CurrentPage, 'CurrentPage', 1_000_000)),
      pageSize: take(readPositiveInteger(payload.PageSize, 'PageSize', MAX_PAGE_SIZE)),
      statuses: take(readChoices(payload.InvoiceStatuses, 'InvoiceStatuses', ROBOKASSA_INVOICE_STATUSES)),
      types: take(readChoices<InvoiceType>(payload.InvoiceTypes, 'InvoiceTypes', ['OneTime', 'Reusable'])),
      createdFrom,
      createdBefore,
      keywords: take(readKeywords(payload.Keywords)),
      isAscending: isAscending === true,
      isBankCardIncluded: take(readAliases(payload.PaymentAliases)),
      sumFromMinor: take(readOptionalAmount(payload.SumFrom, 'SumFrom')),
      sumToMinor: take(readOptionalAmount(payload.SumTo, 'SumTo')),
    };
  });
}

function keywordCondition(eb: ExpressionBuilder<InvoiceDatabase, 'invoices'>, keywords: string) {
  const pattern = `%${escapeLike(keywords)}%`;
  return eb.or([
    eb('invoices.description', 'ilike', pattern),
    eb('invoices.merchant_comments', 'ilike', pattern),
    ...(/^\d{1,18}$/.test(keywords) ? [eb('invoices.inv_id', '=', BigInt(keywords))] : []),
  ]);
}

export interface ListScope {
  readonly shopId: string;
  /** A request signed with the test password sees the shop's test links only. */
  readonly isTestOnly: boolean;
}

function filteredInvoices(deps: Deps, scope: ListScope, filters: ListFilters) {
  const now = deps.clock.now();
  return withInvoiceTables(deps.db)
    .selectFrom('invoices')
    .where('invoices.shop_id', '=', scope.shopId)
    .$if(scope.isTestOnly, (query) => query.where('invoices.is_test', '=', true))
    .where('invoices.invoice_type', 'in', filters.types)
    .where('invoices.created_at', '>=', filters.createdFrom)
    .where('invoices.created_at', '<', filters.createdBefore)
    .where((eb) => eb.or(filters.statuses.map((status) => robokassaStatusCondition(status, now))))
    .$if(!filters.isBankCardIncluded, (query) => query.where(sql<SqlBool>`false`))
    .$if(filters.keywords !== null, (query) =>
      query.where((eb) => keywordCondition(eb, filters.keywords ?? '')),
    )
    .$if(filters.sumFromMinor !== null, (query) =>
      query.where('invoices.amount_minor', '>=', filters.sumFromMinor ?? 0n),
    )
    .$if(filters.sumToMinor !== null, (query) =>
      query.where('invoices.amount_minor', '<=', filters.sumToMinor ?? 0n),
    );
}

export interface ListedInvoice extends InvoiceRow {
  readonly paid_count: bigint;
  readonly last_paid_at: Date | null;
}

export async function listShopInvoices(
  deps: Deps,
  scope: ListScope,
  filters: ListFilters,
): Promise<{ totalCount: number; invoices: ListedInvoice[] }> {
  const base = filteredInvoices(deps, scope, filters);
  const counted = await base.select((eb) => eb.fn.countAll<bigint>().as('count')).executeTakeFirstOrThrow();
  const direction = filters.isAscending ? 'asc' : 'desc';
  const invoices = await base
    .selectAll('invoices')
    .select([PAID_COUNT.as('paid_count'), LAST_PAID_AT.as('last_paid_at')])
    .orderBy('invoices.created_at', direction)
    .orderBy('invoices.id', direction)
    .limit(filters.pageSize)
    .offset((filters.currentPage - 1) * filters.pageSize)
    .execute();
  return { totalCount: Number(counted.count), invoices };
}
