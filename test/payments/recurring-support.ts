/**
 * Helpers for recurring and saved-card tests: requests signed the way merchants' code signs them
 * (MD5 computed here, independently of the code under test), a paid Recurring=true parent, the child
 * charge form, and the rows a charge leaves behind.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { DEMO } from '../../src/seed.js';
import type { TestContext } from '../support/harness.js';
import { cardForm, paymentIdFrom, submitCard } from '../support/payments.js';

export const APPROVED_CARD = '4111 1111 1111 1111';
export const CHALLENGE_CARD = '5555 5555 5555 4444';

export interface ShopKeys {
  readonly merchantLogin: string;
  readonly password1: string;
  readonly password2: string;
}

export const DEMO_KEYS: ShopKeys = {
  merchantLogin: DEMO.shop.merchantLogin,
  password1: DEMO.shop.password1,
  password2: DEMO.shop.password2,
};

export const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export interface SignedFields {
  readonly outSum: string;
  /** '' leaves the slot empty (Kopek assigns a number). */
  readonly invId: string;
  /** Modifier values as the merchant signs them, in the documented order (Receipt, ResultUrl2, Token). */
  readonly signed?: readonly string[];
  /** Fields sent besides MerchantLogin, OutSum, InvId/InvoiceID, Description and SignatureValue. */
  readonly fields?: Record<string, string>;
  readonly shp?: Record<string, string>;
  readonly password?: string;
  /** 'InvId' for the payment request, 'InvoiceID' for /Merchant/Recurring. */
  readonly invIdName?: 'InvId' | 'InvoiceID';
}

/** `MerchantLogin:OutSum:InvId[:modifiers]:Password#1[:Shp_…]` with Shp sorted ordinally. */
export function signedFields(shop: ShopKeys, options: SignedFields): URLSearchParams {
  const shp = Object.entries(options.shp ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const base = [
    shop.merchantLogin,
    options.outSum,
    options.invId,
    ...(options.signed ?? []),
    options.password ?? shop.password1,
    ...shp.map(([name, value]) => `${name}=${value}`),
  ].join(':');
  return new URLSearchParams({
    MerchantLogin: shop.merchantLogin,
    OutSum: options.outSum,
    ...(options.invId ? { [options.invIdName ?? 'InvId']: options.invId } : {}),
    Description: 'Подписка',
    ...options.fields,
    ...Object.fromEntries(shp),
    SignatureValue: md5(base),
  });
}

export async function paymentRow(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
}

/** The buyer pays a payment request (Recurring=true unless told otherwise) with the approving card. */
export async function payParent(
  context: TestContext,
  options: { invId: string; outSum?: string; shop?: ShopKeys; isRecurring?: boolean; card?: string },
): Promise<{ paymentId: string; opKey: string }> {
  const fields = signedFields(options.shop ?? DEMO_KEYS, {
    outSum: options.outSum ?? '300.00',
    invId: options.invId,
    fields: options.isRecurring === false ? {} : { Recurring: 'true' },
  });
  const started = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${fields}` });
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  const paid = await submitCard(context.app, paymentId, cardForm(options.card ?? APPROVED_CARD));
  expect(paid.statusCode, paid.body.slice(0, 300)).toBe(303);
  const row = await paymentRow(context, paymentId);
  expect(row.status).toBe('paid');
  return { paymentId, opKey: row.op_key ?? '' };
}

/** A child charge's form: `MerchantLogin:OutSum:InvoiceID[:Receipt][:ResultUrl2]:Password#1[:Shp…]`. */
export function recurringForm(
  options: Omit<SignedFields, 'invIdName' | 'invId'> & {
    invoiceId: string;
    previousInvoiceId: string;
    shop?: ShopKeys;
  },
): string {
  const fields = signedFields(options.shop ?? DEMO_KEYS, {
    ...options,
    invId: options.invoiceId,
    invIdName: 'InvoiceID',
  });
  fields.set('PreviousInvoiceID', options.previousInvoiceId);
  return fields.toString();
}

export async function postRecurring(context: TestContext, body: string) {
  return context.app.inject({
    method: 'POST',
    url: '/Merchant/Recurring',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: body,
  });
}

export async function paymentByInvId(context: TestContext, shopId: string, invId: string) {
  return context.deps.db
    .selectFrom('payments')
    .selectAll()
    .where('shop_id', '=', shopId)
    .where('inv_id', '=', BigInt(invId))
    .where('is_test', '=', false)
    .executeTakeFirst();
}

export async function attemptsOf(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('card_attempts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .execute();
}

export async function savedCardsOf(context: TestContext, paymentId: string) {
  return context.deps.db
    .withTables<{ saved_cards: { payment_id: string; shop_id: string; card_token: string } }>()
    .selectFrom('saved_cards')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .execute();
}

export async function transferKeysOf(context: TestContext, paymentId: string): Promise<string[]> {
  const rows = await context.deps.db
    .selectFrom('ledger_transfers')
    .select('idempotency_key')
    .where('reference', '=', paymentId)
    .execute();
  return rows.map((row) => row.idempotency_key);
}
