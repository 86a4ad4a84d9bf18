/** The cabinet's operations (under /api/cabinet): the list, one operation, and "send the notification again". */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { recordAudit } from '../audit/index.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { requestLanguage } from '../../platform/http/request.js';
import {
  createOperationExport,
  EXPORT_FORMATS,
  getOperationExport,
  openExportDownload,
} from './operation.export.js';
import { getOperation, listOperations, resendOperationNotification } from './operation.queries.js';
import { deleteSavedFilter, listSavedFilters, saveFilter } from './operation.saved-filters.js';
import { parseOperationFilter, parseOperationListQuery, type OperationQuery } from './operation.filter.js';

const id = () => Type.String({ minLength: 1, maxLength: 64 });
const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/** Every filter is a string here; operation.filter.ts gives each bad value its own field error. */
export const OperationQuerySchema = Type.Object({
  shopId: text(64),
  status: text(32),
  method: text(64),
  isTest: text(5),
  from: text(10),
  to: text(10),
  amountMin: text(20),
  amountMax: text(20),
  invId: text(20),
  email: text(254),
  cardLast4: text(4),
  q: text(100),
  sort: text(20),
});
const ListQuery = Type.Composite([OperationQuerySchema, Type.Object({ before: text(300), limit: text(6) })]);
const OperationParams = Type.Object({ id: id() });
const SavedFilterBody = Type.Object({
  name: Type.String({ maxLength: 200 }),
  query: Type.String({ maxLength: 2000 }),
});
const ExportBody = Type.Composite([
  OperationQuerySchema,
  Type.Object({ format: Type.Union(EXPORT_FORMATS.map((format) => Type.Literal(format))) }),
]);
const ResendParams = Type.Object({ id: id(), notificationId: id() });

export function registerOperationRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);

  app.get(
    '/operations',
    { preHandler: requirePermission('operations.read'), schema: { querystring: ListQuery } },
    async (request) => {
      const { filter, before, limit } = parseOperationListQuery(request.query as typeof ListQuery.static);
      return listOperations(deps.db, requireMerchantActor(request).accountId, { ...filter, before, limit });
    },
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

  registerSavedFilterRoutes(app, deps);
  registerExportRoutes(app, deps);
}

function registerSavedFilterRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  const canRead = { preHandler: requirePermission('operations.read') };

  app.get('/operation-filters', canRead, async (request) => ({
    items: await listSavedFilters(deps.db, requireMerchantActor(request)),
  }));

  app.post(
    '/operation-filters',
    { ...canRead, schema: { body: SavedFilterBody } },
    async (request, reply) => {
      const saved = await saveFilter(
        deps.db,
        deps.clock,
        requireMerchantActor(request),
        request.body as typeof SavedFilterBody.static,
      );
      return reply.code(201).send(saved);
    },
  );

  app.delete(
    '/operation-filters/:id',
    { ...canRead, schema: { params: OperationParams } },
    async (request, reply) => {
      const params = request.params as typeof OperationParams.static;
      await deleteSavedFilter(deps.db, requireMerchantActor(request), params.id);
      return reply.code(204).send();
    },
  );
}

function registerExportRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  const canRead = { preHandler: requirePermission('operations.read') };

  app.post('/operation-exports', { ...canRead, schema: { body: ExportBody } }, async (request, reply) => {
    const body = request.body as typeof ExportBody.static;
    const actor = requireMerchantActor(request);
    const view = await createOperationExport(deps, actor, {
      filter: parseOperationFilter(body as OperationQuery),
      format: body.format,
      language: requestLanguage(request),
    });
    await recordAudit(deps.db, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'operations.exported',
      target: view.id,
      details: { format: body.format },
      ip: request.ip,
    });
    return reply.code(202).send(view);
  });

  app.get('/operation-exports/:id', { ...canRead, schema: { params: OperationParams } }, async (request) =>
    getOperationExport(
      deps.db,
      requireMerchantActor(request).accountId,
      (request.params as typeof OperationParams.static).id,
    ),
  );

  app.get(
    '/operation-exports/:id/download',
    { ...canRead, schema: { params: OperationParams } },
    async (request, reply) => {
      const { view, body } = await openExportDownload(
        deps.db,
        requireMerchantActor(request).accountId,
        (request.params as typeof OperationParams.static).id,
      );
      const type =
        view.format === 'csv'
          ? 'text/csv; charset=utf-8'
          : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      return reply
        .header('content-type', type)
        .header('content-length', String(view.bytes))
        .header('content-disposition', `attachment; filename="${view.fileName}"`)
        .header('cache-control', 'private, no-store')
        .send(body);
    },
  );
}
