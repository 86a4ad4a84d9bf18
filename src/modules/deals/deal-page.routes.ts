/**
 * The buyer's deal page at `/deal/<secret>`. GET only shows; the buyer's POSTs pay (303 to the hosted
 * checkout), confirm receipt or open a dispute, then come back to the page (303, post/redirect/get).
 * The secret in the path is what authorises a POST: another site cannot forge one without it, and the
 * page sends no Referer. A POST whose Origin is another site is refused all the same.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { requestLanguage } from '../../platform/http/request.js';
import { isLanguage, type Language } from '../../platform/i18n.js';
import { renderPage, sendPage } from '../checkout/index.js';
import {
  confirmReceipt,
  isDisputeTextValid,
  openDeal,
  openDispute,
  startDealPayment,
  type OpenedDeal,
} from './deal-buyer.service.js';
import { renderDealMessage, renderDealPage, type DealPageState, type PageNotice } from './deal.pages.js';
import { dealPageTexts } from './deal.texts.js';

const NOTICES: readonly PageNotice[] = [
  'confirmed',
  'disputed',
  'not_payable',
  'not_confirmable',
  'not_disputable',
];

const secretOf = (request: FastifyRequest) => (request.params as { secret: string }).secret;
const pathOf = (secret: string) => `/deal/${encodeURIComponent(secret)}`;

function languageOf(request: FastifyRequest, opened?: OpenedDeal): Language {
  // The buyer's own choice (cookie or browser) first; the deal's language when they have none.
  if (request.cookies?.kopek_lang || request.headers['accept-language']) return requestLanguage(request);
  return opened && isLanguage(opened.deal.language) ? opened.deal.language : requestLanguage(request);
}

function frameOf(deps: Deps, language: Language, opened?: OpenedDeal) {
  return {
    language,
    isSandbox: deps.providers.cardAcquirer.isSandbox,
    isTest: opened?.deal.is_test ?? false,
  };
}

function sendMessage(
  deps: Deps,
  reply: FastifyReply,
  language: Language,
  status: number,
  title: string,
  text: string,
) {
  const page = renderPage(frameOf(deps, language), title, renderDealMessage(language, title, text));
  return sendPage(reply, status, page);
}

function sendNotFound(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const language = requestLanguage(request);
  const t = dealPageTexts(language);
  return sendMessage(deps, reply, language, 404, t('notFoundTitle'), t('notFound'));
}

async function showDeal(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  state: DealPageState,
  status = 200,
) {
  const secret = secretOf(request);
  const opened = await openDeal(deps, secret);
  if (!opened) return sendNotFound(deps, request, reply);
  const language = languageOf(request, opened);
  const title = `${dealPageTexts(language)('pageTitle')}: ${opened.shop.name}`;
  const body = renderDealPage(language, opened, pathOf(secret), state);
  return sendPage(reply, status, renderPage(frameOf(deps, language, opened), title, body));
}

/** Browsers send Origin on form posts; one from another site is refused before anything changes. */
function isForeignOrigin(deps: Deps, request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return request.headers['sec-fetch-site'] === 'cross-site';
  return origin !== new URL(deps.config.publicUrl).origin;
}

function backToPage(reply: FastifyReply, secret: string, notice: PageNotice) {
  return reply.redirect(`${pathOf(secret)}?done=${notice}`, 303);
}

type PostHandler = (secret: string, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

function guarded(deps: Deps, handler: PostHandler) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (isForeignOrigin(deps, request)) {
      const language = requestLanguage(request);
      const t = dealPageTexts(language);
      return sendMessage(deps, reply, language, 403, t('pageTitle'), t('wrongOrigin'));
    }
    return handler(secretOf(request), request, reply);
  };
}

export function registerDealPageRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/deal/:secret', async (request, reply) => {
    const done = (request.query as { done?: unknown }).done;
    const notice = NOTICES.find((candidate) => candidate === done);
    return showDeal(deps, request, reply, { notice });
  });

  app.post(
    '/deal/:secret/pay',
    guarded(deps, async (secret, request, reply) => {
      const outcome = await startDealPayment(deps, secret, request.ip);
      if (outcome.kind === 'not_found') return sendNotFound(deps, request, reply);
      if (outcome.kind === 'refused') return backToPage(reply, secret, 'not_payable');
      return reply.redirect(`/Merchant/Index/${encodeURIComponent(outcome.paymentId)}`, 303);
    }),
  );

  app.post(
    '/deal/:secret/confirm',
    guarded(deps, async (secret, request, reply) => {
      const outcome = await confirmReceipt(deps, secret);
      if (outcome.kind === 'not_found') return sendNotFound(deps, request, reply);
      return backToPage(reply, secret, outcome.kind === 'done' ? 'confirmed' : 'not_confirmable');
    }),
  );

  app.post(
    '/deal/:secret/dispute',
    guarded(deps, async (secret, request, reply) => {
      const body = (request.body ?? {}) as { text?: unknown };
      const text = typeof body.text === 'string' ? body.text : '';
      if (!isDisputeTextValid(text)) {
        const opened = await openDeal(deps, secret);
        const language = languageOf(request, opened);
        const problem = dealPageTexts(language)('disputeTooShort');
        return showDeal(
          deps,
          request,
          reply,
          { disputeDraft: text.slice(0, 2000), disputeProblem: problem },
          422,
        );
      }
      const outcome = await openDispute(deps, secret, text);
      if (outcome.kind === 'not_found') return sendNotFound(deps, request, reply);
      return backToPage(reply, secret, outcome.kind === 'done' ? 'disputed' : 'not_disputable');
    }),
  );
}
