/**
 * The figures of a period for one account, in kopecks, from the payments, refunds and payouts tables and
 * the ledger. The period is a range of Moscow calendar days [start, end]; its bounds in time are Moscow
 * midnights, so a payment at 23:30 Moscow on the 31st belongs to that month whatever the UTC date.
 * Test payments never count: they move no money.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../schema.js';

export interface DocumentPeriod {
  /** 'YYYY-MM-DD', Moscow calendar day, inclusive. */
  readonly start: string;
  readonly end: string;
}

export interface PeriodFigures {
  /** Payments accepted on the merchant's behalf (paid live payments, full amount). */
  readonly acceptedMinor: bigint;
  readonly acceptedCount: number;
  readonly refundedMinor: bigint;
  readonly refundCount: number;
  /** Kopek's commission: the fee kept from the payments of the period. */
  readonly commissionMinor: bigint;
  readonly paidOutMinor: bigint;
  readonly payoutCount: number;
  /** What Kopek owed the merchant at the start of the period and at its end (the shops' ledger accounts). */
  readonly openingBalanceMinor: bigint;
  readonly closingBalanceMinor: bigint;
}

/** The Moscow month holding a day: '2026-10-14' → 2026-10-01 .. 2026-10-31. */
export function monthOf(isoDate: string): DocumentPeriod {
  const [year, month] = isoDate.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const prefix = `${year}-${String(month).padStart(2, '0')}`;
  return { start: `${prefix}-01`, end: `${prefix}-${String(last).padStart(2, '0')}` };
}

/** The Moscow calendar day of an instant (Moscow is UTC+3 all year). */
export function moscowDay(instant: Date): string {
  return new Date(instant.getTime() + 3 * 3600_000).toISOString().slice(0, 10);
}

/** The month before the Moscow month of an instant. */
export function previousMonth(instant: Date): DocumentPeriod {
  const [year, month] = moscowDay(instant).split('-').map(Number) as [number, number];
  const previous = new Date(Date.UTC(year, month - 2, 1));
  return monthOf(previous.toISOString().slice(0, 10));
}

export async function readPeriodFigures(
  db: Kysely<Database>,
  accountId: string,
  period: DocumentPeriod,
): Promise<PeriodFigures> {
  // Bounds: Moscow midnight at the start of the first day, and at the end of the last day (exclusive).
  const from = sql`(${period.start}::date::timestamp at time zone 'Europe/Moscow')`;
  const to = sql`((${period.end}::date + 1)::timestamp at time zone 'Europe/Moscow')`;
  const result = await sql<{
    accepted: string;
    accepted_count: number;
    commission: string;
    refunded: string;
    refund_count: number;
    paid_out: string;
    payout_count: number;
    opening: string;
    closing: string;
  }>`
    with paid as (
      select coalesce(sum(amount_minor), 0) as accepted, count(*)::int as accepted_count,
        coalesce(sum(fee_minor), 0) as commission
      from payments
      where account_id = ${accountId} and status = 'paid' and not is_test
        and paid_at >= ${from} and paid_at < ${to}
    ), refunded as (
      select coalesce(sum(amount_minor), 0) as refunded, count(*)::int as refund_count
      from refunds
      where account_id = ${accountId} and status = 'finished' and finished_at >= ${from} and finished_at < ${to}
    ), paid_out as (
      select coalesce(sum(amount_minor), 0) as paid_out, count(*)::int as payout_count
      from payouts
      where account_id = ${accountId} and status = 'executed' and executed_at >= ${from} and executed_at < ${to}
    ), owed as (
      -- Shop accounts are liabilities (credit negative): what is owed is minus their sum.
      select
        -coalesce(sum(e.amount_minor) filter (where e.created_at < ${from}), 0) as opening,
        -coalesce(sum(e.amount_minor) filter (where e.created_at < ${to}), 0) as closing
      from ledger_entries e
      join ledger_accounts a on a.id = e.account_id
      join shops s on s.id = a.owner_id
      where a.owner_kind = 'shop' and a.currency = 'RUB' and s.account_id = ${accountId}
        and e.created_at < ${to}
    )
    select paid.accepted::text, paid.accepted_count, paid.commission::text, refunded.refunded::text,
      refunded.refund_count, paid_out.paid_out::text, paid_out.payout_count, owed.opening::text,
      owed.closing::text
    from paid, refunded, paid_out, owed`.execute(db);
  const row = result.rows[0]!;
  return {
    acceptedMinor: BigInt(row.accepted),
    acceptedCount: row.accepted_count,
    commissionMinor: BigInt(row.commission),
    refundedMinor: BigInt(row.refunded),
    refundCount: row.refund_count,
    paidOutMinor: BigInt(row.paid_out),
    payoutCount: row.payout_count,
    openingBalanceMinor: BigInt(row.opening),
    closingBalanceMinor: BigInt(row.closing),
  };
}
