/**
 * Helpers for safe-deal tests: a merchant with an active shop, deals created through the cabinet, the
 * buyer's secret read from the e-mail Kopek queued for the buyer (the only place it is written), paying
 * on the hosted checkout, and the ledger figures the tests check.
 */
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import type { TestContext } from '../support/harness.js';
import { paymentIdFrom } from '../support/payments.js';
import { payWithCard } from '../invoices/invoice-support.js';

export interface CabinetDeal {
  readonly id: string;
  readonly status: string;
  readonly amount: string;
  readonly paymentId: string | null;
  readonly releaseAt: string | null;
  readonly resolution: string | null;
  readonly [field: string]: unknown;
}

let counter = 0;

/** A new buyer address per deal, so each deal's e-mail is found without doubt. */
export function nextBuyerEmail(): string {
  counter += 1;
  return `buyer${process.pid % 1000}-${counter}@example.ru`;
}

export async function createDealVia(
  browser: TestBrowser,
  shopId: string,
  overrides: Record<string, unknown> = {},
): Promise<CabinetDeal & { buyerEmail: string }> {
  const response = await browser.post('/api/cabinet/deals', {
    shopId,
    amount: '1490.00',
    description: 'Велосипед б/у',
    buyerEmail: nextBuyerEmail(),
    ...overrides,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as CabinetDeal & { buyerEmail: string };
}

/** The secret in the link mailed to the buyer at creation. */
export async function secretMailedTo(context: TestContext, buyerEmail: string): Promise<string> {
  const mail = await context.deps.db
    .selectFrom('mail_messages')
    .select(['text_body', 'kind'])
    .where('to_address', '=', buyerEmail)
    .where('kind', '=', 'deal.created')
    .executeTakeFirstOrThrow();
  const match = /\/deal\/([A-Za-z0-9_-]{43})/.exec(mail.text_body);
  if (!match?.[1]) throw new Error(`no deal link mailed to ${buyerEmail}`);
  return match[1];
}

export async function buyerPost(context: TestContext, path: string, form?: Record<string, string>) {
  return context.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ru' },
    payload: new URLSearchParams(form ?? {}).toString(),
  });
}

/** The buyer presses "pay" on the deal's page and pays with the approving card: the payment's id. */
export async function payDeal(context: TestContext, secret: string): Promise<string> {
  const started = await buyerPost(context, `/deal/${secret}/pay`);
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  await payWithCard(context, paymentId);
  return paymentId;
}

export async function readDeal(context: TestContext, dealId: string) {
  const result = await sql<{
    status: string;
    resolution: string | null;
    payment_id: string | null;
    release_at: Date | null;
  }>`select status, resolution, payment_id, release_at from deals where id = ${dealId}`.execute(
    context.deps.db,
  );
  const row = result.rows[0];
  if (!row) throw new Error(`no deal ${dealId}`);
  return row;
}

/** The sum of an account's entries (debit positive); a shop's money shows negated as "owed". */
export async function accountSum(context: TestContext, accountId: string): Promise<bigint> {
  const result = await sql<{ total: string }>`
    select coalesce(sum(amount_minor), 0)::text as total from ledger_entries where account_id = ${accountId}`.execute(
    context.deps.db,
  );
  return BigInt(result.rows[0]?.total ?? '0');
}

export const escrowAccount = 'platform:escrow:RUB';
export const shopPending = (shopId: string) => `shop:${shopId}:pending:RUB`;
export const shopAvailable = (shopId: string) => `shop:${shopId}:available:RUB`;

/** Every transfer sums to zero, and so does the whole ledger. */
export async function expectLedgerBalanced(context: TestContext): Promise<void> {
  const unbalanced = await sql<{ transfer_id: string }>`
    select transfer_id from ledger_entries group by transfer_id having sum(amount_minor) <> 0`.execute(
    context.deps.db,
  );
  expect(unbalanced.rows).toEqual([]);
  const total = await sql<{ total: string }>`
    select coalesce(sum(amount_minor), 0)::text as total from ledger_entries`.execute(context.deps.db);
  expect(total.rows[0]?.total).toBe('0');
}

export async function transfersOfDeal(context: TestContext, dealId: string): Promise<string[]> {
  const result = await sql<{ idempotency_key: string }>`
    select idempotency_key from ledger_transfers where reference = ${dealId} order by created_at, idempotency_key`.execute(
    context.deps.db,
  );
  return result.rows.map((row) => row.idempotency_key);
}

export async function paymentFee(context: TestContext, paymentId: string): Promise<bigint> {
  const row = await context.deps.db
    .selectFrom('payments')
    .select('fee_minor')
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  return row.fee_minor;
}
