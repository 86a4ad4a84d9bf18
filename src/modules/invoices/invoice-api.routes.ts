/**
 * Robokassa's Invoice API over HTTP: POST `/InvoiceServiceWebApi/api/{CreateInvoice,DeactivateInvoice,
 * GetInvoiceInformationList}` at the top level (no session, no CSRF: the JWT is the credential).
 *
 * Transport: the body is the JWT, as a JSON string literal under application/json (Robokassa's own SDK)
 * or raw under any content type (other libraries). The routes live in their own context, whose only body
 * parser reads any body as text, so the token is seen exactly as sent.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { credentialFailureLimiter } from '../../platform/http/credential-failures.js';
import { MAX_JWT_LENGTH, readJwtFromBody } from '../protocol/index.js';
import {
  createInvoiceFromToken,
  deactivateInvoiceFromToken,
  INVOICE_API_MESSAGES,
  listInvoicesFromToken,
  type InvoiceApiAnswer,
} from './invoice-api.service.js';

const BASE_PATH = '/InvoiceServiceWebApi/api';

/**
 * JSON with exact integers: an InvId goes up to 2^63-1, beyond what a JavaScript number holds, so
 * bigints are written as JSON numbers by hand. The marker is random per answer, so no text a merchant
 * sent can imitate it.
 */
export function stringifyAnswer(answer: InvoiceApiAnswer): string {
  const marker = `bigint-${randomUUID()}:`;
  const text = JSON.stringify(answer, (_key, value: unknown) =>
    typeof value === 'bigint' ? `${marker}${value.toString()}` : value,
  );
  return text.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1');
}

type Method = (deps: Deps, token: string | undefined, ip: string) => Promise<InvoiceApiAnswer>;

const METHODS: Readonly<Record<string, Method>> = {
  CreateInvoice: createInvoiceFromToken,
  DeactivateInvoice: deactivateInvoiceFromToken,
  GetInvoiceInformationList: (deps, token) => listInvoicesFromToken(deps, token),
};

function sendTooManyFailures(reply: FastifyReply, retryAfterSeconds: number) {
  return reply
    .code(200)
    .header('retry-after', String(retryAfterSeconds))
    .type('application/json; charset=utf-8')
    .send(stringifyAnswer({ isSuccess: false, message: INVOICE_API_MESSAGES.tooManyFailures }));
}

/** Behind the limit on wrong signatures per address (platform/http/credential-failures). */
async function answer(deps: Deps, method: Method, request: FastifyRequest, reply: FastifyReply) {
  const failures = credentialFailureLimiter(deps);
  const limited = failures.check(request.ip);
  if (limited.isRefused) return sendTooManyFailures(reply, limited.retryAfterSeconds);
  const result = await method(deps, readJwtFromBody(request.body), request.ip);
  if (result.message === INVOICE_API_MESSAGES.invalidSignature) {
    const verdict = await failures.recordFailure(request.ip);
    if (verdict.isRefused) return sendTooManyFailures(reply, verdict.retryAfterSeconds);
  }
  if (result.isSuccess !== true)
    request.log.info({ refusal: result.message }, 'invoice api: request refused');
  return reply.code(200).type('application/json; charset=utf-8').send(stringifyAnswer(result));
}

export async function registerInvoiceApiRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: MAX_JWT_LENGTH * 2 },
      (_request, body, done) => done(null, body),
    );
    for (const [name, method] of Object.entries(METHODS)) {
      scope.post(`${BASE_PATH}/${name}`, (request, reply) => answer(deps, method, request, reply));
    }
  });
}
