/** Errors of the cabinet's operations (payments as the merchant sees them). */
import { defineErrors } from '../../platform/http/errors.js';

export const operationErrors = defineErrors({
  operationNotFound: { status: 404, ru: 'Операция не найдена.', en: 'Operation not found.' },
});
