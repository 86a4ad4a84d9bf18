/**
 * refundPayment on a real PostgreSQL, with payments made through Robokassa's request and the sandbox
 * card: full and partial refunds, racing refunds, what the shop's balance covers, test payments, and the
 * ledger (balanced transfers, pending first then available, the fee kept by the platform).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  platformAccount,
  postTransfer,
  readShopBalances,
  shopAccount,
  sumOfAccount,
} from '../../src/modules/ledger/index.js';
import { refundPayment } from '../../src/modules/refunds/index.js';
import { buildRefundLegs } from '../../src/modules/refunds/refund.service.js';
import { AppError } from '../../src/platform/http/errors.js';
import type { TestBrowser } from '../support/client.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  ledgerTotal,
  openLiveShop,
  pay,
  refundRows,
  refundTransfers,
  startPayment,
  unbalancedTransfers,
} from './refund-support.js';

let context: TestContext;
let merchant: TestBrowser;

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
});
afterAll(async () => context?.close());

const clearing = platformAccount('acquirer_clearing', 'RUB');
const feeRevenue = platformAccount('fee_revenue', 'RUB');

async function balances(shopId: string) {
  return readShopBalances(context.deps.db, shopId, 'RUB');
}

/** The code of the AppError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

async function paymentEvents(paymentId: string) {
  return context.deps.db
    .selectFrom('payment_events')
    .select(['kind', 'details'])
    .where('payment_id', '=', paymentId)
    .where('kind', '=', 'refunded')
    .orderBy('id')
    .execute();
}

describe('a full refund', () => {
  it('returns the whole amount, records the refund, the event and a balanced transfer; the fee stays with the platform', async () => {
    const shop = await openLiveShop(context, merchant);
    const other = await pay(context, shop, '500.00');
    const payment = await pay(context, shop, '1000.00');
    expect(payment.feeMinor).toBe(2_900n); // 2.9 %
    const before = await balances(shop.id);
    expect(before.pendingMinor).toBe(other.amountMinor - other.feeMinor + 97_100n);
    const clearingBefore = await sumOfAccount(context.deps.db, clearing.id);
    const feesBefore = await sumOfAccount(context.deps.db, feeRevenue.id);

    const refund = await refundPayment(context.deps, { paymentId: payment.id, source: 'cabinet' });

    expect(refund).toMatchObject({
      paymentId: payment.id,
      amount: '1000.00',
      currency: 'RUB',
      status: 'finished',
      source: 'cabinet',
      requestedBy: null,
    });
    expect(refund.id).toMatch(/^rfd_/);
    expect(refund.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(refund.finishedAt).toBe(refund.createdAt);
    // The shop pays the whole amount back, although it was credited the amount less the fee.
    expect((await balances(shop.id)).pendingMinor).toBe(before.pendingMinor - 100_000n);
    expect(await sumOfAccount(context.deps.db, clearing.id)).toBe(clearingBefore - 100_000n);
    expect(await sumOfAccount(context.deps.db, feeRevenue.id)).toBe(feesBefore);
    expect(await refundTransfers(context, payment.id)).toEqual([
      {
        idempotency_key: `refund:${refund.id}`,
        account_id: shopAccount(shop.id, 'pending', 'RUB').id,
        amount_minor: 100_000n,
      },
      { idempotency_key: `refund:${refund.id}`, account_id: clearing.id, amount_minor: -100_000n },
    ]);
    expect(await paymentEvents(payment.id)).toEqual([
      {
        kind: 'refunded',
        details: {
          refundId: refund.id,
          amount: '1000.00',
          currency: 'RUB',
          source: 'cabinet',
          remaining: '0.00',
        },
      },
    ]);
    expect(await ledgerTotal(context)).toBe(0n);
    expect(await unbalancedTransfers(context)).toBe(0);
  });

  it('refuses a second full refund of the same payment, writing nothing', async () => {
    const shop = await openLiveShop(context, merchant);
    await pay(context, shop, '300.00');
    const payment = await pay(context, shop, '100.00');
    await refundPayment(context.deps, { paymentId: payment.id, source: 'refund_api' });
    const after = await balances(shop.id);
    expect(await refusal(refundPayment(context.deps, { paymentId: payment.id, source: 'refund_api' }))).toBe(
      'refund_exceeds_payment',
    );
    expect(await refundRows(context, payment.id)).toHaveLength(1);
    expect(await balances(shop.id)).toEqual(after);
  });
});

describe('partial refunds', () => {
  it('take several parts up to the paid amount, then refuse one kopeck more', async () => {
    const shop = await openLiveShop(context, merchant);
    await pay(context, shop, '200.00');
    const payment = await pay(context, shop, '100.00');
    for (const amountMinor of [3_000n, 2_550n, 4_449n, 1n]) {
      await refundPayment(context.deps, { paymentId: payment.id, amountMinor, source: 'cabinet' });
      context.clock.advanceMs(1_000);
    }
    const error = await refundPayment(context.deps, {
      paymentId: payment.id,
      amountMinor: 1n,
      source: 'cabinet',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('refund_exceeds_payment');
    expect((error as AppError).details).toEqual({ remaining: '0.00' });
    const rows = await refundRows(context, payment.id);
    expect(rows.map((row) => row.amount_minor)).toEqual([3_000n, 2_550n, 4_449n, 1n]);
    expect(rows.reduce((sum, row) => sum + row.amount_minor, 0n)).toBe(payment.amountMinor);
    const events = await paymentEvents(payment.id);
    expect(events.map((event) => event.details.remaining)).toEqual(['70.00', '44.50', '0.01', '0.00']);
  });

  it('refuses more than what is left, naming what is left', async () => {
    const shop = await openLiveShop(context, merchant);
    await pay(context, shop, '200.00');
    const payment = await pay(context, shop, '100.00');
    await refundPayment(context.deps, { paymentId: payment.id, amountMinor: 6_000n, source: 'cabinet' });
    const error = (await refundPayment(context.deps, {
      paymentId: payment.id,
      amountMinor: 4_001n,
      source: 'cabinet',
    }).catch((caught: unknown) => caught)) as AppError;
    expect(error.code).toBe('refund_exceeds_payment');
    expect(error.text.en).toContain('{remaining}');
    expect(error.values).toEqual({ remaining: '40.00 RUB' });
    // A missing amount is "everything that is left".
    const rest = await refundPayment(context.deps, { paymentId: payment.id, source: 'cabinet' });
    expect(rest.amount).toBe('40.00');
  });

  it('refuses a zero or negative amount before locking anything', async () => {
    const shop = await openLiveShop(context, merchant);
    const payment = await pay(context, shop, '100.00');
    for (const amountMinor of [0n, -100n]) {
      expect(
        await refusal(refundPayment(context.deps, { paymentId: payment.id, amountMinor, source: 'cabinet' })),
      ).toBe('validation_failed');
    }
    expect(await refundRows(context, payment.id)).toHaveLength(0);
  });
});

describe('racing refunds', () => {
  it('20 concurrent partial refunds of one payment never exceed the paid amount; the ledger stays balanced', async () => {
    const shop = await openLiveShop(context, merchant);
    await pay(context, shop, '1000.00'); // covers the fee the refunds cost the shop
    const payment = await pay(context, shop, '1000.00');
    const before = await balances(shop.id);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        refundPayment(context.deps, { paymentId: payment.id, amountMinor: 7_000n, source: 'refund_api' }),
      ),
    );
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    // 14 × 70.00 = 980.00 fit into 1000.00; the 15th would need 70.00 where 20.00 are left.
    expect(succeeded).toHaveLength(14);
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
      expect(((outcome as PromiseRejectedResult).reason as AppError).code).toBe('refund_exceeds_payment');
    }
    const rows = await refundRows(context, payment.id);
    expect(rows).toHaveLength(14);
    expect(rows.reduce((sum, row) => sum + row.amount_minor, 0n)).toBe(98_000n);
    expect(new Set(rows.map((row) => row.request_id)).size).toBe(14);
    expect((await balances(shop.id)).pendingMinor).toBe(before.pendingMinor - 98_000n);
    expect(await ledgerTotal(context)).toBe(0n);
    expect(await unbalancedTransfers(context)).toBe(0);
  });

  it('refunds of different payments of one shop racing for its balance never take it below zero', async () => {
    const shop = await openLiveShop(context, merchant);
    const payments = [];
    for (let index = 0; index < 6; index += 1) payments.push(await pay(context, shop, '100.00'));
    // The shop holds 6 × 97.10 = 582.60; six full refunds need 600.00: at most five can pass.
    const outcomes = await Promise.allSettled(
      payments.map((payment) => refundPayment(context.deps, { paymentId: payment.id, source: 'cabinet' })),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(((refused[0] as PromiseRejectedResult).reason as AppError).code).toBe('insufficient_shop_funds');
    const after = await balances(shop.id);
    expect(after.pendingMinor).toBe(58_260n - 50_000n);
    expect(after.availableMinor).toBe(0n);
    expect(await unbalancedTransfers(context)).toBe(0);
  });
});

describe("the shop's balance", () => {
  it('pays a refund right after the payment, before settlement, from pending', async () => {
    const shop = await openLiveShop(context, merchant);
    const payment = await pay(context, shop, '250.00');
    expect(await balances(shop.id)).toMatchObject({ pendingMinor: 24_275n, availableMinor: 0n });
    await refundPayment(context.deps, { paymentId: payment.id, amountMinor: 10_000n, source: 'cabinet' });
    expect(await balances(shop.id)).toMatchObject({ pendingMinor: 14_275n, availableMinor: 0n });
  });

  it('refuses a refund larger than pending + available with insufficient funds, and writes nothing', async () => {
    const shop = await openLiveShop(context, merchant);
    const first = await pay(context, shop, '1000.00');
    const second = await pay(context, shop, '1000.00');
    // The shop holds 2 × 971.00; refunding the first payment in full leaves 942.00.
    await refundPayment(context.deps, { paymentId: first.id, source: 'cabinet' });
    const before = await balances(shop.id);
    expect(before.pendingMinor).toBe(94_200n);
    const eventsBefore = await context.deps.db.selectFrom('payment_events').select('id').execute();
    const transfersBefore = await context.deps.db.selectFrom('ledger_transfers').select('id').execute();

    const error = (await refundPayment(context.deps, { paymentId: second.id, source: 'cabinet' }).catch(
      (caught: unknown) => caught,
    )) as AppError;

    expect(error.code).toBe('insufficient_shop_funds');
    expect(error.values).toEqual({ cover: '942.00 RUB', amount: '1000.00 RUB' });
    expect(await refundRows(context, second.id)).toHaveLength(0);
    expect(await balances(shop.id)).toEqual(before);
    expect(await context.deps.db.selectFrom('payment_events').select('id').execute()).toHaveLength(
      eventsBefore.length,
    );
    expect(await context.deps.db.selectFrom('ledger_transfers').select('id').execute()).toHaveLength(
      transfersBefore.length,
    );
    // What the balance covers still goes through.
    await refundPayment(context.deps, { paymentId: second.id, amountMinor: 94_200n, source: 'cabinet' });
    expect((await balances(shop.id)).pendingMinor).toBe(0n);
  });

  it('takes pending first and available for the rest', async () => {
    const shop = await openLiveShop(context, merchant);
    const settled = await pay(context, shop, '1000.00');
    // Settlement (src/modules/balances) moves paid money from pending to available; posted here by hand.
    await context.deps.db.transaction().execute((trx) =>
      postTransfer(trx, context.clock, {
        idempotencyKey: `test-settlement:${settled.id}`,
        kind: 'settlement',
        reference: settled.id,
        currency: 'RUB',
        legs: [
          { account: shopAccount(shop.id, 'pending', 'RUB'), amountMinor: 97_100n },
          { account: shopAccount(shop.id, 'available', 'RUB'), amountMinor: -97_100n },
        ],
      }),
    );
    const fresh = await pay(context, shop, '100.00');
    expect(await balances(shop.id)).toMatchObject({ pendingMinor: 9_710n, availableMinor: 97_100n });

    const refund = await refundPayment(context.deps, { paymentId: settled.id, source: 'cabinet' });

    expect(await balances(shop.id)).toMatchObject({ pendingMinor: 0n, availableMinor: 6_810n });
    expect(await refundTransfers(context, settled.id)).toEqual([
      {
        idempotency_key: `refund:${refund.id}`,
        account_id: shopAccount(shop.id, 'pending', 'RUB').id,
        amount_minor: 9_710n,
      },
      {
        idempotency_key: `refund:${refund.id}`,
        account_id: shopAccount(shop.id, 'available', 'RUB').id,
        amount_minor: 90_290n,
      },
      { idempotency_key: `refund:${refund.id}`, account_id: clearing.id, amount_minor: -100_000n },
    ]);
    expect(fresh.amountMinor).toBe(10_000n);
    expect(await ledgerTotal(context)).toBe(0n);
  });

  it('builds legs that sum to zero whatever pending holds', () => {
    const payment = { shop_id: 'shp_x', currency: 'RUB' as const };
    for (const [amount, pending] of [
      [100n, 500n],
      [100n, 100n],
      [100n, 40n],
      [100n, 0n],
      [100n, -30n],
    ] as const) {
      const legs = buildRefundLegs(payment, amount, pending);
      expect(legs.reduce((sum, leg) => sum + leg.amountMinor, 0n)).toBe(0n);
      expect(legs.every((leg) => leg.amountMinor !== 0n)).toBe(true);
      const fromPending = legs.find((leg) => leg.account.purpose === 'pending')?.amountMinor ?? 0n;
      expect(fromPending).toBe(pending <= 0n ? 0n : pending < amount ? pending : amount);
    }
  });
});

describe('test payments and unpaid payments', () => {
  it('refunds a test payment without touching the ledger', async () => {
    const shop = await openLiveShop(context, merchant);
    const payment = await pay(context, shop, '150.00', { isTest: true });
    const transfersBefore = await context.deps.db.selectFrom('ledger_transfers').select('id').execute();
    const refund = await refundPayment(context.deps, { paymentId: payment.id, source: 'cabinet' });
    expect(refund.amount).toBe('150.00');
    expect(await context.deps.db.selectFrom('ledger_transfers').select('id').execute()).toHaveLength(
      transfersBefore.length,
    );
    expect(await balances(shop.id)).toMatchObject({ pendingMinor: 0n, availableMinor: 0n });
  });

  it('refuses an unpaid payment and an unknown one', async () => {
    const shop = await openLiveShop(context, merchant);
    const unpaid = await startPayment(context, shop, '10.00');
    expect(await refusal(refundPayment(context.deps, { paymentId: unpaid, source: 'cabinet' }))).toBe(
      'payment_not_refundable',
    );
    expect(await refusal(refundPayment(context.deps, { paymentId: 'pay_nothing', source: 'cabinet' }))).toBe(
      'operation_not_found',
    );
    expect(await refundRows(context, unpaid)).toHaveLength(0);
  });

  it("scopes to the account when one is given: another account's payment is not found", async () => {
    const shop = await openLiveShop(context, merchant);
    const payment = await pay(context, shop, '10.00');
    const stranger = await registerMerchant(context);
    expect(
      await refusal(
        refundPayment(context.deps, {
          paymentId: payment.id,
          accountId: stranger.me.account.id,
          source: 'cabinet',
        }),
      ),
    ).toBe('operation_not_found');
  });
});
