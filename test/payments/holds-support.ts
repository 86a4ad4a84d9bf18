/**
 * Helpers for hold tests: StepByStep payment requests and Confirm / Cancel requests signed the way the
 * official SDK signs them (computed here independently of the code under test), the ledger netted per
 * payment and account, OpStateExt, and ResultUrl2 JWS verified against the published JWKS.
 */
import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { DEMO } from '../../src/seed.js';
import type { TestContext } from '../support/harness.js';
import { cardForm, paymentIdFrom, submitCard } from '../support/payments.js';

export const APPROVED_CARD = '4111 1111 1111 1111';
const LOGIN = DEMO.shop.merchantLogin;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export interface HoldOptions {
  readonly invId: string;
  readonly outSum: string;
  readonly resultUrl2?: string;
  readonly isTest?: boolean;
  /** false: an ordinary payment charged at once (for ResultUrl2 without a hold). */
  readonly isStepByStep?: boolean;
}

/** `MerchantLogin:OutSum:InvId:true[:ResultUrl2]:Password#1`, the URL encoded as the docs' examples sign it. */
export function holdInitUrl(options: HoldOptions): string {
  const password = options.isTest ? DEMO.shop.testPassword1 : DEMO.shop.password1;
  const isStepByStep = options.isStepByStep ?? true;
  const signed = [LOGIN, options.outSum, options.invId, ...(isStepByStep ? ['true'] : [])];
  if (options.resultUrl2) signed.push(encodeURIComponent(options.resultUrl2));
  const query = new URLSearchParams({
    MerchantLogin: LOGIN,
    OutSum: options.outSum,
    InvId: options.invId,
    Description: 'Бронь номера',
    ...(isStepByStep ? { StepByStep: 'true' } : {}),
    ...(options.resultUrl2 ? { ResultUrl2: options.resultUrl2 } : {}),
    ...(options.isTest ? { IsTest: '1' } : {}),
    SignatureValue: md5([...signed, password].join(':')),
  });
  return `/Merchant/Index.aspx?${query.toString()}`;
}

/** The buyer pays a StepByStep request with the approving sandbox card: the payment is held. */
export async function takeHold(context: TestContext, options: HoldOptions): Promise<string> {
  const started = await context.app.inject({ method: 'GET', url: holdInitUrl(options) });
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  const paid = await submitCard(context.app, paymentId, cardForm(APPROVED_CARD));
  expect(paid.statusCode, paid.body.slice(0, 300)).toBe(303);
  expect((await paymentRow(context, paymentId)).status).toBe('held');
  return paymentId;
}

export async function paymentRow(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
}

export async function holdRow(context: TestContext, paymentId: string) {
  const result = await sql<{
    status: string;
    amount_minor: bigint;
    capture_amount_minor: bigint | null;
    release_reason: string | null;
    expires_at: Date;
  }>`select * from payment_holds where payment_id = ${paymentId}`.execute(context.deps.db);
  const row = result.rows[0];
  if (!row) throw new Error(`no hold for ${paymentId}`);
  return row;
}

/** Confirm as the official SDK signs it: `MerchantLogin:OutSum:InvoiceID[:Receipt]:Password#1`. */
export function confirmFields(
  invId: string,
  outSum: string,
  options: { password?: string; receipt?: string } = {},
): Record<string, string> {
  const password = options.password ?? DEMO.shop.password1;
  const signed = [LOGIN, outSum, invId, ...(options.receipt ? [options.receipt] : []), password];
  return {
    MerchantLogin: LOGIN,
    InvoiceID: invId,
    OutSum: outSum,
    ...(options.receipt ? { Receipt: options.receipt } : {}),
    SignatureValue: md5(signed.join(':')),
  };
}

/** Cancel: `MerchantLogin::InvoiceID:Password#1`, the OutSum slot empty. */
export function cancelFields(invId: string, options: { password?: string } = {}): Record<string, string> {
  const password = options.password ?? DEMO.shop.password1;
  return { MerchantLogin: LOGIN, InvoiceID: invId, SignatureValue: md5(`${LOGIN}::${invId}:${password}`) };
}

/** POSTs the form and returns the body; every answer must be HTTP 200 JSON. */
export async function holdAction(
  context: TestContext,
  action: 'Confirm' | 'Cancel',
  fields: Record<string, string>,
): Promise<string> {
  const response = await context.app.inject({
    method: 'POST',
    url: `/Merchant/Payment/${action}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return response.body;
}

export const SUCCESS = '"success: true"';
export const FAILURE = '"success: false"';

/** The payment's ledger entries summed per account (debit positive); an account netting to zero stays listed. */
export async function netByAccount(context: TestContext, paymentId: string): Promise<Record<string, bigint>> {
  const rows = await context.deps.db
    .selectFrom('ledger_entries')
    .innerJoin('ledger_transfers', 'ledger_transfers.id', 'ledger_entries.transfer_id')
    .select(['ledger_entries.account_id', 'ledger_entries.amount_minor'])
    .where('ledger_transfers.reference', '=', paymentId)
    .execute();
  const net: Record<string, bigint> = {};
  for (const row of rows) net[row.account_id] = (net[row.account_id] ?? 0n) + row.amount_minor;
  return net;
}

export async function transferKeys(context: TestContext, paymentId: string): Promise<string[]> {
  const rows = await context.deps.db
    .selectFrom('ledger_transfers')
    .select('idempotency_key')
    .where('reference', '=', paymentId)
    // Transfers of one test share a clock reading: their entries' serial ids tell the order.
    .orderBy(sql`(select min(e.id) from ledger_entries e where e.transfer_id = ledger_transfers.id)`)
    .execute();
  return rows.map((row) => row.idempotency_key);
}

/** Transfers whose entries do not sum to zero (there must be none). */
export async function unbalancedTransfers(context: TestContext): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from (
      select transfer_id from ledger_entries group by transfer_id, currency having sum(amount_minor) <> 0
    ) as unbalanced`.execute(context.deps.db);
  return result.rows[0]?.n ?? -1;
}

export async function opStateCode(
  context: TestContext,
  invId: string,
  password: string = DEMO.shop.password2,
) {
  const fields = new URLSearchParams({
    MerchantLogin: LOGIN,
    InvoiceID: invId,
    Signature: md5(`${LOGIN}:${invId}:${password}`),
  });
  const response = await context.app.inject({
    method: 'GET',
    url: `/Merchant/WebService/Service.asmx/OpStateExt?${fields.toString()}`,
  });
  return {
    code: /<State>\s*<Code>(\d+)<\/Code>/.exec(response.body)?.[1],
    incSum: /<IncSum>([^<]*)<\/IncSum>/.exec(response.body)?.[1],
    opKey: /<OpKey>([^<]*)<\/OpKey>/.exec(response.body)?.[1],
  };
}

/** Verifies a JWS with the key set Kopek publishes; returns the header and the payload. */
export async function verifyWithPublishedKeys(context: TestContext, jws: string) {
  const response = await context.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  expect(response.statusCode).toBe(200);
  const keySet = response.json() as JSONWebKeySet;
  const verified = await compactVerify(jws, createLocalJWKSet(keySet));
  return {
    header: verified.protectedHeader,
    payload: JSON.parse(new TextDecoder().decode(verified.payload)) as {
      header: { type: string; version: string; timestamp: string };
      data: Record<string, string>;
    },
    keySet,
  };
}
