/** Errors of fiscal settings and receipts. */
import { defineErrors } from '../../platform/http/errors.js';

export const fiscalErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  receiptNotFound: { status: 404, ru: 'Чек не найден.', en: 'Receipt not found.' },
  receiptNotRegistered: {
    status: 409,
    ru: 'Чек ещё не пробит: QR-код появится, когда оператор фискальных данных примет чек.',
    en: 'The receipt is not registered yet: its QR code appears once it is registered.',
  },
  receiptNotRetryable: {
    status: 409,
    ru: 'Чек нельзя отправить повторно: он в статусе «{status}» и уже обрабатывается или пробит.',
    en: 'The receipt cannot be sent again: it is "{status}", still in progress or already registered.',
  },
  importFileInvalid: {
    status: 422,
    ru: 'Файл не загружен: ошибок в строках — {count}. Исправьте их и загрузите файл снова.',
    en: 'The file was not imported: {count} problems in its lines. Fix them and upload it again.',
  },
  fiscalisationOff: {
    status: 409,
    ru: 'Фискализация для магазина выключена: включите её в настройках, затем повторите.',
    en: 'Fiscalisation is switched off for the shop: switch it on in the settings, then retry.',
  },
});
