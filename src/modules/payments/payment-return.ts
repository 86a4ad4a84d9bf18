/**
 * Where the buyer goes back to: SuccessURL (signed with Password #1) or FailURL, from the shop's settings
 * or overridden per payment by SuccessUrl2/FailUrl2, with the method (GET or POST) that goes with it.
 */
import type { Deps } from '../../deps.js';
import type { PaymentRow, ShopsTable } from '../../schema.js';
import { buildFailRedirectFields, buildSuccessRedirectFields } from '../protocol/index.js';
import { findShopById, readShopPasswords } from '../shops/index.js';
import { quoteBuyerFee } from './buyer-fee.js';

export interface CheckoutPayment {
  readonly payment: PaymentRow;
  readonly shop: ShopsTable;
  /** The fee the buyer pays on top of the amount (shops.is_buyer_fee), or null when the shop pays it. */
  readonly buyerFeeMinor: bigint | null;
}

export async function loadCheckoutPayment(
  deps: Deps,
  paymentId: string,
): Promise<CheckoutPayment | undefined> {
  const payment = await deps.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .executeTakeFirst();
  if (!payment) return undefined;
  const shop = await findShopById(deps.db, payment.shop_id);
  if (!shop) return undefined;
  const buyerFeeMinor = await quoteBuyerFee(deps.db, deps, payment, shop);
  return { payment: toBuyerView(payment), shop, buyerFeeMinor };
}

/**
 * The payment as the buyer's pages see it. For the buyer a hold (StepByStep) is a finished payment: the
 * card was authorized and, as with Robokassa, the buyer goes on to SuccessURL; what the shop captures
 * later is between the shop and Kopek. A released hold cannot be paid again on this page. Only the
 * status changes, and only in this view: the card flow locks and reads the real row.
 */
function toBuyerView(payment: PaymentRow): PaymentRow {
  if (payment.status === 'held') return { ...payment, status: 'paid' };
  if (payment.status === 'released') return { ...payment, status: 'expired' };
  return payment;
}

export interface ReturnTarget {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly fields: readonly (readonly [string, string])[];
}

export function buildReturnTarget(
  deps: Deps,
  { payment, shop }: CheckoutPayment,
  outcome: 'success' | 'fail',
  culture: 'ru' | 'en',
): ReturnTarget | undefined {
  const common = {
    outSum: payment.out_sum_text,
    invId: String(payment.inv_id),
    culture,
    isTest: payment.is_test,
    shp: payment.shp,
  };
  if (outcome === 'success') {
    const url = payment.success_url2 ?? shop.success_url;
    if (!url) return undefined;
    const passwords = readShopPasswords(deps.config.masterKey, shop);
    const fields = buildSuccessRedirectFields({
      ...common,
      password1: payment.is_test ? passwords.testPassword1 : passwords.password1,
      algorithm: shop.hash_algorithm,
    });
    return { url, method: payment.success_url2_method ?? shop.success_method, fields };
  }
  const url = payment.fail_url2 ?? shop.fail_url;
  if (!url) return undefined;
  return {
    url,
    method: payment.fail_url2_method ?? shop.fail_method,
    fields: buildFailRedirectFields(common),
  };
}
