/**
 * What happens when money is received: the payment becomes paid and, in the same transaction, the
 * merchant's ResultURL notification (and ResultUrl2, when the payment asked for it) and the buyer's
 * e-mail are enqueued (transactional outbox). A confirmed hold ends here too (hold.records.ts).
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { LocalizedText } from '../../platform/i18n.js';
import { enqueueMail } from '../../platform/mail.js';
import { formatMinor } from '../../platform/money.js';
import type { Database, PaymentRow, ShopsTable } from '../../schema.js';
import { findFeeDiscountPercent } from '../accounts/index.js';
import { fundDealEscrow } from '../deals/index.js';
import { platformAccount, postTransfer, shopAccount, type TransferLeg } from '../ledger/index.js';
import {
  draftFromReceipt,
  enqueueFiscalReceipt,
  freeSaleDraft,
  type FiscalReceiptDraft,
} from '../fiscal/index.js';
import { notifyPaymentPaid as postPaymentPaidMessages } from '../messages/index.js';
import { enqueueNotification } from '../notifications/index.js';
import { buildResultNotificationFields, parseReceipt, receiptFromStoredJson } from '../protocol/index.js';
import { findShopById, readShopPasswords } from '../shops/index.js';
import { computeFee, findTariff, NO_FEE } from '../tariffs/index.js';
import { chargedAmountMinor } from './buyer-fee.js';
import { renderPaymentReceivedMail } from './payment.mail.js';
import { recordPaymentEvent } from './payment.events.js';
import { notifyResultUrl2 } from './result-url2.js';

export const BANK_CARD_METHOD = { paymentMethod: 'BankCard', incCurrLabel: 'BankCardPSR' } as const;

export interface Settlement {
  readonly opKey: string;
  /** The buyer's card or account, masked (OpStateExt's IncAccount). */
  readonly cardMask: string;
  readonly acquirerReference: string;
  /** The card network's retrieval reference; '' for methods that have none. */
  readonly rrn: string;
  /** The method that paid: the bank card unless said otherwise (method-attempt.service.ts). */
  readonly method?: { readonly paymentMethod: string; readonly incCurrLabel: string };
}

export async function markPaymentPaid(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  settlement: Settlement,
): Promise<void> {
  const now = deps.clock.now();
  // A buyer who paid the fee (buyer-fee.ts) paid exactly the tariff's fee of the gross: that is the fee.
  const method = settlement.method ?? BANK_CARD_METHOD;
  const feeMinor =
    payment.buyer_fee_minor ??
    (await computePaymentFee(trx, deps, payment, payment.amount_minor, method.paymentMethod));
  const paid = await trx
    .updateTable('payments')
    .set({
      status: 'paid',
      paid_at: now,
      updated_at: now,
      op_key: settlement.opKey,
      card_mask: settlement.cardMask,
      payment_method: method.paymentMethod,
      inc_curr_label: method.incCurrLabel,
      fee_minor: feeMinor,
    })
    .where('id', '=', payment.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordPaymentEvent(trx, deps.clock, payment.id, 'paid', {
    opKey: settlement.opKey,
    cardMask: settlement.cardMask,
    rrn: settlement.rrn,
    acquirerReference: settlement.acquirerReference,
  });
  // A safe deal's money waits in escrow (src/modules/deals), not in the shop's pending account.
  if (payment.is_escrow) await fundDealEscrow(trx, deps, paid);
  else if (!payment.is_test) await postPaymentTransfer(trx, deps, payment, feeMinor);
  await notifyPaymentPaid(trx, deps, paid);
}

/** The platform's fee for `amountMinor` of this payment: its shop's tariff, less a promo discount. */
export async function computePaymentFee(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  amountMinor: bigint,
  methodGroup: string = BANK_CARD_METHOD.paymentMethod,
): Promise<bigint> {
  // Test payments move no money: no fee, no ledger transfer.
  if (payment.is_test) return computeFee(NO_FEE, amountMinor, 0);
  const tariff = await findTariff(trx, payment.shop_id, methodGroup, deps.clock.now());
  const discountPercent = await findFeeDiscountPercent(trx, payment.account_id, deps.clock.now());
  return computeFee(tariff, amountMinor, discountPercent);
}

/**
 * Everything a paid payment causes besides its money, in the caller's transaction: the ResultURL
 * notification, the ResultUrl2 JWS ("OK") when the payment asked for one, and the buyer's e-mail.
 * `payment` is the row as it is now paid (amount, fee and OpKey final).
 */
export async function notifyPaymentPaid(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
): Promise<void> {
  const shop = await findShopById(trx, payment.shop_id);
  if (!shop) throw new Error(`payment ${payment.id} has no shop`);
  await notifyMerchant(trx, deps, shop, payment);
  await notifyResultUrl2(trx, deps, shop, payment, 'OK', chargedAmountMinor(payment));
  if (payment.email) await notifyBuyer(trx, deps, shop, payment);
  const saleReceipt = saleReceiptOf(payment);
  if (saleReceipt !== null)
    await enqueueFiscalReceipt(trx, deps.clock, {
      kind: 'sell',
      paymentId: payment.id,
      receipt: saleReceipt,
    });
  await postPaymentPaidMessages(trx, deps, payment);
}

/**
 * The fiscal receipt's lines: the merchant's Receipt as read and checked at the payment's start
 * (receipt_parsed), or a free-sale line; none with IsWithoutFreeSale=true (the merchant registers its
 * receipt itself). A Receipt kept only as text (a payment link's, or one started before receipts were
 * stored read) is read here; one that does not add up becomes a failed receipt with the reason
 * (visible and retryable in the cabinet), never a failed payment.
 */
function saleReceiptOf(payment: PaymentRow): FiscalReceiptDraft | LocalizedText | null {
  const buyer = { email: payment.email };
  const stored = receiptFromStoredJson(payment.receipt_parsed);
  if (stored) return draftFromReceipt(stored, buyer);
  if (payment.receipt) {
    const parsed = parseReceipt(payment.receipt, payment.amount_minor);
    if (parsed.ok) return draftFromReceipt(parsed.receipt, buyer);
    return {
      ru: parsed.problems.map((problem) => problem.detail.ru).join(' '),
      en: parsed.problems.map((problem) => problem.detail.en).join(' '),
    };
  }
  if (payment.is_without_free_sale) return null;
  return freeSaleDraft(payment.amount_minor, buyer);
}

/**
 * The money of a paid payment: the acquirer owes the platform what the buyer was charged (clearing,
 * debit); the shop is owed that less the fee (pending until settlement, credit); the fee is the
 * platform's revenue (credit). When the buyer paid the fee the charge is OutSum plus the fee, so the
 * shop is owed exactly OutSum. Keyed by the payment, so it can never be posted twice.
 */
async function postPaymentTransfer(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  feeMinor: bigint,
) {
  const chargedMinor = chargedAmountMinor(payment);
  const toShopMinor = chargedMinor - feeMinor;
  const legs: TransferLeg[] = [
    { account: platformAccount('acquirer_clearing', payment.currency), amountMinor: chargedMinor },
  ];
  if (toShopMinor > 0n)
    legs.push({
      account: shopAccount(payment.shop_id, 'pending', payment.currency),
      amountMinor: -toShopMinor,
    });
  if (feeMinor > 0n)
    legs.push({ account: platformAccount('fee_revenue', payment.currency), amountMinor: -feeMinor });
  await postTransfer(trx, deps.clock, {
    idempotencyKey: `payment:${payment.id}:paid`,
    kind: 'payment',
    reference: payment.id,
    currency: payment.currency,
    legs,
  });
}

async function notifyMerchant(
  trx: Transaction<Database>,
  deps: Deps,
  shop: ShopsTable,
  payment: PaymentRow,
): Promise<void> {
  if (!shop.result_url) {
    await recordPaymentEvent(trx, deps.clock, payment.id, 'result_url_not_configured');
    return;
  }
  const passwords = readShopPasswords(deps.config.masterKey, shop);
  const invId = String(payment.inv_id);
  const fields = buildResultNotificationFields({
    outSum: payment.out_sum_text,
    invId,
    // Robokassa's Fee is what the shop is charged (it receives OutSum − Fee): none of the buyer's share.
    fee: formatMinor(payment.fee_minor - (payment.buyer_fee_minor ?? 0n), payment.currency),
    email: payment.email ?? undefined,
    paymentMethod: payment.payment_method ?? BANK_CARD_METHOD.paymentMethod,
    incCurrLabel: payment.inc_curr_label ?? BANK_CARD_METHOD.incCurrLabel,
    isTest: payment.is_test,
    shp: payment.shp,
    password2: payment.is_test ? passwords.testPassword2 : passwords.password2,
    algorithm: shop.hash_algorithm,
  });
  await enqueueNotification(trx, deps.clock, {
    accountId: payment.account_id,
    subjectId: payment.id,
    kind: 'result_url',
    url: shop.result_url,
    method: shop.result_method,
    fields,
    expectedBody: `OK${invId}`,
  });
}

async function notifyBuyer(
  trx: Transaction<Database>,
  deps: Deps,
  shop: ShopsTable,
  payment: PaymentRow,
): Promise<void> {
  const mail = renderPaymentReceivedMail(payment.culture ?? 'ru', {
    shopName: shop.name,
    amount: formatMinor(chargedAmountMinor(payment), payment.currency),
    currency: payment.currency,
    description: payment.description,
    invId: String(payment.inv_id),
    isTest: payment.is_test,
  });
  await enqueueMail(trx, deps.clock, {
    ...mail,
    to: payment.email ?? '',
    accountId: payment.account_id,
    kind: 'payment_received',
  });
}
