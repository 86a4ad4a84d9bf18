/**
 * The back-office support desk (under /api/backoffice; CSRF is checked by that context): the ticket
 * queue with its filters and time figures, a ticket with its internal notes, replies, notes, status
 * changes, assignment, files, canned answers, and feedback triage. Staff with the support permission
 * only (support agents and administrators).
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Deps } from '../../deps.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireSessionUser } from '../accounts/index.js';
import { listFeedbackQueue, setFeedbackStatus } from './feedback.service.js';
import {
  AssigneeBody,
  CannedAnswerBody,
  FeedbackQuery,
  FeedbackStatusBody,
  IdParams,
  NoteBody,
  OperatorReplyBody,
  StatusBody,
  DeskQueueQuery,
} from './support.schemas.js';
import { assignTicket, listAgents } from './support.assignment.js';
import {
  createCannedAnswer,
  deleteCannedAnswer,
  listCannedAnswers,
  updateCannedAnswer,
} from './support.canned.js';
import {
  addInternalNote,
  changeTicketStatus,
  findDeskTicket,
  replyAsOperator,
  type DeskActor,
} from './support.desk.js';
import { listTicketQueue } from './support.queue.js';
import { sendAttachment } from './support.routes.js';
import { findAttachment } from './support.service.js';

function deskActor(request: FastifyRequest): DeskActor {
  return { operatorUserId: requireSessionUser(request).userId, ip: clientIp(request) };
}

const idOf = (request: FastifyRequest) => (request.params as typeof IdParams.static).id;

export function registerSupportDeskRoutes(app: FastifyInstance, deps: Deps): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice.support') };

  app.get(
    '/support/tickets',
    { ...operatorOnly, schema: { querystring: DeskQueueQuery } },
    async (request) => {
      const { overdue, ...filter } = request.query as typeof DeskQueueQuery.static;
      return listTicketQueue(deps, deskActor(request), { ...filter, overdue: overdue === 'true' });
    },
  );

  app.get('/support/agents', operatorOnly, async () => listAgents(deps));

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

  app.post(
    '/support/tickets/:id/assignee',
    { ...operatorOnly, schema: { params: IdParams, body: AssigneeBody } },
    async (request) =>
      assignTicket(
        deps,
        deskActor(request),
        idOf(request),
        (request.body as typeof AssigneeBody.static).assigneeUserId,
      ),
  );

  registerCannedAnswerRoutes(app, deps, operatorOnly);

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

function registerCannedAnswerRoutes(
  app: FastifyInstance,
  deps: Deps,
  operatorOnly: { preHandler: preHandlerAsyncHookHandler },
): void {
  app.get('/support/canned-answers', operatorOnly, async () => listCannedAnswers(deps));

  app.post(
    '/support/canned-answers',
    { ...operatorOnly, schema: { body: CannedAnswerBody } },
    async (request, reply) => {
      const answer = await createCannedAnswer(
        deps,
        deskActor(request),
        request.body as typeof CannedAnswerBody.static,
      );
      return reply.code(201).send(answer);
    },
  );

  app.put(
    '/support/canned-answers/:id',
    { ...operatorOnly, schema: { params: IdParams, body: CannedAnswerBody } },
    async (request) =>
      updateCannedAnswer(
        deps,
        deskActor(request),
        idOf(request),
        request.body as typeof CannedAnswerBody.static,
      ),
  );

  app.delete(
    '/support/canned-answers/:id',
    { ...operatorOnly, schema: { params: IdParams } },
    async (request, reply) => {
      await deleteCannedAnswer(deps, deskActor(request), idOf(request));
      return reply.code(204).send();
    },
  );
}
