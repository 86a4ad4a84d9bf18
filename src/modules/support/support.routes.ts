/**
 * The cabinet's support and feedback (under /api/cabinet; CSRF is checked by that context). Every person
 * of an account reads and writes the account's tickets and feedback; every query is scoped to it.
 * Posts with files carry them as base64 in JSON, so their routes accept a larger body.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { downloadHeaders, MAX_POST_BODY_BYTES } from './support.attachments.js';
import { listFeedback, submitFeedback } from './feedback.service.js';
import {
  IdParams,
  NewFeedbackBody,
  NewTicketBody,
  ReplyBody,
  RevisionQuery,
  TicketListQuery,
} from './support.schemas.js';
import {
  findAttachment,
  findTicket,
  findTicketRevision,
  listTickets,
  openTicket,
  replyAsMerchant,
} from './support.service.js';

/** Sends a stored file as a download (shared with the back-office). */
export function sendAttachment(
  reply: FastifyReply,
  file: Awaited<ReturnType<typeof findAttachment>>,
): FastifyReply {
  return reply.headers(downloadHeaders(file)).send(file.content);
}

export function registerSupportRoutes(app: FastifyInstance, deps: Deps): void {
  const signedIn = { preHandler: createAuthGuard(deps)() };

  app.get('/support/tickets', { ...signedIn, schema: { querystring: TicketListQuery } }, async (request) =>
    listTickets(deps, requireMerchantActor(request), request.query as typeof TicketListQuery.static),
  );

  app.post(
    '/support/tickets',
    { ...signedIn, bodyLimit: MAX_POST_BODY_BYTES, schema: { body: NewTicketBody } },
    async (request, reply) => {
      const ticket = await openTicket(
        deps,
        requireMerchantActor(request),
        request.body as typeof NewTicketBody.static,
      );
      return reply.code(201).send(ticket);
    },
  );

  app.get('/support/tickets/:id', { ...signedIn, schema: { params: IdParams } }, async (request) =>
    findTicket(deps, requireMerchantActor(request), (request.params as typeof IdParams.static).id),
  );

  // Polled by the open ticket page: a changed revision means "fetch the ticket again".
  app.get(
    '/support/tickets/:id/changes',
    { ...signedIn, schema: { params: IdParams, querystring: RevisionQuery } },
    async (request) => {
      const { since } = request.query as typeof RevisionQuery.static;
      return findTicketRevision(
        deps,
        requireMerchantActor(request),
        (request.params as typeof IdParams.static).id,
        since === undefined ? 0 : Number(since),
      );
    },
  );

  app.post(
    '/support/tickets/:id/replies',
    { ...signedIn, bodyLimit: MAX_POST_BODY_BYTES, schema: { params: IdParams, body: ReplyBody } },
    async (request) =>
      replyAsMerchant(
        deps,
        requireMerchantActor(request),
        (request.params as typeof IdParams.static).id,
        request.body as typeof ReplyBody.static,
      ),
  );

  app.get(
    '/support/attachments/:id',
    { ...signedIn, schema: { params: IdParams } },
    async (request, reply) => {
      const actor = requireMerchantActor(request);
      const file = await findAttachment(deps, actor.accountId, (request.params as typeof IdParams.static).id);
      return sendAttachment(reply, file);
    },
  );

  app.get('/feedback', signedIn, async (request) => listFeedback(deps, requireMerchantActor(request)));

  app.post('/feedback', { ...signedIn, schema: { body: NewFeedbackBody } }, async (request, reply) => {
    const feedback = await submitFeedback(
      deps,
      requireMerchantActor(request),
      request.body as typeof NewFeedbackBody.static,
    );
    return reply.code(201).send(feedback);
  });
}
