/**
 * The money of holds as ledger transfers: property tests of the legs (each transfer sums to zero, on_hold
 * returns to zero after a capture or a release, a captured hold leaves the accounts exactly as a payment
 * of the captured amount), and the transfers posted for real against PostgreSQL's balance trigger.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBalanced,
  platformAccount,
  postTransfer,
  shopAccount,
  sumOfAccount,
  type TransferLeg,
} from '../../src/modules/ledger/index.js';
import { buildCaptureLegs, buildHoldLegs, buildReleaseLegs } from '../../src/modules/payments/hold.ledger.js';
import { createTestContext, type TestContext } from '../support/harness.js';

const SHOP = 'shp_holds';
const money = (heldMinor: bigint) => ({ shopId: SHOP, currency: 'RUB' as const, heldMinor });
const transfer = (key: string, legs: TransferLeg[]) => ({
  idempotencyKey: key,
  kind: 'test',
  currency: 'RUB' as const,
  legs,
});

/** Sums legs per account id. */
function net(...transfers: TransferLeg[][]): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  for (const leg of transfers.flat())
    totals.set(leg.account.id, (totals.get(leg.account.id) ?? 0n) + leg.amountMinor);
  return totals;
}

/** A held amount, a captured part of it (at least 1) and a fee of at most the captured part. */
const captureCase = fc
  .bigInt({ min: 1n, max: 10n ** 12n })
  .chain((held) =>
    fc
      .bigInt({ min: 1n, max: held })
      .chain((captured) =>
        fc.tuple(fc.constant(held), fc.constant(captured), fc.bigInt({ min: 0n, max: captured })),
      ),
  );

describe('hold legs', () => {
  it('balance at every step, and on_hold nets to zero after a capture', () => {
    fc.assert(
      fc.property(captureCase, ([held, captured, fee]) => {
        const hold = buildHoldLegs(money(held));
        const capture = buildCaptureLegs(money(held), captured, fee);
        for (const [key, legs] of [
          ['hold', hold],
          ['capture', capture],
        ] as const) {
          expect(() => assertBalanced(transfer(key, legs))).not.toThrow();
        }
        const totals = net(hold, capture);
        expect(totals.get(shopAccount(SHOP, 'on_hold', 'RUB').id)).toBe(0n);
        // Exactly the accounts of a payment of `captured` charged at once, with the same fee.
        expect(totals.get(platformAccount('acquirer_clearing', 'RUB').id)).toBe(captured);
        expect(totals.get(shopAccount(SHOP, 'pending', 'RUB').id) ?? 0n).toBe(-(captured - fee));
        expect(totals.get(platformAccount('fee_revenue', 'RUB').id) ?? 0n).toBe(-fee);
      }),
    );
  });

  it('give everything back on a release', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), (held) => {
        const legs = buildReleaseLegs(money(held));
        expect(() => assertBalanced(transfer('release', legs))).not.toThrow();
        for (const total of net(buildHoldLegs(money(held)), legs).values()) expect(total).toBe(0n);
      }),
    );
  });

  it('take no fee while held, and refuse a capture above the hold or a fee above the capture', () => {
    expect(buildHoldLegs(money(100n)).map((leg) => leg.account.purpose)).toEqual([
      'acquirer_clearing',
      'on_hold',
    ]);
    expect(() => buildCaptureLegs(money(100n), 101n, 0n)).toThrow(RangeError);
    expect(() => buildCaptureLegs(money(100n), 0n, 0n)).toThrow(RangeError);
    expect(() => buildCaptureLegs(money(100n), 50n, 51n)).toThrow(RangeError);
  });
});

describe('hold transfers in PostgreSQL', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await createTestContext();
  });
  afterAll(async () => context?.close());

  it('post and balance: hold, partial capture; hold, release; on_hold back to zero', async () => {
    await context.deps.db.transaction().execute(async (trx) => {
      await postTransfer(trx, context.clock, transfer('h1:held', buildHoldLegs(money(10_000n))));
      await postTransfer(trx, context.clock, transfer('h2:held', buildHoldLegs(money(5_000n))));
    });
    expect(await sumOfAccount(context.deps.db, shopAccount(SHOP, 'on_hold', 'RUB').id)).toBe(-15_000n);
    await context.deps.db.transaction().execute(async (trx) => {
      await postTransfer(
        trx,
        context.clock,
        transfer('h1:paid', buildCaptureLegs(money(10_000n), 7_000n, 203n)),
      );
      await postTransfer(trx, context.clock, transfer('h2:released', buildReleaseLegs(money(5_000n))));
    });
    const sum = (id: string) => sumOfAccount(context.deps.db, id);
    expect(await sum(shopAccount(SHOP, 'on_hold', 'RUB').id)).toBe(0n);
    expect(await sum(shopAccount(SHOP, 'pending', 'RUB').id)).toBe(-6_797n);
    expect(await sum(platformAccount('fee_revenue', 'RUB').id)).toBe(-203n);
    expect(await sum(platformAccount('acquirer_clearing', 'RUB').id)).toBe(7_000n);
  });
});
