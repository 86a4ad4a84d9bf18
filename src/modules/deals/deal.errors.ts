/** Errors of safe deals, as the cabinet, the back-office and the JSON API see them. */
import { defineErrors } from '../../platform/http/errors.js';

export const dealErrors = defineErrors({
  dealNotFound: { status: 404, ru: 'Сделка не найдена.', en: 'Deal not found.' },
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  dealNotCancellable: {
    status: 409,
    ru: 'Эту сделку уже нельзя отменить: деньги переведены магазину или возвращены покупателю, либо сделка уже отменена.',
    en: 'This deal can no longer be cancelled: its money was released to the shop or returned to the buyer, or it is already cancelled.',
  },
  dealNotDisputed: {
    status: 409,
    ru: 'По этой сделке нет открытого спора.',
    en: 'This deal has no open dispute.',
  },
  shopTakesTestPaymentsOnly: {
    status: 409,
    ru: 'Магазин ещё не активирован: пока можно создать только тестовую сделку.',
    en: 'The shop is not activated yet: only a test deal can be created for now.',
  },
  sandboxTakesTestPaymentsOnly: {
    status: 409,
    ru: 'На этой установке нет настоящего эквайера: можно создать только тестовую сделку.',
    en: 'This installation has no real acquirer: only a test deal can be created.',
  },
});
