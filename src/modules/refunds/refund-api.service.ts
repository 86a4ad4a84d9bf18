/**
 * Robokassa's Refund API (reference §5): a JWT names the operation by OpKey and is signed with the shop's
 * Password #3. Answers are Robokassa's: `success` with a `requestId`, or a `message` naming the problem.
 *
 * Messages (Robokassa documents only NotEnoughOperationFunds; the others are the names its clients know):
 * - BadRequest: the body is not a JWT (HS256/HS384/HS512, typ JWT) with a JSON payload that has a
 *   string OpKey, an optional RefundSum and optional InvoiceItems array.
 * - OperationNotFound: no paid operation has this OpKey, OR the HMAC does not match its shop's Password #3.
 *   The two are one answer on purpose: the key is found through the operation, so telling them apart
 *   would let anyone with no password learn which OpKeys exist. Both take the same work (one query, one
 *   HMAC) and both count as a failed signature for the client's address (the log says which it was).
 * - TooManyRequests: the address sent too many failed tokens lately (platform/http/credential-failures);
 *   answered with Retry-After before the token is even decoded.
 * - InvalidRefundSum: RefundSum is not a positive amount with at most the currency's decimals.
 * - AlreadyRefunded: nothing is left to refund on the operation.
 * - NotEnoughOperationFunds: RefundSum is more than what is left to refund, or the shop's balance
 *   (pending + available) does not cover it.
 * - InvalidInvoiceItems (Kopek's own): InvoiceItems break the Receipt rules or do not add up to the
 *   refunded amount; `details` names the item and field. Checked after the signature.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { credentialFailureLimiter } from '../../platform/http/credential-failures.js';
import { AppError } from '../../platform/http/errors.js';
import { localize } from '../../platform/i18n.js';
import { parseDecimalToMinor, type Currency } from '../../platform/money.js';
import { parseReceiptItemList, type DecodedJwt } from '../protocol/index.js';
import { readShopPasswords } from '../shops/index.js';
import { decodeJwt, verifyJwtSignature } from './refund-jwt.js';
import { refundPayment } from './refund.service.js';

export type RefundApiMessage =
  | 'BadRequest'
  | 'OperationNotFound'
  | 'InvalidRefundSum'
  | 'AlreadyRefunded'
  | 'NotEnoughOperationFunds'
  | 'TooManyRequests'
  | 'InvalidInvoiceItems';

export type RefundApiAnswer =
  | { readonly success: true; readonly message: null; readonly requestId: string }
  | {
      readonly success: false;
      readonly message: RefundApiMessage;
      readonly requestId: null;
      /** InvalidInvoiceItems only: which item and field are wrong, in English. */
      readonly details?: string;
    };

/** The answer, and for TooManyRequests the seconds to wait (sent as Retry-After). */
export interface RefundApiResult {
  readonly answer: RefundApiAnswer;
  readonly retryAfterSeconds?: number;
  /** What the log records about a refusal, beyond the message the caller sees. */
  readonly reason?: string;
}

const refused = (message: RefundApiMessage): RefundApiAnswer => ({
  success: false,
  message,
  requestId: null,
});

const refusedItems = (details: string): RefundApiAnswer => ({
  success: false,
  message: 'InvalidInvoiceItems',
  requestId: null,
  details,
});

/** Robokassa's receipts have at most 100 items; a longer list is not a receipt. */
const MAX_INVOICE_ITEMS = 100;

interface RefundApiPayload {
  readonly opKey: string;
  /** RefundSum as decimal text (a JSON number is written back in its shortest exact form). */
  readonly refundSumText: string | undefined;
  readonly hasRefundSum: boolean;
  readonly items: unknown[] | undefined;
}

function readPayload(payload: Readonly<Record<string, unknown>>): RefundApiPayload | undefined {
  const { OpKey: opKey, RefundSum: refundSum, InvoiceItems: items } = payload;
  if (typeof opKey !== 'string' || opKey === '' || opKey.length > 200) return undefined;
  if (items !== undefined && items !== null && (!Array.isArray(items) || items.length > MAX_INVOICE_ITEMS))
    return undefined;
  const hasRefundSum = refundSum !== undefined && refundSum !== null;
  let refundSumText: string | undefined;
  // JSON.parse turned 5.50 into 5.5: String() gives back the shortest decimal that reads as the same
  // number, which is exact for any amount a person writes (and rejected below when it is not).
  if (typeof refundSum === 'number' && Number.isFinite(refundSum)) refundSumText = String(refundSum);
  else if (typeof refundSum === 'string') refundSumText = refundSum.trim();
  return { opKey, refundSumText, hasRefundSum, items: Array.isArray(items) ? items : undefined };
}

function parseRefundSum(payload: RefundApiPayload, currency: Currency): bigint | null | undefined {
  if (!payload.hasRefundSum) return null;
  if (payload.refundSumText === undefined) return undefined;
  const amountMinor = parseDecimalToMinor(payload.refundSumText, currency);
  return amountMinor === undefined || amountMinor <= 0n ? undefined : amountMinor;
}

function toRefusal(error: unknown): RefundApiAnswer {
  if (!(error instanceof AppError)) throw error;
  switch (error.code) {
    case 'refund_exceeds_payment':
      return refused(
        /^0(\.0*)?$/.test(String(error.details.remaining)) ? 'AlreadyRefunded' : 'NotEnoughOperationFunds',
      );
    case 'insufficient_shop_funds':
      return refused('NotEnoughOperationFunds');
    case 'operation_not_found':
    case 'payment_not_refundable':
      return refused('OperationNotFound');
    case 'validation_failed':
      return refused('InvalidRefundSum');
    case 'refund_items_mismatch':
      return refusedItems(localize(error.text, 'en', error.values));
    default:
      throw error;
  }
}

/**
 * Verifies against a password no shop has when the OpKey is unknown, so that an unknown operation costs
 * the same HMAC as a known one and the answer's timing tells nothing either.
 */
const UNKNOWN_OPERATION_KEY = 'kopek:no-such-operation';

type SignedOperation =
  | { readonly isSigned: true; readonly paymentId: string; readonly currency: Currency }
  | { readonly isSigned: false; readonly reason: 'unknown OpKey' | 'wrong signature' };

/** The paid operation with this OpKey, if the token is signed with its shop's Password #3. */
async function findSignedOperation(deps: Deps, jwt: DecodedJwt, opKey: string): Promise<SignedOperation> {
  const found = await deps.db
    .selectFrom('payments')
    .innerJoin('shops', 'shops.id', 'payments.shop_id')
    .selectAll('shops')
    .select(['payments.id as payment_id', 'payments.currency as payment_currency'])
    .where('payments.op_key', '=', opKey)
    .where('payments.status', '=', 'paid')
    .executeTakeFirst();
  const password3 = found ? readShopPasswords(deps.config.masterKey, found).password3 : undefined;
  const isSigned = verifyJwtSignature(jwt, password3 ?? UNKNOWN_OPERATION_KEY);
  if (!found) return { isSigned: false, reason: 'unknown OpKey' };
  if (!isSigned) return { isSigned: false, reason: 'wrong signature' };
  return { isSigned: true, paymentId: found.payment_id, currency: found.payment_currency };
}

/**
 * The refund's requestId is derived from the signed token (its signed text and the signature's bytes),
 * so the same token sent again (a retry after a lost answer, or a replay) finds the refund it made and
 * gets the same answer instead of refunding twice. A merchant who wants two refunds of the same sum
 * makes two different tokens (a `jti` claim, or different InvoiceItems).
 */
export function refundRequestIdOf(jwt: DecodedJwt): string {
  const digest = createHash('sha256')
    .update(`refund-api\n${jwt.signingInput}\n`)
    .update(jwt.signature)
    .digest('hex');
  // RFC 9562 version 8 (custom) with the variant bits set: a valid UUID for the uuid column.
  const variant = ((parseInt(digest.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-8${digest.slice(13, 16)}-${variant}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
}

/** Create: decode, find the operation by OpKey, verify with its shop's Password #3, refund (once per token). */
export async function createRefundFromToken(
  deps: Deps,
  token: string | undefined,
  ip: string,
): Promise<RefundApiResult> {
  const failures = credentialFailureLimiter(deps);
  const limited = failures.check(ip);
  if (limited.isRefused)
    return { answer: refused('TooManyRequests'), retryAfterSeconds: limited.retryAfterSeconds };
  const jwt = token === undefined ? undefined : decodeJwt(token);
  const payload = jwt ? readPayload(jwt.payload) : undefined;
  if (!jwt || !payload) return { answer: refused('BadRequest') };
  const operation = await findSignedOperation(deps, jwt, payload.opKey);
  if (!operation.isSigned) {
    const verdict = await failures.recordFailure(ip);
    if (verdict.isRefused)
      return { answer: refused('TooManyRequests'), retryAfterSeconds: verdict.retryAfterSeconds };
    return { answer: refused('OperationNotFound'), reason: operation.reason };
  }
  const amountMinor = parseRefundSum(payload, operation.currency);
  if (amountMinor === undefined) return { answer: refused('InvalidRefundSum') };
  // The refund receipt's items by the Receipt rules (their total is checked against the amount later).
  const receipt = payload.items === undefined ? undefined : parseReceiptItemList(payload.items, 'pascal');
  if (receipt && !receipt.ok) return { answer: refusedItems(receipt.message.en) };
  try {
    const refund = await refundPayment(deps, {
      paymentId: operation.paymentId,
      ...(amountMinor !== null ? { amountMinor } : {}),
      source: 'refund_api',
      requestedBy: null,
      items: payload.items,
      ...(receipt?.ok ? { receipt: receipt.receipt } : {}),
      requestId: refundRequestIdOf(jwt),
    });
    return { answer: { success: true, message: null, requestId: refund.requestId } };
  } catch (error) {
    return { answer: toRefusal(error) };
  }
}
