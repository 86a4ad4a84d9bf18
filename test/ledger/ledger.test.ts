/** The ledger's invariants, in code and in the database: balanced, idempotent, append-only. */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBalanced,
  LedgerInvariantError,
  platformAccount,
  postTransfer,
  readShopBalances,
  shopAccount,
  sumOfAccount,
  type NewTransfer,
} from '../../src/modules/ledger/index.js';
import { computeFee } from '../../src/modules/tariffs/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

const clearing = platformAccount('acquirer_clearing', 'RUB');
const fees = platformAccount('fee_revenue', 'RUB');
const pending = (shop: string) => shopAccount(shop, 'pending', 'RUB');

function paymentTransfer(key: string, shop: string, amount: bigint, fee: bigint): NewTransfer {
  return {
    idempotencyKey: key,
    kind: 'payment',
    currency: 'RUB',
    legs: [
      { account: clearing, amountMinor: amount },
      { account: pending(shop), amountMinor: -(amount - fee) },
      { account: fees, amountMinor: -fee },
    ],
  };
}

async function post(transfer: NewTransfer) {
  return context.deps.db.transaction().execute((trx) => postTransfer(trx, context.clock, transfer));
}

describe('posting', () => {
  it('posts a balanced transfer and derives balances from its entries', async () => {
    await post(paymentTransfer('t-1', 'shp_a', 10_000n, 290n));
    expect(await readShopBalances(context.deps.db, 'shp_a', 'RUB')).toEqual({
      pendingMinor: 9_710n,
      availableMinor: 0n,
      onHoldMinor: 0n,
      inPayoutMinor: 0n,
    });
  });

  it('posts a key once: the second posting returns the first transfer and writes nothing', async () => {
    const first = await post(paymentTransfer('t-2', 'shp_b', 500n, 15n));
    const second = await post(paymentTransfer('t-2', 'shp_b', 500n, 15n));
    expect(second).toEqual({ transferId: first.transferId, isNew: false });
    expect(-(await sumOfAccount(context.deps.db, pending('shp_b').id))).toBe(485n);
  });

  it.each([
    [
      'off balance',
      {
        ...paymentTransfer('bad-1', 'shp_c', 100n, 3n),
        legs: paymentTransfer('x', 'shp_c', 100n, 3n).legs.slice(0, 2),
      },
    ],
    ['a zero leg', paymentTransfer('bad-2', 'shp_c', 100n, 0n)],
    [
      'a single leg',
      {
        idempotencyKey: 'bad-3',
        kind: 'x',
        currency: 'RUB' as const,
        legs: [{ account: clearing, amountMinor: 1n }],
      },
    ],
    [
      'mixed currencies',
      {
        idempotencyKey: 'bad-4',
        kind: 'x',
        currency: 'RUB' as const,
        legs: [
          { account: clearing, amountMinor: 1n },
          { account: platformAccount('fee_revenue', 'KZT'), amountMinor: -1n },
        ],
      },
    ],
  ])('refuses %s before writing anything', async (_name, transfer) => {
    await expect(post(transfer)).rejects.toBeInstanceOf(LedgerInvariantError);
    const found = await context.deps.db
      .selectFrom('ledger_transfers')
      .select('id')
      .where('idempotency_key', '=', transfer.idempotencyKey)
      .execute();
    expect(found).toHaveLength(0);
  });
});

describe('the database guards the invariants too', () => {
  it('refuses to update or delete entries and transfers', async () => {
    await post(paymentTransfer('t-3', 'shp_d', 1_000n, 29n));
    await expect(sql`update ledger_entries set amount_minor = 1`.execute(context.deps.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from ledger_entries`.execute(context.deps.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_transfers`.execute(context.deps.db)).rejects.toThrow(/append-only/);
  });

  it('refuses at commit a transfer whose entries do not balance, even written by hand', async () => {
    await expect(
      context.deps.db.transaction().execute(async (trx) => {
        await sql`insert into ledger_accounts (id, owner_kind, owner_id, purpose, currency, created_at)
          values ('platform:escrow:RUB', 'platform', null, 'escrow', 'RUB', now()) on conflict do nothing`.execute(
          trx,
        );
        await sql`insert into ledger_transfers (id, idempotency_key, kind, currency, created_at)
          values ('trn_by_hand', 'by-hand', 'x', 'RUB', now())`.execute(trx);
        await sql`insert into ledger_entries (transfer_id, account_id, amount_minor, currency, created_at)
          values ('trn_by_hand', 'platform:escrow:RUB', 5, 'RUB', now())`.execute(trx);
      }),
    ).rejects.toThrow(/does not balance/);
    const found = await context.deps.db
      .selectFrom('ledger_transfers')
      .select('id')
      .where('id', '=', 'trn_by_hand')
      .execute();
    expect(found).toHaveLength(0);
  });
});

describe('properties', () => {
  const paymentArbitrary = fc.record({
    shop: fc.constantFrom('shp_p1', 'shp_p2', 'shp_p3'),
    amount: fc.bigInt({ min: 1n, max: 10_000_000_00n }),
    percent: fc.integer({ min: 0, max: 1000 }),
  });

  it('every transfer sums to zero, whatever the amounts and tariffs (pure)', () => {
    fc.assert(
      fc.property(paymentArbitrary, ({ shop, amount, percent }) => {
        const fee = computeFee({ percentBasisPoints: percent, fixedMinor: 0n, minimumMinor: 0n }, amount);
        expect(fee).toBeGreaterThanOrEqual(0n);
        expect(fee).toBeLessThanOrEqual(amount);
        const legs = paymentTransfer('p', shop, amount, fee).legs.filter((leg) => leg.amountMinor !== 0n);
        if (legs.length >= 2) assertBalanced({ idempotencyKey: 'p', kind: 'payment', currency: 'RUB', legs });
      }),
    );
  });

  it('any sequence of postings, in any order, leaves the same balances and a zero total', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(paymentArbitrary, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        async (payments, reverse) => {
          run += 1;
          const prefix = `prop-${run}`;
          const transfers = payments
            .map(({ shop, amount, percent }, index) => {
              const fee = computeFee(
                { percentBasisPoints: percent, fixedMinor: 0n, minimumMinor: 0n },
                amount,
              );
              const transfer = paymentTransfer(`${prefix}-${index}`, `${prefix}-${shop}`, amount, fee);
              return { ...transfer, legs: transfer.legs.filter((leg) => leg.amountMinor !== 0n) };
            })
            .filter((transfer) => transfer.legs.length >= 2);
          for (const transfer of reverse ? [...transfers].reverse() : transfers) await post(transfer);
          for (const shop of ['shp_p1', 'shp_p2', 'shp_p3']) {
            const expected = transfers
              .flatMap((transfer) => transfer.legs)
              .filter((leg) => leg.account.id === pending(`${prefix}-${shop}`).id)
              .reduce((sum, leg) => sum - leg.amountMinor, 0n);
            expect((await readShopBalances(context.deps.db, `${prefix}-${shop}`, 'RUB')).pendingMinor).toBe(
              expected,
            );
          }
          const total = await sql<{
            total: string | null;
          }>`select sum(amount_minor)::text as total from ledger_entries`.execute(context.deps.db);
          expect(total.rows[0]?.total ?? '0').toBe('0');
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('fees', () => {
  it.each([
    [{ percentBasisPoints: 290, fixedMinor: 0n, minimumMinor: 0n }, 25_000n, 725n],
    [{ percentBasisPoints: 290, fixedMinor: 0n, minimumMinor: 0n }, 50n, 1n], // 1.45 kopecks rounds to 1
    [{ percentBasisPoints: 250, fixedMinor: 0n, minimumMinor: 0n }, 100n, 3n], // 2.5 rounds half away from zero
    [{ percentBasisPoints: 100, fixedMinor: 1_000n, minimumMinor: 0n }, 10_000n, 1_100n],
    [{ percentBasisPoints: 100, fixedMinor: 0n, minimumMinor: 500n }, 10_000n, 500n],
    [{ percentBasisPoints: 0, fixedMinor: 0n, minimumMinor: 5_000n }, 1_000n, 1_000n], // never more than the amount
  ])('tariff %o on %s kopecks takes %s', (tariff, amount, fee) => {
    expect(computeFee(tariff, amount)).toBe(fee);
  });
});
