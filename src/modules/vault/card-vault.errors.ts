/** Errors of the card vault. None of them ever carries a card number. */
import { defineErrors } from '../../platform/http/errors.js';

export const vaultErrors = defineErrors({
  cardNotFound: { status: 404, ru: 'Карта не найдена.', en: 'Card not found.' },
  cardUnreadable: {
    status: 500,
    ru: 'Не удалось прочитать данные карты.',
    en: 'The card data could not be read.',
  },
});
