/**
 * Helpers for refund tests: a merchant with its own active shop (so every test starts from known
 * balances), payments made the way buyers make them (Robokassa's request, the sandbox card), the ledger
 * read back, and Refund API tokens signed independently of the code under test.
 */
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { hashHex } from '../../src/modules/protocol/index.js';
import { readShopPasswords, type ShopPasswords } from '../../src/modules/shops/index.js';
import type { TestBrowser } from '../support/client.js';
import { createShopVia } from '../support/flows.js';
import type { TestContext } from '../support/harness.js';
import { cardForm, paymentIdFrom, submitCard } from '../support/payments.js';

export const APPROVED_CARD = '4111 1111 1111 1111';

export interface LiveShop {
  readonly id: string;
  readonly merchantLogin: string;
  readonly passwords: ShopPasswords;
}

let invIds = 5000;

/** A shop of the merchant signed in to `browser`, created through the cabinet and activated (as moderation would). */
export async function openLiveShop(context: TestContext, browser: TestBrowser): Promise<LiveShop> {
  const view = await createShopVia(browser);
  await context.deps.db.updateTable('shops').set({ status: 'active' }).where('id', '=', view.id).execute();
  const row = await context.deps.db
    .selectFrom('shops')
    .selectAll()
    .where('id', '=', view.id)
    .executeTakeFirstOrThrow();
  return {
    id: view.id,
    merchantLogin: view.merchantLogin,
    passwords: readShopPasswords(context.deps.config.masterKey, row),
  };
}

export interface PaidPayment {
  readonly id: string;
  readonly opKey: string;
  readonly amountMinor: bigint;
  readonly feeMinor: bigint;
}

/** The shop's site asks for a payment of `outSum` (signed with Password #1, or test Password #1). */
export async function startPayment(
  context: TestContext,
  shop: LiveShop,
  outSum: string,
  options: { isTest?: boolean } = {},
): Promise<string> {
  invIds += 1;
  const invId = String(invIds);
  const password = options.isTest ? shop.passwords.testPassword1 : shop.passwords.password1;
  const query = new URLSearchParams({
    MerchantLogin: shop.merchantLogin,
    OutSum: outSum,
    InvId: invId,
    Description: 'Заказ для возврата',
    SignatureValue: hashHex('MD5', [shop.merchantLogin, outSum, invId, password].join(':')),
    ...(options.isTest ? { IsTest: '1' } : {}),
  });
  const started = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${query}` });
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  return paymentIdFrom(started.headers.location as string);
}

/** A buyer pays `outSum` in the shop with the sandbox's approving card. */
export async function pay(
  context: TestContext,
  shop: LiveShop,
  outSum: string,
  options: { isTest?: boolean } = {},
): Promise<PaidPayment> {
  const id = await startPayment(context, shop, outSum, options);
  const paid = await submitCard(context.app, id, cardForm(APPROVED_CARD));
  expect(paid.statusCode, paid.body.slice(0, 300)).toBeLessThan(400);
  const row = await context.deps.db
    .selectFrom('payments')
    .select(['status', 'op_key', 'amount_minor', 'fee_minor'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe('paid');
  return { id, opKey: row.op_key ?? '', amountMinor: row.amount_minor, feeMinor: row.fee_minor };
}

/** Every entry ever posted, summed: zero while every transfer balances. */
export async function ledgerTotal(context: TestContext): Promise<bigint> {
  const result = await sql<{ total: string }>`
    select coalesce(sum(amount_minor), 0)::text as total from ledger_entries`.execute(context.deps.db);
  return BigInt(result.rows[0]?.total ?? 'NaN');
}

/** Transfers whose entries do not sum to zero (there must be none). */
export async function unbalancedTransfers(context: TestContext): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from (
      select transfer_id from ledger_entries group by transfer_id, currency having sum(amount_minor) <> 0
    ) as unbalanced`.execute(context.deps.db);
  return result.rows[0]?.n ?? -1;
}

export async function refundRows(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('refunds')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function refundTransfers(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('ledger_transfers')
    .innerJoin('ledger_entries', 'ledger_entries.transfer_id', 'ledger_transfers.id')
    .select(['ledger_transfers.idempotency_key', 'ledger_entries.account_id', 'ledger_entries.amount_minor'])
    .where('ledger_transfers.reference', '=', paymentId)
    .where('ledger_transfers.kind', '=', 'refund')
    .orderBy('ledger_entries.id')
    .execute();
}

type Algorithm = 'HS256' | 'HS384' | 'HS512';
const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A Refund API token, built the way Robokassa's documentation describes it (compact JSON, HMAC). */
export function signRefundToken(
  payload: unknown,
  key: string,
  algorithm: Algorithm = 'HS256',
  header: Record<string, unknown> = { alg: algorithm, typ: 'JWT' },
): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac(HASH[algorithm], key).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
