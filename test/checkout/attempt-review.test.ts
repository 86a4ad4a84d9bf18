/**
 * Card attempts whose outcome Kopek could not learn on its own wait for an operator: the back-office
 * lists them, can ask the acquirer again, and records the operator's decision with an audit entry.
 * Merchants cannot reach any of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcquirerOutcome, CardAuthorizationRequest } from '../../src/modules/methods/index.js';
import { SandboxCardAcquirer } from '../../src/modules/methods/index.js';
import { systemClock } from '../../src/platform/clock.js';
import { createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  cardForm,
  MerchantStub,
  prepareDemoShop,
  startDemoPayment,
  submitCard,
} from '../support/payments.js';

/** An acquirer whose answers get lost: with a reference it can be asked later, without one it cannot. */
class LossyAcquirer extends SandboxCardAcquirer {
  statusAnswer: AcquirerOutcome = { kind: 'no_answer', reference: null };
  override async authorize(request: CardAuthorizationRequest): Promise<AcquirerOutcome> {
    if (request.card.pan.endsWith('1111'))
      return { kind: 'no_answer', reference: `ref-${request.attemptId}` };
    throw new Error('connection reset');
  }
  override async fetchStatus(): Promise<AcquirerOutcome> {
    return this.statusAnswer;
  }
}

let context: TestContext;
let acquirer: LossyAcquirer;
const stub = new MerchantStub();
let nextInvId = 8000;

beforeAll(async () => {
  await stub.start();
  // Only authorize and fetchStatus are called, and neither touches the sandbox's own table.
  acquirer = new LossyAcquirer({ db: undefined as never, clock: systemClock });
  context = await createTestContext({}, { cardAcquirer: acquirer });
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

async function lostAttempt(cardNumber: string) {
  const paymentId = await startDemoPayment(context.app, { invId: String((nextInvId += 1)) });
  await submitCard(context.app, paymentId, cardForm(cardNumber));
  const attempt = await context.deps.db
    .selectFrom('card_attempts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .executeTakeFirstOrThrow();
  return { paymentId, attemptId: attempt.id };
}

const paymentStatus = async (paymentId: string) =>
  (
    await context.deps.db
      .selectFrom('payments')
      .select('status')
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow()
  ).status;

describe('attempts with an unknown outcome', () => {
  it('are listed for operators once the reconcile job has had its chance, and never for merchants', async () => {
    const { attemptId } = await lostAttempt('5105 1051 0510 5100');
    const operator = await createOperator(context);
    expect((await operator.browser.get('/api/backoffice/card-attempts')).json().items).toEqual([]);
    context.clock.advanceMs(11 * 60_000);
    const listed = (await operator.browser.get('/api/backoffice/card-attempts')).json().items;
    expect(listed).toEqual([
      expect.objectContaining({
        attemptId,
        status: 'unknown',
        acquirerReference: null,
        amountMinor: '10000',
      }),
    ]);
    const merchant = await registerMerchant(context);
    expect((await merchant.browser.get('/api/backoffice/card-attempts')).statusCode).toBe(403);
  });

  it('refuses a recheck without an acquirer reference, and a decision without a note', async () => {
    const { attemptId } = await lostAttempt('5105 1051 0510 5100');
    context.clock.advanceMs(11 * 60_000);
    const operator = await createOperator(context);
    const recheck = await operator.browser.post(`/api/backoffice/card-attempts/${attemptId}/recheck`, {});
    expect(recheck.statusCode).toBe(409);
    expect(recheck.json().error.code).toBe('no_reference');
    const noNote = await operator.browser.post(`/api/backoffice/card-attempts/${attemptId}/resolve`, {
      outcome: 'approved',
      note: '  ',
    });
    expect(noNote.statusCode).toBe(422);
    expect(noNote.json().error.fields.note).toBeDefined();
  });

  it('records an operator approval: the payment is paid, the merchant notified, the decision audited', async () => {
    const { paymentId, attemptId } = await lostAttempt('5105 1051 0510 5100');
    context.clock.advanceMs(11 * 60_000);
    const operator = await createOperator(context);
    const resolved = await operator.browser.post(`/api/backoffice/card-attempts/${attemptId}/resolve`, {
      outcome: 'approved',
      note: 'RRN 123456789012 in the acquirer registry',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(await paymentStatus(paymentId)).toBe('paid');
    const audit = await context.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target', '=', attemptId)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'card_attempt.approved_by_operator', actor_user_id: operator.id });
    const notifications = await context.deps.db
      .selectFrom('notifications')
      .select('subject_id')
      .where('subject_id', '=', paymentId)
      .execute();
    expect(notifications).toHaveLength(1);
    // Settled now: a second decision is refused and changes nothing.
    const again = await operator.browser.post(`/api/backoffice/card-attempts/${attemptId}/resolve`, {
      outcome: 'declined',
      note: 'changed my mind',
    });
    expect(again.statusCode).toBe(409);
    expect(await paymentStatus(paymentId)).toBe('paid');
  });

  it('rechecks an attempt with a reference and records the acquirer’s final answer', async () => {
    const { paymentId, attemptId } = await lostAttempt('4111 1111 1111 1111');
    context.clock.advanceMs(11 * 60_000);
    const operator = await createOperator(context);
    const stillUnknown = await operator.browser.post(
      `/api/backoffice/card-attempts/${attemptId}/recheck`,
      {},
    );
    expect(stillUnknown.statusCode).toBe(409);
    acquirer.statusAnswer = { kind: 'declined', reference: `ref-${attemptId}`, reason: 'insufficient_funds' };
    const recheck = await operator.browser.post(`/api/backoffice/card-attempts/${attemptId}/recheck`, {});
    expect(recheck.statusCode, recheck.body).toBe(200);
    expect(await paymentStatus(paymentId)).toBe('failed');
    acquirer.statusAnswer = { kind: 'no_answer', reference: null };
  });

  it('refuses a decision while the acquirer may still answer', async () => {
    const { attemptId } = await lostAttempt('5105 1051 0510 5100');
    const operator = await createOperator(context);
    const early = await operator.browser.post(`/api/backoffice/card-attempts/${attemptId}/resolve`, {
      outcome: 'declined',
      note: 'too early',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('attempt_in_flight');
  });
});
