/** The cabinet's operations (under /api/cabinet): the list, one operation, and "send the notification again". */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { recordAudit } from '../audit/index.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import {
  decodeOperationCursor,
  DEFAULT_OPERATIONS_PAGE_SIZE,
  getOperation,
  listOperations,
  MAX_OPERATIONS_PAGE_SIZE,
  OPERATION_STATUSES,
  resendOperationNotification,
  type OperationFilter,
} from './operation.queries.js';

const id = () => Type.String({ minLength: 1, maxLength: 64 });

const ListQuery = Type.Object({
  shopId: Type.Optional(id()),
  status: Type.Optional(Type.Union(OPERATION_STATUSES.map((status) => Type.Literal(status)))),
  isTest: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  before: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.String({ maxLength: 6 })),
});
const OperationParams = Type.Object({ id: id() });
const ResendParams = Type.Object({ id: id(), notificationId: id() });

const badCursor: FieldProblem = {
  code: 'invalid_cursor',
  text: {
    ru: 'Неверная ссылка на следующую страницу: откройте список заново.',
    en: 'This next-page link is not valid: open the list again.',
  },
};
const badLimit: FieldProblem = {
  code: 'out_of_range',
  text: { ru: 'Целое число от 1 до {max}.', en: 'A whole number from 1 to {max}.' },
  values: { max: MAX_OPERATIONS_PAGE_SIZE },
};

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_OPERATIONS_PAGE_SIZE;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const limit = Number(text);
  return limit >= 1 && limit <= MAX_OPERATIONS_PAGE_SIZE ? limit : undefined;
}

/** Meaning checks the schema cannot express: the cursor is one of ours, the page size is in range. */
function toFilter(query: typeof ListQuery.static): OperationFilter {
  const limit = parseLimit(query.limit);
  const before = query.before === undefined ? undefined : decodeOperationCursor(query.before);
  const problems: Record<string, FieldProblem> = {};
  if (limit === undefined) problems.limit = badLimit;
  if (query.before !== undefined && before === undefined) problems.before = badCursor;
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return {
    shopId: query.shopId,
    status: query.status,
    isTest: query.isTest === undefined ? undefined : query.isTest === 'true',
    before,
    limit: limit ?? DEFAULT_OPERATIONS_PAGE_SIZE,
  };
}

export function registerOperationRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);

  app.get(
    '/operations',
    { preHandler: requirePermission('operations.read'), schema: { querystring: ListQuery } },
    async (request) =>
      listOperations(
        deps.db,
        requireMerchantActor(request).accountId,
        toFilter(request.query as typeof ListQuery.static),
      ),
  );

  app.get(
    '/operations/:id',
    { preHandler: requirePermission('operations.read'), schema: { params: OperationParams } },
    async (request) =>
      getOperation(
        deps.db,
        requireMerchantActor(request).accountId,
        (request.params as typeof OperationParams.static).id,
      ),
  );

  app.post(
    '/operations/:id/notifications/:notificationId/resend',
    { preHandler: requirePermission('operations.manage'), schema: { params: ResendParams } },
    async (request) => {
      const params = request.params as typeof ResendParams.static;
      const actor = requireMerchantActor(request);
      const view = await resendOperationNotification(deps, actor.accountId, params.id, params.notificationId);
      await recordAudit(deps.db, deps.clock, {
        accountId: actor.accountId,
        actorUserId: actor.userId,
        action: 'operation.notification_resent',
        target: params.id,
        details: { notificationId: params.notificationId },
        ip: request.ip,
      });
      return view;
    },
  );
}
