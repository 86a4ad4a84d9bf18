/** Errors of the inbox and the e-mail subscriptions. */
import { defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const messageErrors = defineErrors({
  messageNotFound: { status: 404, ru: 'Сообщение не найдено.', en: 'Message not found.' },
  categoryNotFound: {
    status: 404,
    ru: 'Такой категории уведомлений нет.',
    en: 'There is no such notification category.',
  },
});

export const messageProblems = {
  invalidCursor: {
    code: 'invalid_cursor',
    text: {
      ru: 'Неверная ссылка на следующую страницу: начните список сначала.',
      en: 'The next-page reference is not valid: start the list again.',
    },
  },
  deliveryNotAllowed: {
    code: 'delivery_not_allowed',
    text: {
      ru: 'Для этой категории можно выбрать: {choices}.',
      en: 'For this category the choices are: {choices}.',
    },
  },
} satisfies Record<string, FieldProblem>;
