/** Errors of the shops module. */
import { defineErrors } from '../../platform/http/errors.js';

export const shopErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  cannotSubmit: {
    status: 409,
    ru: 'На модерацию отправляется магазин в тестовом режиме или отклонённый; этот сейчас в статусе «{status}».',
    en: 'Only a shop in test mode or a rejected one can be sent for moderation; this one is "{status}".',
  },
  notInModeration: {
    status: 409,
    ru: 'Магазин не ожидает модерации (статус «{status}»).',
    en: 'The shop is not awaiting moderation (status "{status}").',
  },
});
