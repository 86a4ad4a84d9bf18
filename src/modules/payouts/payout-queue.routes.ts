/**
 * The back-office's payouts (under /api/backoffice), for finance and administrators
 * ('backoffice.finance'); a support agent or a moderator gets 403 like every other money area.
 *
 * GET  /payouts/queue?status=…          the queue (awaiting_approval by default) and the threshold
 * POST /payouts/:id/approve {delivery}   provider (the automatic bank) or bank_file
 * POST /payouts/:id/reject {reason}
 * POST /payouts/:id/executed {bankReference, executedOn}
 * POST /payouts/:id/returned {reason, returnedOn}
 * GET  /payout-exports                   the latest export files
 * POST /payout-exports {payoutIds?, reexport?}   a new 1C client-bank file of approved payouts
 * GET  /payout-exports/:id/file          its bytes (windows-1251)
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { formatMinor } from '../../platform/money.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireSessionUser } from '../accounts/index.js';
import {
  approvePayout,
  exportPayouts,
  listExportFiles,
  listPayoutQueue,
  MAX_PAYOUTS_PER_EXPORT,
  QUEUE_STATUSES,
  readExportFile,
  recordBankExecution,
  recordBankReturn,
  rejectPayout,
  type OperatorBankAccount,
  type StaffAction,
} from './payout-queue.service.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const PayoutParams = Type.Object({ id: Id });
const QueueQuery = Type.Object({
  status: Type.Optional(Type.Union(QUEUE_STATUSES.map((status) => Type.Literal(status)))),
});
const ApproveBody = Type.Object(
  { delivery: Type.Union([Type.Literal('provider'), Type.Literal('bank_file')]) },
  { additionalProperties: false },
);
const ReasonBody = Type.Object({ reason: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });
const ExecutedBody = Type.Object(
  { bankReference: Type.String({ maxLength: 200 }), executedOn: Type.String({ maxLength: 32 }) },
  { additionalProperties: false },
);
const ReturnedBody = Type.Object(
  { reason: Type.String({ maxLength: 2000 }), returnedOn: Type.String({ maxLength: 32 }) },
  { additionalProperties: false },
);
const ExportBody = Type.Object(
  {
    payoutIds: Type.Optional(
      Type.Array(Id, { minItems: 1, maxItems: MAX_PAYOUTS_PER_EXPORT, uniqueItems: true }),
    ),
    reexport: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

function staffAction(request: FastifyRequest): StaffAction {
  return {
    payoutId: (request.params as typeof PayoutParams.static).id,
    staffUserId: requireSessionUser(request).userId,
    ip: clientIp(request),
  };
}

/** operator: the operator's own bank account, the payer of the payment orders, read at each export. */
export function registerPayoutQueueRoutes(
  app: FastifyInstance,
  deps: Deps,
  operator: () => OperatorBankAccount,
): void {
  const financeOnly = { preHandler: createAuthGuard(deps)('backoffice.finance') };

  app.get('/payouts/queue', { ...financeOnly, schema: { querystring: QueueQuery } }, async (request) => ({
    items: await listPayoutQueue(
      deps.db,
      (request.query as typeof QueueQuery.static).status ?? 'awaiting_approval',
    ),
    threshold: formatMinor(deps.config.payoutApprovalThresholdMinor, 'RUB'),
  }));

  app.post(
    '/payouts/:id/approve',
    { ...financeOnly, schema: { params: PayoutParams, body: ApproveBody } },
    async (request) =>
      approvePayout(deps, {
        ...staffAction(request),
        delivery: (request.body as typeof ApproveBody.static).delivery,
      }),
  );

  app.post(
    '/payouts/:id/reject',
    { ...financeOnly, schema: { params: PayoutParams, body: ReasonBody } },
    async (request) =>
      rejectPayout(deps, {
        ...staffAction(request),
        reason: (request.body as typeof ReasonBody.static).reason,
      }),
  );

  app.post(
    '/payouts/:id/executed',
    { ...financeOnly, schema: { params: PayoutParams, body: ExecutedBody } },
    async (request) =>
      recordBankExecution(deps, { ...staffAction(request), ...(request.body as typeof ExecutedBody.static) }),
  );

  app.post(
    '/payouts/:id/returned',
    { ...financeOnly, schema: { params: PayoutParams, body: ReturnedBody } },
    async (request) =>
      recordBankReturn(deps, { ...staffAction(request), ...(request.body as typeof ReturnedBody.static) }),
  );

  app.get('/payout-exports', financeOnly, async () => ({ items: await listExportFiles(deps.db) }));

  app.post('/payout-exports', { ...financeOnly, schema: { body: ExportBody } }, async (request, reply) => {
    const body = request.body as typeof ExportBody.static;
    const file = await exportPayouts(deps, operator(), {
      payoutIds: body.payoutIds,
      reexport: body.reexport ?? false,
      staffUserId: requireSessionUser(request).userId,
      ip: clientIp(request),
    });
    return reply.code(201).send({ ...file, downloadUrl: `/api/backoffice/payout-exports/${file.id}/file` });
  });

  app.get(
    '/payout-exports/:id/file',
    { ...financeOnly, schema: { params: PayoutParams } },
    async (request, reply) => {
      const file = await readExportFile(deps.db, (request.params as typeof PayoutParams.static).id);
      return reply
        .header('content-type', 'text/plain; charset=windows-1251')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(file.content));
    },
  );
}
