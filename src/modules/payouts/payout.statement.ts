/** A payout's statement as plain text: amount, masked bank details and the status history, in Moscow time. */
import type { Language } from '../../platform/i18n.js';
import { formatMinor } from '../../platform/money.js';
import { maskAccount } from './bank-details.validation.js';
import { payoutBankDetails } from './payout.service.js';
import type { PayoutRow } from './payout.tables.js';

const LABELS = {
  ru: {
    title: 'Выписка по выплате',
    shop: 'Магазин',
    amount: 'Сумма',
    commission: 'Комиссия',
    status: 'Статус',
    recipient: 'Получатель',
    inn: 'ИНН',
    kpp: 'КПП',
    bik: 'БИК',
    account: 'Расчётный счёт',
    correspondent: 'Корр. счёт',
    reference: 'Номер в банке',
    history: 'История',
    created: 'создана',
    sent: 'отправлена в банк',
    executed: 'исполнена',
    returned: 'возвращена',
    failed: 'не дошла до банка, деньги возвращены на баланс',
    awaiting_approval: 'ждёт одобрения оператора',
    approved: 'одобрена оператором',
    rejected: 'отклонена оператором, деньги возвращены на баланс',
    exported: 'передана в банк платёжным поручением',
    origin: 'Основание',
    scheduled: 'выплата по расписанию, период {period}',
    ordered: 'заказана в кабинете',
    times: 'Время московское (UTC+3).',
  },
  en: {
    title: 'Payout statement',
    shop: 'Shop',
    amount: 'Amount',
    commission: 'Commission',
    status: 'Status',
    recipient: 'Recipient',
    inn: 'INN',
    kpp: 'KPP',
    bik: 'BIK',
    account: 'Settlement account',
    correspondent: 'Correspondent account',
    reference: 'Bank reference',
    history: 'History',
    created: 'created',
    sent: 'sent to the bank',
    executed: 'executed',
    returned: 'returned',
    failed: 'never reached the bank; the money went back to the balance',
    awaiting_approval: "awaiting the operator's approval",
    approved: 'approved by the operator',
    rejected: 'rejected by the operator; the money went back to the balance',
    exported: 'handed to the bank as a payment order',
    origin: 'Origin',
    scheduled: 'scheduled payout, period {period}',
    ordered: 'ordered in the cabinet',
    times: 'Times are Moscow time (UTC+3).',
  },
} as const;

/** Moscow is UTC+3 all year. */
function moscowTime(at: Date): string {
  return new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function buildPayoutStatement(payout: PayoutRow, shopName: string, language: Language): string {
  const text = LABELS[language];
  const details = payoutBankDetails(payout);
  const history: [Date | null, string][] = [
    [payout.created_at, payout.approval_required ? text.awaiting_approval : text.created],
    [payout.decided_at, payout.reject_reason ? `${text.rejected}: ${payout.reject_reason}` : text.approved],
    [payout.sent_at, payout.delivery === 'bank_file' ? text.exported : text.sent],
    [payout.executed_at, text.executed],
    [payout.returned_at, payout.return_reason ? `${text.returned}: ${payout.return_reason}` : text.returned],
    [payout.failed_at, text.failed],
  ];
  const origin = payout.schedule_period
    ? text.scheduled.replace('{period}', payout.schedule_period)
    : text.ordered;
  const lines = [
    `${text.title} ${payout.id}`,
    '',
    `${text.shop}: ${shopName}`,
    `${text.amount}: ${formatMinor(payout.amount_minor, payout.currency)} ${payout.currency}`,
    `${text.commission}: ${formatMinor(0n, payout.currency)} ${payout.currency}`,
    `${text.status}: ${text[payout.status]}`,
    `${text.origin}: ${origin}`,
    `${text.recipient}: ${details.recipientName}`,
    `${text.inn}: ${details.inn}`,
    ...(details.kpp ? [`${text.kpp}: ${details.kpp}`] : []),
    `${text.bik}: ${details.bik}`,
    `${text.account}: ${maskAccount(details.settlementAccount)}`,
    `${text.correspondent}: ${maskAccount(details.correspondentAccount)}`,
    ...(payout.provider_reference ? [`${text.reference}: ${payout.provider_reference}`] : []),
    '',
    `${text.history}:`,
    ...history
      .filter((entry): entry is [Date, string] => entry[0] !== null)
      .map(([at, what]) => `  ${moscowTime(at)}  ${what}`),
    '',
    text.times,
  ];
  return `${lines.join('\n')}\n`;
}
