/**
 * A safe deal's money, one balanced transfer per step, keyed by the deal so no step can post twice:
 * - `deal:<id>:escrowed` when its payment is paid: the acquirer owes the platform the amount (clearing,
 *   debit) and the platform holds it for the deal (escrow, credit). No fee yet, and nothing for the shop.
 * - `deal:<id>:released`: escrow gives the amount back; the shop's pending account is owed the amount
 *   less the payment's fee (then settled to available as usual) and the fee is the platform's revenue.
 * - `deal:<id>:refunded`: escrow gives the amount back and the acquirer returns it to the buyer's card
 *   (clearing, credit), as a refund does. The fee is earned only on release, so a refunded deal costs
 *   the shop nothing and the buyer gets the whole amount.
 * Test deals move no money: nothing is posted for them.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';
import { enqueueWholeSaleRefundReceipt } from '../fiscal/index.js';
import { platformAccount, postTransfer, shopAccount, type TransferLeg } from '../ledger/index.js';
import type { DealRow } from './deal.tables.js';

export const escrowedTransferKey = (dealId: string) => `deal:${dealId}:escrowed`;
export const releasedTransferKey = (dealId: string) => `deal:${dealId}:released`;
export const refundedTransferKey = (dealId: string) => `deal:${dealId}:refunded`;

export function escrowLegs(deal: Pick<DealRow, 'amount_minor' | 'currency'>): TransferLeg[] {
  return [
    { account: platformAccount('acquirer_clearing', deal.currency), amountMinor: deal.amount_minor },
    { account: platformAccount('escrow', deal.currency), amountMinor: -deal.amount_minor },
  ];
}

export function releaseLegs(
  deal: Pick<DealRow, 'amount_minor' | 'currency' | 'shop_id'>,
  feeMinor: bigint,
): TransferLeg[] {
  const toShopMinor = deal.amount_minor - feeMinor;
  const legs: TransferLeg[] = [
    { account: platformAccount('escrow', deal.currency), amountMinor: deal.amount_minor },
  ];
  if (toShopMinor > 0n)
    legs.push({ account: shopAccount(deal.shop_id, 'pending', deal.currency), amountMinor: -toShopMinor });
  if (feeMinor > 0n)
    legs.push({ account: platformAccount('fee_revenue', deal.currency), amountMinor: -feeMinor });
  return legs;
}

export function refundLegs(deal: Pick<DealRow, 'amount_minor' | 'currency'>): TransferLeg[] {
  return [
    { account: platformAccount('escrow', deal.currency), amountMinor: deal.amount_minor },
    { account: platformAccount('acquirer_clearing', deal.currency), amountMinor: -deal.amount_minor },
  ];
}

export async function postEscrowTransfer(trx: Transaction<Database>, clock: Clock, deal: DealRow) {
  if (deal.is_test) return undefined;
  return postTransfer(trx, clock, {
    idempotencyKey: escrowedTransferKey(deal.id),
    kind: 'deal_escrow',
    reference: deal.id,
    currency: deal.currency,
    legs: escrowLegs(deal),
  });
}

/** Returns the transfer's id (settlement reads what it credited to pending), or undefined for a test deal. */
export async function postReleaseTransfer(
  trx: Transaction<Database>,
  clock: Clock,
  deal: DealRow,
  feeMinor: bigint,
): Promise<string | undefined> {
  if (deal.is_test) return undefined;
  const posted = await postTransfer(trx, clock, {
    idempotencyKey: releasedTransferKey(deal.id),
    kind: 'deal_release',
    reference: deal.id,
    currency: deal.currency,
    legs: releaseLegs(deal, feeMinor),
  });
  return posted.transferId;
}

/**
 * The escrow given back to the buyer, and the receipt that goes with it: the sale's receipt lines as a
 * 'sell_refund' (54-FZ wants the return registered like the sale was).
 */
export async function postRefundTransfer(trx: Transaction<Database>, clock: Clock, deal: DealRow) {
  if (deal.payment_id) await enqueueWholeSaleRefundReceipt(trx, clock, deal.payment_id);
  if (deal.is_test) return undefined;
  return postTransfer(trx, clock, {
    idempotencyKey: refundedTransferKey(deal.id),
    kind: 'deal_refund',
    reference: deal.id,
    currency: deal.currency,
    legs: refundLegs(deal),
  });
}
