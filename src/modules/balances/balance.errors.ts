/** Errors of the cabinet's balance section. */
import { defineErrors } from '../../platform/http/errors.js';

export const balanceErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
});
