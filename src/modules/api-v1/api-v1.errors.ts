/** Errors of the JSON API v1 and of the cabinet's API keys. */
import { defineErrors } from '../../platform/http/errors.js';

export const apiV1Errors = defineErrors({
  invalidApiKey: {
    status: 401,
    ru: 'Неверный или отозванный API-ключ.',
    en: 'The API key is not valid or has been revoked.',
  },
  apiKeyNotFound: { status: 404, ru: 'API-ключ не найден.', en: 'API key not found.' },
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  paymentNotFound: { status: 404, ru: 'Платёж не найден.', en: 'Payment not found.' },
  payoutNotFound: { status: 404, ru: 'Выплата не найдена.', en: 'Payout not found.' },
  paymentLinkNotFound: { status: 404, ru: 'Ссылка на оплату не найдена.', en: 'Payment link not found.' },
  notAHold: {
    status: 409,
    ru: 'Этот платёж не двухстадийный (StepByStep): его нельзя подтвердить или отменить.',
    en: 'This payment is not a hold (StepByStep): it cannot be captured or cancelled.',
  },
  holdNotHeld: {
    status: 409,
    ru: 'Холд уже подтверждён или отменён.',
    en: 'The hold has already been captured or cancelled.',
  },
  holdExpired: {
    status: 409,
    ru: 'Срок холда истёк: сумму можно только отпустить.',
    en: 'The hold has expired: the amount can only be released.',
  },
  holdRefusedByAcquirer: {
    status: 409,
    ru: 'Банк-эквайер отказал: авторизации на карте больше нет.',
    en: 'The acquirer refused: the authorization on the card is gone.',
  },
  idempotencyKeyRequired: {
    status: 400,
    ru: 'Укажите заголовок Idempotency-Key (1–255 видимых символов ASCII).',
    en: 'Send an Idempotency-Key header (1-255 visible ASCII characters).',
  },
  idempotencyKeyReused: {
    status: 409,
    ru: 'Этот Idempotency-Key уже использован для другого запроса.',
    en: 'This Idempotency-Key was already used for a different request.',
  },
  rateLimited: {
    status: 429,
    ru: 'Слишком много запросов с этим API-ключом. Повторите через {seconds} с.',
    en: 'Too many requests with this API key. Retry in {seconds} s.',
  },
  idempotencyKeyInProgress: {
    status: 409,
    ru: 'Запрос с этим Idempotency-Key ещё выполняется; повторите позже.',
    en: 'A request with this Idempotency-Key is still in progress; retry later.',
  },
});
