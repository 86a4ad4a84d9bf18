/**
 * What a merchant's site must show before a shop passes moderation: the one list that the requirements
 * page, the operator's moderation checklist and the rejection message all use (the web app reads it from
 * GET /api/backoffice/site-requirements for the checklist).
 */
import type { LocalizedText } from '../../platform/i18n.js';

export const SITE_REQUIREMENTS = [
  {
    key: 'seller',
    text: {
      ru: 'Наименование продавца: название организации, ИП или ФИО самозанятого.',
      en: 'The seller’s name: the company, the sole proprietor or the self-employed person.',
    },
  },
  {
    key: 'ids',
    text: {
      ru: 'ИНН и ОГРН (ОГРНИП) — для России; БИН или ИИН — для Казахстана.',
      en: 'INN and OGRN (OGRNIP) for Russia; BIN or IIN for Kazakhstan.',
    },
  },
  {
    key: 'contacts',
    text: {
      ru: 'Контактный телефон и адрес электронной почты.',
      en: 'A contact phone number and e-mail address.',
    },
  },
  {
    key: 'hours',
    text: {
      ru: 'Режим работы: часы, в которые вы принимаете заказы и отвечаете покупателям.',
      en: 'Working hours: when you take orders and answer buyers.',
    },
  },
  {
    key: 'address',
    text: { ru: 'Фактический и юридический адрес.', en: 'The actual and the legal address.' },
  },
  {
    key: 'rules',
    text: {
      ru: 'Правила оформления заказа, оплаты, доставки и возврата товара или денег.',
      en: 'The rules of ordering, payment, delivery and returns of goods or money.',
    },
  },
  {
    key: 'goods',
    text: { ru: 'Описания товаров и услуг с ценами.', en: 'Descriptions of goods and services with prices.' },
  },
  {
    key: 'offer',
    text: {
      ru: 'Публичная оферта или договор, который покупатель принимает при оплате.',
      en: 'A public offer or contract that the buyer accepts by paying.',
    },
  },
  {
    key: 'privacy',
    text: {
      ru: 'Политика конфиденциальности: какие персональные данные вы собираете и как их используете.',
      en: 'A privacy policy: what personal data you collect and how you use it.',
    },
  },
  {
    key: 'https',
    text: { ru: 'Работа по HTTPS с действующим сертификатом.', en: 'HTTPS with a valid certificate.' },
  },
  {
    key: 'domain',
    text: {
      ru: 'Все страницы — на одном домене: каталог, корзина и оплата не уводят покупателя на чужие сайты.',
      en: 'All pages on one domain: the catalogue, the cart and the payment do not send the buyer to other sites.',
    },
  },
] as const satisfies readonly { key: string; text: LocalizedText }[];

export type SiteRequirementKey = (typeof SITE_REQUIREMENTS)[number]['key'];

export function isSiteRequirementKey(key: string): key is SiteRequirementKey {
  return SITE_REQUIREMENTS.some((requirement) => requirement.key === key);
}

/** The unmet requirements as a list for a rejection message, in the given language, in the page's order. */
export function listUnmetRequirements(keys: readonly string[], language: 'ru' | 'en'): string {
  return SITE_REQUIREMENTS.filter((requirement) => keys.includes(requirement.key))
    .map((requirement) => `— ${requirement.text[language]}`)
    .join('\n');
}
