/** The cabinet's refunds of an operation (under /api/cabinet): the list with totals, and a new refund. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { listPaymentRefunds, refundFromCabinet } from './refund.service.js';

const OperationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const RefundBody = Type.Object(
  // A decimal string, e.g. "150.50"; absent: everything that is left to refund.
  {
    amount: Type.Optional(Type.String({ maxLength: 32 })),
    // The refund receipt's items ({name, quantity, cost, tax, ...}); absent: one line for the amount.
    items: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export function registerRefundRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);

  app.get(
    '/operations/:id/refunds',
    { preHandler: requirePermission('operations.read'), schema: { params: OperationParams } },
    async (request) =>
      listPaymentRefunds(
        deps.db,
        requireMerchantActor(request).accountId,
        (request.params as typeof OperationParams.static).id,
      ),
  );

  app.post(
    '/operations/:id/refunds',
    {
      preHandler: requirePermission('operations.refund'),
      schema: { params: OperationParams, body: RefundBody },
    },
    async (request, reply) => {
      const actor = requireMerchantActor(request);
      const body = request.body as typeof RefundBody.static;
      const refund = await refundFromCabinet(
        deps,
        actor,
        (request.params as typeof OperationParams.static).id,
        body.amount,
        request.ip,
        body.items,
      );
      return reply.code(201).send(refund);
    },
  );
}
