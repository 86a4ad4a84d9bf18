/**
 * The deals module's work for the job worker:
 * - `deals.settle-released` (one job per released deal, due at the settlement time of the release):
 *   the released money moves from the shop's pending account to available through balances'
 *   settlePayment, under the same lock and idempotency key as every other payment's settlement. The
 *   periodic settlement never sees deal payments: their paid transfer goes to escrow, not pending.
 * - the deadline sweep (releaseDueDeals in deal.service.ts), run periodically on every worker node.
 */
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../platform/jobs.js';
import { settlePayment } from '../balances/index.js';
import { withDealTables } from './deal.tables.js';
import type { DealSettlementJob } from './deal.transitions.js';

function readPayload(payload: unknown): DealSettlementJob {
  const value = payload as Partial<DealSettlementJob> | null;
  if (typeof value?.dealId !== 'string' || typeof value.transferId !== 'string')
    throw new Error('deals.settle-released: payload without dealId and transferId');
  return { dealId: value.dealId, transferId: value.transferId };
}

export function createDealSettlementHandler(deps: Deps): JobHandler {
  return async (payload) => {
    const job = readPayload(payload);
    const deal = await withDealTables(deps.db)
      .selectFrom('deals')
      .select(['payment_id', 'shop_id', 'currency', 'resolved_at', 'status'])
      .where('id', '=', job.dealId)
      .executeTakeFirst();
    if (!deal || deal.status !== 'released' || deal.payment_id === null || deal.resolved_at === null)
      throw new Error(`deal ${job.dealId} is not a released deal with a payment`);
    await settlePayment(deps, {
      id: deal.payment_id,
      shopId: deal.shop_id,
      currency: deal.currency,
      paidAt: deal.resolved_at,
      paidTransferId: job.transferId,
    });
  };
}
