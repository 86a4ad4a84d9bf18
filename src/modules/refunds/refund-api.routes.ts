/**
 * Robokassa's Refund API over HTTP, at the top level (no session, no CSRF: the JWT is the credential).
 *
 * Transport (reference §13 item 9): the body is the JWT, either as a JSON string literal ("eyJ…") under
 * application/json, which is what Robokassa itself accepts, or raw under text/plain or application/jwt
 * (what other libraries send). A raw token under application/json is accepted too: a JWT is never valid
 * JSON, so the two cannot be confused. The routes live in their own context, whose only body parser
 * reads any body as text, so the token is seen exactly as sent.
 *
 * Every answer in Robokassa's JSON shape is HTTP 200, failures included: clients read `success` and
 * `message`, and a 4xx would make some of them throw before reading the body.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { formatMinor } from '../../platform/money.js';
import type { RefundRow } from '../../schema.js';
import { readJwtFromBody } from '../protocol/index.js';
import { createRefundFromToken } from './refund-api.service.js';
import { MAX_TOKEN_LENGTH } from './refund-jwt.js';
import { findRefundByRequestId } from './refund.service.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNKNOWN_REQUEST = '{"message":"Id is invalid or request id does not exist"}';

/**
 * Robokassa writes the amount as a number with six decimals (`1.000000`). JSON.stringify cannot, so the
 * body is written by hand; every part of it is either a fixed word or checked text.
 */
export function formatRefundState(
  refund: Pick<RefundRow, 'request_id' | 'amount_minor' | 'currency' | 'status'>,
): string {
  const [whole = '0', fraction = ''] = formatMinor(refund.amount_minor, refund.currency).split('.');
  // Every currency Kopek knows has two decimals: padding to six never drops a digit.
  const amount = `${whole}.${fraction.padEnd(6, '0')}`;
  return `{"requestId":${JSON.stringify(refund.request_id)},"amount":${amount},"label":${JSON.stringify(refund.status)}}`;
}

function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.code(200).type('application/json; charset=utf-8').send(text);
}

export async function registerRefundApiRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: MAX_TOKEN_LENGTH * 2 },
      (_request, body, done) => done(null, body),
    );

    scope.post('/RefundService/Refund/Create', async (request, reply) => {
      const result = await createRefundFromToken(deps, readJwtFromBody(request.body), request.ip);
      if (!result.answer.success)
        request.log.info(
          { refusal: result.answer.message, reason: result.reason },
          'refund api: request refused',
        );
      if (result.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(result.retryAfterSeconds));
      return reply.code(200).type('application/json; charset=utf-8').send(result.answer);
    });

    scope.get('/RefundService/Refund/GetState', async (request, reply) => {
      const id = (request.query as Record<string, unknown>).id;
      const requestId = typeof id === 'string' ? id.trim() : '';
      if (!UUID_PATTERN.test(requestId)) return sendJsonText(reply, UNKNOWN_REQUEST);
      const refund = await findRefundByRequestId(deps.db, requestId.toLowerCase());
      return sendJsonText(reply, refund ? formatRefundState(refund) : UNKNOWN_REQUEST);
    });
  });
}
