/**
 * How each Robokassa-compatible surface answers an error the platform caught: a body Fastify could not
 * parse, a body over the limit, a malformed URL, a path with no route, a NUL character, an unexpected
 * failure. Each answers in its own format, as its clients expect (platform/http/error-handler picks the
 * surface by path prefix); everything else, /api included, answers `{ error: { code, message } }`.
 *
 * The machine-read formats (Indexjson, the XML web service, the hold, Refund and Invoice APIs) answer
 * HTTP 200 as their endpoints always do, because their clients read the body, not the status; the buyer's
 * pages keep the real status.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from './deps.js';
import { errorContent, renderError, renderPage, sendPage } from './modules/checkout/index.js';
import {
  buildResultOnlyResponse,
  describePaymentPageError,
  HOLD_ACTION_ANSWER,
  XML_RESULT_CODE,
  type XmlResponseRoot,
} from './modules/protocol/index.js';
import type { AppError } from './platform/http/errors.js';
import type { ErrorSurface } from './platform/http/error-handler.js';
import { requestLanguage } from './platform/http/request.js';
import { localize } from './platform/i18n.js';

/** Robokassa's page code for a refused request: 30 (bad parameters), 53 (nothing here), 500 (ours). */
function pageCodeOf(error: AppError): number {
  if (error.statusCode >= 500) return 500;
  return error.statusCode === 404 ? 53 : 30;
}

function json(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

const XML_ROOTS: Readonly<Record<string, XmlResponseRoot>> = {
  getcurrencies: 'CurrenciesList',
  getpaymentmethods: 'PaymentMethodsList',
  getrates: 'RatesList',
  calcoutsumm: 'CalcSummsResponseData',
};

function xmlRootOf(request: FastifyRequest): XmlResponseRoot {
  const method = (request.raw.url ?? '').split('?')[0]?.split('/').pop()?.toLowerCase() ?? '';
  return Object.hasOwn(XML_ROOTS, method)
    ? (XML_ROOTS[method] ?? 'OperationStateResponse')
    : 'OperationStateResponse';
}

export function protocolErrorSurfaces(deps: Deps): ErrorSurface[] {
  const isSandbox = deps.providers.cardAcquirer.isSandbox;
  return [
    {
      prefixes: ['/merchant/indexjson.aspx'],
      present: (error, request, reply) => {
        const code = pageCodeOf(error);
        const language = requestLanguage(request);
        return json(reply, 200, {
          errorCode: code,
          errorMessage: localize(describePaymentPageError(code), language),
        });
      },
    },
    {
      prefixes: ['/merchant/webservice/', '/webservice/'],
      present: (error, request, reply) => {
        // Result codes have nothing for "bad request": 1000 says "not answered", and the text says why.
        const text = localize(error.text, requestLanguage(request), error.values);
        const xml = buildResultOnlyResponse(xmlRootOf(request), XML_RESULT_CODE.internalError, text);
        return reply.code(200).type('text/xml; charset=utf-8').send(xml);
      },
    },
    {
      prefixes: ['/merchant/payment/confirm', '/merchant/payment/cancel'],
      present: (_error, _request, reply) => json(reply, 200, HOLD_ACTION_ANSWER.failure),
    },
    {
      prefixes: ['/refundservice/'],
      present: (_error, _request, reply) =>
        json(reply, 200, { success: false, message: 'BadRequest', requestId: null }),
    },
    {
      prefixes: ['/invoiceservicewebapi/'],
      present: (error, _request, reply) =>
        json(reply, 200, { isSuccess: false, message: localize(error.text, 'en', error.values) }),
    },
    {
      // The buyer's pages: the payment request, the payment page, payment links.
      prefixes: ['/merchant/'],
      present: (error, request, reply) => {
        const language = requestLanguage(request);
        const code = pageCodeOf(error);
        const detail =
          code === 500
            ? describePaymentPageError(code)
            : { ru: localize(error.text, 'ru', error.values), en: localize(error.text, 'en', error.values) };
        const content = errorContent(language, { code, detail });
        return sendPage(
          reply,
          error.statusCode,
          renderPage({ language, isSandbox }, content.title, renderError(language, content)),
        );
      },
    },
  ];
}
