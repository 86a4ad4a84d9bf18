/**
 * The buyer's share of the fee when the shop lets the buyer pay it (shops.is_buyer_fee, migration 0020).
 * The buyer is charged amount_minor + buyer_fee_minor; the shop keeps exactly amount_minor (its OutSum);
 * the fee is the tariff's rule applied once to that gross (tariffs/buyer-fee.ts).
 *
 * Holds and safe deals are left out: a hold's final amount is known only at its capture (the shop may
 * capture less), and a deal's money goes to escrow, so for both the shop pays the fee as before.
 * The fee is fixed when the card attempt opens (the amount sent to the acquirer) and kept on the
 * payment; until then the checkout shows a quote computed by the same function.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import type { Database, PaymentRow, ShopsTable } from '../../schema.js';
import { findFeeDiscountPercent } from '../accounts/index.js';
import { computeBuyerCharge, findTariff } from '../tariffs/index.js';

/** The method group whose tariff applies unless another method is named (payment-completion.ts). */
const CARD_METHOD_GROUP = 'BankCard';

type FeePayment = Pick<
  PaymentRow,
  'shop_id' | 'account_id' | 'amount_minor' | 'is_step_by_step' | 'is_escrow' | 'buyer_fee_minor' | 'status'
>;

export function takesBuyerFee(payment: FeePayment, shop: Pick<ShopsTable, 'is_buyer_fee'>): boolean {
  return shop.is_buyer_fee && !payment.is_step_by_step && !payment.is_escrow;
}

/** What the buyer is charged: the merchant's amount plus the buyer's share of the fee, if any. */
export function chargedAmountMinor(payment: Pick<PaymentRow, 'amount_minor' | 'buyer_fee_minor'>): bigint {
  return payment.amount_minor + (payment.buyer_fee_minor ?? 0n);
}

/**
 * The buyer's fee for this payment now, or null when the shop pays the fee. Test payments are quoted
 * too, so a merchant trying the setting in test mode sees what buyers will see.
 */
export async function computeBuyerFee(
  db: Kysely<Database>,
  deps: Pick<Deps, 'clock'>,
  payment: FeePayment,
  shop: Pick<ShopsTable, 'is_buyer_fee'>,
  methodGroup: string = CARD_METHOD_GROUP,
): Promise<bigint | null> {
  if (!takesBuyerFee(payment, shop)) return null;
  const tariff = await findTariff(db, payment.shop_id, methodGroup, deps.clock.now());
  const discountPercent = await findFeeDiscountPercent(db, payment.account_id, deps.clock.now());
  const charge = computeBuyerCharge(tariff, payment.amount_minor, discountPercent);
  // A tariff that leaves the shop nothing (100%) cannot be passed on to the buyer: the shop pays it.
  return charge ? charge.feeMinor : null;
}

/** Statuses in which the amount sent to the acquirer is settled: the stored fee is the one that counts. */
const CHARGE_FIXED_STATUSES: readonly PaymentRow['status'][] = ['processing', 'awaiting_3ds', 'paid'];

/** The buyer's fee as the checkout shows it: the fixed one once a card attempt opened, else a quote. */
export async function quoteBuyerFee(
  db: Kysely<Database>,
  deps: Pick<Deps, 'clock'>,
  payment: FeePayment,
  shop: Pick<ShopsTable, 'is_buyer_fee'>,
  methodGroup: string = CARD_METHOD_GROUP,
): Promise<bigint | null> {
  if (CHARGE_FIXED_STATUSES.includes(payment.status)) return payment.buyer_fee_minor;
  return computeBuyerFee(db, deps, payment, shop, methodGroup);
}
