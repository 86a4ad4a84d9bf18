/**
 * Settlement: the money of a paid live payment waits in the shop's pending account until its settlement
 * time (settlement.calendar.ts), then moves to the shop's available account by one ledger transfer,
 * `payment:<id>:settled` (debit pending, credit available), referencing the payment.
 *
 * - The amount is what the payment's own paid transfer credited to the shop's pending account, read from
 *   its ledger entries: fees are never computed again here.
 * - Refunds may already have taken money out of pending. Settlement never takes pending below zero: when
 *   pending holds less than the amount due, only what it holds is moved; when it holds nothing, nothing
 *   moves. Either way the payment is recorded as dealt with (payment_settlements), so it is not looked
 *   at again and never takes a later payment's money before that payment's own settlement time.
 * - Each payment settles in its own transaction, which first locks the shop's pending ledger account row:
 *   settlements (and any other use case that takes money out of pending under the same lock) of one shop
 *   are serialised, and two runs (two worker nodes) settle a payment once. The settlement row's primary
 *   key and the transfer's idempotency key back this up.
 * - A run takes at most SETTLEMENT_BATCH_SIZE payments, oldest first; the periodic task runs again soon.
 */
import { sql, type Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { postTransfer, shopAccount, sumOfAccount } from '../ledger/index.js';
import { withBalanceTables, withBalanceTablesInTransaction } from './balance.tables.js';
import { settlementDueBound, settlementTimeOf } from './settlement.calendar.js';

export const SETTLEMENT_BATCH_SIZE = 500;
/** How often the worker runs settlement. */
export const SETTLEMENT_INTERVAL_MS = 5 * 60_000;
/**
 * A run looks back this far before the point the previous runs reached, for payments whose paying
 * transaction was still open (so invisible) when that point was passed. Paying transactions last
 * milliseconds; an hour is a wide margin, including for clocks of different nodes.
 */
export const SETTLEMENT_LOOKBACK_MS = 3_600_000;

export interface SettlementRunResult {
  /** Payments examined in this run. */
  readonly examined: number;
  /** Payments whose settlement this run recorded (including those with nothing left to move). */
  readonly settled: number;
  /** Of those, payments where pending held less than the amount due. */
  readonly shortfalls: number;
  /** Payments another run had settled first. */
  readonly alreadySettled: number;
  readonly failed: number;
}

/** A payment whose money waits in pending: `paidTransferId` is the transfer that credited pending. */
export interface DuePayment {
  readonly id: string;
  readonly shopId: string;
  readonly currency: Currency;
  readonly paidAt: Date;
  readonly paidTransferId: string;
}

export type SettleOutcome = 'settled' | 'shortfall' | 'already_settled';

export const settledTransferKey = (paymentId: string) => `payment:${paymentId}:settled`;

/** Thrown inside a settlement transaction to roll it back when another run got there first. */
class SettledConcurrently extends Error {}

/** Settles every live payment due at `now` (up to one batch). Safe to run twice, and on several nodes at once. */
export async function settleDuePayments(deps: Deps, now: Date): Promise<SettlementRunResult> {
  const businessDays = deps.config.settlementBusinessDays;
  const bound = settlementDueBound(now, businessDays);
  const scannedBefore = await readScannedBefore(deps);
  const payments = await findDuePayments(deps, bound, scannedBefore);
  const counts = { settled: 0, shortfalls: 0, alreadySettled: 0, failed: 0 };
  let isAnyLeft = payments.length >= SETTLEMENT_BATCH_SIZE;
  for (const payment of payments) {
    // The bound is exact; this guards the rule itself, should the query and the calendar ever disagree.
    if (settlementTimeOf(payment.paidAt, businessDays).getTime() > now.getTime()) {
      isAnyLeft = true;
      continue;
    }
    try {
      const outcome = await settlePayment(deps, payment);
      if (outcome === 'already_settled') counts.alreadySettled += 1;
      else counts.settled += 1;
      if (outcome === 'shortfall') counts.shortfalls += 1;
    } catch (error) {
      counts.failed += 1;
      deps.logger.error({ err: error, paymentId: payment.id }, 'settlement of a payment failed');
    }
  }
  // Everything before the bound is dealt with only when the batch was not full, none was left for
  // later and none failed; otherwise the next run looks from the same point again.
  if (!isAnyLeft && counts.failed === 0) {
    const reached = new Date(Math.min(bound.paidBefore.getTime(), now.getTime()));
    await advanceScannedBefore(deps, reached, now);
  }
  if (counts.shortfalls > 0)
    deps.logger.warn({ shortfalls: counts.shortfalls }, 'settlement moved less than due: pending was short');
  return { examined: payments.length, ...counts };
}

/**
 * What the periodic task runs: batch after batch while batches come back full, so a busy platform never
 * falls behind, but at most maxBatches, and it stops at a batch with a failure rather than retry it at once.
 */
export async function settleAllDuePayments(deps: Deps, maxBatches = 40): Promise<void> {
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const result = await settleDuePayments(deps, deps.clock.now());
    if (result.examined < SETTLEMENT_BATCH_SIZE || result.failed > 0) return;
  }
}

async function readScannedBefore(deps: Deps): Promise<Date | undefined> {
  const row = await withBalanceTables(deps.db)
    .selectFrom('settlement_progress')
    .select('scanned_before')
    .executeTakeFirst();
  return row?.scanned_before;
}

async function advanceScannedBefore(deps: Deps, reached: Date, now: Date): Promise<void> {
  await withBalanceTables(deps.db)
    .insertInto('settlement_progress')
    .values({ id: true, scanned_before: reached, updated_at: now })
    .onConflict((conflict) =>
      conflict.column('id').doUpdateSet({
        // Another node may have got further: never move back.
        scanned_before: sql<Date>`greatest(settlement_progress.scanned_before, excluded.scanned_before)`,
        updated_at: sql<Date>`excluded.updated_at`,
      }),
    )
    .execute();
}

/**
 * Live payments paid before the bound that have their paid transfer, and neither a settlement record
 * nor a settled transfer, oldest first. Paid transfers exist only for live payments; test payments move
 * no money and never settle.
 */
async function findDuePayments(
  deps: Deps,
  bound: { paidBefore: Date; isInclusive: boolean },
  scannedBefore: Date | undefined,
): Promise<DuePayment[]> {
  const db = withBalanceTables(deps.db);
  let query = db
    .selectFrom('payments as p')
    .innerJoin('ledger_transfers as paid', (join) =>
      join.on('paid.idempotency_key', '=', sql<string>`'payment:' || p.id || ':paid'`),
    )
    .select(['p.id', 'p.shop_id', 'p.currency', 'p.paid_at', 'paid.id as paid_transfer_id'])
    .where('p.is_test', '=', false)
    .where('p.paid_at', 'is not', null)
    .where('p.paid_at', bound.isInclusive ? '<=' : '<', bound.paidBefore)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('payment_settlements as s')
            .select('s.payment_id')
            .whereRef('s.payment_id', '=', 'p.id'),
        ),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('ledger_transfers as settled')
            .select('settled.id')
            .where('settled.idempotency_key', '=', sql<string>`'payment:' || p.id || ':settled'`),
        ),
      ),
    );
  if (scannedBefore)
    query = query.where('p.paid_at', '>=', new Date(scannedBefore.getTime() - SETTLEMENT_LOOKBACK_MS));
  const rows = await query.orderBy('p.paid_at').orderBy('p.id').limit(SETTLEMENT_BATCH_SIZE).execute();
  return rows.map((row) => ({
    id: row.id,
    shopId: row.shop_id,
    currency: row.currency,
    paidAt: row.paid_at ?? new Date(0),
    paidTransferId: row.paid_transfer_id,
  }));
}

/**
 * Settles one payment now (its own transaction). The periodic run calls it for due payments; a safe
 * deal (src/modules/deals) calls it when its released money is due, since that money reaches pending
 * by the deal's release transfer, long after the payment was paid.
 */
export async function settlePayment(deps: Deps, payment: DuePayment): Promise<SettleOutcome> {
  try {
    return await settlePaymentInTransaction(deps, payment);
  } catch (error) {
    if (error instanceof SettledConcurrently) return 'already_settled';
    throw error;
  }
}

async function settlePaymentInTransaction(deps: Deps, payment: DuePayment): Promise<SettleOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    const pending = shopAccount(payment.shopId, 'pending', payment.currency);
    const available = shopAccount(payment.shopId, 'available', payment.currency);
    // Lock first, then check: whoever holds the shop's pending account decides about its money.
    await trx.selectFrom('ledger_accounts').select('id').where('id', '=', pending.id).forUpdate().execute();
    const balanceTrx = withBalanceTablesInTransaction(trx);
    const recorded = await balanceTrx
      .selectFrom('payment_settlements')
      .select('payment_id')
      .where('payment_id', '=', payment.id)
      .executeTakeFirst();
    if (recorded) return 'already_settled';
    const dueMinor = -(await sumOfEntries(trx, pending.id, payment.paidTransferId));
    const pendingMinor = -(await sumOfEntries(trx, pending.id));
    const heldMinor = pendingMinor > 0n ? pendingMinor : 0n;
    const settleMinor = dueMinor < heldMinor ? dueMinor : heldMinor;
    let transferId: string | null = null;
    if (settleMinor > 0n) {
      const posted = await postTransfer(trx, deps.clock, {
        idempotencyKey: settledTransferKey(payment.id),
        kind: 'settlement',
        reference: payment.id,
        currency: payment.currency,
        legs: [
          { account: pending, amountMinor: settleMinor },
          { account: available, amountMinor: -settleMinor },
        ],
      });
      if (!posted.isNew) return 'already_settled';
      transferId = posted.transferId;
    }
    const inserted = await balanceTrx
      .insertInto('payment_settlements')
      .values({
        payment_id: payment.id,
        shop_id: payment.shopId,
        currency: payment.currency,
        due_minor: dueMinor > 0n ? dueMinor : 0n,
        settled_minor: settleMinor > 0n ? settleMinor : 0n,
        transfer_id: transferId,
        settled_at: deps.clock.now(),
      })
      .onConflict((conflict) => conflict.column('payment_id').doNothing())
      .returning('payment_id')
      .executeTakeFirst();
    // Unreachable while the lock above holds; if it ever happens, nothing of this run may stay.
    if (!inserted) throw new SettledConcurrently(`payment ${payment.id} was settled concurrently`);
    return settleMinor < dueMinor ? 'shortfall' : 'settled';
  });
}

/** The sum (debit positive) of an account's entries, or of those of one transfer only. */
async function sumOfEntries(
  trx: Transaction<Database>,
  accountId: string,
  transferId?: string,
): Promise<bigint> {
  if (transferId === undefined) return sumOfAccount(trx, accountId);
  const row = await trx
    .selectFrom('ledger_entries')
    .select(sql<string>`coalesce(sum(amount_minor), 0)::text`.as('total'))
    .where('account_id', '=', accountId)
    .where('transfer_id', '=', transferId)
    .executeTakeFirstOrThrow();
  return BigInt(row.total);
}
