/**
 * The steps that end a paid deal, each inside the caller's transaction with the deal row already
 * locked (FOR UPDATE) and its status checked: the status change, its ledger transfer, the settlement
 * job and the notices commit or roll back together.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { enqueueJob } from '../../platform/jobs.js';
import type { Database } from '../../schema.js';
import { settlementTimeOf } from '../balances/index.js';
import { postRefundTransfer, postReleaseTransfer } from './deal.ledger.js';
import { announceDealStep } from './deal.notices.js';
import {
  withDealTablesInTransaction,
  type DealResolution,
  type DealRow,
  type DealStatus,
} from './deal.tables.js';

export const DEAL_SETTLEMENT_QUEUE = 'deals.settle-released';

export interface DealSettlementJob {
  readonly dealId: string;
  readonly transferId: string;
}

export interface Resolution {
  readonly resolution: DealResolution;
  /** The operator who decided, or the cabinet user who cancelled; null for the buyer, the API and the clock. */
  readonly resolvedBy: string | null;
  readonly note: string | null;
}

/** Locks the deal row; `where` narrows it (by id and account, by secret, by payment). */
export async function lockDeal(
  trx: Transaction<Database>,
  where: { id?: string; accountId?: string; secretHash?: string; paymentId?: string },
): Promise<DealRow | undefined> {
  let query = withDealTablesInTransaction(trx).selectFrom('deals').selectAll();
  if (where.id !== undefined) query = query.where('id', '=', where.id);
  if (where.accountId !== undefined) query = query.where('account_id', '=', where.accountId);
  if (where.secretHash !== undefined) query = query.where('secret_hash', '=', where.secretHash);
  if (where.paymentId !== undefined) query = query.where('payment_id', '=', where.paymentId);
  return query.forUpdate().executeTakeFirst();
}

async function saveResolution(
  trx: Transaction<Database>,
  deps: Deps,
  deal: DealRow,
  status: DealStatus,
  resolution: Resolution,
): Promise<DealRow> {
  const now = deps.clock.now();
  return withDealTablesInTransaction(trx)
    .updateTable('deals')
    .set({
      status,
      resolution: resolution.resolution,
      resolved_by: resolution.resolvedBy,
      resolution_note: resolution.note,
      resolved_at: now,
      updated_at: now,
    })
    .where('id', '=', deal.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function findPaymentFee(trx: Transaction<Database>, paymentId: string | null): Promise<bigint> {
  if (paymentId === null) throw new Error('a paid deal without its payment');
  const payment = await trx
    .selectFrom('payments')
    .select('fee_minor')
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  return payment.fee_minor;
}

/** Paid or disputed → released: the shop is owed the amount less the fee, settled as any payment. */
export async function releaseLockedDeal(
  trx: Transaction<Database>,
  deps: Deps,
  deal: DealRow,
  resolution: Resolution,
): Promise<DealRow> {
  const feeMinor = await findPaymentFee(trx, deal.payment_id);
  const transferId = await postReleaseTransfer(trx, deps.clock, deal, feeMinor);
  const released = await saveResolution(trx, deps, deal, 'released', resolution);
  if (transferId !== undefined) {
    const payload: DealSettlementJob = { dealId: deal.id, transferId };
    await enqueueJob(trx, deps.clock, {
      queue: DEAL_SETTLEMENT_QUEUE,
      payload,
      runAt: settlementTimeOf(deps.clock.now(), deps.config.settlementBusinessDays),
    });
  }
  await announceDealStep(trx, deps, released, 'released');
  return released;
}

/** Created → cancelled: nothing was paid, so no money moves; the buyer is told. */
export async function cancelUnpaidLockedDeal(
  trx: Transaction<Database>,
  deps: Deps,
  deal: DealRow,
  resolution: Resolution,
): Promise<DealRow> {
  const cancelled = await saveResolution(trx, deps, deal, 'cancelled', resolution);
  await announceDealStep(trx, deps, cancelled, 'cancelled');
  return cancelled;
}

/** Paid or disputed → refunded: escrow returns the whole amount to the buyer's card. */
export async function refundLockedDeal(
  trx: Transaction<Database>,
  deps: Deps,
  deal: DealRow,
  resolution: Resolution,
): Promise<DealRow> {
  await postRefundTransfer(trx, deps.clock, deal);
  const refunded = await saveResolution(trx, deps, deal, 'refunded', resolution);
  await announceDealStep(trx, deps, refunded, 'refunded');
  return refunded;
}
