/** Helpers for the balance tests: live and test payments through the real checkout, and ledger reads. */
import { expect } from 'vitest';
import { DEMO } from '../../src/seed.js';
import type { TestContext } from '../support/harness.js';
import { cardForm, startDemoPayment, submitCard } from '../support/payments.js';

let invoiceNumber = 5000;

/** Moscow wall-clock time as an instant: Moscow is UTC+3 all year. */
export function moscow(localDateTime: string): Date {
  return new Date(`${localDateTime}+03:00`);
}

/** A payment paid through the checkout at the clock's current time; live unless isTest. */
export async function payDemo(context: TestContext, outSum: string, options: { isTest?: boolean } = {}) {
  invoiceNumber += 1;
  const paymentId = await startDemoPayment(context.app, {
    outSum,
    invId: String(invoiceNumber),
    isTest: options.isTest ?? false,
  });
  const paid = await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
  expect(paid.statusCode, paid.body).toBe(303);
  return paymentId;
}

export async function demoShopId(context: TestContext): Promise<string> {
  const shop = await context.deps.db
    .selectFrom('shops')
    .select('id')
    .where('merchant_login', '=', DEMO.shop.merchantLogin)
    .executeTakeFirstOrThrow();
  return shop.id;
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

export async function countTransfers(context: TestContext, idempotencyKey: string): Promise<number> {
  const rows = await context.deps.db
    .selectFrom('ledger_transfers')
    .select('id')
    .where('idempotency_key', '=', idempotencyKey)
    .execute();
  return rows.length;
}
