/**
 * The intake of method providers' callbacks: `POST /providers/:provider/callback` for real providers
 * and the job queue for the sandboxes (SANDBOX_CALLBACK_QUEUE), one code path for both. A callback is
 * authenticated by its provider (signature or secret) before anything of it is trusted, recorded once
 * per (provider, event id) so a repeated delivery changes nothing, and applied by
 * method-attempt.service.ts under the payment's lock. The answer tells the provider whether to retry:
 * 200 once recorded (even for a duplicate or an event we could not apply), 401 for a bad signature,
 * 400 for a body that is not the provider's format, 404 for an unknown provider.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { findProviderByName, SANDBOX_CALLBACK_QUEUE, type SandboxCallbackJob } from '../methods/index.js';
import { applyMethodEvent, type EventOutcome } from './method-attempt.service.js';

export interface CallbackAnswer {
  readonly statusCode: 200 | 400 | 401 | 404;
  readonly outcome: EventOutcome | 'duplicate' | 'bad_signature' | 'malformed' | 'unknown_provider';
}

export async function receiveMethodCallback(
  deps: Deps,
  providerName: string,
  rawBody: string,
  headers: Readonly<Record<string, string | undefined>>,
): Promise<CallbackAnswer> {
  const provider = findProviderByName(deps.providers.methodProviders, providerName);
  if (!provider) return { statusCode: 404, outcome: 'unknown_provider' };
  const reading = provider.readCallback(rawBody, headers);
  if (!reading.ok) {
    // Not stored: an unauthenticated body must not be able to fill the database.
    deps.logger.warn({ provider: provider.name, reason: reading.reason }, 'method callback refused');
    return { statusCode: reading.reason === 'bad_signature' ? 401 : 400, outcome: reading.reason };
  }
  return deps.db.transaction().execute(async (trx) => {
    const recorded = await trx
      .insertInto('provider_callbacks')
      .values({
        provider: provider.name,
        event_id: reading.event.eventId,
        outcome: 'received',
        payload: JSON.stringify(reading.payload),
        received_at: deps.clock.now(),
      })
      .onConflict((conflict) => conflict.columns(['provider', 'event_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!recorded) return { statusCode: 200, outcome: 'duplicate' } as const;
    const applied = await applyMethodEvent(trx, deps, provider, reading.event);
    await trx
      .updateTable('provider_callbacks')
      .set({ outcome: applied.outcome, attempt_id: applied.attemptId ?? null })
      .where('id', '=', recorded.id)
      .execute();
    return { statusCode: 200, outcome: applied.outcome } as const;
  });
}

/** Callbacks from providers, read as raw text: the signature covers the exact bytes. */
export async function registerMethodCallbackRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 65_536 }, (_request, body, done) =>
      done(null, body),
    );
    scope.post('/providers/:provider/callback', async (request, reply) => {
      const { provider } = request.params as { provider: string };
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value[0] : value,
        ]),
      );
      const answer = await receiveMethodCallback(deps, provider, String(request.body ?? ''), headers);
      return reply.code(answer.statusCode).send({ outcome: answer.outcome });
    });
  });
}

/** Delivers a sandbox provider's callback through the same intake; a refusal is a bug, so it fails loudly. */
export function createSandboxCallbackHandler(deps: Deps) {
  return async (payload: unknown): Promise<void> => {
    const job = payload as SandboxCallbackJob;
    const answer = await receiveMethodCallback(deps, job.provider, job.body, {
      'x-sandbox-signature': job.signature,
    });
    if (answer.statusCode !== 200) throw new Error(`sandbox callback refused: ${answer.outcome}`);
  };
}

export { SANDBOX_CALLBACK_QUEUE };
