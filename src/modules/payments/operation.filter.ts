/**
 * The operations list's filter, sort and page cursor: parsed from the cabinet's query string with a
 * field error for every value that makes no sense, and stored as JSON with an export, so the export
 * job reads exactly the rows the merchant saw.
 *
 * Dates are Moscow calendar days (the cabinet shows Moscow time): "from" is 00:00 of its day, "to" is
 * inclusive (up to 00:00 of the day after). Amounts are decimals in the payment's currency ("1490.50");
 * every currency Kopek takes has two decimals.
 */
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { parseDecimalToMinor } from '../../platform/money.js';
import type { PaymentStatus } from '../../schema.js';
import { moscowMidnight, parseCivilDay } from '../balances/index.js';

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

export const OPERATION_SORTS = ['created_desc', 'created_asc', 'amount_desc', 'amount_asc'] as const;
export type OperationSort = (typeof OPERATION_SORTS)[number];

export const DEFAULT_OPERATIONS_PAGE_SIZE = 50;
export const MAX_OPERATIONS_PAGE_SIZE = 200;
const MAX_SEARCH_LENGTH = 100;
const DAY_MS = 86_400_000;

export interface OperationFilter {
  readonly shopId?: string | undefined;
  readonly status?: PaymentStatus | undefined;
  readonly method?: string | undefined;
  readonly isTest?: boolean | undefined;
  /** Created at or after. */
  readonly from?: Date | undefined;
  /** Created before (the day after the "to" date). */
  readonly until?: Date | undefined;
  readonly amountMinMinor?: bigint | undefined;
  readonly amountMaxMinor?: bigint | undefined;
  readonly invId?: bigint | undefined;
  /** Lower case; matched exactly. */
  readonly email?: string | undefined;
  readonly cardLast4?: string | undefined;
  /** Words of the description, an e-mail or an InvId. */
  readonly search?: string | undefined;
  readonly sort: OperationSort;
}

/** Where the previous page ended: the sort key (a microsecond timestamp or an amount) and the id. */
export interface OperationCursor {
  readonly sort: OperationSort;
  readonly key: string;
  readonly id: string;
}

/** What the list route and the export accept: every value a string from the query. */
export interface OperationQuery {
  readonly shopId?: string | undefined;
  readonly status?: string | undefined;
  readonly method?: string | undefined;
  readonly isTest?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly amountMin?: string | undefined;
  readonly amountMax?: string | undefined;
  readonly invId?: string | undefined;
  readonly email?: string | undefined;
  readonly cardLast4?: string | undefined;
  readonly q?: string | undefined;
  readonly sort?: string | undefined;
}

const problem = (code: string, ru: string, en: string, values?: Record<string, string | number>) =>
  ({ code, text: { ru, en }, ...(values ? { values } : {}) }) satisfies FieldProblem;

const PROBLEMS = {
  date: problem('invalid_date', 'Дата в формате ГГГГ-ММ-ДД.', 'A date as YYYY-MM-DD.'),
  period: problem('invalid_period', 'Начало периода позже его конца.', 'The period starts after it ends.'),
  amount: problem(
    'invalid_amount',
    'Сумма числом, не больше двух знаков после точки, например 1490.50.',
    'An amount with at most two decimals, e.g. 1490.50.',
  ),
  amountRange: problem(
    'invalid_range',
    'Сумма «от» больше суммы «до».',
    'The lowest amount is above the highest.',
  ),
  invId: problem('invalid_inv_id', 'InvId — целое положительное число.', 'InvId is a positive whole number.'),
  cardLast4: problem(
    'invalid_card_last4',
    'Четыре последние цифры карты.',
    'The last four digits of the card.',
  ),
  email: problem(
    'invalid_email',
    'Адрес e-mail целиком, например buyer@example.com.',
    'A whole e-mail address, e.g. buyer@example.com.',
  ),
  search: problem('too_long', 'Не длиннее {max} символов.', 'At most {max} characters.', {
    max: MAX_SEARCH_LENGTH,
  }),
  isTest: problem('invalid', 'true или false.', 'true or false.'),
  status: problem('invalid', 'Неизвестный статус.', 'Unknown status.'),
  sort: problem('invalid', 'Неизвестный порядок сортировки.', 'Unknown sort order.'),
  method: problem('invalid', 'Неизвестный способ оплаты.', 'Unknown payment method.'),
  cursor: problem(
    'invalid_cursor',
    'Неверная ссылка на следующую страницу: откройте список заново.',
    'This next-page link is not valid: open the list again.',
  ),
  limit: problem('out_of_range', 'Целое число от 1 до {max}.', 'A whole number from 1 to {max}.', {
    max: MAX_OPERATIONS_PAGE_SIZE,
  }),
} as const;

/** A Moscow calendar day as the instant of its 00:00, or undefined when the text is not a real date. */
function parseMoscowDay(text: string): Date | undefined {
  const civil = parseCivilDay(text);
  return civil === undefined ? undefined : moscowMidnight(civil);
}

function parseAmount(text: string): bigint | undefined {
  return /^\d{1,12}(\.\d{1,2})?$/.test(text) ? parseDecimalToMinor(text, 'RUB') : undefined;
}

/**
 * The filter from the query string, or a validation error naming every bad field. Empty strings mean
 * "no filter", as an untouched form field sends them.
 */
export function parseOperationFilter(query: OperationQuery): OperationFilter {
  const problems: Record<string, FieldProblem> = {};
  const filter = readFilter(query, problems);
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return filter;
}

/** A page of the list: the filter, the cursor after which it starts and its size, every problem at once. */
export function parseOperationListQuery(
  query: OperationQuery & { readonly before?: string | undefined; readonly limit?: string | undefined },
): { filter: OperationFilter; before: OperationCursor | undefined; limit: number } {
  const problems: Record<string, FieldProblem> = {};
  const filter = readFilter(query, problems);
  const limit = readPageSize(query.limit);
  if (limit === undefined) problems.limit = PROBLEMS.limit;
  const before =
    query.before === undefined || query.before === '' ? undefined : decodeOperationCursor(query.before);
  if (query.before && (!before || before.sort !== filter.sort)) problems.before = PROBLEMS.cursor;
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return { filter, before, limit: limit ?? DEFAULT_OPERATIONS_PAGE_SIZE };
}

function readFilter(query: OperationQuery, problems: Record<string, FieldProblem>): OperationFilter {
  const given = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? undefined : value.trim();
  const read = <T>(
    field: keyof OperationQuery,
    parse: (text: string) => T | undefined,
    bad: FieldProblem,
  ) => {
    const text = given(query[field]);
    if (text === undefined) return undefined;
    const value = parse(text);
    if (value === undefined) problems[field] = bad;
    return value;
  };
  const status = read('status', (text) => OPERATION_STATUSES.find((item) => item === text), PROBLEMS.status);
  const sort = read('sort', (text) => OPERATION_SORTS.find((item) => item === text), PROBLEMS.sort);
  const isTest = read(
    'isTest',
    (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
    PROBLEMS.isTest,
  );
  const method = read(
    'method',
    (text) => (/^[A-Za-z0-9_.-]{1,64}$/.test(text) ? text : undefined),
    PROBLEMS.method,
  );
  const from = read('from', parseMoscowDay, PROBLEMS.date);
  const to = read('to', parseMoscowDay, PROBLEMS.date);
  const amountMinMinor = read('amountMin', parseAmount, PROBLEMS.amount);
  const amountMaxMinor = read('amountMax', parseAmount, PROBLEMS.amount);
  const invId = read(
    'invId',
    (text) => (/^[1-9]\d{0,17}$/.test(text) ? BigInt(text) : undefined),
    PROBLEMS.invId,
  );
  const email = read(
    'email',
    (text) => (/^[^\s@]+@[^\s@]+$/.test(text) && text.length <= 254 ? text.toLowerCase() : undefined),
    PROBLEMS.email,
  );
  const cardLast4 = read(
    'cardLast4',
    (text) => (/^\d{4}$/.test(text) ? text : undefined),
    PROBLEMS.cardLast4,
  );
  const search = read('q', (text) => (text.length <= MAX_SEARCH_LENGTH ? text : undefined), PROBLEMS.search);
  if (from && to && from.getTime() > to.getTime()) problems.to = PROBLEMS.period;
  if (amountMinMinor !== undefined && amountMaxMinor !== undefined && amountMinMinor > amountMaxMinor)
    problems.amountMax = PROBLEMS.amountRange;
  return {
    shopId: given(query.shopId),
    status,
    method,
    isTest,
    from,
    // The "to" day is inclusive: up to 00:00 of the next day (24 h later; Moscow has no DST).
    until: to && new Date(to.getTime() + DAY_MS),
    amountMinMinor,
    amountMaxMinor,
    invId,
    email,
    cardLast4,
    search,
    sort: sort ?? 'created_desc',
  };
}

function readPageSize(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return DEFAULT_OPERATIONS_PAGE_SIZE;
  const limit = /^\d{1,3}$/.test(text) ? Number(text) : 0;
  return limit >= 1 && limit <= MAX_OPERATIONS_PAGE_SIZE ? limit : undefined;
}

const CURSOR_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CURSOR_AMOUNT_PATTERN = /^\d{1,19}$/;
const CURSOR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeOperationCursor(cursor: OperationCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id]), 'utf8').toString('base64url');
}

export function invalidCursorError() {
  return validationError({ before: PROBLEMS.cursor });
}

/** One of our cursors, or undefined. */
export function decodeOperationCursor(text: string): OperationCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [sort, key, id] = parsed as unknown[];
  const knownSort = OPERATION_SORTS.find((item) => item === sort);
  if (!knownSort || typeof key !== 'string' || typeof id !== 'string' || !CURSOR_ID_PATTERN.test(id))
    return undefined;
  const keyPattern = knownSort.startsWith('created') ? CURSOR_TIME_PATTERN : CURSOR_AMOUNT_PATTERN;
  if (!keyPattern.test(key) || (knownSort.startsWith('created') && Number.isNaN(Date.parse(key))))
    return undefined;
  return { sort: knownSort, key, id };
}

/** The filter as JSON (bigints and dates as strings), stored with an export. */
export function filterToJson(filter: OperationFilter): Record<string, string | boolean> {
  const json: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    json[name] =
      value instanceof Date
        ? value.toISOString()
        : typeof value === 'bigint'
          ? String(value)
          : (value as string | boolean);
  }
  return json;
}

export function filterFromJson(json: Record<string, unknown>): OperationFilter {
  const text = (name: string) => (typeof json[name] === 'string' ? (json[name] as string) : undefined);
  const big = (name: string) => (text(name) === undefined ? undefined : BigInt(text(name) as string));
  const date = (name: string) => (text(name) === undefined ? undefined : new Date(text(name) as string));
  return {
    shopId: text('shopId'),
    status: text('status') as PaymentStatus | undefined,
    method: text('method'),
    isTest: typeof json.isTest === 'boolean' ? json.isTest : undefined,
    from: date('from'),
    until: date('until'),
    amountMinMinor: big('amountMinMinor'),
    amountMaxMinor: big('amountMaxMinor'),
    invId: big('invId'),
    email: text('email'),
    cardLast4: text('cardLast4'),
    search: text('search'),
    sort: (text('sort') as OperationSort | undefined) ?? 'created_desc',
  };
}
