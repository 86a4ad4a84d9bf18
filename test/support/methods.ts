/** Helpers for tests of payment methods other than the card: start, choose, callbacks signed like a sandbox's. */
import type { FastifyInstance } from 'fastify';
import { sandboxSecret, signSandboxBody } from '../../src/modules/methods/providers/sandbox-operations.js';
import type { TestContext } from './harness.js';
import { startDemoPayment, type InitOptions } from './payments.js';

/** A demo-shop payment with IncCurrLabel preselecting `alias`. */
export async function startMethodPayment(
  app: FastifyInstance,
  alias: string,
  options: InitOptions = {},
): Promise<string> {
  return startDemoPayment(app, { ...options, extra: { IncCurrLabel: alias, ...options.extra } });
}

/** The buyer presses the method's start button (with e.g. { phone }). */
export async function chooseMethod(
  app: FastifyInstance,
  paymentId: string,
  alias: string,
  fields: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: `/Merchant/Index/${paymentId}/method`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ method: alias, ...fields }).toString(),
  });
}

/**
 * A demo-shop payment whose buyer pressed `alias`'s start button (with `fields`, e.g. { phone }): the
 * payment, its pending attempt and the provider's reference of it.
 */
export async function startPendingAttempt(
  target: TestContext,
  alias: string,
  input: { invId: string; outSum: string; fields?: Record<string, string> },
) {
  const paymentId = await startMethodPayment(target.app, alias, { invId: input.invId, outSum: input.outSum });
  const started = await chooseMethod(target.app, paymentId, alias, input.fields);
  if (started.statusCode !== 303) throw new Error(`starting ${alias} answered ${started.statusCode}`);
  const attempt = (await methodAttempts(target, paymentId)).find((row) => row.status === 'pending');
  if (!attempt?.provider_reference) throw new Error(`no pending ${alias} attempt`);
  return { paymentId, attempt, reference: attempt.provider_reference, started };
}

export async function methodAttempts(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('method_attempts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('created_at')
    .execute();
}

export async function paymentRow(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
}

/** A callback body signed with the sandbox provider's secret, as its bank would send it. */
export function signedCallback(context: TestContext, provider: string, body: unknown) {
  const text = JSON.stringify(body);
  return { text, signature: signSandboxBody(sandboxSecret(context.deps.config.masterKey, provider), text) };
}

export async function postCallback(
  app: FastifyInstance,
  provider: string,
  body: string,
  signature: string | undefined,
) {
  return app.inject({
    method: 'POST',
    url: `/providers/${provider}/callback`,
    headers: {
      'content-type': 'application/json',
      ...(signature !== undefined ? { 'x-sandbox-signature': signature } : {}),
    },
    payload: body,
  });
}

/** The ledger transfers posted for a payment (none for a test payment). */
export async function ledgerTransfersOf(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('ledger_transfers')
    .selectAll()
    .where('reference', '=', paymentId)
    .execute();
}
