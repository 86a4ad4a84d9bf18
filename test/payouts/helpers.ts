/**
 * Helpers for the payout tests: valid bank details, money put straight into a shop's available account
 * (as settlement leaves it), payout rows and jobs read from the database, and the ledger's invariants.
 */
import { sql } from 'kysely';
import { expect } from 'vitest';
import {
  platformAccount,
  postTransfer,
  readShopBalances,
  shopAccount,
} from '../../src/modules/ledger/index.js';
import type { TestBrowser } from '../support/client.js';
import type { TestContext } from '../support/harness.js';

/** A settlement account that fits the BIK: the control key (9th digit) is found by the CB check. */
export function fitAccount(bik: string, account: string): string {
  for (let key = 0; key <= 9; key += 1) {
    const candidate = `${account.slice(0, 8)}${key}${account.slice(9)}`;
    const text = bik.slice(6) + candidate;
    let sum = 0;
    for (let index = 0; index < text.length; index += 1) sum += Number(text[index]) * [7, 1, 3][index % 3]!;
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('no key');
}

export const BANK_DETAILS = {
  bik: '044525225',
  settlementAccount: fitAccount('044525225', '40702810000000001234'),
  correspondentAccount: '30101810400000000225',
  inn: '7707083893',
  kpp: '773601001',
  recipientName: 'ООО «Книжная лавка»',
};

export async function saveBankDetails(browser: TestBrowser): Promise<void> {
  const response = await browser.request('PUT', '/api/cabinet/bank-details', BANK_DETAILS);
  expect(response.statusCode, response.body).toBe(200);
}

let funding = 0;

/** Money as settlement leaves it: paid into pending, then moved to available. */
export async function fund(context: TestContext, shopId: string, amountMinor: bigint): Promise<void> {
  funding += 1;
  const pending = shopAccount(shopId, 'pending', 'RUB');
  await context.deps.db.transaction().execute(async (trx) => {
    await postTransfer(trx, context.deps.clock, {
      idempotencyKey: `test-paid:${shopId}:${funding}`,
      kind: 'payment',
      currency: 'RUB',
      legs: [
        { account: platformAccount('acquirer_clearing', 'RUB'), amountMinor },
        { account: pending, amountMinor: -amountMinor },
      ],
    });
    await postTransfer(trx, context.deps.clock, {
      idempotencyKey: `test-settled:${shopId}:${funding}`,
      kind: 'settlement',
      currency: 'RUB',
      legs: [
        { account: pending, amountMinor },
        { account: shopAccount(shopId, 'available', 'RUB'), amountMinor: -amountMinor },
      ],
    });
  });
}

export const balancesOf = (context: TestContext, shopId: string) =>
  readShopBalances(context.deps.db, shopId, 'RUB');

type PayoutColumns = {
  id: string;
  shop_id: string;
  amount_minor: bigint;
  status: string;
  schedule_period: string | null;
  provider_reference: string | null;
  send_attempts: number;
  send_exhausted_at: Date | null;
  reconcile_started_at: Date | null;
  last_send_error: string | null;
  requested_by: string | null;
};

export async function payoutRow(context: TestContext, payoutId: string) {
  return context.deps.db
    .withTables<{ payouts: PayoutColumns }>()
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', payoutId)
    .executeTakeFirstOrThrow();
}

export async function payoutsOfShop(context: TestContext, shopId: string) {
  return context.deps.db
    .withTables<{ payouts: PayoutColumns & { created_at: Date } }>()
    .selectFrom('payouts')
    .selectAll()
    .where('shop_id', '=', shopId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The payout's send jobs: state and attempts, oldest first. */
export async function sendJobsOf(context: TestContext, payoutId: string) {
  const result = await sql<{ state: string; attempts: number; run_at: Date; last_error: string | null }>`
    select state, attempts, run_at, last_error from jobs
    where queue = 'payouts.send' and payload->>'payoutId' = ${payoutId} order by id`.execute(context.deps.db);
  return result.rows;
}

/** What the sandbox bank holds for a payout id, or undefined. */
export async function bankRecord(context: TestContext, payoutId: string) {
  return context.deps.db
    .withTables<{
      sandbox_bank_payouts: {
        payout_id: string;
        reference: string;
        amount_minor: bigint;
        times_received: number;
      };
    }>()
    .selectFrom('sandbox_bank_payouts')
    .selectAll()
    .where('payout_id', '=', payoutId)
    .executeTakeFirst();
}

/** Every transfer sums to zero, and so does the whole ledger. */
export async function expectLedgerBalanced(context: TestContext): Promise<void> {
  const unbalanced = await sql<{ idempotency_key: string }>`
    select t.idempotency_key from ledger_transfers t join ledger_entries e on e.transfer_id = t.id
    group by t.id having sum(e.amount_minor) <> 0`.execute(context.deps.db);
  expect(unbalanced.rows).toEqual([]);
  const total = await sql<{ total: string }>`
    select coalesce(sum(amount_minor), 0)::text as total from ledger_entries`.execute(context.deps.db);
  expect(total.rows[0]?.total).toBe('0');
}

/** The entries of one transfer, by idempotency key: [account id, amount] sorted, or [] when none. */
export async function transferEntries(context: TestContext, idempotencyKey: string) {
  const rows = await context.deps.db
    .selectFrom('ledger_entries')
    .innerJoin('ledger_transfers', 'ledger_transfers.id', 'ledger_entries.transfer_id')
    .select(['ledger_entries.account_id', 'ledger_entries.amount_minor'])
    .where('ledger_transfers.idempotency_key', '=', idempotencyKey)
    .execute();
  return rows.map((row) => [row.account_id, row.amount_minor] as const).sort();
}
