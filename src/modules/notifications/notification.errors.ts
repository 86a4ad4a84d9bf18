/** Errors of the notifications module. */
import { defineErrors } from '../../platform/http/errors.js';

export const notificationErrors = defineErrors({
  notificationNotFound: { status: 404, ru: 'Уведомление не найдено.', en: 'Notification not found.' },
});
