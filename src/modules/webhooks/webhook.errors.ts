/** Errors of webhook endpoints and deliveries, and the field problems of an endpoint's settings. */
import type { FieldProblem } from '../../platform/http/errors.js';
import { defineErrors } from '../../platform/http/errors.js';

export const webhookErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  webhookEndpointNotFound: {
    status: 404,
    ru: 'Адрес для вебхуков не найден.',
    en: 'Webhook endpoint not found.',
  },
  webhookDeliveryNotFound: {
    status: 404,
    ru: 'Отправка вебхука не найдена.',
    en: 'Webhook delivery not found.',
  },
  tooManyWebhookEndpoints: {
    status: 409,
    ru: 'У магазина уже {limit} адресов для вебхуков: удалите ненужный, прежде чем добавлять новый.',
    en: 'The shop already has {limit} webhook endpoints: delete one before adding another.',
  },
});

export const webhookFieldProblems = {
  invalidUrl: {
    code: 'invalid_url',
    text: {
      ru: 'Укажите полный адрес, начинающийся с https:// или http://.',
      en: 'Enter a full address starting with https:// or http://.',
    },
  },
  urlHasCredentials: {
    code: 'invalid_url',
    text: {
      ru: 'Адрес не должен содержать имя пользователя или пароль.',
      en: 'The address must not contain a user name or password.',
    },
  },
  privateUrl: {
    code: 'private_url',
    text: {
      ru: 'Адрес ведёт во внутреннюю сеть: Kopek отправляет вебхуки только на публичные адреса.',
      en: 'The address points into a private network: Kopek sends webhooks to public addresses only.',
    },
  },
  unknownEvent: {
    code: 'unknown_event',
    text: { ru: 'Неизвестный тип события: {event}.', en: 'Unknown event type: {event}.' },
  },
  noEvents: {
    code: 'required',
    text: { ru: 'Выберите хотя бы одно событие.', en: 'Choose at least one event.' },
  },
} satisfies Record<string, FieldProblem>;
