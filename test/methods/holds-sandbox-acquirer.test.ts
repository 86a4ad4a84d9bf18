/** The sandbox acquirer's holds: authorize with a deferred capture, then capture (all or part) or void. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_CARDS,
  SANDBOX_CHALLENGE_CODE,
  SandboxCardAcquirer,
  type CardAuthorizationRequest,
} from '../../src/modules/methods/index.js';
import { createId } from '../../src/platform/ids.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let acquirer: SandboxCardAcquirer;
beforeAll(async () => {
  context = await createTestContext();
  acquirer = new SandboxCardAcquirer({ db: context.deps.db, clock: context.clock });
});
afterAll(async () => context?.close());

function request(pan: string, capture?: 'immediate' | 'deferred'): CardAuthorizationRequest {
  return {
    paymentId: createId('pay'),
    attemptId: createId('att'),
    amountMinor: 10_000n,
    currency: 'RUB',
    card: { pan, expiryMonth: 12, expiryYear: 2030, cvc: '123' },
    description: 'Бронь',
    ...(capture ? { capture } : {}),
  };
}

async function authorizeHold(pan: string = SANDBOX_CARDS.approved): Promise<string> {
  const outcome = await acquirer.authorize(request(pan, 'deferred'));
  if (outcome.kind !== 'approved') throw new Error(`expected an authorization, got ${outcome.kind}`);
  return outcome.reference;
}

const capture = (reference: string, amountMinor: bigint, idempotencyKey = `key-${reference}`) =>
  acquirer.capture({ reference, amountMinor, idempotencyKey });

describe('capture', () => {
  it('captures part of an authorization once; the same request again answers the same', async () => {
    const reference = await authorizeHold();
    expect(await capture(reference, 6_000n)).toEqual({ kind: 'captured', reference, amountMinor: 6_000n });
    expect(await capture(reference, 6_000n)).toEqual({ kind: 'captured', reference, amountMinor: 6_000n });
    expect(await capture(reference, 6_000n, 'another-key')).toEqual({
      kind: 'refused',
      reference,
      reason: 'already_captured',
    });
    expect(await capture(reference, 4_000n)).toMatchObject({ kind: 'refused', reason: 'already_captured' });
    const row = await context.deps.db
      .selectFrom('sandbox_acquirer_operations')
      .selectAll()
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ is_capture_deferred: true, captured_minor: 6_000n, voided_at: null });
  });

  it('refuses more than authorized, zero, an unknown reference and an immediate charge', async () => {
    const reference = await authorizeHold();
    expect(await capture(reference, 10_001n)).toMatchObject({
      kind: 'refused',
      reason: 'amount_exceeds_authorization',
    });
    expect(await capture(reference, 0n)).toMatchObject({ reason: 'amount_exceeds_authorization' });
    expect(await capture('sbx_unknown', 1n)).toMatchObject({ kind: 'refused', reason: 'not_authorized' });
    const charged = await acquirer.authorize(request(SANDBOX_CARDS.approved));
    expect(await capture(charged.reference ?? '', 1n)).toMatchObject({ reason: 'not_authorized' });
    const declined = await acquirer.authorize(request(SANDBOX_CARDS.insufficientFunds, 'deferred'));
    expect(await capture(declined.reference ?? '', 1n)).toMatchObject({ reason: 'not_authorized' });
    expect(await capture(reference, 10_000n)).toMatchObject({ kind: 'captured', amountMinor: 10_000n });
  });

  it('authorizes after 3-D Secure as well', async () => {
    const challenged = await acquirer.authorize(request(SANDBOX_CARDS.challenge, 'deferred'));
    const reference = challenged.reference ?? '';
    expect(await acquirer.answerChallenge(reference, SANDBOX_CHALLENGE_CODE)).toMatchObject({
      kind: 'approved',
    });
    expect(await capture(reference, 10_000n)).toMatchObject({ kind: 'captured' });
  });
});

describe('void', () => {
  it('gives the authorization back; voiding again answers voided; a capture is then refused', async () => {
    const reference = await authorizeHold();
    expect(await acquirer.voidAuthorization(reference)).toEqual({ kind: 'voided', reference });
    expect(await acquirer.voidAuthorization(reference)).toEqual({ kind: 'voided', reference });
    expect(await capture(reference, 1n)).toEqual({ kind: 'refused', reference, reason: 'voided' });
  });

  it('is refused after a capture and for something never authorized', async () => {
    const reference = await authorizeHold();
    await capture(reference, 10_000n);
    expect(await acquirer.voidAuthorization(reference)).toEqual({
      kind: 'refused',
      reference,
      reason: 'already_captured',
    });
    expect(await acquirer.voidAuthorization('sbx_unknown')).toMatchObject({ reason: 'not_authorized' });
  });

  it('lets only one of a capture and a void sent at once succeed', async () => {
    for (let round = 0; round < 5; round += 1) {
      const reference = await authorizeHold();
      const [captured, voided] = await Promise.all([
        capture(reference, 10_000n),
        acquirer.voidAuthorization(reference),
      ]);
      expect([captured.kind === 'captured', voided.kind === 'voided'].filter(Boolean)).toHaveLength(1);
    }
  });
});
