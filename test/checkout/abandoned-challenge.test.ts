/**
 * A buyer who closes the tab on the 3-D Secure page must not freeze the payment for good: once the
 * acquirer's challenge window has passed, Kopek asks for the outcome, records the decline, and the buyer
 * (or another buyer with the link) can pay with another card. Kopek never declines on its own guess.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGE_RECONCILE_AFTER_MS } from '../../src/modules/payments/card-payment.service.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  cardForm,
  MerchantStub,
  prepareDemoShop,
  startDemoPayment,
  submitCard,
} from '../support/payments.js';

let context: TestContext;
const stub = new MerchantStub();
let nextInvId = 5000;

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

async function startChallenge() {
  const paymentId = await startDemoPayment(context.app, { invId: String((nextInvId += 1)) });
  await submitCard(context.app, paymentId, cardForm('5555 5555 5555 4444'));
  const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
  const attemptId = /name="attemptId" value="(att_\w+)"/.exec(page.body)?.[1] ?? '';
  expect(attemptId).not.toBe('');
  return { paymentId, attemptId };
}

const paymentStatus = async (paymentId: string) =>
  (
    await context.deps.db
      .selectFrom('payments')
      .select('status')
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow()
  ).status;

const attemptOf = (attemptId: string) =>
  context.deps.db
    .selectFrom('card_attempts')
    .selectAll()
    .where('id', '=', attemptId)
    .executeTakeFirstOrThrow();

describe('an abandoned 3-D Secure challenge', () => {
  it('stays open while the buyer may still answer', async () => {
    const { paymentId, attemptId } = await startChallenge();
    context.clock.advanceMs(5 * 60_000);
    await context.worker.drain();
    expect(await paymentStatus(paymentId)).toBe('awaiting_3ds');
    expect((await attemptOf(attemptId)).status).toBe('challenge');
  });

  it('is declined once the challenge window has passed, and another card can then pay', async () => {
    const { paymentId, attemptId } = await startChallenge();
    context.clock.advanceMs(CHALLENGE_RECONCILE_AFTER_MS + 1_000);
    await context.worker.drain();
    expect(await attemptOf(attemptId)).toMatchObject({
      status: 'declined',
      decline_reason: 'challenge_expired',
    });
    expect(await paymentStatus(paymentId)).toBe('failed');
    const events = await context.deps.db
      .selectFrom('payment_events')
      .select('kind')
      .where('payment_id', '=', paymentId)
      .orderBy('created_at')
      .execute();
    expect(events.map((event) => event.kind)).toContain('declined');

    // The code typed after the window closed is not sent on: the page says time ran out.
    const late = await context.app.inject({
      method: 'POST',
      url: `/Merchant/Index/${paymentId}/3ds`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ attemptId, code: '123456' }).toString(),
    });
    expect(late.body).toContain('время на ввод кода подтверждения истекло');
    expect(await paymentStatus(paymentId)).toBe('failed');

    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
    expect(await paymentStatus(paymentId)).toBe('paid');
  });

  it('is paid, not declined, when the buyer answered just before the window closed', async () => {
    const { paymentId, attemptId } = await startChallenge();
    context.clock.advanceMs(9 * 60_000);
    const answer = await context.app.inject({
      method: 'POST',
      url: `/Merchant/Index/${paymentId}/3ds`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ attemptId, code: '123456' }).toString(),
    });
    expect(answer.statusCode).toBe(303);
    context.clock.advanceMs(CHALLENGE_RECONCILE_AFTER_MS);
    await context.worker.drain();
    expect((await attemptOf(attemptId)).status).toBe('approved');
    expect(await paymentStatus(paymentId)).toBe('paid');
  });
});
