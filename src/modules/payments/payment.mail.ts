/** The buyer's e-mail about a successful payment, in the payment's language. */
import { formatText, type Language } from '../../platform/i18n.js';
import { escapeHtml } from '../../platform/http/html.js';

const TEXTS: Record<Language, { subject: string; body: string; test: string }> = {
  ru: {
    subject: 'Оплата в магазине «{shopName}» прошла',
    body: 'Вы оплатили {amount} {currency} в магазине «{shopName}».\nНазначение: {description}\nНомер счёта: {invId}',
    test: 'Это тестовый платёж: деньги не списывались.',
  },
  en: {
    subject: 'Your payment to "{shopName}" went through',
    body: 'You paid {amount} {currency} to "{shopName}".\nFor: {description}\nInvoice number: {invId}',
    test: 'This was a test payment: no money was taken.',
  },
};

export function renderPaymentReceivedMail(
  language: Language,
  values: {
    shopName: string;
    amount: string;
    currency: string;
    description: string;
    invId: string;
    isTest: boolean;
  },
): { subject: string; text: string; html: string } {
  const texts = TEXTS[language];
  const body = formatText(texts.body, { ...values, isTest: '' }) + (values.isTest ? `\n\n${texts.test}` : '');
  const text = `${body}\n\n— Kopek`;
  const html = `<!doctype html><html lang="${language}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${escapeHtml(body).replace(/\n/g, '<br>')}</p><p>— Kopek</p></body></html>`;
  return { subject: formatText(texts.subject, { shopName: values.shopName }), text, html };
}
