/**
 * The buyer's e-mail with a registered receipt's fiscal data and the link to the check page, in the
 * payment's language (Culture; Russian by default). Enqueued by the 'fiscal.register' job in the same
 * transaction that records the receipt as done, so a rollback sends nothing and a commit never loses it;
 * `buyer_mailed_at` makes it once per receipt. No e-mail when the payment has no buyer's address.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { escapeHtml } from '../../platform/http/html.js';
import { formatText, type Language } from '../../platform/i18n.js';
import { enqueueMail } from '../../platform/mail.js';
import { formatMinor } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { buildCheckPageUrl } from './fiscal.qr.js';
import { withFiscalTablesInTransaction, type FiscalReceiptRow } from './fiscal.tables.js';

const TEXTS: Record<
  Language,
  { subject: string; sell: string; sellRefund: string; lines: string; link: string; qr: string }
> = {
  ru: {
    subject: 'Кассовый чек от магазина «{shopName}»',
    sell: 'Кассовый чек (приход) по вашей оплате в магазине «{shopName}».',
    sellRefund: 'Кассовый чек (возврат прихода) по возврату денег от магазина «{shopName}».',
    lines:
      'Сумма: {total} ₽\nДата и время: {datetime}\nФН: {fn}\nФД: {fd}\nФПД: {fp}\nСмена: {shift}, чек № {number}\nРН ККТ: {rn}\nНазначение: {description}',
    link: 'Проверить чек: {url}',
    qr: 'Данные QR-кода: {qr}',
  },
  en: {
    subject: 'Your receipt from "{shopName}"',
    sell: 'The fiscal receipt (sale) for your payment to "{shopName}".',
    sellRefund: 'The fiscal receipt (refund of a sale) for the money "{shopName}" returned to you.',
    lines:
      'Total: {total} RUB\nDate and time: {datetime}\nFN: {fn}\nFD: {fd}\nFPD: {fp}\nShift: {shift}, receipt no. {number}\nRegister (RN): {rn}\nFor: {description}',
    link: 'Check the receipt: {url}',
    qr: 'QR code data: {qr}',
  },
};

export interface FiscalMailValues {
  readonly shopName: string;
  readonly description: string;
  readonly receipt: FiscalReceiptRow;
}

/** Subject, text and HTML of the e-mail; pure. */
export function renderFiscalReceiptMail(
  language: Language,
  values: FiscalMailValues,
): { subject: string; text: string; html: string } {
  const texts = TEXTS[language];
  const { receipt } = values;
  const intro = formatText(receipt.kind === 'sell' ? texts.sell : texts.sellRefund, {
    shopName: values.shopName,
  });
  const lines = formatText(texts.lines, {
    total: formatMinor(receipt.fiscal_total_minor ?? receipt.total_minor, 'RUB'),
    datetime: receipt.receipt_datetime ?? '',
    fn: receipt.fn_number ?? '',
    fd: String(receipt.fiscal_document_number ?? ''),
    fp: String(receipt.fiscal_document_attribute ?? ''),
    shift: String(receipt.shift_number ?? ''),
    number: String(receipt.fiscal_receipt_number ?? ''),
    rn: receipt.ecr_registration_number ?? '',
    description: values.description,
  });
  const url = buildCheckPageUrl({ ofdReceiptUrl: receipt.ofd_receipt_url, fnsSite: receipt.fns_site });
  const link = url === null ? '' : formatText(texts.link, { url });
  const qr = formatText(texts.qr, { qr: receipt.qr ?? '' });
  const text = [intro, lines, link, qr, '— Kopek'].filter((part) => part !== '').join('\n\n');
  const linkHtml =
    url === null
      ? ''
      : `<p><a href="${escapeHtml(url)}">${escapeHtml(formatText(texts.link, { url: '' }).replace(/:\s*$/, ''))}</a></p>`;
  const html = `<!doctype html><html lang="${language}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${escapeHtml(intro)}</p><p>${escapeHtml(lines).replace(/\n/g, '<br>')}</p>${linkHtml}
<p style="color:#555">${escapeHtml(qr)}</p><p>— Kopek</p></body></html>`;
  return { subject: formatText(texts.subject, { shopName: values.shopName }), text, html };
}

/**
 * Enqueues the buyer's e-mail for a receipt just recorded as done, inside that transaction (the row is
 * locked by it). Nothing when already mailed or when the payment has no buyer's e-mail.
 */
export async function enqueueBuyerReceiptMail(
  trx: Transaction<Database>,
  deps: Pick<Deps, 'clock'>,
  receiptId: string,
): Promise<void> {
  const tables = withFiscalTablesInTransaction(trx);
  const receipt = await tables
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('id', '=', receiptId)
    .executeTakeFirst();
  if (!receipt || receipt.status !== 'done' || receipt.buyer_mailed_at !== null) return;
  const payment = await trx
    .selectFrom('payments')
    .innerJoin('shops', 'shops.id', 'payments.shop_id')
    .select(['payments.email', 'payments.culture', 'payments.description', 'shops.name as shop_name'])
    .where('payments.id', '=', receipt.payment_id)
    .executeTakeFirst();
  if (!payment?.email) return;
  const mail = renderFiscalReceiptMail(payment.culture ?? 'ru', {
    shopName: payment.shop_name,
    description: payment.description,
    receipt,
  });
  await enqueueMail(trx, deps.clock, {
    ...mail,
    to: payment.email,
    accountId: receipt.account_id,
    kind: 'fiscal_receipt',
  });
  await tables
    .updateTable('fiscal_receipts')
    .set({ buyer_mailed_at: deps.clock.now() })
    .where('id', '=', receipt.id)
    .execute();
}
