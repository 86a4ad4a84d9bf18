/**
 * Robokassa's payment-page error codes (reference §1.4). The payment page shows the number, so the
 * numbers are Robokassa's and must not change; the titles are ours, written for the buyer.
 */
import type { LocalizedText } from '../../platform/i18n.js';

export interface ProtocolError {
  readonly code: number;
  /** The request parameter at fault, when there is one. */
  readonly field?: string;
  /** What exactly is wrong; falls back to the code's title. */
  readonly detail: LocalizedText;
}

/** Named codes, for callers that decide the database-dependent ones (shop, signature, paid InvId). */
export const PAYMENT_PAGE_ERROR = {
  testNotConfigured: 23,
  shopNotActivated: 25,
  shopNotFound: 26,
  badSignature: 29,
  badParameter: 30,
  badAmount: 31,
  paymentTimeExpired: 33,
  recurringNotAllowed: 34,
  badRecurringParameters: 35,
  invIdAlreadyPaid: 40,
  operationStartFailed: 41,
  invoiceExpired: 51,
  invoiceAlreadyPaid: 52,
  invoiceNotFound: 53,
  holdNotAllowed: 64,
  badHoldParameters: 65,
  internalError: 500,
} as const;

const INTERNAL_ERROR: LocalizedText = {
  ru: 'Внутренняя ошибка сервиса. Попробуйте оплатить позже.',
  en: 'Internal service error. Please try to pay later.',
};

const INTERNAL_ERROR_CODES = [20, 21, 22, 24, 27, 28, 32, 36, 37, 43, 500] as const;

export const PAYMENT_PAGE_ERRORS: Readonly<Record<number, LocalizedText>> = {
  ...Object.fromEntries(INTERNAL_ERROR_CODES.map((code) => [code, INTERNAL_ERROR])),
  23: {
    ru: 'Тестовый платёж невозможен: у магазина не настроены тестовые параметры.',
    en: 'A test payment is not possible: the shop has no test settings.',
  },
  25: { ru: 'Магазин не активирован.', en: 'The shop is not activated.' },
  26: { ru: 'Магазин не найден.', en: 'Shop not found.' },
  29: {
    ru: 'Неверная подпись запроса (SignatureValue).',
    en: 'The request signature (SignatureValue) is wrong.',
  },
  30: { ru: 'Неверные параметры счёта.', en: 'Invalid invoice parameters.' },
  31: { ru: 'Неверная сумма платежа.', en: 'Invalid payment amount.' },
  33: { ru: 'Время на оплату истекло.', en: 'The time allowed for payment has expired.' },
  34: {
    ru: 'Периодические платежи для этого магазина не разрешены.',
    en: 'Recurring payments are not allowed for this shop.',
  },
  35: { ru: 'Неверные параметры периодического платежа.', en: 'Invalid recurring payment parameters.' },
  40: { ru: 'Счёт с этим номером уже оплачен.', en: 'An invoice with this number has already been paid.' },
  41: { ru: 'Не удалось начать операцию.', en: 'The operation could not be started.' },
  51: { ru: 'Срок действия счёта истёк.', en: 'The invoice has expired.' },
  52: { ru: 'Счёт уже оплачен.', en: 'The invoice has already been paid.' },
  53: { ru: 'Счёт не найден.', en: 'Invoice not found.' },
  64: {
    ru: 'Двухстадийная оплата (холдирование) для этого магазина не разрешена.',
    en: 'Two-stage payment (hold) is not allowed for this shop.',
  },
  65: { ru: 'Неверные параметры двухстадийной оплаты.', en: 'Invalid two-stage payment (hold) parameters.' },
};

/** The buyer-facing title of a code; an unknown code reads as an internal error. */
export function describePaymentPageError(code: number): LocalizedText {
  return PAYMENT_PAGE_ERRORS[code] ?? INTERNAL_ERROR;
}

export function protocolError(code: number, field?: string, detail?: LocalizedText): ProtocolError {
  const text = detail ?? describePaymentPageError(code);
  return field === undefined ? { code, detail: text } : { code, field, detail: text };
}
