/** Errors of payment links, as the cabinet sees them (the Invoice API answers in Robokassa's shape). */
import { defineErrors } from '../../platform/http/errors.js';

export const invoiceErrors = defineErrors({
  invoiceNotFound: { status: 404, ru: 'Ссылка на оплату не найдена.', en: 'Payment link not found.' },
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  invIdTaken: {
    status: 409,
    ru: 'Номер счёта {invId} уже занят другой ссылкой или платежом этого магазина.',
    en: 'Invoice number {invId} is already used by another link or payment of this shop.',
  },
  shopTakesTestPaymentsOnly: {
    status: 409,
    ru: 'Магазин ещё не активирован: пока можно создать только тестовую ссылку.',
    en: 'The shop is not activated yet: only a test link can be created for now.',
  },
  sandboxTakesTestPaymentsOnly: {
    status: 409,
    ru: 'На этой установке нет настоящего эквайера: можно создать только тестовую ссылку.',
    en: 'This installation has no real acquirer: only a test link can be created.',
  },
});
