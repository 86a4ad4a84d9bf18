/**
 * No balance goes negative (issue 4's third ledger invariant), checked as a property over random
 * sequences of the real money operations: card payments, partial and full refunds, settlement, payouts
 * and their sending. An operation the rules refuse (a refund or payout larger than the shop's money) is
 * allowed to fail; whatever happens, after every step each of the shop's balances is at least zero and
 * the ledger sums to zero. The documented rule behind it: a refund is covered by pending, then
 * available, and refused when both together are short; a payout never exceeds available.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleAllDuePayments } from '../../src/modules/balances/index.js';
import { readShopBalances } from '../../src/modules/ledger/index.js';
import { createPayout } from '../../src/modules/payouts/index.js';
import { refundPayment } from '../../src/modules/refunds/index.js';
import { AppError } from '../../src/platform/http/errors.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { saveBankDetails } from '../payouts/helpers.js';
import { ledgerTotal, openLiveShop, pay, type LiveShop } from '../refunds/refund-support.js';

let context: TestContext;
let shop: LiveShop;
let accountId: string;
const paid: string[] = [];

beforeAll(async () => {
  context = await createTestContext();
  const merchant = await registerMerchant(context);
  accountId = merchant.me.account.id;
  shop = await openLiveShop(context, merchant.browser);
  await saveBankDetails(merchant.browser);
});
afterAll(async () => context?.close());

type Step =
  | { kind: 'pay'; rubles: number }
  | { kind: 'refund'; pick: number; share: number }
  | { kind: 'settle' }
  | { kind: 'payout'; share: number }
  | { kind: 'send' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('pay' as const), rubles: fc.integer({ min: 10, max: 5_000 }) }),
  fc.record({
    kind: fc.constant('refund' as const),
    pick: fc.nat(),
    share: fc.double({ min: 0.01, max: 1.2, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('settle' as const) }),
  fc.record({ kind: fc.constant('payout' as const), share: fc.double({ min: 0.01, max: 1.5, noNaN: true }) }),
  fc.record({ kind: fc.constant('send' as const) }),
);

/** Refusals by the rules are expected; anything else is a bug. */
async function allowRefusal(operation: () => Promise<unknown>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
  }
}

async function run(item: Step): Promise<void> {
  const balances = await readShopBalances(context.deps.db, shop.id, 'RUB');
  switch (item.kind) {
    case 'pay':
      paid.push((await pay(context, shop, `${item.rubles}.00`)).id);
      return;
    case 'refund': {
      const paymentId = paid[item.pick % Math.max(paid.length, 1)];
      if (!paymentId) return;
      const amountMinor = BigInt(Math.max(1, Math.round(item.share * 100_000)));
      await allowRefusal(() =>
        refundPayment(context.deps, {
          paymentId,
          accountId,
          amountMinor,
          source: 'cabinet',
          requestedBy: null,
        }),
      );
      return;
    }
    case 'settle':
      // A business week later everything paid so far is due.
      context.clock.advanceMs(7 * 86_400_000);
      await settleAllDuePayments(context.deps);
      return;
    case 'payout': {
      const amountMinor = BigInt(Math.round(Number(balances.availableMinor) * item.share));
      if (amountMinor <= 0n) return;
      const amount = `${amountMinor / 100n}.${String(amountMinor % 100n).padStart(2, '0')}`;
      await allowRefusal(() =>
        createPayout(context.deps, { accountId, userId: null, shopId: shop.id, amount, ip: null }),
      );
      return;
    }
    case 'send':
      await context.worker.drain();
      return;
  }
}

describe('no balance goes negative', () => {
  it('holds after every step of any sequence of payments, refunds, settlement and payouts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        for (const item of steps) {
          await run(item);
          const balances = await readShopBalances(context.deps.db, shop.id, 'RUB');
          for (const [name, value] of Object.entries(balances)) {
            expect(value, `${name} after ${item.kind}`).toBeGreaterThanOrEqual(0n);
          }
          expect(await ledgerTotal(context)).toBe(0n);
        }
      }),
      {
        numRuns: 12,
        // One sequence that surely moves money every way, whatever the random ones draw.
        examples: [
          [
            [
              { kind: 'pay', rubles: 3_000 },
              { kind: 'settle' },
              { kind: 'payout', share: 0.5 },
              { kind: 'refund', pick: 0, share: 0.1 },
              { kind: 'send' },
            ],
          ],
        ],
      },
    );
    // The sequences did move money every way, not only into the shop.
    const moved = await sql<{ refunds: string; payouts: string }>`
      select (select count(*) from refunds)::text as refunds, (select count(*) from payouts)::text as payouts`.execute(
      context.deps.db,
    );
    expect(Number(moved.rows[0]?.refunds)).toBeGreaterThan(0);
    expect(Number(moved.rows[0]?.payouts)).toBeGreaterThan(0);
  }, 240_000);
});
