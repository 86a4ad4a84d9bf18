/**
 * Holds (StepByStep) in the JSON API v1: capture all or part of the reserved amount, or cancel it. They
 * reuse the hold service of Robokassa's Confirm / Cancel (payments/hold.service.ts), so the rules are the
 * same: a capture is allowed once and at most the held amount, a hold past its release time can only be
 * cancelled, and two requests racing for one hold end in exactly one of them. The answer is the payment;
 * 202 when the acquirer has not answered yet (a reconcile job finishes the step, the payment shows it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { formatMinor, parseDecimalToMinor } from '../../platform/money.js';
import {
  cancelHold,
  confirmHold,
  getOperation,
  type HoldActionOutcome,
  type HoldTarget,
} from '../payments/index.js';
import type { ApiClient } from './api-key.service.js';
import { apiV1Errors } from './api-v1.errors.js';
import { CaptureBody, IdParams } from './api-v1.resources.schemas.js';
import { IdempotencyHeaders, PaymentDetail, postErrorResponses } from './api-v1.schemas.js';

const SECURITY = [{ apiKey: [] }];
const TAGS = ['holds'];

const AMOUNT_ABOVE_HOLD = {
  code: 'exceeds_hold',
  text: { ru: 'Сумма больше удержанной.', en: 'The amount is more than the held amount.' },
};
const INVALID_AMOUNT = {
  code: 'invalid',
  text: { ru: 'Неверная сумма.', en: 'The amount is not valid.' },
};

/** The key's shop's StepByStep payment, as the hold service names it; anything else is refused. */
async function findHoldTarget(deps: Deps, client: ApiClient, paymentId: string) {
  const payment = await deps.db
    .selectFrom('payments')
    .select(['id', 'shop_id', 'inv_id', 'is_test', 'is_step_by_step', 'amount_minor', 'currency'])
    .where('id', '=', paymentId)
    .where('shop_id', '=', client.shopId)
    .where('account_id', '=', client.accountId)
    .executeTakeFirst();
  if (!payment) throw apiV1Errors.paymentNotFound();
  if (!payment.is_step_by_step) throw apiV1Errors.notAHold();
  const target: HoldTarget = { shopId: payment.shop_id, invId: payment.inv_id, isTest: payment.is_test };
  return { payment, target };
}

/** A refusal of the hold service as the API's error; done and pending are answered with the payment. */
function throwIfRefused(outcome: HoldActionOutcome): void {
  if (outcome.kind !== 'refused') return;
  switch (outcome.reason) {
    case 'operation_not_found':
      throw apiV1Errors.paymentNotFound();
    case 'not_held':
      throw apiV1Errors.holdNotHeld();
    case 'hold_expired':
      throw apiV1Errors.holdExpired();
    case 'amount_exceeds_hold':
      throw validationError({ amount: AMOUNT_ABOVE_HOLD });
    case 'acquirer_refused':
      throw apiV1Errors.holdRefusedByAcquirer();
  }
}

export function registerHoldApiRoutes(
  app: FastifyInstance,
  deps: Deps,
  clientOf: (request: FastifyRequest) => ApiClient,
): void {
  const acquirer = deps.providers.cardAcquirer;
  const answer = async (client: ApiClient, paymentId: string, outcome: HoldActionOutcome) => {
    throwIfRefused(outcome);
    const payment = (await getOperation(deps.db, client.accountId, paymentId)).operation;
    return { status: outcome.kind === 'pending' ? (202 as const) : (200 as const), payment };
  };
  const responses = { 200: PaymentDetail, 202: PaymentDetail, ...postErrorResponses };

  app.post(
    '/payments/:id/capture',
    {
      schema: {
        tags: TAGS,
        summary: 'Capture a hold, in full or in part (once)',
        description:
          'Requires an Idempotency-Key header. The rest of the held amount goes back to the buyer. ' +
          '202: the acquirer has not answered yet; the payment shows the outcome later.',
        security: SECURITY,
        params: IdParams,
        headers: IdempotencyHeaders,
        body: CaptureBody,
        response: responses,
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const { id } = request.params as typeof IdParams.static;
      const body = (request.body ?? {}) as typeof CaptureBody.static;
      const { payment, target } = await findHoldTarget(deps, client, id);
      const amountMinor =
        body.amount === undefined
          ? payment.amount_minor
          : parseDecimalToMinor(body.amount.trim(), payment.currency);
      if (amountMinor === undefined || amountMinor <= 0n) throw validationError({ amount: INVALID_AMOUNT });
      const outcome = await confirmHold(deps, acquirer, target, {
        amountMinor,
        // The ResultURL after the capture is signed over OutSum: the captured amount, as Kopek writes sums.
        outSumText: formatMinor(amountMinor, payment.currency),
      });
      const { status, payment: view } = await answer(client, id, outcome);
      return reply.code(status).send(view);
    },
  );

  app.post(
    '/payments/:id/cancel',
    {
      schema: {
        tags: TAGS,
        summary: 'Cancel a hold: the reserved amount goes back to the buyer',
        description: 'Requires an Idempotency-Key header. 202: the acquirer has not answered yet.',
        security: SECURITY,
        params: IdParams,
        headers: IdempotencyHeaders,
        response: responses,
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const { id } = request.params as typeof IdParams.static;
      const { target } = await findHoldTarget(deps, client, id);
      const outcome = await cancelHold(deps, deps.providers.cardAcquirer, target);
      const { status, payment: view } = await answer(client, id, outcome);
      return reply.code(status).send(view);
    },
  );
}
