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
import { platformAccount, postTransfer, shopAccount, type TransferLeg } from '../ledger/index.js';
import { draftFromRobokassaReceipt, enqueueFiscalReceipt, type FiscalReceiptDraft } from '../fiscal/index.js';
import { notifyPaymentPaid as postPaymentPaidMessages } from '../messages/index.js';
import { enqueueNotification } from '../notifications/index.js';
import { buildResultNotificationFields, formatReceiptJson, parseReceipt } from '../protocol/index.js';
import { findShopById, readShopPasswords } from '../shops/index.js';
import { computeFee, findTariff, NO_FEE } from '../tariffs/index.js';
import { renderPaymentReceivedMail } from './payment.mail.js';
import { recordPaymentEvent } from './payment.events.js';
import { notifyResultUrl2 } from './result-url2.js';

export const BANK_CARD_METHOD = { paymentMethod: 'BankCard', incCurrLabel: 'BankCardPSR' } as const;

export interface Settlement {
  readonly opKey: string;
  readonly cardMask: string;
  readonly acquirerReference: string;
  readonly rrn: string;
}

export async function markPaymentPaid(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  settlement: Settlement,
): Promise<void> {
  const now = deps.clock.now();
  const feeMinor = await computePaymentFee(trx, deps, payment, payment.amount_minor);
  const paid = await trx
    .updateTable('payments')
    .set({
      status: 'paid',
      paid_at: now,
      updated_at: now,
      op_key: settlement.opKey,
      card_mask: settlement.cardMask,
      payment_method: BANK_CARD_METHOD.paymentMethod,
      inc_curr_label: BANK_CARD_METHOD.incCurrLabel,
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
  if (!payment.is_test) await postPaymentTransfer(trx, deps, payment, feeMinor);
  await notifyPaymentPaid(trx, deps, paid);
}

/** The platform's fee for `amountMinor` of this payment: its shop's tariff, less a promo discount. */
export async function computePaymentFee(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  amountMinor: bigint,
): Promise<bigint> {
  // Test payments move no money: no fee, no ledger transfer.
  if (payment.is_test) return computeFee(NO_FEE, amountMinor, 0);
  const tariff = await findTariff(trx, payment.shop_id, BANK_CARD_METHOD.paymentMethod);
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
  await notifyResultUrl2(trx, deps, shop, payment, 'OK', payment.amount_minor);
  if (payment.email) await notifyBuyer(trx, deps, shop, payment);
  await enqueueFiscalReceipt(trx, deps.clock, {
    kind: 'sell',
    paymentId: payment.id,
    receipt: saleReceiptOf(payment),
  });
  await postPaymentPaidMessages(trx, deps, payment);
}

/**
 * The fiscal receipt's lines: the merchant's Receipt, read by the protocol's exact parser, or one
 * free-sale line. A Receipt that does not add up to the paid amount becomes a failed receipt with the
 * reason (visible and retryable in the cabinet), never a failed payment.
 */
function saleReceiptOf(payment: PaymentRow): FiscalReceiptDraft | LocalizedText {
  const fallback = {
    description: payment.description,
    amountMinor: payment.amount_minor,
    email: payment.email,
  };
  if (!payment.receipt) return draftFromRobokassaReceipt(null, fallback);
  const parsed = parseReceipt(payment.receipt, payment.amount_minor);
  if (!parsed.ok) {
    return {
      ru: parsed.problems.map((problem) => problem.detail.ru).join(' '),
      en: parsed.problems.map((problem) => problem.detail.en).join(' '),
    };
  }
  return draftFromRobokassaReceipt(formatReceiptJson(parsed.receipt), fallback);
}

/**
 * The money of a paid payment: the acquirer owes the platform the whole amount (clearing, debit); the
 * shop is owed the amount less the fee (pending until settlement, credit); the fee is the platform's
 * revenue (credit). Keyed by the payment, so it can never be posted twice.
 */
async function postPaymentTransfer(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  feeMinor: bigint,
) {
  const toShopMinor = payment.amount_minor - feeMinor;
  const legs: TransferLeg[] = [
    { account: platformAccount('acquirer_clearing', payment.currency), amountMinor: payment.amount_minor },
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
    fee: formatMinor(payment.fee_minor, payment.currency),
    email: payment.email ?? undefined,
    paymentMethod: BANK_CARD_METHOD.paymentMethod,
    incCurrLabel: BANK_CARD_METHOD.incCurrLabel,
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
    amount: formatMinor(payment.amount_minor, payment.currency),
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
