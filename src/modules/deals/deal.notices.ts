/**
 * What a deal's step tells whom, inside the step's transaction (transactional outbox): the shop's
 * webhook event (`deal.<step>`), the merchant's message (src/modules/messages) and the buyer's e-mail.
 * Test deals raise webhook events (so an integration can be tried) but no messages.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { LocalizedText } from '../../platform/i18n.js';
import { escapeHtml } from '../../platform/http/html.js';
import { enqueueMail } from '../../platform/mail.js';
import { formatMoneyForPeople } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { postMessage, type MessageCategory } from '../messages/index.js';
import { enqueueShopWebhookEvent } from '../webhooks/index.js';
import type { DealRow } from './deal.tables.js';
import { buyerMailTexts, type BuyerMailKind } from './deal.texts.js';
import { toDealView } from './deal.views.js';

export type DealStep = 'paid' | 'disputed' | 'released' | 'refunded' | 'cancelled';

function formatMoscowTime(moment: Date, language: 'ru' | 'en'): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Moscow',
  }).format(moment);
}

async function findShopName(trx: Transaction<Database>, shopId: string): Promise<string> {
  const shop = await trx
    .selectFrom('shops')
    .select('name')
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow();
  return shop.name;
}

function merchantMessage(deal: DealRow, step: DealStep, shopName: string) {
  const amount = {
    ru: formatMoneyForPeople(deal.amount_minor, deal.currency, 'ru'),
    en: formatMoneyForPeople(deal.amount_minor, deal.currency, 'en'),
  };
  const subject = { ru: `«${deal.description}» (${shopName})`, en: `"${deal.description}" (${shopName})` };
  const notices: Record<Exclude<DealStep, 'cancelled'>, [MessageCategory, LocalizedText, LocalizedText]> = {
    paid: [
      'payments',
      { ru: `Сделка на ${amount.ru} оплачена`, en: `Deal for ${amount.en} paid` },
      {
        ru: `Покупатель оплатил сделку ${subject.ru}. Деньги хранятся у площадки и перейдут вам, когда покупатель подтвердит получение, или ${formatMoscowTime(deal.release_at ?? deal.created_at, 'ru')} (по Москве).`,
        en: `The buyer paid the deal ${subject.en}. The platform holds the money; it comes to you when the buyer confirms receipt, or on ${formatMoscowTime(deal.release_at ?? deal.created_at, 'en')} (Moscow time).`,
      },
    ],
    disputed: [
      'payments',
      {
        ru: `Покупатель открыл спор по сделке на ${amount.ru}`,
        en: `The buyer opened a dispute on a deal for ${amount.en}`,
      },
      {
        ru: `По сделке ${subject.ru} открыт спор. Деньги останутся у площадки, пока оператор не решит его.\n\nПокупатель пишет: ${deal.dispute_text ?? ''}`,
        en: `A dispute was opened on the deal ${subject.en}. The money stays with the platform until an operator decides.\n\nThe buyer writes: ${deal.dispute_text ?? ''}`,
      },
    ],
    released: [
      'payments',
      { ru: `Деньги по сделке на ${amount.ru} ваши`, en: `The deal's ${amount.en} is yours` },
      {
        ru: `Деньги по сделке ${subject.ru} переведены на баланс магазина (за вычетом комиссии) и станут доступны к выводу в обычный срок.`,
        en: `The money of the deal ${subject.en} was credited to the shop's balance (less the fee) and becomes available for payout in the usual time.`,
      },
    ],
    refunded: [
      'refunds',
      {
        ru: `Деньги по сделке на ${amount.ru} возвращены покупателю`,
        en: `The deal's ${amount.en} was returned to the buyer`,
      },
      {
        ru: `Деньги по сделке ${subject.ru} возвращены покупателю. Комиссия не удерживается.`,
        en: `The money of the deal ${subject.en} was returned to the buyer. No fee is charged.`,
      },
    ],
  };
  return step === 'cancelled' ? undefined : notices[step];
}

function buyerMailKind(step: DealStep): BuyerMailKind | undefined {
  return step === 'disputed' ? undefined : step;
}

async function mailBuyer(
  trx: Transaction<Database>,
  deps: Deps,
  deal: DealRow,
  kind: BuyerMailKind,
  values: Record<string, string | number>,
) {
  const mail = buyerMailTexts(kind, deal.language, values);
  const test = deal.is_test
    ? deal.language === 'ru'
      ? '\n\nТестовая сделка: деньги не списываются.'
      : '\n\nTest deal: no money is taken.'
    : '';
  const text = `${mail.body}${test}\n\n— Kopek`;
  const html = `<!doctype html><html lang="${deal.language}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${escapeHtml(mail.body + test).replace(/\n/g, '<br>')}</p><p>— Kopek</p></body></html>`;
  await enqueueMail(trx, deps.clock, {
    to: deal.buyer_email,
    subject: mail.subject,
    text,
    html,
    accountId: deal.account_id,
    kind: `deal.${kind}`,
  });
}

function mailValues(deal: DealRow, shopName: string, extra: Record<string, string | number> = {}) {
  return {
    shopName,
    amount: formatMoneyForPeople(deal.amount_minor, deal.currency, deal.language),
    description: deal.description,
    days: deal.deadline_days,
    releaseAt: deal.release_at ? formatMoscowTime(deal.release_at, deal.language) : '',
    url: '',
    ...extra,
  };
}

/** The buyer's first e-mail, the only place the link (with its secret) is ever written. */
export async function mailBuyerLink(trx: Transaction<Database>, deps: Deps, deal: DealRow, url: string) {
  const shopName = await findShopName(trx, deal.shop_id);
  await mailBuyer(trx, deps, deal, 'created', mailValues(deal, shopName, { url }));
}

/** Everything the step tells: call it after the deal row has its new status. */
export async function announceDealStep(
  trx: Transaction<Database>,
  deps: Deps,
  deal: DealRow,
  step: DealStep,
) {
  await enqueueShopWebhookEvent(trx, deps.clock, {
    shopId: deal.shop_id,
    accountId: deal.account_id,
    type: `deal.${step}`,
    subjectId: deal.id,
    isTest: deal.is_test,
    data: { deal: toDealView(deal) },
  });
  const shopName = await findShopName(trx, deal.shop_id);
  const message = merchantMessage(deal, step, shopName);
  if (message && !deal.is_test) {
    const [category, title, body] = message;
    await postMessage(trx, deps, {
      accountId: deal.account_id,
      category,
      title,
      body,
      link: `/cabinet/deals/${deal.id}`,
      dedupKey: `deal:${deal.id}:${step}`,
    });
  }
  const kind = buyerMailKind(step);
  if (kind) await mailBuyer(trx, deps, deal, kind, mailValues(deal, shopName));
}
