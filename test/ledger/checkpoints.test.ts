/**
 * Balance checkpoints: a balance read through a checkpoint equals the plain sum of the account's entries,
 * whatever the interleaving of transfers and checkpoint runs, and a run never skips an entry that an
 * open transaction drew its id for before the run.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  platformAccount,
  postTransfer,
  runLedgerCheckpoint,
  shopAccount,
  sumOfAccount,
  type NewTransfer,
} from '../../src/modules/ledger/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

const clearing = platformAccount('acquirer_clearing', 'RUB');
const SHOPS = ['shp_c1', 'shp_c2', 'shp_c3'] as const;

let transferCount = 0;
function payment(shop: string, amount: bigint): NewTransfer {
  transferCount += 1;
  return {
    idempotencyKey: `checkpoint-test-${transferCount}`,
    kind: 'payment',
    currency: 'RUB',
    legs: [
      { account: clearing, amountMinor: amount },
      { account: shopAccount(shop, 'pending', 'RUB'), amountMinor: -amount },
    ],
  };
}

async function post(transfer: NewTransfer): Promise<void> {
  await context.deps.db.transaction().execute((trx) => postTransfer(trx, context.clock, transfer));
}

/** The balance the long way: every entry of the account, no checkpoint. */
async function plainSum(accountId: string, upToEntryId?: bigint): Promise<bigint> {
  const bound = upToEntryId === undefined ? null : String(upToEntryId);
  const result = await sql<{ total: string }>`
    select coalesce(sum(amount_minor), 0)::text as total from ledger_entries
    where account_id = ${accountId} and (${bound}::bigint is null or id <= ${bound}::bigint)`.execute(
    context.deps.db,
  );
  return BigInt(result.rows[0]?.total ?? '0');
}

async function balanceUpTo(accountId: string, entryId: bigint): Promise<bigint> {
  const result = await sql<{ total: string }>`
    select ledger_balance_up_to(${accountId}, ${String(entryId)}::bigint)::text as total`.execute(
    context.deps.db,
  );
  return BigInt(result.rows[0]?.total ?? '0');
}

async function maxEntryId(): Promise<bigint> {
  const result = await sql<{ id: string }>`
    select coalesce(max(id), 0)::text as id from ledger_entries`.execute(context.deps.db);
  return BigInt(result.rows[0]?.id ?? '0');
}

describe('balance checkpoints', () => {
  it('keeps every balance equal to the plain sum of entries, before and after any run', async () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('pay' as const),
        shop: fc.constantFrom(...SHOPS),
        amount: fc.bigInt({ min: 1n, max: 1_000_000n }),
      }),
      fc.record({ kind: fc.constant('checkpoint' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        for (const item of steps) {
          if (item.kind === 'pay') await post(payment(item.shop, item.amount));
          else await runLedgerCheckpoint(context.deps.db, context.clock);
        }
        const accounts = [clearing.id, ...SHOPS.map((shop) => shopAccount(shop, 'pending', 'RUB').id)];
        const top = await maxEntryId();
        for (const accountId of accounts) {
          expect(await sumOfAccount(context.deps.db, accountId)).toBe(await plainSum(accountId));
          // Bounds before, at and after the checkpoint read the same as the long way.
          for (const bound of [1n, top / 2n, top - 1n, top]) {
            expect(await balanceUpTo(accountId, bound)).toBe(await plainSum(accountId, bound));
          }
        }
      }),
      { numRuns: 15 },
    );
  });

  it('rolls only what changed and never moves a checkpoint backwards', async () => {
    await post(payment('shp_c1', 100n));
    const first = await runLedgerCheckpoint(context.deps.db, context.clock);
    expect(first.accounts).toBeGreaterThan(0);
    const again = await runLedgerCheckpoint(context.deps.db, context.clock);
    expect(again).toEqual({ upToEntryId: first.upToEntryId, accounts: 0 });
    await post(payment('shp_c2', 5n));
    const third = await runLedgerCheckpoint(context.deps.db, context.clock);
    // The clearing account and the one shop touched since the last run.
    expect(third.accounts).toBe(2);
  });

  it('waits for a transaction that drew an entry id before the run, and counts its entry', async () => {
    const db = context.deps.db;
    const shop = 'shp_c_slow';
    const account = shopAccount(shop, 'pending', 'RUB').id;
    // The account exists before the race, so the later transfer need not wait on its creation.
    await post(payment(shop, 1n));
    let releaseSlowTransaction!: () => void;
    const slowMayCommit = new Promise<void>((resolve) => (releaseSlowTransaction = resolve));
    let slowPosted!: () => void;
    const slowHasPosted = new Promise<void>((resolve) => (slowPosted = resolve));
    const slow = db.transaction().execute(async (trx) => {
      await postTransfer(trx, context.clock, payment(shop, 700n));
      slowPosted();
      await slowMayCommit;
    });
    await slowHasPosted;
    // A later transfer commits first, with a higher entry id than the slow one's.
    await post(payment(shop, 30n));
    let runFinished = false;
    const run = runLedgerCheckpoint(db, context.clock).then((result) => {
      runFinished = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runFinished).toBe(false);
    releaseSlowTransaction();
    await slow;
    await run;
    const checkpoint = await sql<{ balance: string }>`
      select balance_minor::text as balance from ledger_checkpoints where account_id = ${account}`.execute(
      db,
    );
    expect(checkpoint.rows[0]?.balance).toBe('-731');
    expect(await sumOfAccount(db, account)).toBe(-731n);
  });
});
