/**
 * Money safety around the edges of a card payment: a payment cannot change under an open attempt, a lost
 * acquirer answer is never taken for a decline, the shop's own site is reachable from the paid page, and a
 * sandbox cannot take live payments in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxCardAcquirer, type CardAcquirer } from '../../src/modules/methods/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  cardForm,
  demoInitUrl,
  MerchantStub,
  prepareDemoShop,
  startDemoPayment,
  submitCard,
} from '../support/payments.js';

const stub = new MerchantStub();
beforeAll(() => stub.start());
afterAll(() => stub.stop());

async function paymentRow(context: TestContext, paymentId: string) {
  return context.deps.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
}

function answer3ds(context: TestContext, paymentId: string, attemptId: string, code: string) {
  return context.app.inject({
    method: 'POST',
    url: `/Merchant/Index/${paymentId}/3ds`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ attemptId, code }).toString(),
  });
}

describe('with the sandbox acquirer', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await createTestContext();
    await prepareDemoShop(context, stub);
  });
  afterAll(() => context?.close());

  it('keeps the amount of a payment whose 3-D Secure attempt is open, even after expiry and a new request', async () => {
    const invId = '5002';
    const paymentId = await startDemoPayment(context.app, {
      invId,
      outSum: '100.00',
      extra: { ExpirationDate: '2026-03-02T12:05:00+03:00' },
    });
    await submitCard(context.app, paymentId, cardForm('5555 5555 5555 4444'));
    const attempt = await context.deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirstOrThrow();
    // Past the payment's expiry, still within the 3-D Secure window (10 minutes in the sandbox).
    context.clock.advanceMs(8 * 60_000);
    // Another tab submits a card after the expiry, and the shop re-sends the InvId with a bigger sum.
    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
    const again = await context.app.inject({ method: 'GET', url: demoInitUrl({ invId, outSum: '9000.00' }) });
    expect(again.headers.location).toBe(`/Merchant/Index/${paymentId}`);
    expect((await paymentRow(context, paymentId)).amount_minor).toBe(10_000n);
    await answer3ds(context, paymentId, attempt.id, '123456');
    const paid = await paymentRow(context, paymentId);
    expect(paid).toMatchObject({ status: 'paid', amount_minor: 10_000n, out_sum_text: '100.00' });
  });

  it('allows the shop’s own origin in the paid page’s form-action, so the buyer can get back', async () => {
    await context.deps.db
      .updateTable('shops')
      .set({ success_url: 'https://shop.example/thanks' })
      .where('merchant_login', '=', 'demo')
      .execute();
    const paymentId = await startDemoPayment(context.app, { invId: '5003' });
    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.headers['content-security-policy']).toContain("form-action 'self' https://shop.example");
    expect(page.body).toContain('action="https://shop.example/thanks"');
  });
});

describe('when the acquirer’s answer is lost', () => {
  let context: TestContext;
  beforeAll(async () => {
    const lostAnswer: CardAcquirer = {
      name: 'lost-answer',
      isSandbox: true,
      authorize: async () => {
        throw new Error('connection reset');
      },
      answerChallenge: async () => ({ kind: 'no_answer', reference: null }),
      fetchStatus: async () => ({ kind: 'no_answer', reference: null }),
      capture: async ({ reference }) => ({ kind: 'no_answer', reference }),
      voidAuthorization: async (reference) => ({ kind: 'no_answer', reference }),
    };
    context = await createTestContext({}, { cardAcquirer: lostAnswer });
    await prepareDemoShop(context, stub);
  });
  afterAll(() => context?.close());

  it('keeps the attempt open for the operator instead of declining it, and refuses a second charge', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: '6001' });
    expect((await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'))).statusCode).toBe(303);
    context.clock.advanceMs(5 * 60_000);
    await context.worker.drain();
    const attempt = await context.deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(attempt.status).toBe('unknown');
    expect((await paymentRow(context, paymentId)).status).toBe('processing');
    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111', 'another-key'));
    const attempts = await context.deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .execute();
    expect(attempts).toHaveLength(1);
  });
});

describe('in production with the sandbox acquirer', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await createTestContext({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525' });
    await prepareDemoShop(context, stub);
  });
  afterAll(() => context?.close());

  it('refuses live payments with code 41 and takes test ones', async () => {
    expect(context.deps.providers.cardAcquirer).toBeInstanceOf(SandboxCardAcquirer);
    const live = await context.app.inject({ method: 'GET', url: demoInitUrl({ invId: '7001' }) });
    expect(live.statusCode).toBe(400);
    expect(live.body).toContain('Код ошибки Robokassa: 41');
    const test = await context.app.inject({
      method: 'GET',
      url: demoInitUrl({ invId: '7002', isTest: true }),
    });
    expect(test.statusCode).toBe(303);
  });
});
