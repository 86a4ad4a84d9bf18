/**
 * Settlement on a real PostgreSQL with a manual clock: live payments paid through the checkout move from
 * the shop's pending account to its available account at 00:00 Moscow time of the next business day,
 * once, however many runs (and nodes) try; test payments never settle; refunds that emptied pending are
 * respected. The scenarios run in calendar order, as time would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleDuePayments, type SettlementRunResult } from '../../src/modules/balances/index.js';
import {
  platformAccount,
  postTransfer,
  readShopBalances,
  shopAccount,
  sumOfAccount,
} from '../../src/modules/ledger/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { MerchantStub, prepareDemoShop } from '../support/payments.js';
import { countTransfers, demoShopId, moscow, payDemo, transferEntries } from './helpers.js';

let context: TestContext;
const stub = new MerchantStub();
let shopId: string;

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
  shopId = await demoShopId(context);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

const pendingOf = (shop: string) => shopAccount(shop, 'pending', 'RUB');

async function balances() {
  return readShopBalances(context.deps.db, shopId, 'RUB');
}

async function settleAt(instant: Date): Promise<SettlementRunResult> {
  context.clock.set(instant);
  return settleDuePayments(context.deps, instant);
}

async function settlementRow(paymentId: string) {
  return context.deps.db
    .withTables<{
      payment_settlements: {
        payment_id: string;
        due_minor: bigint;
        settled_minor: bigint;
        transfer_id: string | null;
      };
    }>()
    .selectFrom('payment_settlements')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .executeTakeFirst();
}

/** What a refund does to the shop's money, as far as settlement is concerned: pending shrinks. */
async function takeFromPending(key: string, amountMinor: bigint) {
  await context.deps.db.transaction().execute((trx) =>
    postTransfer(trx, context.clock, {
      idempotencyKey: key,
      kind: 'refund',
      currency: 'RUB',
      legs: [
        { account: pendingOf(shopId), amountMinor },
        { account: platformAccount('acquirer_clearing', 'RUB'), amountMinor: -amountMinor },
      ],
    }),
  );
}

describe('when money settles', () => {
  it('settles a Monday payment on Tuesday 00:00 Moscow time, not before; test payments never', async () => {
    context.clock.set(moscow('2026-03-02T10:00:00'));
    const live = await payDemo(context, '250.00');
    const test = await payDemo(context, '300.00', { isTest: true });
    expect(await balances()).toMatchObject({ pendingMinor: 24_275n, availableMinor: 0n });

    expect((await settleAt(moscow('2026-03-02T23:59:59.999'))).settled).toBe(0);
    expect(await countTransfers(context, `payment:${live}:settled`)).toBe(0);

    expect(await settleAt(moscow('2026-03-03T00:00:00'))).toMatchObject({ settled: 1, failed: 0 });
    expect(await transferEntries(context, `payment:${live}:settled`)).toEqual(
      [
        [`shop:${shopId}:available:RUB`, -24_275n],
        [`shop:${shopId}:pending:RUB`, 24_275n],
      ].sort(),
    );
    const transfer = await context.deps.db
      .selectFrom('ledger_transfers')
      .select(['kind', 'reference'])
      .where('idempotency_key', '=', `payment:${live}:settled`)
      .executeTakeFirstOrThrow();
    expect(transfer).toEqual({ kind: 'settlement', reference: live });
    expect(await balances()).toMatchObject({ pendingMinor: 0n, availableMinor: 24_275n });

    // The test payment moved no money, so there is nothing to settle, today or ever.
    expect(await settleAt(moscow('2026-03-31T00:00:00'))).toMatchObject({ examined: 0 });
    expect(await countTransfers(context, `payment:${test}:paid`)).toBe(0);
    expect(await countTransfers(context, `payment:${test}:settled`)).toBe(0);
    expect(await settlementRow(test)).toBeUndefined();
  });

  it('settles a Friday 15:00 payment on Monday 00:00, not during the weekend', async () => {
    context.clock.set(moscow('2026-04-03T15:00:00')); // a Friday
    const paymentId = await payDemo(context, '100.00');
    for (const instant of ['2026-04-03T23:59:59', '2026-04-04T12:00:00', '2026-04-05T23:59:59.999']) {
      expect((await settleAt(moscow(instant))).settled, instant).toBe(0);
    }
    expect(await countTransfers(context, `payment:${paymentId}:settled`)).toBe(0);
    expect(await balances()).toMatchObject({ pendingMinor: 9_710n });

    expect((await settleAt(moscow('2026-04-06T00:00:00'))).settled).toBe(1);
    expect(await countTransfers(context, `payment:${paymentId}:settled`)).toBe(1);
    expect(await balances()).toMatchObject({ pendingMinor: 0n, availableMinor: 24_275n + 9_710n });
  });
});

describe('settling once', () => {
  it('settles once when run twice', async () => {
    context.clock.set(moscow('2026-04-07T11:00:00'));
    const paymentId = await payDemo(context, '50.00');
    const before = await balances();
    expect((await settleAt(moscow('2026-04-08T00:00:00'))).settled).toBe(1);
    expect(await settleAt(moscow('2026-04-08T00:05:00'))).toMatchObject({ examined: 0, settled: 0 });
    expect(await countTransfers(context, `payment:${paymentId}:settled`)).toBe(1);
    expect((await balances()).availableMinor - before.availableMinor).toBe(4_855n);
  });

  it('settles each payment once when two nodes run at the same moment', async () => {
    context.clock.set(moscow('2026-04-08T12:00:00'));
    const payments = [];
    for (const outSum of ['10.00', '20.00', '30.00', '40.00', '50.00'])
      payments.push(await payDemo(context, outSum));
    const before = await balances();
    const instant = moscow('2026-04-09T00:00:00');
    context.clock.set(instant);
    const runs = await Promise.all([
      settleDuePayments(context.deps, instant),
      settleDuePayments(context.deps, instant),
      settleDuePayments(context.deps, instant),
    ]);
    expect(runs.map((run) => run.failed)).toEqual([0, 0, 0]);
    expect(runs.reduce((sum, run) => sum + run.settled, 0)).toBe(5);
    for (const paymentId of payments)
      expect(await countTransfers(context, `payment:${paymentId}:settled`)).toBe(1);
    const after = await balances();
    const netMinor = 1_000n + 2_000n + 3_000n + 4_000n + 5_000n - (29n + 58n + 87n + 116n + 145n);
    expect(after.availableMinor - before.availableMinor).toBe(netMinor);
    expect(after.pendingMinor).toBe(0n);
  });
});

describe('refunds before settlement', () => {
  it('settles only what pending still holds, and never takes pending below zero', async () => {
    context.clock.set(moscow('2026-04-13T10:00:00')); // a Monday
    const paymentId = await payDemo(context, '100.00'); // 97.10 to the shop
    await takeFromPending('test-refund-1', 3_000n);
    const before = await balances();
    expect(before.pendingMinor).toBe(6_710n);

    expect((await settleAt(moscow('2026-04-14T00:00:00'))).shortfalls).toBe(1);
    expect(await transferEntries(context, `payment:${paymentId}:settled`)).toEqual(
      [
        [`shop:${shopId}:available:RUB`, -6_710n],
        [`shop:${shopId}:pending:RUB`, 6_710n],
      ].sort(),
    );
    expect(await settlementRow(paymentId)).toMatchObject({ due_minor: 9_710n, settled_minor: 6_710n });
    const after = await balances();
    expect(after.pendingMinor).toBe(0n);
    expect(after.availableMinor - before.availableMinor).toBe(6_710n);
  });

  it('moves nothing when pending is empty at settlement time, and does not come back for later money', async () => {
    context.clock.set(moscow('2026-04-14T10:00:00')); // a Tuesday
    const refunded = await payDemo(context, '100.00');
    await takeFromPending('test-refund-2', 9_710n);
    const before = await balances();

    expect(await settleAt(moscow('2026-04-15T00:00:00'))).toMatchObject({ settled: 1, shortfalls: 1 });
    expect(await countTransfers(context, `payment:${refunded}:settled`)).toBe(0);
    expect(await settlementRow(refunded)).toMatchObject({
      due_minor: 9_710n,
      settled_minor: 0n,
      transfer_id: null,
    });
    expect(await balances()).toEqual(before);

    // The refunded payment is dealt with: a payment of Wednesday waits for Thursday 00:00.
    context.clock.set(moscow('2026-04-15T09:00:00'));
    const later = await payDemo(context, '200.00'); // 194.20 to the shop
    expect((await settleAt(moscow('2026-04-15T23:59:59'))).examined).toBe(0);
    expect((await balances()).pendingMinor).toBe(19_420n);
    expect((await settleAt(moscow('2026-04-16T00:00:00'))).settled).toBe(1);
    expect(await countTransfers(context, `payment:${later}:settled`)).toBe(1);
    expect((await balances()).pendingMinor).toBe(0n);
  });
});

describe('the ledger after all of it', () => {
  it('still sums to zero, and pending never went below zero', async () => {
    const total = await context.deps.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<string>('amount_minor').as('total'))
      .executeTakeFirstOrThrow();
    expect(String(total.total)).toBe('0');
    expect(await sumOfAccount(context.deps.db, pendingOf(shopId).id)).toBe(0n);
  });
});

describe('with KOPEK_SETTLEMENT_BUSINESS_DAYS=0', () => {
  let immediate: TestContext;
  const immediateStub = new MerchantStub();
  beforeAll(async () => {
    immediate = await createTestContext({ KOPEK_SETTLEMENT_BUSINESS_DAYS: '0' });
    await immediateStub.start();
    await prepareDemoShop(immediate, immediateStub);
  });
  afterAll(async () => {
    await immediate?.close();
    await immediateStub.stop();
  });

  it('settles at the next run, even on a Saturday night', async () => {
    immediate.clock.set(moscow('2026-03-07T23:30:00'));
    const paymentId = await payDemo(immediate, '250.00');
    expect(await settleDuePayments(immediate.deps, immediate.clock.now())).toMatchObject({ settled: 1 });
    expect(await countTransfers(immediate, `payment:${paymentId}:settled`)).toBe(1);
    const shop = await demoShopId(immediate);
    expect(await readShopBalances(immediate.deps.db, shop, 'RUB')).toMatchObject({
      pendingMinor: 0n,
      availableMinor: 24_275n,
    });
  });

  it('still finds a payment whose paying transaction committed after a run had passed its time', async () => {
    const runAt = immediate.clock.now();
    await settleDuePayments(immediate.deps, runAt); // moves the scan point up to now
    // A payment stamped a little earlier that only becomes visible now, as a slow transaction would.
    immediate.clock.set(new Date(runAt.getTime() - 20 * 60_000));
    const late = await payDemo(immediate, '10.00');
    immediate.clock.set(new Date(runAt.getTime() + 60_000));
    expect(await settleDuePayments(immediate.deps, immediate.clock.now())).toMatchObject({ settled: 1 });
    expect(await countTransfers(immediate, `payment:${late}:settled`)).toBe(1);
  });
});
