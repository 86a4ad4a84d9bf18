/**
 * The page a payment link opens: `/merchant/Invoice/<EncodedId>`, the path of Robokassa's links on
 * Kopek's host. GET shows what the link asks to pay (or Robokassa's error page: 51, 52, 53); only the
 * buyer's POST starts a payment, so a messenger fetching a link preview never creates one. The payment
 * then runs on the hosted checkout (`/Merchant/Index/<id>`) like any other.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import { requestLanguage } from '../../platform/http/request.js';
import { isLanguage, type Language } from '../../platform/i18n.js';
import { formatMoneyForPeople } from '../../platform/money.js';
import { errorContent, renderError, renderPage, sendPage } from '../checkout/index.js';
import type { ProtocolError } from '../protocol/index.js';
import { openInvoice, payInvoice, type InvoiceOffer } from './invoice-pay.service.js';
import { invoiceTextsFor } from './invoice.texts.js';

const INVOICE_PATHS = ['/merchant/Invoice/:encodedId', '/Merchant/Invoice/:encodedId'] as const;

function invoicePath(encodedId: string): string {
  return `/merchant/Invoice/${encodeURIComponent(encodedId)}`;
}

/** HTTP statuses of the refusals, for caches and crawlers; the page itself says what happened. */
function statusOf(error: ProtocolError): number {
  if (error.code === 53) return 404;
  if (error.code === 52) return 409;
  if (error.code === 51) return 410;
  return 400;
}

function formatMoscowTime(moment: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Moscow',
  }).format(moment);
}

function renderOffer(language: Language, offer: InvoiceOffer, action: string): SafeHtml {
  const t = invoiceTextsFor(language);
  const { invoice, shop } = offer;
  const amount = formatMoneyForPeople(invoice.amount_minor, invoice.currency, language);
  const validUntil = invoice.expires_at
    ? `${formatMoscowTime(invoice.expires_at, language)} (${t('moscowTime')})`
    : undefined;
  return html`<section class="card" aria-labelledby="summary-title">
    <p class="shop">${t('payTo')}</p>
    <h1 id="summary-title">${shop.name}</h1>
    <p class="amount">${amount}</p>
    <dl>
      ${
        invoice.description
          ? html`<dt>${t('description')}</dt>
              <dd>${invoice.description}</dd>`
          : ''
      }
      ${
        invoice.invoice_type === 'OneTime' && invoice.inv_id !== null
          ? html`<dt>${t('invoice')}</dt>
              <dd>${String(invoice.inv_id)}</dd>`
          : ''
      }
      ${
        validUntil
          ? html`<dt>${t('validUntil')}</dt>
              <dd>${validUntil}</dd>`
          : ''
      }
    </dl>
    <form method="post" action="${action}" data-once>
      <button type="submit">${t('proceed')}</button>
    </form>
    <p class="hint">${t('proceedHint')}</p>
  </section>`;
}

function languageOf(request: FastifyRequest, offer?: InvoiceOffer): Language {
  const culture = offer?.invoice.culture;
  return isLanguage(culture) ? culture : requestLanguage(request);
}

function sendRefusal(deps: Deps, request: FastifyRequest, reply: FastifyReply, error: ProtocolError) {
  const language = requestLanguage(request);
  const content = errorContent(language, error);
  const frame = { language, isSandbox: deps.providers.cardAcquirer.isSandbox };
  return sendPage(reply, statusOf(error), renderPage(frame, content.title, renderError(language, content)));
}

function encodedIdOf(request: FastifyRequest): string {
  return (request.params as { encodedId: string }).encodedId;
}

async function showInvoice(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const opened = await openInvoice(deps, encodedIdOf(request));
  if (opened.kind === 'refused') return sendRefusal(deps, request, reply, opened.error);
  const language = languageOf(request, opened.offer);
  const frame = {
    language,
    isSandbox: deps.providers.cardAcquirer.isSandbox,
    isTest: opened.offer.invoice.is_test,
  };
  const title = `${invoiceTextsFor(language)('pageTitle')}: ${opened.offer.shop.name}`;
  const body = renderOffer(language, opened.offer, invoicePath(opened.offer.invoice.encoded_id));
  return sendPage(reply, 200, renderPage(frame, title, body));
}

async function startPayment(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const outcome = await payInvoice(deps, encodedIdOf(request), request.ip);
  if (outcome.kind === 'refused') return sendRefusal(deps, request, reply, outcome.error);
  return reply.redirect(`/Merchant/Index/${encodeURIComponent(outcome.paymentId)}`, 303);
}

export function registerInvoicePayRoutes(app: FastifyInstance, deps: Deps): void {
  for (const path of INVOICE_PATHS) {
    app.get(path, (request, reply) => showInvoice(deps, request, reply));
    app.post(path, (request, reply) => startPayment(deps, request, reply));
  }
}
