/**
 * Recurring payments over HTTP: Robokassa's child charge `POST /Merchant/Recurring` (authenticated by
 * its signature alone), and the operator's switch under /api/backoffice.
 *
 * /Merchant/Recurring answers text/plain, always HTTP 200 (an SDK's HTTP client may throw on 4xx, and
 * the official SDK reads only the body): `OK<InvoiceID>` when the charge is accepted (not yet paid:
 * ResultURL and OpStateExt tell the outcome), `ERROR<code>: <text>` with Robokassa's payment-page code
 * otherwise (26, 25, 29, 30, 31, 34, 35, 40, 41), in the request's Culture (Russian by default).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { clientIp } from '../../platform/http/request.js';
import { localize } from '../../platform/i18n.js';
import { createAuthGuard, requireSessionUser } from '../accounts/index.js';
import type { RequestFields } from '../protocol/index.js';
import { setRecurringAllowed } from './recurring-permission.js';
import { acceptRecurringCharge } from './recurring.service.js';

/** Form fields, with the query string's as a fallback (as the hold endpoints read them). */
function readFields(request: FastifyRequest): RequestFields {
  const query = (request.query ?? {}) as RequestFields;
  const body = request.body;
  return { ...query, ...(body !== null && typeof body === 'object' ? (body as RequestFields) : {}) };
}

function cultureOf(fields: RequestFields): 'ru' | 'en' {
  const culture = Object.entries(fields).find(([name]) => name.toLowerCase() === 'culture')?.[1];
  return typeof culture === 'string' && culture !== '' && culture.toLowerCase() !== 'ru' ? 'en' : 'ru';
}

async function answerRecurring(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const fields = readFields(request);
  const outcome = await acceptRecurringCharge(deps, fields, clientIp(request));
  const send = (body: string) => reply.code(200).type('text/plain; charset=utf-8').send(body);
  if (outcome.kind === 'accepted') return send(`OK${outcome.invId}`);
  request.log.info({ code: outcome.error.code, field: outcome.error.field }, 'recurring charge refused');
  return send(`ERROR${outcome.error.code}: ${localize(outcome.error.detail, cultureOf(fields))}`);
}

export function registerRecurringRoutes(app: FastifyInstance, deps: Deps): void {
  for (const path of ['/Merchant/Recurring', '/merchant/recurring']) {
    app.post(path, (request, reply) => answerRecurring(deps, request, reply));
  }
}

const ShopParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const PermissionBody = Type.Object({ isAllowed: Type.Boolean() });

/** Under /api/backoffice: the operator allows or forbids a shop's recurring and saved-card payments. */
export function registerRecurringBackofficeRoutes(app: FastifyInstance, deps: Deps): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice.moderation') };
  app.post(
    '/shops/:id/recurring',
    { ...operatorOnly, schema: { params: ShopParams, body: PermissionBody } },
    async (request) =>
      setRecurringAllowed(deps, {
        operatorUserId: requireSessionUser(request).userId,
        shopId: (request.params as typeof ShopParams.static).id,
        isAllowed: (request.body as typeof PermissionBody.static).isAllowed,
        ip: clientIp(request),
      }),
  );
}
