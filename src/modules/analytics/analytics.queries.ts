/**
 * Sales analytics for the cabinet: turnover, payments, conversion, average payment and refunds per day,
 * week or month (Moscow calendar), by shop and by method, against the period just before.
 *
 * Definitions (README, "Analytics"): live payments in the account's currency only. Turnover, paid
 * payments and the average count payments by the moment they were paid; conversion is the share of the
 * payments created in the period that were paid (at any time since); refunds are those made in the
 * period and not canceled. Sums are exact integers in minor units; the average is rounded half up to the
 * minor unit. Each figure is one indexed aggregate (payments_account_paid_idx, payments_account_created_idx).
 * Offline sales from the shop's own ATOL registers (receipts imported by the fiscal module) are reported
 * beside the online figures, never added into them: they are not money that went through Kopek.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { formatMinor, type Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface AnalyticsRequest {
  readonly accountId: string;
  /** Instants of 00:00 Moscow time: the first day, and the day after the last. */
  readonly from: Date;
  readonly until: Date;
  readonly granularity: Granularity;
  readonly shopId?: string | undefined;
}

export interface Figures {
  readonly turnover: string;
  readonly paidCount: number;
  readonly createdCount: number;
  /** Paid ÷ created (of those created in the period), 0..1; null when nothing was created. */
  readonly conversion: number | null;
  readonly averagePayment: string | null;
  readonly refunds: string;
  readonly refundCount: number;
}

export interface SeriesPoint extends Figures {
  /** The bucket's first Moscow day, YYYY-MM-DD. */
  readonly bucket: string;
}

export interface Breakdown extends Figures {
  readonly key: string;
}

/** Sales through the shop's own ATOL registers (imported receipts; fiscal module), in roubles. */
export interface OfflineFigures {
  readonly sales: string;
  readonly refunds: string;
  readonly receiptCount: number;
  /** Of the sales: paid in cash and electronically (by card at the register), as the receipts say. */
  readonly cash: string;
  readonly electronic: string;
  /** Sales ÷ sale receipts, rounded half up; null without sales. */
  readonly averageReceipt: string | null;
}

export interface OfflineReport {
  readonly totals: OfflineFigures;
  readonly previousTotals: OfflineFigures;
  readonly series: (OfflineFigures & { readonly bucket: string })[];
}

export interface AnalyticsReport {
  readonly currency: Currency;
  /** Null when the account has no register data for either period (or does not work in roubles). */
  readonly offline: OfflineReport | null;
  readonly granularity: Granularity;
  readonly totals: Figures;
  readonly previousTotals: Figures;
  readonly series: SeriesPoint[];
  readonly previousSeries: SeriesPoint[];
  readonly byShop: (Breakdown & { readonly name: string })[];
  readonly byMethod: Breakdown[];
  /** Revenue by item (roubles only): online from paid payments' Receipts, offline from register imports. */
  readonly byItem: ItemRevenue[];
}

export interface ItemRevenue {
  readonly name: string;
  readonly online: string;
  readonly offline: string;
  readonly revenue: string;
  /** Units sold, with up to 3 decimals (weights). */
  readonly quantity: string;
}

const TOP_ITEMS = 20;

/**
 * The best-selling items of the period: the lines of paid live payments' Receipts (as read at the start,
 * payments.receipt_parsed) and of imported register sale receipts that carried lines, by name.
 */
async function revenueByItem(
  db: Kysely<Database>,
  request: AnalyticsRequest,
  range: { from: Date; until: Date },
): Promise<ItemRevenue[]> {
  const paymentShop = request.shopId === undefined ? sql`` : sql`and p.shop_id = ${request.shopId}`;
  const receiptShop = request.shopId === undefined ? sql`` : sql`and r.shop_id = ${request.shopId}`;
  const result = await sql<{ name: string; online: string; offline: string; quantity: string }>`
    with lines as (
      select item->>'name' as name, (item->>'sumMinor')::bigint as online, 0::bigint as offline,
        (item->>'quantityThousandths')::bigint as quantity
      from payments p cross join lateral jsonb_array_elements(p.receipt_parsed->'items') item
      where p.account_id = ${request.accountId} ${paymentShop} and p.status = 'paid' and not p.is_test
        and p.receipt_parsed is not null and p.paid_at >= ${range.from} and p.paid_at < ${range.until}
      union all
      select item->>'name', 0, (item->>'sumMinor')::bigint, (item->>'quantityThousandths')::bigint
      from imported_receipts r cross join lateral jsonb_array_elements(r.items) item
      where r.account_id = ${request.accountId} ${receiptShop} and r.items is not null
        and (r.operation is null or r.operation = 'sell')
        and r.receipt_at >= ${range.from} and r.receipt_at < ${range.until}
    )
    select name, sum(online)::text as online, sum(offline)::text as offline, sum(quantity)::text as quantity
    from lines group by name order by sum(online) + sum(offline) desc, name limit ${TOP_ITEMS}`.execute(db);
  return result.rows.map((row) => ({
    name: row.name,
    online: formatMinor(BigInt(row.online), 'RUB'),
    offline: formatMinor(BigInt(row.offline), 'RUB'),
    revenue: formatMinor(BigInt(row.online) + BigInt(row.offline), 'RUB'),
    quantity: formatThousandths(BigInt(row.quantity)),
  }));
}

function formatThousandths(value: bigint): string {
  const whole = value / 1000n;
  const fraction = (value % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

type Dimension = 'bucket' | 'shop' | 'method' | 'total';

interface Counts {
  turnover: bigint;
  paid: number;
  created: number;
  converted: number;
  refunds: bigint;
  refundCount: number;
}

const emptyCounts = (): Counts => ({
  turnover: 0n,
  paid: 0,
  created: 0,
  converted: 0,
  refunds: 0n,
  refundCount: 0,
});

function keyOf(dimension: Dimension, moment: RawBuilder<Date>, granularity: Granularity): RawBuilder<string> {
  switch (dimension) {
    case 'bucket':
      return sql<string>`to_char(date_trunc(${granularity}, ${moment} at time zone 'Europe/Moscow'), 'YYYY-MM-DD')`;
    case 'shop':
      return sql<string>`p.shop_id`;
    case 'method':
      return sql<string>`coalesce(p.payment_method, '')`;
    case 'total':
      return sql<string>`''`;
  }
}

/** The three aggregates of a period, keyed by the dimension. */
async function countByKey(
  db: Kysely<Database>,
  request: AnalyticsRequest,
  currency: Currency,
  range: { from: Date; until: Date },
  dimension: Dimension,
): Promise<Map<string, Counts>> {
  const shopFilter = request.shopId === undefined ? sql`` : sql`and p.shop_id = ${request.shopId}`;
  const scope = sql`p.account_id = ${request.accountId} and not p.is_test and p.currency = ${currency} ${shopFilter}`;
  const key = (moment: RawBuilder<Date>) => keyOf(dimension, moment, request.granularity);
  const [paid, created, refunds] = await Promise.all([
    sql<{ key: string; turnover: string; paid: string }>`
      select ${key(sql`p.paid_at`)} as key, sum(p.amount_minor)::text as turnover, count(*)::text as paid
      from payments p
      where ${scope} and p.paid_at >= ${range.from} and p.paid_at < ${range.until}
      group by 1`.execute(db),
    sql<{ key: string; created: string; converted: string }>`
      select ${key(sql`p.created_at`)} as key, count(*)::text as created,
        count(*) filter (where p.paid_at is not null)::text as converted
      from payments p
      where ${scope} and p.created_at >= ${range.from} and p.created_at < ${range.until}
      group by 1`.execute(db),
    sql<{ key: string; refunds: string; refund_count: string }>`
      select ${key(sql`r.created_at`)} as key, sum(r.amount_minor)::text as refunds, count(*)::text as refund_count
      from refunds r join payments p on p.id = r.payment_id
      where ${scope} and r.account_id = ${request.accountId} and r.status <> 'canceled'
        and r.created_at >= ${range.from} and r.created_at < ${range.until}
      group by 1`.execute(db),
  ]);
  const counts = new Map<string, Counts>();
  const entry = (name: string) => {
    let found = counts.get(name);
    if (!found) counts.set(name, (found = emptyCounts()));
    return found;
  };
  for (const row of paid.rows)
    Object.assign(entry(row.key), { turnover: BigInt(row.turnover), paid: Number(row.paid) });
  for (const row of created.rows)
    Object.assign(entry(row.key), { created: Number(row.created), converted: Number(row.converted) });
  for (const row of refunds.rows)
    Object.assign(entry(row.key), { refunds: BigInt(row.refunds), refundCount: Number(row.refund_count) });
  return counts;
}

function toFigures(counts: Counts, currency: Currency): Figures {
  const average =
    counts.paid === 0 ? null : (counts.turnover * 2n + BigInt(counts.paid)) / (BigInt(counts.paid) * 2n);
  return {
    turnover: formatMinor(counts.turnover, currency),
    paidCount: counts.paid,
    createdCount: counts.created,
    conversion:
      counts.created === 0 ? null : Math.round((counts.converted / counts.created) * 10_000) / 10_000,
    averagePayment: average === null ? null : formatMinor(average, currency),
    refunds: formatMinor(counts.refunds, currency),
    refundCount: counts.refundCount,
  };
}

/** Every bucket of the range, including empty ones, so a chart shows the quiet days too. */
export function bucketsOf(from: Date, until: Date, granularity: Granularity): string[] {
  const buckets: string[] = [];
  // Moscow is UTC+3 all year: the civil day of an instant is the UTC day of instant + 3 h.
  const civil = (instant: Date) => new Date(instant.getTime() + 3 * 3_600_000);
  const start = civil(from);
  const end = civil(until);
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  if (granularity === 'week') cursor.setUTCDate(cursor.getUTCDate() - ((cursor.getUTCDay() + 6) % 7));
  if (granularity === 'month') cursor.setUTCDate(1);
  while (cursor < end) {
    buckets.push(cursor.toISOString().slice(0, 10));
    if (granularity === 'day') cursor.setUTCDate(cursor.getUTCDate() + 1);
    else if (granularity === 'week') cursor.setUTCDate(cursor.getUTCDate() + 7);
    else cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return buckets;
}

async function seriesOf(
  db: Kysely<Database>,
  request: AnalyticsRequest,
  currency: Currency,
  range: { from: Date; until: Date },
): Promise<SeriesPoint[]> {
  const counts = await countByKey(db, request, currency, range, 'bucket');
  return bucketsOf(range.from, range.until, request.granularity).map((bucket) => ({
    bucket,
    ...toFigures(counts.get(bucket) ?? emptyCounts(), currency),
  }));
}

interface OfflineCounts {
  sales: bigint;
  refunds: bigint;
  receipts: number;
  saleReceipts: number;
  cash: bigint;
  electronic: bigint;
}

/**
 * Register receipts by bucket or in total: a sale (or a receipt whose operation the source did not say,
 * as ATOL's report does not) adds to sales, a sale refund to refunds; purchases are not sales.
 */
async function countOffline(
  db: Kysely<Database>,
  request: AnalyticsRequest,
  range: { from: Date; until: Date },
  dimension: 'bucket' | 'total',
): Promise<Map<string, OfflineCounts>> {
  const shopFilter = request.shopId === undefined ? sql`` : sql`and r.shop_id = ${request.shopId}`;
  const key =
    dimension === 'total' ? sql<string>`''` : keyOf('bucket', sql`r.receipt_at`, request.granularity);
  const result = await sql<{
    key: string;
    sales: string;
    refunds: string;
    receipts: string;
    sale_receipts: string;
    cash: string;
    electronic: string;
  }>`
    select ${key} as key,
      coalesce(sum(r.total_minor) filter (where r.operation is null or r.operation = 'sell'), 0)::text as sales,
      coalesce(sum(r.total_minor) filter (where r.operation = 'sell_refund'), 0)::text as refunds,
      count(*) filter (where r.operation is null or r.operation in ('sell', 'sell_refund'))::text as receipts,
      count(*) filter (where r.operation is null or r.operation = 'sell')::text as sale_receipts,
      coalesce(sum(r.cash_minor) filter (where r.operation is null or r.operation = 'sell'), 0)::text as cash,
      coalesce(sum(r.electronic_minor) filter (where r.operation is null or r.operation = 'sell'), 0)::text
        as electronic
    from imported_receipts r
    where r.account_id = ${request.accountId} ${shopFilter}
      and r.receipt_at >= ${range.from} and r.receipt_at < ${range.until}
    group by 1`.execute(db);
  return new Map(
    result.rows.map((row) => [
      row.key,
      {
        sales: BigInt(row.sales),
        refunds: BigInt(row.refunds),
        receipts: Number(row.receipts),
        saleReceipts: Number(row.sale_receipts),
        cash: BigInt(row.cash),
        electronic: BigInt(row.electronic),
      },
    ]),
  );
}

function toOfflineFigures(counts: OfflineCounts | undefined): OfflineFigures {
  const sales = counts?.sales ?? 0n;
  const saleReceipts = BigInt(counts?.saleReceipts ?? 0);
  return {
    sales: formatMinor(sales, 'RUB'),
    refunds: formatMinor(counts?.refunds ?? 0n, 'RUB'),
    receiptCount: counts?.receipts ?? 0,
    cash: formatMinor(counts?.cash ?? 0n, 'RUB'),
    electronic: formatMinor(counts?.electronic ?? 0n, 'RUB'),
    averageReceipt:
      saleReceipts === 0n ? null : formatMinor((sales * 2n + saleReceipts) / (saleReceipts * 2n), 'RUB'),
  };
}

async function offlineReport(
  db: Kysely<Database>,
  request: AnalyticsRequest,
  current: { from: Date; until: Date },
  previous: { from: Date; until: Date },
): Promise<OfflineReport | null> {
  const [totals, previousTotals, series] = await Promise.all([
    countOffline(db, request, current, 'total'),
    countOffline(db, request, previous, 'total'),
    countOffline(db, request, current, 'bucket'),
  ]);
  if (totals.size === 0 && previousTotals.size === 0) return null;
  return {
    totals: toOfflineFigures(totals.get('')),
    previousTotals: toOfflineFigures(previousTotals.get('')),
    series: bucketsOf(current.from, current.until, request.granularity).map((bucket) => ({
      bucket,
      ...toOfflineFigures(series.get(bucket)),
    })),
  };
}

export async function buildAnalyticsReport(
  db: Kysely<Database>,
  request: AnalyticsRequest,
): Promise<AnalyticsReport> {
  const account = await db
    .selectFrom('accounts')
    .select('currency')
    .where('id', '=', request.accountId)
    .executeTakeFirstOrThrow();
  const currency = account.currency;
  const length = request.until.getTime() - request.from.getTime();
  const current = { from: request.from, until: request.until };
  const previous = { from: new Date(request.from.getTime() - length), until: request.from };
  const [totals, previousTotals, series, previousSeries, byShop, byMethod, shops, offline, byItem] =
    await Promise.all([
      countByKey(db, request, currency, current, 'total'),
      countByKey(db, request, currency, previous, 'total'),
      seriesOf(db, request, currency, current),
      seriesOf(db, request, currency, previous),
      countByKey(db, request, currency, current, 'shop'),
      countByKey(db, request, currency, current, 'method'),
      db.selectFrom('shops').select(['id', 'name']).where('account_id', '=', request.accountId).execute(),
      // Fiscal receipts are in roubles (54-FZ): register data joins the picture of a rouble account only.
      currency === 'RUB' ? offlineReport(db, request, current, previous) : Promise.resolve(null),
      currency === 'RUB' ? revenueByItem(db, request, current) : Promise.resolve([]),
    ]);
  const shopNames = new Map(shops.map((shop) => [shop.id, shop.name]));
  const byTurnover = (x: { turnover: string }, y: { turnover: string }) =>
    Number(y.turnover) - Number(x.turnover);
  return {
    currency,
    offline,
    granularity: request.granularity,
    totals: toFigures(totals.get('') ?? emptyCounts(), currency),
    previousTotals: toFigures(previousTotals.get('') ?? emptyCounts(), currency),
    series,
    previousSeries,
    byShop: [...byShop]
      .map(([key, counts]) => ({ key, name: shopNames.get(key) ?? key, ...toFigures(counts, currency) }))
      .sort(byTurnover),
    byMethod: [...byMethod]
      .map(([key, counts]) => ({ key, ...toFigures(counts, currency) }))
      .sort(byTurnover),
    byItem,
  };
}
