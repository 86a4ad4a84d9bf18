/**
 * The money of a hold, as ledger legs (debit positive, credit negative; each set sums to zero). Pure, so
 * the invariants are tested on their own; hold.records.ts posts them in the transaction of each step.
 *
 * - Hold: the acquirer has reserved the amount for the platform (acquirer_clearing, debit) and the shop
 *   is owed it only if it confirms (on_hold, credit). No fee: nothing is earned until the capture.
 * - Capture of `captured` out of `held`: on_hold gives back the whole held amount (debit), the shop's
 *   pending is credited the captured amount less the fee, fee_revenue the fee, and the part not captured
 *   goes back to the cardholder, so the acquirer owes it no more (acquirer_clearing, credit). Afterwards
 *   the accounts look exactly as for a normal payment of `captured`.
 * - Release: on_hold gives back the held amount, acquirer_clearing no longer expects it.
 */
import type { Currency } from '../../platform/money.js';
import { platformAccount, shopAccount, type TransferLeg } from '../ledger/index.js';

export interface HoldMoney {
  readonly shopId: string;
  readonly currency: Currency;
  readonly heldMinor: bigint;
}

export function buildHoldLegs(hold: HoldMoney): TransferLeg[] {
  return [
    { account: platformAccount('acquirer_clearing', hold.currency), amountMinor: hold.heldMinor },
    { account: shopAccount(hold.shopId, 'on_hold', hold.currency), amountMinor: -hold.heldMinor },
  ];
}

export function buildCaptureLegs(hold: HoldMoney, capturedMinor: bigint, feeMinor: bigint): TransferLeg[] {
  if (capturedMinor <= 0n || capturedMinor > hold.heldMinor)
    throw new RangeError(`capture of ${capturedMinor} out of a hold of ${hold.heldMinor}`);
  if (feeMinor < 0n || feeMinor > capturedMinor)
    throw new RangeError(`fee of ${feeMinor} on a capture of ${capturedMinor}`);
  const toShopMinor = capturedMinor - feeMinor;
  const releasedMinor = hold.heldMinor - capturedMinor;
  const legs: TransferLeg[] = [
    { account: shopAccount(hold.shopId, 'on_hold', hold.currency), amountMinor: hold.heldMinor },
  ];
  if (toShopMinor > 0n)
    legs.push({ account: shopAccount(hold.shopId, 'pending', hold.currency), amountMinor: -toShopMinor });
  if (feeMinor > 0n)
    legs.push({ account: platformAccount('fee_revenue', hold.currency), amountMinor: -feeMinor });
  if (releasedMinor > 0n)
    legs.push({ account: platformAccount('acquirer_clearing', hold.currency), amountMinor: -releasedMinor });
  return legs;
}

export function buildReleaseLegs(hold: HoldMoney): TransferLeg[] {
  return [
    { account: shopAccount(hold.shopId, 'on_hold', hold.currency), amountMinor: hold.heldMinor },
    { account: platformAccount('acquirer_clearing', hold.currency), amountMinor: -hold.heldMinor },
  ];
}

/** Idempotency keys: one transfer per step and payment. The capture is the payment's 'paid' transfer,
 * which settlement reads to move the money on, exactly as for a payment charged at once. */
export const holdTransferKey = (paymentId: string) => `payment:${paymentId}:held`;
export const captureTransferKey = (paymentId: string) => `payment:${paymentId}:paid`;
export const releaseTransferKey = (paymentId: string) => `payment:${paymentId}:released`;
