/**
 * The buyer-pays gross (tariffs/buyer-fee.ts), checked against the tariff's one fee rule: for any tariff
 * below 100%, any promo discount and any OutSum, the gross is the smallest whose net reaches OutSum, the
 * shop keeps exactly OutSum, and the buyer's fee is the rule's fee of the gross.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBuyerCharge, computeFee, netOfGross, type Tariff } from '../../src/modules/tariffs/index.js';

const tariffs = fc.record({
  percentBasisPoints: fc.integer({ min: 0, max: 9_999 }),
  fixedMinor: fc.bigInt({ min: 0n, max: 100_000n }),
  minimumMinor: fc.bigInt({ min: 0n, max: 100_000n }),
});
const discounts = fc.integer({ min: 0, max: 100 });
const outSums = fc.oneof(fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 1n, max: 10n ** 15n }));

describe('computeBuyerCharge', () => {
  it('is the smallest gross whose net reaches OutSum; the shop keeps exactly OutSum', () => {
    fc.assert(
      fc.property(tariffs, discounts, outSums, (tariff: Tariff, discount, outSum) => {
        const charge = computeBuyerCharge(tariff, outSum, discount);
        expect(charge).toBeDefined();
        if (!charge) return;
        expect(netOfGross(tariff, charge.grossMinor, discount)).toBe(outSum);
        expect(netOfGross(tariff, charge.grossMinor - 1n, discount)).toBeLessThan(outSum);
        expect(charge.feeMinor).toBe(charge.grossMinor - outSum);
        expect(charge.feeMinor).toBe(computeFee(tariff, charge.grossMinor, discount));
      }),
      { numRuns: 2_000 },
    );
  });

  it('grows the net by at most one minor unit per minor unit of gross (why the gross is exact)', () => {
    fc.assert(
      fc.property(tariffs, discounts, fc.bigInt({ min: 1n, max: 10n ** 12n }), (tariff, discount, gross) => {
        const step = netOfGross(tariff, gross, discount) - netOfGross(tariff, gross - 1n, discount);
        expect(step === 0n || step === 1n).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('matches worked examples of the default 2.9% tariff', () => {
    const card: Tariff = { percentBasisPoints: 290, fixedMinor: 0n, minimumMinor: 0n };
    // 102.99 × 2.9% = 2.98671 → 2.99; 102.98 × 2.9% = 2.98642 → 2.99 leaves 99.99.
    expect(computeBuyerCharge(card, 10_000n)).toEqual({ grossMinor: 10_299n, feeMinor: 299n });
    // 1.01 × 2.9% = 0.02929 → 0.03, leaving 0.98; 1.02 → 0.03 leaving 0.99; 1.03 → 0.03 leaving 1.00.
    expect(computeBuyerCharge(card, 100n)).toEqual({ grossMinor: 103n, feeMinor: 3n });
    const withMinimum: Tariff = { percentBasisPoints: 100, fixedMinor: 0n, minimumMinor: 5_000n };
    expect(computeBuyerCharge(withMinimum, 100n)).toEqual({ grossMinor: 5_100n, feeMinor: 5_000n });
  });

  it('has no gross for a 100% tariff (the shop then pays the fee)', () => {
    const all: Tariff = { percentBasisPoints: 10_000, fixedMinor: 0n, minimumMinor: 0n };
    expect(computeBuyerCharge(all, 100n)).toBeUndefined();
  });
});
