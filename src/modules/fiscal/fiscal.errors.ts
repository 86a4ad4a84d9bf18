/** Errors of fiscal settings and receipts. */
import { defineErrors } from '../../platform/http/errors.js';

export const fiscalErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  receiptNotFound: { status: 404, ru: 'Чек не найден.', en: 'Receipt not found.' },
  receiptNotRetryable: {
    status: 409,
    ru: 'Чек нельзя отправить повторно: он в статусе «{status}» и уже обрабатывается или пробит.',
    en: 'The receipt cannot be sent again: it is "{status}", still in progress or already registered.',
  },
  fiscalisationOff: {
    status: 409,
    ru: 'Фискализация для магазина выключена: включите её в настройках, затем повторите.',
    en: 'Fiscalisation is switched off for the shop: switch it on in the settings, then retry.',
  },
});
