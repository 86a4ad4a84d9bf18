/** Texts of safe deals in Russian (the default) and English: the buyer's page, e-mails and statuses. */
import { formatText, type Language } from '../../platform/i18n.js';
import type { DealStatus } from './deal.tables.js';

const PAGE_TEXTS = {
  ru: {
    pageTitle: 'Безопасная сделка',
    seller: 'Продавец',
    description: 'Что покупаете',
    status: 'Статус',
    releaseAt: 'Деньги уйдут продавцу',
    moscowTime: 'по Москве',
    pay: 'Оплатить картой',
    payHint:
      'Деньги будут храниться у платёжной площадки и перейдут продавцу, когда вы подтвердите получение или истечёт срок сделки.',
    deadlineHint: 'Срок сделки: {days} дн. после оплаты.',
    confirm: 'Я получил(а) товар — перевести деньги продавцу',
    confirmHint: 'Подтверждайте, только когда товар или услуга действительно получены: отменить это нельзя.',
    disputeTitle: 'Что-то не так?',
    disputeLabel: 'Опишите проблему: что вы заказали и что произошло',
    disputeButton: 'Открыть спор',
    disputeHint:
      'Пока спор открыт, деньги никуда не уходят. Оператор площадки разберётся и решит, кому они достанутся.',
    disputeText: 'Ваше обращение',
    disputeTooShort: 'Опишите проблему хотя бы в 10 символах (не больше 2000).',
    wrongOrigin: 'Запрос пришёл не со страницы сделки. Откройте ссылку из письма ещё раз.',
    notFoundTitle: 'Сделка не найдена',
    notFound: 'Проверьте ссылку из письма: она могла скопироваться не полностью.',
    notPayable: 'Эту сделку оплатить нельзя: её статус — «{status}».',
    notConfirmable: 'Подтвердить получение можно только по оплаченной сделке без спора.',
    notDisputable: 'Открыть спор можно только по оплаченной сделке, пока деньги не ушли продавцу.',
    confirmed: 'Спасибо! Деньги переведены продавцу.',
    disputed: 'Спор открыт. Мы напишем вам, когда оператор примет решение.',
    test: 'Тестовая сделка: деньги не списываются.',
  },
  en: {
    pageTitle: 'Safe deal',
    seller: 'Seller',
    description: 'What you are buying',
    status: 'Status',
    releaseAt: 'The money goes to the seller on',
    moscowTime: 'Moscow time',
    pay: 'Pay by card',
    payHint:
      'The payment platform keeps the money and passes it to the seller when you confirm receipt or when the deal’s deadline passes.',
    deadlineHint: 'Deadline: {days} days after payment.',
    confirm: 'I have received it — release the money to the seller',
    confirmHint: 'Confirm only when the goods or service have really arrived: this cannot be undone.',
    disputeTitle: 'Something wrong?',
    disputeLabel: 'Describe the problem: what you ordered and what happened',
    disputeButton: 'Open a dispute',
    disputeHint:
      'While the dispute is open, the money stays where it is. The platform’s operator will look into it and decide who gets it.',
    disputeText: 'Your complaint',
    disputeTooShort: 'Describe the problem in at least 10 characters (at most 2000).',
    wrongOrigin: 'The request did not come from the deal’s page. Open the link from the e-mail again.',
    notFoundTitle: 'Deal not found',
    notFound: 'Check the link from the e-mail: it may not have been copied in full.',
    notPayable: 'This deal cannot be paid: its status is "{status}".',
    notConfirmable: 'Receipt can be confirmed only for a paid deal without a dispute.',
    notDisputable: 'A dispute can be opened only for a paid deal, before the money goes to the seller.',
    confirmed: 'Thank you! The money has been released to the seller.',
    disputed: 'The dispute is open. We will write to you when the operator decides.',
    test: 'Test deal: no money is taken.',
  },
} as const;

export type DealPageTextKey = keyof (typeof PAGE_TEXTS)['ru'];

export function dealPageTexts(language: Language) {
  const texts = PAGE_TEXTS[language];
  return (key: DealPageTextKey, values?: Record<string, string | number>) => formatText(texts[key], values);
}

export const DEAL_STATUS_TEXTS: Record<DealStatus, Record<Language, string>> = {
  created: { ru: 'Ожидает оплаты', en: 'Awaiting payment' },
  paid: { ru: 'Оплачена, деньги на хранении', en: 'Paid, money held in escrow' },
  disputed: { ru: 'Открыт спор', en: 'Dispute open' },
  released: { ru: 'Деньги переведены продавцу', en: 'Money released to the seller' },
  refunded: { ru: 'Деньги возвращены покупателю', en: 'Money returned to the buyer' },
  cancelled: { ru: 'Отменена', en: 'Cancelled' },
};

/** The buyer's e-mails: one per step the buyer should know of. */
export type BuyerMailKind = 'created' | 'paid' | 'released' | 'refunded' | 'cancelled';

const BUYER_MAILS: Record<BuyerMailKind, Record<Language, { subject: string; body: string }>> = {
  created: {
    ru: {
      subject: 'Безопасная сделка с магазином «{shopName}»',
      body: 'Магазин «{shopName}» предлагает вам безопасную сделку на {amount}: {description}.\nДеньги будут храниться у площадки и перейдут продавцу, когда вы подтвердите получение (или через {days} дн. после оплаты).\n\nОплатить и следить за сделкой: {url}\n\nНе пересылайте эту ссылку: по ней можно подтвердить получение.',
    },
    en: {
      subject: 'Safe deal with "{shopName}"',
      body: 'The shop "{shopName}" offers you a safe deal for {amount}: {description}.\nThe platform keeps the money and passes it to the seller when you confirm receipt (or {days} days after payment).\n\nPay and follow the deal: {url}\n\nDo not forward this link: it lets whoever holds it confirm receipt.',
    },
  },
  paid: {
    ru: {
      subject: 'Оплата сделки с магазином «{shopName}» на хранении',
      body: 'Вы оплатили {amount}. Деньги хранятся у площадки и перейдут магазину «{shopName}» {releaseAt} (по Москве), если вы не подтвердите получение раньше или не откроете спор.\n\nПодтвердить получение или открыть спор можно по ссылке из первого письма о сделке.',
    },
    en: {
      subject: 'Your payment for the deal with "{shopName}" is held',
      body: 'You paid {amount}. The platform holds the money; it goes to "{shopName}" on {releaseAt} (Moscow time) unless you confirm receipt earlier or open a dispute.\n\nTo confirm receipt or open a dispute, use the link from the first e-mail about the deal.',
    },
  },
  released: {
    ru: {
      subject: 'Сделка с магазином «{shopName}» завершена',
      body: 'Деньги по сделке ({amount}, {description}) переведены магазину «{shopName}».',
    },
    en: {
      subject: 'Your deal with "{shopName}" is complete',
      body: 'The money of the deal ({amount}, {description}) has been released to "{shopName}".',
    },
  },
  refunded: {
    ru: {
      subject: 'Деньги по сделке с магазином «{shopName}» возвращены',
      body: 'Мы вернули вам {amount} по сделке «{description}». Деньги поступят на карту в срок, который устанавливает ваш банк (обычно до 5 рабочих дней).',
    },
    en: {
      subject: 'Your money for the deal with "{shopName}" is returned',
      body: 'We have returned {amount} for the deal "{description}". Your bank credits the card in its usual time (typically up to 5 business days).',
    },
  },
  cancelled: {
    ru: {
      subject: 'Сделка с магазином «{shopName}» отменена',
      body: 'Магазин «{shopName}» отменил сделку «{description}» до оплаты. Платить ничего не нужно.',
    },
    en: {
      subject: 'The deal with "{shopName}" is cancelled',
      body: 'The shop "{shopName}" cancelled the deal "{description}" before it was paid. There is nothing to pay.',
    },
  },
};

export function buyerMailTexts(
  kind: BuyerMailKind,
  language: Language,
  values: Record<string, string | number>,
) {
  const texts = BUYER_MAILS[kind][language];
  return { subject: formatText(texts.subject, values), body: formatText(texts.body, values) };
}
