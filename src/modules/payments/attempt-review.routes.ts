/** The operator's review of card attempts with an unknown outcome (under /api/backoffice). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireSessionUser } from '../accounts/index.js';
import type { CardAcquirer } from '../methods/index.js';
import { listAttemptsForReview, recheckAttempt, resolveAttempt } from './attempt-review.js';

const AttemptParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const DecisionBody = Type.Object({
  outcome: Type.Union([Type.Literal('approved'), Type.Literal('declined')]),
  note: Type.String({ maxLength: 500 }),
});

export function registerAttemptReviewRoutes(app: FastifyInstance, deps: Deps, acquirer: CardAcquirer): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice.finance') };

  app.get('/card-attempts', operatorOnly, async () => ({ items: await listAttemptsForReview(deps) }));

  app.post('/card-attempts/:id/recheck', { ...operatorOnly, schema: { params: AttemptParams } }, (request) =>
    recheckAttempt(deps, acquirer, (request.params as typeof AttemptParams.static).id),
  );

  app.post(
    '/card-attempts/:id/resolve',
    { ...operatorOnly, schema: { params: AttemptParams, body: DecisionBody } },
    async (request) => {
      const body = request.body as typeof DecisionBody.static;
      const note = body.note.trim();
      if (note === '') {
        throw validationError({
          note: {
            code: 'required',
            text: {
              ru: 'Укажите номер операции у эквайера (RRN) или что показала проверка.',
              en: "Give the acquirer's operation reference (RRN) or what the check showed.",
            },
          },
        });
      }
      return resolveAttempt(deps, (request.params as typeof AttemptParams.static).id, {
        outcome: body.outcome,
        note,
        operatorUserId: requireSessionUser(request).userId,
        ip: clientIp(request),
      });
    },
  );
}
