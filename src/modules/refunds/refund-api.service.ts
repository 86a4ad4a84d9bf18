/**
 * Robokassa's Refund API (reference §5): a JWT names the operation by OpKey and is signed with the shop's
 * Password #3. Answers are Robokassa's: `success` with a `requestId`, or a `message` naming the problem.
 *
 * Messages (Robokassa documents only NotEnoughOperationFunds; the others are the names its clients know):
 * - BadRequest: the body is not a JWT (HS256/HS384/HS512, typ JWT) with a JSON payload that has a
 *   string OpKey, an optional RefundSum and optional InvoiceItems array.
 * - OperationNotFound: no paid operation has this OpKey.
 * - InvalidSignature: the HMAC does not match the shop's Password #3.
 * - InvalidRefundSum: RefundSum is not a positive amount with at most the currency's decimals.
 * - AlreadyRefunded: nothing is left to refund on the operation.
 * - NotEnoughOperationFunds: RefundSum is more than what is left to refund, or the shop's balance
 *   (pending + available) does not cover it.
 */
import type { Deps } from '../../deps.js';
import { AppError } from '../../platform/http/errors.js';
import { parseDecimalToMinor, type Currency } from '../../platform/money.js';
import { findShopById, readShopPasswords } from '../shops/index.js';
import { decodeJwt, verifyJwtSignature } from './refund-jwt.js';
import { refundPayment } from './refund.service.js';

export type RefundApiMessage =
  | 'BadRequest'
  | 'OperationNotFound'
  | 'InvalidSignature'
  | 'InvalidRefundSum'
  | 'AlreadyRefunded'
  | 'NotEnoughOperationFunds';

export type RefundApiAnswer =
  | { readonly success: true; readonly message: null; readonly requestId: string }
  | { readonly success: false; readonly message: RefundApiMessage; readonly requestId: null };

const refused = (message: RefundApiMessage): RefundApiAnswer => ({
  success: false,
  message,
  requestId: null,
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
    default:
      throw error;
  }
}

/** Create: decode, find the operation by OpKey, verify with its shop's Password #3, refund. */
export async function createRefundFromToken(deps: Deps, token: string | undefined): Promise<RefundApiAnswer> {
  const jwt = token === undefined ? undefined : decodeJwt(token);
  const payload = jwt ? readPayload(jwt.payload) : undefined;
  if (!jwt || !payload) return refused('BadRequest');
  const payment = await deps.db
    .selectFrom('payments')
    .select(['id', 'shop_id', 'currency'])
    .where('op_key', '=', payload.opKey)
    .where('status', '=', 'paid')
    .executeTakeFirst();
  const shop = payment ? await findShopById(deps.db, payment.shop_id) : undefined;
  if (!payment || !shop) return refused('OperationNotFound');
  if (!verifyJwtSignature(jwt, readShopPasswords(deps.config.masterKey, shop).password3))
    return refused('InvalidSignature');
  const amountMinor = parseRefundSum(payload, payment.currency);
  if (amountMinor === undefined) return refused('InvalidRefundSum');
  try {
    const refund = await refundPayment(deps, {
      paymentId: payment.id,
      ...(amountMinor !== null ? { amountMinor } : {}),
      source: 'refund_api',
      requestedBy: null,
      items: payload.items,
    });
    return { success: true, message: null, requestId: refund.requestId };
  } catch (error) {
    return toRefusal(error);
  }
}
