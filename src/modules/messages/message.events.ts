/**
 * The messages other modules' events become: their texts in both languages, their links and dedup keys,
 * so each caller adds one line in its own transaction. Test operations move no money and make no
 * messages. Each function posts through postMessage, which decides who gets mail.
 */
import type { Transaction } from 'kysely';
import { formatMoneyForPeople, type Currency } from '../../platform/money.js';
import type { Database, PaymentRow } from '../../schema.js';
import { canSeeCategory } from './message.categories.js';
import { listRecipients, postMessage, type MessageDeps, type PostedMessage } from './message.service.js';
import { withMessageTables } from './message.tables.js';

async function findShopName(trx: Transaction<Database>, shopId: string): Promise<string> {
  const shop = await trx.selectFrom('shops').select('name').where('id', '=', shopId).executeTakeFirst();
  return shop?.name ?? shopId;
}

const money = (amountMinor: bigint, currency: Currency) => ({
  ru: formatMoneyForPeople(amountMinor, currency, 'ru'),
  en: formatMoneyForPeople(amountMinor, currency, 'en'),
});

export interface PayoutOutcomeNotice {
  readonly payoutId: string;
  readonly accountId: string;
  readonly shopId: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly status: 'executed' | 'returned' | 'failed';
  /** The bank's reason for a returned payout. */
  readonly reason?: string;
}

/** A payout reached its final state: executed, returned by the bank, or never received by it. */
export async function notifyPayoutOutcome(
  trx: Transaction<Database>,
  deps: MessageDeps,
  notice: PayoutOutcomeNotice,
): Promise<PostedMessage | null> {
  const shop = await findShopName(trx, notice.shopId);
  const amount = money(notice.amountMinor, notice.currency);
  const reason = notice.reason?.trim() || '—';
  const texts = {
    executed: {
      title: { ru: `Выплата ${amount.ru} исполнена`, en: `Payout of ${amount.en} executed` },
      body: {
        ru: `Банк исполнил выплату ${amount.ru} по магазину «${shop}». Деньги поступят на расчётный счёт из ваших реквизитов.`,
        en: `The bank executed the payout of ${amount.en} for the shop "${shop}". The money goes to the settlement account in your bank details.`,
      },
    },
    returned: {
      title: { ru: `Выплата ${amount.ru} вернулась`, en: `Payout of ${amount.en} returned` },
      body: {
        ru: `Банк вернул выплату ${amount.ru} по магазину «${shop}». Причина: ${reason}\n\nДеньги снова доступны на балансе магазина. Проверьте банковские реквизиты и закажите выплату ещё раз.`,
        en: `The bank returned the payout of ${amount.en} for the shop "${shop}". Reason: ${reason}\n\nThe money is available on the shop's balance again. Check the bank details and order the payout again.`,
      },
    },
    failed: {
      title: { ru: `Выплата ${amount.ru} не прошла`, en: `Payout of ${amount.en} failed` },
      body: {
        ru: `Банк не получил выплату ${amount.ru} по магазину «${shop}». Деньги снова доступны на балансе магазина: выплату можно заказать ещё раз.`,
        en: `The bank never received the payout of ${amount.en} for the shop "${shop}". The money is available on the shop's balance again: you can order the payout again.`,
      },
    },
  }[notice.status];
  return postMessage(trx, deps, {
    accountId: notice.accountId,
    category: 'payouts',
    ...texts,
    link: '/cabinet/balance',
    dedupKey: `payout:${notice.payoutId}:${notice.status}`,
  });
}

export interface RefundNotice {
  readonly refundId: string;
  readonly payment: Pick<
    PaymentRow,
    'id' | 'account_id' | 'shop_id' | 'inv_id' | 'currency' | 'description' | 'is_test'
  >;
  readonly amountMinor: bigint;
  readonly remainingMinor: bigint;
}

/** A refund was made (from the cabinet, the Refund API or the JSON API). */
export async function notifyRefund(
  trx: Transaction<Database>,
  deps: MessageDeps,
  notice: RefundNotice,
): Promise<PostedMessage | null> {
  const { payment } = notice;
  if (payment.is_test) return null;
  const shop = await findShopName(trx, payment.shop_id);
  const amount = money(notice.amountMinor, payment.currency);
  const remaining = money(notice.remainingMinor, payment.currency);
  const invId = String(payment.inv_id);
  return postMessage(trx, deps, {
    accountId: payment.account_id,
    category: 'refunds',
    title: {
      ru: `Возврат ${amount.ru} по платежу №${invId}`,
      en: `Refund of ${amount.en} for payment #${invId}`,
    },
    body: {
      ru: `Покупателю возвращено ${amount.ru} по платежу №${invId} магазина «${shop}» (${payment.description}). Осталось вернуть: ${remaining.ru}.`,
      en: `${amount.en} was refunded to the buyer for payment #${invId} of the shop "${shop}" (${payment.description}). Left to refund: ${remaining.en}.`,
    },
    link: `/cabinet/operations/${payment.id}`,
    dedupKey: `refund:${notice.refundId}`,
  });
}

export type PaidPayment = Pick<
  PaymentRow,
  | 'id'
  | 'account_id'
  | 'shop_id'
  | 'inv_id'
  | 'amount_minor'
  | 'fee_minor'
  | 'currency'
  | 'description'
  | 'is_test'
>;

/**
 * "Each payment": a personal message (and mail) for every person who chose it. People with the daily
 * digest or no payment mail get nothing now, and nothing is stored for them: a busy shop's payments are
 * in Operations already. Call it in the transaction that marks the payment paid; a repeated call for the
 * same payment posts nothing (dedup key per payment and person). Returns how many messages were posted.
 */
export async function notifyPaymentPaid(
  trx: Transaction<Database>,
  deps: MessageDeps,
  payment: PaidPayment,
): Promise<number> {
  if (payment.is_test) return 0;
  const recipients = (await listRecipients(withMessageTables(trx), payment.account_id, 'payments')).filter(
    (recipient) => recipient.delivery === 'immediate' && canSeeCategory(recipient.role, 'payments'),
  );
  if (recipients.length === 0) return 0;
  const shop = await findShopName(trx, payment.shop_id);
  const amount = money(payment.amount_minor, payment.currency);
  const fee = money(payment.fee_minor, payment.currency);
  const invId = String(payment.inv_id);
  let posted = 0;
  for (const recipient of recipients) {
    const message = await postMessage(trx, deps, {
      accountId: payment.account_id,
      userId: recipient.id,
      category: 'payments',
      title: { ru: `Оплачен платёж №${invId} на ${amount.ru}`, en: `Payment #${invId} of ${amount.en} paid` },
      body: {
        ru: `Магазин «${shop}»: покупатель оплатил ${amount.ru} (${payment.description}). Комиссия: ${fee.ru}.`,
        en: `Shop "${shop}": the buyer paid ${amount.en} (${payment.description}). Fee: ${fee.en}.`,
      },
      link: `/cabinet/operations/${payment.id}`,
      dedupKey: `payment-paid:${payment.id}:${recipient.id}`,
    });
    if (message) posted += 1;
  }
  return posted;
}
