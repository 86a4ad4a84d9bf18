/** Texts of the buyer's payment-link page, in Russian and English. */
import type { Language, LocalizedText } from '../../platform/i18n.js';

/** What exactly is wrong with a link, shown under the code's title on the error page. */
export const INVOICE_REFUSAL_DETAILS = {
  notFound: {
    ru: 'Ссылка на оплату не найдена. Проверьте адрес или попросите магазин прислать ссылку ещё раз.',
    en: 'The payment link was not found. Check the address or ask the shop to send the link again.',
  },
  paid: {
    ru: 'По этой ссылке уже заплатили. Повторная оплата невозможна.',
    en: 'This link has already been paid. It cannot be paid again.',
  },
  expired: {
    ru: 'Срок действия ссылки на оплату истёк. Попросите магазин прислать новую ссылку.',
    en: 'The payment link has expired. Ask the shop for a new link.',
  },
  deactivated: {
    ru: 'Магазин отключил эту ссылку на оплату. Попросите магазин прислать новую ссылку.',
    en: 'The shop has switched this payment link off. Ask the shop for a new link.',
  },
  invIdTaken: {
    ru: 'Номер счёта этой ссылки уже занят другим платежом магазина. Обратитесь в магазин.',
    en: 'The invoice number of this link is already used by another payment of the shop. Contact the shop.',
  },
} as const satisfies Record<string, LocalizedText>;

const RU = {
  pageTitle: 'Оплата по ссылке',
  payTo: 'Оплата в магазине',
  description: 'Назначение',
  invoice: 'Счёт №',
  validUntil: 'Ссылка действует до',
  moscowTime: 'МСК',
  proceed: 'Перейти к оплате',
  proceedHint: 'Откроется страница оплаты банковской картой.',
} as const;

type InvoiceTextKey = keyof typeof RU;

const EN: Record<InvoiceTextKey, string> = {
  pageTitle: 'Payment by link',
  payTo: 'Payment to',
  description: 'For',
  invoice: 'Invoice #',
  validUntil: 'The link is valid until',
  moscowTime: 'Moscow time',
  proceed: 'Proceed to payment',
  proceedHint: 'The bank card payment page will open.',
};

const TEXTS: Record<Language, Record<InvoiceTextKey, string>> = { ru: RU, en: EN };

export function invoiceTextsFor(language: Language) {
  return (key: InvoiceTextKey) => TEXTS[language][key];
}
