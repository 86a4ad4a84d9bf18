/**
 * Helpers for payment-link tests: a merchant's own active shop, Invoice API tokens signed independently
 * of the code under test (HMAC over header.payload, key MerchantLogin:Password #1, as reference §8 and
 * Robokassa's PHP SDK build them), calls in each transport, and paying on the hosted checkout.
 */
import { createHmac } from 'node:crypto';
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

const HMAC_NAMES: Record<string, string> = {
  MD5: 'md5',
  RIPEMD160: 'ripemd160',
  SHA1: 'sha1',
  HS1: 'sha1',
  SHA256: 'sha256',
  HS256: 'sha256',
  SHA384: 'sha384',
  HS384: 'sha384',
  SHA512: 'sha512',
  HS512: 'sha512',
};

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * An Invoice API token. `hashName` signs when the header names no algorithm (the shop's own is meant).
 */
export function signInvoiceToken(
  payload: unknown,
  key: string,
  header: Record<string, unknown> = { typ: 'JWT', alg: 'MD5' },
  hashName = HMAC_NAMES[String(header.alg).toUpperCase()] ?? 'md5',
): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac(hashName, key).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

export function shopKey(shop: LiveShop, password = shop.passwords.password1): string {
  return `${shop.merchantLogin}:${password}`;
}

export type Transport = 'json-string' | 'text/plain' | 'application/jwt';

export type InvoiceMethod = 'CreateInvoice' | 'DeactivateInvoice' | 'GetInvoiceInformationList';

export async function callInvoiceApi(
  context: TestContext,
  method: InvoiceMethod,
  token: string,
  transport: Transport = 'json-string',
) {
  const response = await context.app.inject({
    method: 'POST',
    url: `/InvoiceServiceWebApi/api/${method}`,
    headers: { 'content-type': transport === 'json-string' ? 'application/json' : transport },
    payload: transport === 'json-string' ? JSON.stringify(token) : token,
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return response;
}

export interface CreatedInvoice {
  readonly id: string;
  readonly invId: number | null;
  readonly url: string;
  readonly isSuccess: true;
}

/** CreateInvoice for the shop, signed with Password #1 (MD5); asserts success. */
export async function createInvoiceViaApi(
  context: TestContext,
  shop: LiveShop,
  fields: Record<string, unknown> = {},
): Promise<CreatedInvoice> {
  const payload = {
    MerchantLogin: shop.merchantLogin,
    InvoiceType: 'OneTime',
    OutSum: 150.5,
    Description: 'Консультация',
    ...fields,
  };
  const response = await callInvoiceApi(context, 'CreateInvoice', signInvoiceToken(payload, shopKey(shop)));
  const answer = response.json() as CreatedInvoice;
  expect(answer, response.body).toMatchObject({ isSuccess: true });
  return answer;
}

/** The link's path on Kopek's host (the url's last segments). */
export function linkPath(url: string): string {
  return new URL(url).pathname;
}

/** The buyer presses "Proceed to payment" on the link's page: the payment it was sent to. */
export async function startLinkPayment(context: TestContext, url: string): Promise<string> {
  const response = await context.app.inject({ method: 'POST', url: linkPath(url) });
  expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
  return paymentIdFrom(response.headers.location as string);
}

/** Pays the payment with the sandbox's approving card; asserts it is paid. */
export async function payWithCard(context: TestContext, paymentId: string): Promise<void> {
  const paid = await submitCard(context.app, paymentId, cardForm(APPROVED_CARD));
  expect(paid.statusCode, paid.body.slice(0, 300)).toBeLessThan(400);
  const row = await context.deps.db
    .selectFrom('payments')
    .select('status')
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe('paid');
}

/** The shop's site takes a payment through Index.aspx (signed with Password #1) and the buyer pays it. */
export async function payThroughIndex(context: TestContext, shop: LiveShop, outSum: string, invId: string) {
  const query = new URLSearchParams({
    MerchantLogin: shop.merchantLogin,
    OutSum: outSum,
    InvId: invId,
    Description: 'Заказ на сайте',
    SignatureValue: hashHex('MD5', [shop.merchantLogin, outSum, invId, shop.passwords.password1].join(':')),
  });
  const started = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${query}` });
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  await payWithCard(context, paymentId);
  return paymentId;
}

/** The Robokassa error code an error page shows ("Код ошибки Robokassa: 52"). */
export function pageErrorCode(body: string): number | undefined {
  const match = /(?:Код ошибки Robokassa|Robokassa error code): (\d+)/.exec(body);
  return match?.[1] ? Number(match[1]) : undefined;
}
