/**
 * The buyer's side of the protocol: Robokassa's payment request (/Merchant/Index.aspx and aliases), the
 * payment page, card submission, 3-D Secure, and the way back to the shop. Pages follow the
 * Post/Redirect/Get pattern, so a reload never submits twice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { createSecretToken } from '../../platform/crypto.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import { rawFormText, rawQueryText, requestLanguage } from '../../platform/http/request.js';
import { isLanguage, localize, type Language } from '../../platform/i18n.js';
import { formatMoneyForPeople } from '../../platform/money.js';
import { validateCardInput, type CardAcquirer, DECLINE_REASON_TEXTS } from '../methods/index.js';
import {
  answerChallenge,
  buildReturnTarget,
  findCofCard,
  findOpenAttempt,
  loadCheckoutPayment,
  payByCard,
  payByCofCard,
  startPayment,
  type CardStep,
  type CheckoutPayment,
} from '../payments/index.js';
import {
  describePaymentPageError,
  isWindows1251,
  parseInitRequest,
  parseWindows1251Form,
  type ProtocolError,
  type RequestFields,
} from '../protocol/index.js';
import {
  renderCardForm,
  renderChallenge,
  renderCvcForm,
  renderError,
  renderPage,
  renderPending,
  renderRedirectForm,
  renderSummary,
  textsFor,
  type CardFormState,
  type CvcFormState,
  type ErrorPageContent,
} from './checkout.pages.js';
import { registerMethodCheckoutRoutes, renderMethodPart, type MethodPageTools } from './method.routes.js';
import { registerVoucherRoutes } from './voucher.routes.js';

const ASSETS_DIRECTORY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const ASSETS = {
  'checkout.css': { type: 'text/css; charset=utf-8', body: readAsset('checkout.css') },
  'checkout.js': { type: 'text/javascript; charset=utf-8', body: readAsset('checkout.js') },
};

function readAsset(name: string): string {
  // Built code runs from dist/, the assets stay in src/: look in both.
  const candidates = [
    path.join(ASSETS_DIRECTORY, name),
    path.join(ASSETS_DIRECTORY.replace(`${path.sep}dist${path.sep}`, path.sep), name),
  ];
  for (const candidate of candidates) {
    try {
      return readFileSync(candidate, 'utf8');
    } catch {
      continue;
    }
  }
  throw new Error(`checkout asset ${name} not found`);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** Strict CSP: our own CSS and JS only; forms may post only here and to the shop we send the buyer back to. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  page: string,
  formTargets: readonly string[] = [],
): FastifyReply {
  const formAction = ["'self'", ...formTargets.map(originOf).filter(Boolean)].join(' ');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .headers({
      'content-security-policy': `default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    })
    .send(page);
}

function languageOf(request: FastifyRequest, culture: string | null | undefined): Language {
  return isLanguage(culture) ? culture : requestLanguage(request);
}

export function errorContent(
  language: Language,
  error: ProtocolError,
  debug?: ErrorPageContent['debug'],
): ErrorPageContent {
  return {
    code: error.code,
    title: localize(describePaymentPageError(error.code), language),
    detail: localize(error.detail, language),
    ...(error.field ? { field: error.field } : {}),
    ...(debug ? { debug } : {}),
  };
}

function paymentPath(paymentId: string, suffix = ''): string {
  return `/Merchant/Index/${encodeURIComponent(paymentId)}${suffix}`;
}

/** What the buyer pays: the amount, plus the fee when the shop lets the buyer pay it. */
function amountText({ payment, buyerFeeMinor }: CheckoutPayment, language: Language): string {
  return formatMoneyForPeople(payment.amount_minor + (buyerFeeMinor ?? 0n), payment.currency, language);
}

/** The amount and the fee apart, shown above the total when the buyer pays the fee. */
function feeBreakdown({ payment, buyerFeeMinor }: CheckoutPayment, language: Language) {
  if (buyerFeeMinor === null) return {};
  return {
    feeBreakdown: {
      amountText: formatMoneyForPeople(payment.amount_minor, payment.currency, language),
      feeText: formatMoneyForPeople(buyerFeeMinor, payment.currency, language),
    },
  };
}

interface CheckoutContext {
  readonly deps: Deps;
  readonly acquirer: CardAcquirer;
}

export function registerCheckoutRoutes(app: FastifyInstance, deps: Deps, acquirer: CardAcquirer): void {
  const context: CheckoutContext = { deps, acquirer };

  const start = (fields: RequestFields, request: FastifyRequest, reply: FastifyReply) =>
    startFromFields(context, fields, request, reply);
  for (const route of [
    '/Merchant/Index.aspx',
    '/merchant/index.aspx',
    '/Merchant/Payment/Index',
    '/merchant/payment/index',
  ]) {
    app.get(route, (request, reply) =>
      start(inDeclaredEncoding(request.query as RequestFields, rawQueryText(request)), request, reply),
    );
    app.post(route, (request, reply) => {
      const fields = (request.body ?? {}) as RequestFields;
      return start(inDeclaredEncoding(fields, rawFormText(request.body)), request, reply);
    });
  }
  // A saved-card (CoF) payment: the payment request with Token (robokassa-protocol.md §7.1).
  for (const route of ['/Merchant/Payment/CoFPayment', '/merchant/payment/cofpayment']) {
    app.get(route, (request, reply) => startCof(context, request.query as RequestFields, request, reply));
    app.post(route, (request, reply) =>
      startCof(context, (request.body ?? {}) as RequestFields, request, reply),
    );
  }
  for (const route of ['/Merchant/Indexjson.aspx', '/merchant/indexjson.aspx']) {
    app.post(route, (request, reply) =>
      startJson(context, (request.body ?? {}) as RequestFields, request, reply),
    );
  }

  app.get('/Merchant/Index/:paymentId', (request, reply) =>
    showPayment(context, paymentIdOf(request), request, reply),
  );
  app.post('/Merchant/Index/:paymentId/card', (request, reply) =>
    submitCard(context, paymentIdOf(request), request, reply),
  );
  app.post('/Merchant/Index/:paymentId/cof', (request, reply) =>
    submitCvc(context, paymentIdOf(request), request, reply),
  );
  app.post('/Merchant/Index/:paymentId/3ds', (request, reply) =>
    submitChallenge(context, paymentIdOf(request), request, reply),
  );
  registerMethodCheckoutRoutes(app, methodPageTools(context));
  registerVoucherRoutes(app, methodPageTools(context));
  app.get('/Merchant/Index/:paymentId/return', (request, reply) =>
    returnToShop(context, paymentIdOf(request), request, reply),
  );

  app.get('/checkout/assets/:file', (request, reply) => {
    const file = (request.params as { file: string }).file;
    // Own keys only: "toString" or "__proto__" must be a 404, not a lookup on Object.prototype.
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file as keyof typeof ASSETS] : undefined;
    if (!asset) return reply.code(404).send();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}

/**
 * Fields as decoded by the server are UTF-8; a request that declares Encoding=windows-1251 is decoded
 * again from its raw text so that Cyrillic Description and Shp_ values arrive intact.
 */
function inDeclaredEncoding(fields: RequestFields, rawText: string | undefined): RequestFields {
  const declared = fields['Encoding'];
  if (rawText === undefined || typeof declared !== 'string' || !isWindows1251(declared)) return fields;
  return parseWindows1251Form(rawText);
}

function paymentIdOf(request: FastifyRequest): string {
  return (request.params as { paymentId: string }).paymentId;
}

async function startFromFields(
  context: CheckoutContext,
  fields: RequestFields,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const parsed = parseInitRequest(fields);
  const culture = parsed.ok ? parsed.request.culture : undefined;
  const language = languageOf(request, culture);
  const frame = { language, isSandbox: context.acquirer.isSandbox };
  if (!parsed.ok) {
    return sendPage(
      reply,
      400,
      renderPage(
        frame,
        textsFor(language)('errorTitle'),
        renderError(language, errorContent(language, parsed.error)),
      ),
    );
  }
  const outcome = await startPayment(context.deps, parsed.request, request.ip);
  if (outcome.kind === 'refused') {
    const content = errorContent(language, outcome.error, outcome.debug);
    if (outcome.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(outcome.retryAfterSeconds));
    return sendPage(
      reply,
      outcome.retryAfterSeconds === undefined ? 400 : 429,
      renderPage({ ...frame, isTest: parsed.request.isTest }, content.title, renderError(language, content)),
    );
  }
  return reply.redirect(paymentPath(outcome.paymentId), 303);
}

/** CoFPayment is the payment request with a Token: without one it is refused (35) before anything else. */
async function startCof(
  context: CheckoutContext,
  fields: RequestFields,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const parsed = parseInitRequest(fields);
  if (!parsed.ok || parsed.request.token !== undefined)
    return startFromFields(context, fields, request, reply);
  const language = languageOf(request, parsed.request.culture);
  const content = errorContent(language, {
    code: 35,
    field: 'Token',
    detail: {
      ru: 'Передайте Token: OpKey прежней карточной операции магазина.',
      en: 'Send Token: the OpKey of an earlier card operation of the shop.',
    },
  });
  return sendPage(
    reply,
    400,
    renderPage(
      { language, isSandbox: context.acquirer.isSandbox, isTest: parsed.request.isTest },
      content.title,
      renderError(language, content),
    ),
  );
}

/** Indexjson.aspx: the same request answered with JSON, for sites that open the payment page themselves. */
async function startJson(
  context: CheckoutContext,
  fields: RequestFields,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const parsed = parseInitRequest(fields);
  const language = languageOf(request, parsed.ok ? parsed.request.culture : undefined);
  const outcome = parsed.ok
    ? await startPayment(context.deps, parsed.request, request.ip)
    : ({ kind: 'refused', error: parsed.error } as const);
  if (outcome.kind === 'refused') {
    if ('retryAfterSeconds' in outcome && outcome.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(outcome.retryAfterSeconds));
    return reply.code(200).send({
      errorCode: outcome.error.code,
      errorMessage: localize(describePaymentPageError(outcome.error.code), language),
    });
  }
  return reply.send({ invoiceID: outcome.paymentId });
}

async function loadOr404(
  context: CheckoutContext,
  paymentId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const found = await loadCheckoutPayment(context.deps, paymentId);
  if (!found) {
    const language = requestLanguage(request);
    const content = errorContent(language, { code: 53, detail: describePaymentPageError(53) });
    sendPage(
      reply,
      404,
      renderPage(
        { language, isSandbox: context.acquirer.isSandbox },
        content.title,
        renderError(language, content),
      ),
    );
  }
  return found;
}

async function showPayment(
  context: CheckoutContext,
  paymentId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const found = await loadOr404(context, paymentId, request, reply);
  if (!found) return reply;
  const language = languageOf(request, found.payment.culture);
  const expiresAt = found.payment.expires_at;
  const hasExpired = expiresAt !== null && expiresAt.getTime() <= context.deps.clock.now().getTime();
  switch (found.payment.status !== 'paid' && hasExpired ? 'expired' : found.payment.status) {
    case 'paid':
      return showPaid(context, found, language, reply);
    case 'processing':
      return sendPaymentPage(context, found, language, reply, renderPending(language), 200, 3);
    case 'awaiting_3ds': {
      const attempt = await findOpenAttempt(context.deps, paymentId);
      const challenge = renderChallenge(language, {
        action: paymentPath(paymentId, '/3ds'),
        attemptId: attempt?.id ?? '',
        isSandbox: context.acquirer.isSandbox,
      });
      return sendPaymentPage(context, found, language, reply, challenge);
    }
    case 'expired': {
      const content = errorContent(language, { code: 33, detail: describePaymentPageError(33) });
      return sendPage(
        reply,
        410,
        renderPage(
          { language, isSandbox: context.acquirer.isSandbox },
          content.title,
          renderError(language, content),
        ),
      );
    }
    default: {
      const requestedMethod = (request.query as Record<string, unknown>).method;
      const body = await renderMethodPart(methodPageTools(context), found, language, {
        requestedMethod: typeof requestedMethod === 'string' ? requestedMethod : undefined,
      });
      return sendPaymentPage(context, found, language, reply, body);
    }
  }
}

/** What the other methods' part of the page (method.routes.ts) needs from this file. */
function methodPageTools(context: CheckoutContext): MethodPageTools {
  return {
    deps: context.deps,
    loadOr404: (paymentId, request, reply) => loadOr404(context, paymentId, request, reply),
    languageOf: (request, found) => languageOf(request, found.payment.culture),
    send: (found, language, reply, body, status) =>
      sendPaymentPage(context, found, language, reply, body, status),
    renderCard: (found, language) => renderPayForm(context, found, language),
  };
}

/**
 * What the buyer pays with: the card form; the CVC alone for a saved-card payment; nothing for a
 * recurring charge, which the shop makes itself (recurring.service.ts).
 */
async function renderPayForm(
  context: CheckoutContext,
  found: CheckoutPayment,
  language: Language,
  cvcState: Partial<CvcFormState> = {},
): Promise<SafeHtml> {
  const t = textsFor(language);
  if (found.payment.previous_payment_id !== null) {
    return html`<section class="card">
      <h2>${t('recurringChargeTitle')}</h2>
      <p>${t('recurringChargeText')}</p>
    </section>`;
  }
  const cofCard = await findCofCard(context.deps, found.payment);
  if (!cofCard) return renderCardForm(language, emptyForm(found), amountText(found, language));
  const form: CvcFormState = {
    action: paymentPath(found.payment.id, '/cof'),
    cancelUrl: paymentPath(found.payment.id, '/return'),
    submissionKey: createSecretToken(16),
    cardMask: cofCard.mask,
    ...cvcState,
  };
  return renderCvcForm(language, form, amountText(found, language));
}

/** The CVC of a saved-card payment: 3 or 4 digits (the acquirer checks it against the card). */
async function submitCvc(
  context: CheckoutContext,
  paymentId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const found = await loadOr404(context, paymentId, request, reply);
  if (!found) return reply;
  const language = languageOf(request, found.payment.culture);
  if (found.payment.cof_payment_id === null) return reply.redirect(paymentPath(paymentId), 303);
  const cvc = stringField(request.body, 'cvc').trim();
  const submissionKey = stringField(request.body, 'submissionKey') || createSecretToken(16);
  if (!/^\d{3,4}$/.test(cvc)) {
    const t = textsFor(language);
    const form = await renderPayForm(context, found, language, {
      submissionKey,
      cvcError: t('cvcRequired'),
      alert: t('fieldErrors'),
    });
    return sendPaymentPage(context, found, language, reply, form, 422);
  }
  const step = await payByCofCard(context.deps, context.acquirer, {
    payment: found.payment,
    submissionKey,
    cvc,
  });
  return answerStep(context, found, step, language, reply);
}

function emptyForm(found: CheckoutPayment): CardFormState {
  return {
    action: paymentPath(found.payment.id, '/card'),
    cancelUrl: paymentPath(found.payment.id, '/return'),
    submissionKey: createSecretToken(16),
    values: { email: found.payment.email ?? '' },
    fieldErrors: {},
  };
}

function sendPaymentPage(
  context: CheckoutContext,
  found: CheckoutPayment,
  language: Language,
  reply: FastifyReply,
  body: SafeHtml,
  status = 200,
  refreshSeconds?: number,
  formTargets: readonly string[] = [],
) {
  const summary = renderSummary(language, {
    shopName: found.shop.name,
    amountText: amountText(found, language),
    ...feeBreakdown(found, language),
    description: found.payment.description,
    invId: String(found.payment.inv_id),
  });
  const frame = {
    language,
    isSandbox: context.acquirer.isSandbox,
    isTest: found.payment.is_test,
    ...(refreshSeconds ? { refreshSeconds } : {}),
  };
  const page = renderPage(frame, textsFor(language)('pageTitle'), html`${summary}${body}`);
  return sendPage(reply, status, page, formTargets);
}

function showPaid(context: CheckoutContext, found: CheckoutPayment, language: Language, reply: FastifyReply) {
  const t = textsFor(language);
  const target = buildReturnTarget(context.deps, found, 'success', language);
  const heading = { title: t('paidTitle'), text: t('paidText'), isSuccess: true };
  const body = target
    ? renderRedirectForm(language, target, heading)
    : html`<section class="card">
        <h2>${t('paidTitle')}</h2>
        <p class="alert ok">${t('paidText')}</p>
      </section>`;
  // The redirect form goes to the shop: its origin must be allowed by the page's form-action.
  return sendPaymentPage(context, found, language, reply, body, 200, undefined, target ? [target.url] : []);
}

function stringField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

async function submitCard(
  context: CheckoutContext,
  paymentId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const found = await loadOr404(context, paymentId, request, reply);
  if (!found) return reply;
  // A saved-card payment takes only its CVC, a recurring charge nothing: no other card pays them.
  if (found.payment.cof_payment_id !== null || found.payment.previous_payment_id !== null)
    return reply.redirect(paymentPath(paymentId), 303);
  const language = languageOf(request, found.payment.culture);
  const body = request.body;
  const input = {
    cardNumber: stringField(body, 'cardNumber'),
    expiry: stringField(body, 'expiry'),
    cvc: stringField(body, 'cvc'),
  };
  const email = stringField(body, 'email').trim();
  const submissionKey = stringField(body, 'submissionKey') || createSecretToken(16);
  const validation = validateCardInput(input, context.deps.clock.now());
  const emailProblem = email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
  if (!validation.ok || emailProblem) {
    const fieldErrors = Object.fromEntries(
      Object.entries(validation.ok ? {} : validation.fields).map(([name, problem]) => [
        name,
        problem ? localize(problem.text, language) : '',
      ]),
    );
    if (emailProblem)
      fieldErrors.email =
        language === 'ru' ? 'Введите адрес вида name@example.ru.' : 'Enter an address like name@example.com.';
    const state: CardFormState = {
      ...emptyForm(found),
      submissionKey,
      values: { cardNumber: input.cardNumber, expiry: input.expiry, email },
      fieldErrors,
      alert: textsFor(language)('fieldErrors'),
    };
    return sendPaymentPage(
      context,
      found,
      language,
      reply,
      renderCardForm(language, state, amountText(found, language)),
      422,
    );
  }
  const step = await payByCard(context.deps, context.acquirer, {
    paymentId,
    submissionKey,
    card: validation.card,
    email: email || undefined,
  });
  return answerStep(context, found, step, language, reply);
}

async function answerStep(
  context: CheckoutContext,
  found: CheckoutPayment,
  step: CardStep,
  language: Language,
  reply: FastifyReply,
) {
  if (step.kind !== 'declined') return reply.redirect(paymentPath(found.payment.id), 303);
  const t = textsFor(language);
  const declined = `${t('declined')} ${localize(DECLINE_REASON_TEXTS[step.reason], language)} ${t('tryAgain')}`;
  if (found.payment.cof_payment_id !== null) {
    const form = await renderPayForm(context, found, language, { alert: declined });
    return sendPaymentPage(context, found, language, reply, form, 402);
  }
  const state: CardFormState = {
    ...emptyForm(found),
    alert: `${t('declined')} ${localize(DECLINE_REASON_TEXTS[step.reason], language)} ${t('tryAgain')}`,
  };
  return sendPaymentPage(
    context,
    found,
    language,
    reply,
    renderCardForm(language, state, amountText(found, language)),
    402,
  );
}

async function submitChallenge(
  context: CheckoutContext,
  paymentId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const found = await loadOr404(context, paymentId, request, reply);
  if (!found) return reply;
  const language = languageOf(request, found.payment.culture);
  const step = await answerChallenge(context.deps, context.acquirer, {
    paymentId,
    attemptId: stringField(request.body, 'attemptId'),
    answer: stringField(request.body, 'code').trim(),
  });
  if (step.kind === 'challenge' && step.triesLeft >= 0) {
    const challenge = renderChallenge(language, {
      action: paymentPath(paymentId, '/3ds'),
      attemptId: step.attemptId,
      triesLeft: step.triesLeft,
      isSandbox: context.acquirer.isSandbox,
    });
    return sendPaymentPage(context, found, language, reply, challenge, 422);
  }
  return answerStep(context, found, step, language, reply);
}

/** "Back to the shop": the buyer gives up, and goes to FailURL (or the shop's site when there is none). */
async function returnToShop(
  context: CheckoutContext,
  paymentId: string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const found = await loadOr404(context, paymentId, request, reply);
  if (!found) return reply;
  const language = languageOf(request, found.payment.culture);
  if (found.payment.status === 'paid') return reply.redirect(paymentPath(paymentId), 303);
  const target = buildReturnTarget(context.deps, found, 'fail', language);
  if (!target) return reply.redirect(found.shop.site_url, 303);
  const t = textsFor(language);
  const page = renderRedirectForm(language, target, {
    title: t('backToShop'),
    text: t('notCompleted'),
    isSuccess: false,
  });
  return sendPage(
    reply,
    200,
    renderPage({ language, isSandbox: context.acquirer.isSandbox }, t('backToShop'), page),
    [target.url],
  );
}
