/**
 * When the buyer pays the fee (the shop's setting `is_buyer_fee`), the buyer is charged a gross amount so
 * that the shop keeps exactly its OutSum. The fee stays the tariff's one rule (computeFee), applied once,
 * to that gross:
 *   gross = the smallest G with G − computeFee(G) ≥ OutSum,   fee = G − OutSum.
 * Why the shop keeps exactly OutSum, not a kopeck more: computeFee never falls as the amount grows and
 * grows by at most one minor unit per minor unit of amount (a percent of at most 100% rounded half away
 * from zero, a fixed part, a minimum floor and the cap at the amount all keep that; so does the promo
 * discount, a percent of the fee). So the net G − fee(G) starts at 0 and climbs in steps of 0 or 1, and
 * its first value at or above OutSum is OutSum itself, which makes fee = G − OutSum = computeFee(G).
 * test/payments/buyer-fee-rule.test.ts checks both properties with fast-check.
 */
import { computeFee, type Tariff } from './tariff.service.js';

export interface BuyerCharge {
  /** What the buyer pays: OutSum plus the fee. */
  readonly grossMinor: bigint;
  /** The platform's fee, all of it paid by the buyer: computeFee(grossMinor). */
  readonly feeMinor: bigint;
}

/** What the shop keeps of a payment of `grossMinor` under the tariff: the gross less its fee. */
export function netOfGross(tariff: Tariff, grossMinor: bigint, discountPercent = 0): bigint {
  return grossMinor - computeFee(tariff, grossMinor, discountPercent);
}

/** Doubling the upper bound at most this many times covers any bigint amount a payment can have. */
const MAX_DOUBLINGS = 80;

/**
 * The buyer's gross for the shop's `netMinor` (its OutSum), by binary search over the monotone net.
 * undefined when no gross reaches it: a tariff of 100% leaves the shop nothing whatever the buyer pays.
 */
export function computeBuyerCharge(
  tariff: Tariff,
  netMinor: bigint,
  discountPercent = 0,
): BuyerCharge | undefined {
  if (netMinor <= 0n) return { grossMinor: netMinor, feeMinor: 0n };
  const reaches = (gross: bigint) => netOfGross(tariff, gross, discountPercent) >= netMinor;
  // The net never exceeds the gross, so the gross is at least the net.
  let low = netMinor;
  let high = netMinor * 2n + tariff.fixedMinor + tariff.minimumMinor;
  let doublings = 0;
  while (!reaches(high)) {
    if (++doublings > MAX_DOUBLINGS) return undefined;
    low = high + 1n;
    high *= 2n;
  }
  while (low < high) {
    const middle = (low + high) / 2n;
    if (reaches(middle)) high = middle;
    else low = middle + 1n;
  }
  return { grossMinor: high, feeMinor: high - netMinor };
}
