/** Texts of the messages module's e-mails and pages, in Russian and English. */
import type { Language, LocalizedText } from '../../platform/i18n.js';
import type { MessageCategory } from './message.categories.js';

export const CATEGORY_NAMES: Record<MessageCategory, LocalizedText> = {
  payments: { ru: 'Платежи', en: 'Payments' },
  refunds: { ru: 'Возвраты', en: 'Refunds' },
  payouts: { ru: 'Выплаты', en: 'Payouts' },
  documents: { ru: 'Документы', en: 'Documents' },
  payment_changes: { ru: 'Изменения в приёме платежей', en: 'Changes in payments' },
  news: { ru: 'Новости', en: 'News' },
  security: { ru: 'Безопасность', en: 'Security' },
  moderation: { ru: 'Модерация', en: 'Moderation' },
  support: { ru: 'Поддержка', en: 'Support' },
};

export interface MailTexts {
  readonly open: string;
  readonly openMessage: string;
  readonly why: string;
  readonly whyDigest: string;
  readonly unsubscribe: string;
  readonly settings: string;
  readonly alwaysOn: string;
}

export const MAIL_TEXTS: Record<Language, MailTexts> = {
  ru: {
    open: 'Открыть в кабинете',
    openMessage: 'Сообщение в кабинете',
    why: 'Вы получили это письмо, потому что подписаны на уведомления «{category}» в Kopek.',
    whyDigest: 'Вы получили это письмо, потому что выбрали ежедневную сводку по платежам в Kopek.',
    unsubscribe: 'Отписаться от этих писем',
    settings: 'Настроить уведомления',
    alwaysOn: 'Уведомления о безопасности приходят всегда: их нельзя отключить.',
  },
  en: {
    open: 'Open in the cabinet',
    openMessage: 'The message in the cabinet',
    why: 'You received this e-mail because you subscribed to "{category}" notifications at Kopek.',
    whyDigest: 'You received this e-mail because you chose the daily payment digest at Kopek.',
    unsubscribe: 'Unsubscribe from these e-mails',
    settings: 'Notification settings',
    alwaysOn: 'Security notices are always sent: they cannot be turned off.',
  },
};

export interface UnsubscribePageTexts {
  readonly title: string;
  readonly question: string;
  readonly button: string;
  readonly done: string;
  readonly doneText: string;
  readonly already: string;
  readonly invalidTitle: string;
  readonly invalidText: string;
  readonly settings: string;
}

export const UNSUBSCRIBE_TEXTS: Record<Language, UnsubscribePageTexts> = {
  ru: {
    title: 'Отписка от писем Kopek',
    question: 'Больше не присылать на {email} письма «{category}»?',
    button: 'Отписаться',
    done: 'Вы отписались',
    doneText: 'Письма «{category}» больше не будут приходить на {email}. Сообщения остаются в кабинете.',
    already: 'Письма «{category}» на {email} уже отключены.',
    invalidTitle: 'Ссылка недействительна',
    invalidText: 'Ссылка для отписки повреждена. Настройте уведомления в кабинете.',
    settings: 'Настройки уведомлений в кабинете',
  },
  en: {
    title: 'Unsubscribe from Kopek e-mails',
    question: 'Stop sending "{category}" e-mails to {email}?',
    button: 'Unsubscribe',
    done: 'You are unsubscribed',
    doneText: '"{category}" e-mails will no longer be sent to {email}. The messages stay in the cabinet.',
    already: '"{category}" e-mails to {email} are already off.',
    invalidTitle: 'The link is not valid',
    invalidText: 'This unsubscribe link is damaged. Change your notification settings in the cabinet.',
    settings: 'Notification settings in the cabinet',
  },
};
