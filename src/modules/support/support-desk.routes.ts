/**
 * The back-office support desk (under /api/backoffice; CSRF is checked by that context): the ticket
 * queue, a ticket with its internal notes, replies, notes, status changes, files, and feedback triage.
 * Operators only, with the same guard as shop moderation.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireSessionUser } from '../accounts/index.js';
import { listFeedbackQueue, setFeedbackStatus } from './feedback.service.js';
import {
  FeedbackQuery,
  FeedbackStatusBody,
  IdParams,
  NoteBody,
  OperatorReplyBody,
  StatusBody,
  DeskQueueQuery,
} from './support.schemas.js';
import {
  addInternalNote,
  changeTicketStatus,
  findDeskTicket,
  listTicketQueue,
  replyAsOperator,
  type DeskActor,
} from './support.desk.js';
import { sendAttachment } from './support.routes.js';
import { findAttachment } from './support.service.js';

function deskActor(request: FastifyRequest): DeskActor {
  return { operatorUserId: requireSessionUser(request).userId, ip: clientIp(request) };
}

const idOf = (request: FastifyRequest) => (request.params as typeof IdParams.static).id;

export function registerSupportDeskRoutes(app: FastifyInstance, deps: Deps): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice.support') };

  app.get('/support/tickets', { ...operatorOnly, schema: { querystring: DeskQueueQuery } }, async (request) =>
    listTicketQueue(deps, (request.query as typeof DeskQueueQuery.static).status ?? 'open'),
  );

  app.get('/support/tickets/:id', { ...operatorOnly, schema: { params: IdParams } }, async (request) =>
    findDeskTicket(deps, idOf(request)),
  );

  app.post(
    '/support/tickets/:id/replies',
    { ...operatorOnly, schema: { params: IdParams, body: OperatorReplyBody } },
    async (request) =>
      replyAsOperator(
        deps,
        deskActor(request),
        idOf(request),
        request.body as typeof OperatorReplyBody.static,
      ),
  );

  app.post(
    '/support/tickets/:id/notes',
    { ...operatorOnly, schema: { params: IdParams, body: NoteBody } },
    async (request) =>
      addInternalNote(deps, deskActor(request), idOf(request), (request.body as typeof NoteBody.static).body),
  );

  app.post(
    '/support/tickets/:id/status',
    { ...operatorOnly, schema: { params: IdParams, body: StatusBody } },
    async (request) =>
      changeTicketStatus(
        deps,
        deskActor(request),
        idOf(request),
        (request.body as typeof StatusBody.static).status,
      ),
  );

  app.get(
    '/support/attachments/:id',
    { ...operatorOnly, schema: { params: IdParams } },
    async (request, reply) => sendAttachment(reply, await findAttachment(deps, null, idOf(request))),
  );

  app.get('/feedback', { ...operatorOnly, schema: { querystring: FeedbackQuery } }, async (request) =>
    listFeedbackQueue(deps, (request.query as typeof FeedbackQuery.static).status ?? 'received'),
  );

  app.post(
    '/feedback/:id/status',
    { ...operatorOnly, schema: { params: IdParams, body: FeedbackStatusBody } },
    async (request) =>
      setFeedbackStatus(
        deps,
        deskActor(request),
        idOf(request),
        request.body as typeof FeedbackStatusBody.static,
      ),
  );
}
