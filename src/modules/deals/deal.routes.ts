/**
 * Safe deals in the cabinet (under /api/cabinet) and the operator's disputes (under /api/backoffice).
 * Reading needs operations.read; creating and cancelling need operations.manage, the permission that
 * already lets a person act on the account's payments. Every cabinet query is scoped to the caller's
 * account; the back-office is for operators only, and each decision is audited.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireMerchantActor, requireSessionUser } from '../accounts/index.js';
import { getDeal, listDeals, listDealsForOperator, createScopedDeal } from './deal.queries.js';
import { cancelDeal, decideDispute } from './deal.service.js';
import { DEAL_STATUSES } from './deal.tables.js';

const DealParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const StatusSchema = Type.Union(DEAL_STATUSES.map((status) => Type.Literal(status)));
const ListQuery = Type.Object({
  shopId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(StatusSchema),
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
});
export const NewDealBody = Type.Object(
  {
    shopId: Type.String({ minLength: 1, maxLength: 64 }),
    amount: Type.String({ maxLength: 32 }),
    description: Type.String({ maxLength: 1000 }),
    buyerEmail: Type.String({ maxLength: 320 }),
    // The range (1 to 180) is checked with the other fields, so every problem is reported at once.
    deadlineDays: Type.Optional(Type.Integer()),
    language: Type.Optional(Type.Union([Type.Literal('ru'), Type.Literal('en')])),
    isTest: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('seller'), Type.Literal('buyer')]),
    note: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);
const OperatorQuery = Type.Object({ status: Type.Optional(StatusSchema) });

const NOTE_REQUIRED = {
  code: 'required',
  text: {
    ru: 'Напишите, на чём основано решение: его увидят в журнале действий.',
    en: 'Write what the decision rests on: it is kept in the audit log.',
  },
};

const idOf = (params: unknown) => (params as typeof DealParams.static).id;

export function registerDealRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);

  app.get(
    '/deals',
    { preHandler: requirePermission('operations.read'), schema: { querystring: ListQuery } },
    async (request) => {
      const query = request.query as typeof ListQuery.static;
      const scope = { accountId: requireMerchantActor(request).accountId, shopId: query.shopId };
      const list = await listDeals(deps, scope, { status: query.status, page: Number(query.page ?? '1') });
      // The create form shows the installation's default deadline.
      return { ...list, defaultDeadlineDays: deps.config.dealDeadlineDays };
    },
  );

  app.post(
    '/deals',
    { preHandler: requirePermission('operations.manage'), schema: { body: NewDealBody } },
    async (request, reply) => {
      const actor = requireMerchantActor(request);
      const deal = await createScopedDeal(
        deps,
        { accountId: actor.accountId, userId: actor.userId, ip: clientIp(request), source: 'cabinet' },
        { accountId: actor.accountId },
        request.body as typeof NewDealBody.static,
      );
      return reply.code(201).send(deal);
    },
  );

  app.get(
    '/deals/:id',
    { preHandler: requirePermission('operations.read'), schema: { params: DealParams } },
    async (request) =>
      getDeal(deps, { accountId: requireMerchantActor(request).accountId }, idOf(request.params)),
  );

  app.post(
    '/deals/:id/cancel',
    { preHandler: requirePermission('operations.manage'), schema: { params: DealParams } },
    async (request) => {
      const actor = requireMerchantActor(request);
      const scope = { accountId: actor.accountId };
      await cancelDeal(deps, { ...scope, userId: actor.userId, ip: clientIp(request) }, idOf(request.params));
      return getDeal(deps, scope, idOf(request.params));
    },
  );
}

export function registerDealBackofficeRoutes(app: FastifyInstance, deps: Deps): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice.finance') };

  app.get('/deals', { ...operatorOnly, schema: { querystring: OperatorQuery } }, async (request) => {
    const { status } = request.query as typeof OperatorQuery.static;
    return { items: await listDealsForOperator(deps, status ?? 'disputed') };
  });

  app.post(
    '/deals/:id/decide',
    { ...operatorOnly, schema: { params: DealParams, body: DecisionBody } },
    async (request) => {
      const body = request.body as typeof DecisionBody.static;
      if (body.note.trim() === '') throw validationError({ note: NOTE_REQUIRED });
      const operator = { userId: requireSessionUser(request).userId, ip: clientIp(request) };
      const deal = await decideDispute(deps, operator, idOf(request.params), body.decision, body.note.trim());
      return { id: deal.id, status: deal.status, resolution: deal.resolution };
    },
  );
}
