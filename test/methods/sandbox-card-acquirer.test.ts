import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DECLINE_REASON_TEXTS,
  DECLINE_REASONS,
  SANDBOX_CARDS,
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

const CVC = '739';

function request(
  pan: string,
  overrides: Partial<CardAuthorizationRequest['card']> = {},
): CardAuthorizationRequest {
  return {
    paymentId: createId('pay'),
    attemptId: createId('att'),
    amountMinor: 150_050n,
    currency: 'RUB',
    card: { pan, expiryMonth: 12, expiryYear: 2028, cvc: CVC, ...overrides },
    description: 'Книга «Мастер и Маргарита»',
  };
}

async function operationRow(reference: string | null) {
  return context.deps.db
    .selectFrom('sandbox_acquirer_operations')
    .selectAll()
    .where('reference', '=', reference ?? '')
    .executeTakeFirstOrThrow();
}

function expectNoCardData(row: Record<string, unknown>, pan: string): void {
  const values = Object.values(row).map((value) =>
    value instanceof Date ? value.toISOString() : String(value),
  );
  expect(values.join('|')).not.toContain(pan);
  expect(values.join('|')).not.toContain(pan.slice(0, 6));
  expect(values).not.toContain(CVC);
  expect(Object.keys(row).join(',')).not.toMatch(/cvc|cvv|pan|expiry/i);
}

describe('the sandbox acquirer: approved cards', () => {
  it('describes itself as a sandbox', () => {
    expect(acquirer.name).toBe('sandbox');
    expect(acquirer.isSandbox).toBe(true);
  });

  it('approves 4111 1111 1111 1111 without 3-D Secure and remembers the operation', async () => {
    const outcome = await acquirer.authorize(request(SANDBOX_CARDS.approved));
    expect(outcome).toEqual({
      kind: 'approved',
      reference: expect.stringMatching(/^sbx_[0-9a-z]{20}$/),
      rrn: expect.stringMatching(/^\d{12}$/),
      approvalCode: expect.stringMatching(/^[0-9A-Z]{6}$/),
    });
    const row = await operationRow(outcome.reference);
    expect(row).toMatchObject({
      amount_minor: 150_050n,
      currency: 'RUB',
      card_last4: '1111',
      scenario: 'approved',
      status: 'approved',
      challenge_failures: 0,
      decline_reason: null,
      created_at: context.clock.now(),
    });
    expectNoCardData(row, SANDBOX_CARDS.approved);
    expect(await acquirer.fetchStatus(outcome.reference ?? '')).toEqual(outcome);
  });

  it('gives every operation its own reference, RRN and approval code', async () => {
    const first = await acquirer.authorize(request(SANDBOX_CARDS.approved));
    const second = await acquirer.authorize(request(SANDBOX_CARDS.approved));
    expect(first.kind === 'approved' && second.kind === 'approved').toBe(true);
    if (first.kind !== 'approved' || second.kind !== 'approved') return;
    expect(second.reference).not.toBe(first.reference);
    expect(second.rrn).not.toBe(first.rrn);
    expect(second.approvalCode).not.toBe(first.approvalCode);
  });

  it.each([
    ['another Visa', '4242424242424242', '123'],
    ['a Mastercard', '5105105105105100', '123'],
    ['a Mir card', '2200000000000012', '123'],
    ['an American Express card', '378282246310005', '1234'],
  ])('approves %s by default, without 3-D Secure', async (_name, pan, cvc) => {
    const outcome = await acquirer.authorize(request(pan, { cvc }));
    expect(outcome.kind).toBe('approved');
    expect(await operationRow(outcome.reference)).toMatchObject({
      scenario: 'approved_default',
      card_last4: pan.slice(-4),
    });
  });
});

describe('the sandbox acquirer: 3-D Secure', () => {
  it.each([
    ['Mastercard', SANDBOX_CARDS.challenge],
    ['Mir', SANDBOX_CARDS.challengeMir],
  ])('challenges the %s card and approves the right code', async (_name, pan) => {
    const outcome = await acquirer.authorize(request(pan));
    expect(outcome).toEqual({ kind: 'challenge', reference: expect.stringMatching(/^sbx_/), triesLeft: 3 });
    const reference = outcome.reference ?? '';
    expect(await acquirer.fetchStatus(reference)).toEqual(outcome);
    expect(await acquirer.answerChallenge(reference, '123456')).toEqual({
      kind: 'approved',
      reference,
      rrn: expect.stringMatching(/^\d{12}$/),
      approvalCode: expect.stringMatching(/^[0-9A-Z]{6}$/),
    });
    expectNoCardData(await operationRow(reference), pan);
  });

  it('asks again after a wrong answer, with one try fewer, and still approves the right code', async () => {
    const { reference } = await acquirer.authorize(request(SANDBOX_CARDS.challenge));
    expect(await acquirer.answerChallenge(reference ?? '', '000000')).toEqual({
      kind: 'challenge',
      reference,
      triesLeft: 2,
    });
    expect(await acquirer.answerChallenge(reference ?? '', '12345')).toEqual({
      kind: 'challenge',
      reference,
      triesLeft: 1,
    });
    expect(await acquirer.fetchStatus(reference ?? '')).toEqual({
      kind: 'challenge',
      reference,
      triesLeft: 1,
    });
    expect((await acquirer.answerChallenge(reference ?? '', ' 123456 ')).kind).toBe('approved');
    expect(await operationRow(reference)).toMatchObject({ status: 'approved', challenge_failures: 2 });
  });

  it('declines on the third wrong answer, and stays declined', async () => {
    const { reference } = await acquirer.authorize(request(SANDBOX_CARDS.challengeMir));
    const ref = reference ?? '';
    expect(await acquirer.answerChallenge(ref, '111111')).toMatchObject({ kind: 'challenge', triesLeft: 2 });
    expect(await acquirer.answerChallenge(ref, '222222')).toMatchObject({ kind: 'challenge', triesLeft: 1 });
    const declined = { kind: 'declined', reference, reason: 'challenge_failed' };
    expect(await acquirer.answerChallenge(ref, '')).toEqual(declined);
    expect(await acquirer.answerChallenge(ref, '123456')).toEqual(declined);
    expect(await acquirer.fetchStatus(ref)).toEqual(declined);
    expect(await operationRow(reference)).toMatchObject({
      status: 'declined',
      decline_reason: 'challenge_failed',
      challenge_failures: 3,
    });
  });

  it('answers an approved operation’s current outcome again, whatever the answer (idempotent)', async () => {
    const { reference } = await acquirer.authorize(request(SANDBOX_CARDS.challenge));
    const approved = await acquirer.answerChallenge(reference ?? '', '123456');
    const updatedAt = (await operationRow(reference)).updated_at;
    context.clock.advanceMs(1_000);
    expect(await acquirer.answerChallenge(reference ?? '', '123456')).toEqual(approved);
    expect(await acquirer.answerChallenge(reference ?? '', 'wrong')).toEqual(approved);
    expect(await acquirer.fetchStatus(reference ?? '')).toEqual(approved);
    expect(await operationRow(reference)).toMatchObject({
      status: 'approved',
      challenge_failures: 0,
      updated_at: updatedAt,
    });
  });

  it('answers a challenge on an operation that never had one with its outcome', async () => {
    const approved = await acquirer.authorize(request(SANDBOX_CARDS.approved));
    expect(await acquirer.answerChallenge(approved.reference ?? '', '123456')).toEqual(approved);
    const declined = await acquirer.authorize(request(SANDBOX_CARDS.insufficientFunds));
    expect(await acquirer.answerChallenge(declined.reference ?? '', '123456')).toEqual(declined);
  });

  it('counts answers sent at once one by one: three wrong answers decline exactly once', async () => {
    const { reference } = await acquirer.authorize(request(SANDBOX_CARDS.challenge));
    const outcomes = await Promise.all(
      ['111111', '222222', '333333'].map((answer) => acquirer.answerChallenge(reference ?? '', answer)),
    );
    const summary = outcomes.map((outcome) =>
      outcome.kind === 'challenge' ? outcome.triesLeft : outcome.kind,
    );
    expect(summary.sort()).toEqual([1, 2, 'declined']);
    expect(await operationRow(reference)).toMatchObject({ status: 'declined', challenge_failures: 3 });
  });

  it('lets another instance (another node, or after a restart) continue the challenge', async () => {
    const { reference } = await acquirer.authorize(request(SANDBOX_CARDS.challenge));
    await acquirer.answerChallenge(reference ?? '', '000000');
    const otherNode = new SandboxCardAcquirer({ db: context.deps.db, clock: context.clock });
    expect(await otherNode.fetchStatus(reference ?? '')).toEqual({
      kind: 'challenge',
      reference,
      triesLeft: 2,
    });
    expect((await otherNode.answerChallenge(reference ?? '', '123456')).kind).toBe('approved');
  });
});

describe('the sandbox acquirer: declines', () => {
  it('declines 4000 0000 0000 0002 for insufficient funds', async () => {
    const outcome = await acquirer.authorize(request(SANDBOX_CARDS.insufficientFunds));
    expect(outcome).toEqual({
      kind: 'declined',
      reference: expect.stringMatching(/^sbx_/),
      reason: 'insufficient_funds',
    });
    expect(await acquirer.fetchStatus(outcome.reference ?? '')).toEqual(outcome);
    const row = await operationRow(outcome.reference);
    expect(row).toMatchObject({ scenario: 'insufficient_funds', status: 'declined', card_last4: '0002' });
    expectNoCardData(row, SANDBOX_CARDS.insufficientFunds);
  });

  it('declines an expired card, whatever its scenario', async () => {
    // The harness clock stands in March 2026: February 2026 has ended, March 2026 has not.
    expect(context.clock.now().toISOString()).toMatch(/^2026-03/);
    for (const pan of [SANDBOX_CARDS.approved, SANDBOX_CARDS.challenge]) {
      const outcome = await acquirer.authorize(request(pan, { expiryMonth: 2, expiryYear: 2026 }));
      expect(outcome).toMatchObject({ kind: 'declined', reason: 'card_expired' });
    }
    const current = await acquirer.authorize(
      request(SANDBOX_CARDS.approved, { expiryMonth: 3, expiryYear: 2026 }),
    );
    expect(current.kind).toBe('approved');
  });

  it.each([
    ['a CVC of two digits', SANDBOX_CARDS.approved, { cvc: '12' }],
    ['a CVC of four digits on a Visa', SANDBOX_CARDS.approved, { cvc: '1234' }],
    ['a CVC of three digits on an American Express card', '378282246310005', { cvc: '123' }],
    ['a CVC with letters', SANDBOX_CARDS.approved, { cvc: '1a3' }],
    ['a number failing Luhn', '4111111111111112', {}],
    ['a number that is not digits', '4111-1111-1111-1111', {}],
    ['month 13', SANDBOX_CARDS.approved, { expiryMonth: 13 }],
  ])('declines %s (do_not_honor)', async (_name, pan, card) => {
    const outcome = await acquirer.authorize(request(pan, card));
    expect(outcome).toEqual({
      kind: 'declined',
      reference: expect.stringMatching(/^sbx_/),
      reason: 'do_not_honor',
    });
  });

  it('declines an amount that is not positive (do_not_honor)', async () => {
    const outcome = await acquirer.authorize({ ...request(SANDBOX_CARDS.approved), amountMinor: 0n });
    expect(outcome).toMatchObject({ kind: 'declined', reason: 'do_not_honor' });
  });
});

describe('the sandbox acquirer: no answer in time', () => {
  it('does not answer for 4000 0000 0000 0119, then declines with a timeout once the time has passed', async () => {
    const outcome = await acquirer.authorize(request(SANDBOX_CARDS.noAnswer));
    expect(outcome).toEqual({ kind: 'no_answer', reference: expect.stringMatching(/^sbx_/) });
    const reference = outcome.reference ?? '';
    expect(await acquirer.fetchStatus(reference)).toEqual(outcome);
    context.clock.advanceMs(59_999);
    expect(await acquirer.fetchStatus(reference)).toEqual(outcome);
    expect(await acquirer.answerChallenge(reference, '123456')).toEqual(outcome);
    context.clock.advanceMs(1);
    const timedOut = { kind: 'declined', reference, reason: 'acquirer_timeout' };
    expect(await acquirer.fetchStatus(reference)).toEqual(timedOut);
    context.clock.advanceMs(3_600_000);
    expect(await acquirer.fetchStatus(reference)).toEqual(timedOut);
    expect(await acquirer.answerChallenge(reference, '123456')).toEqual(timedOut);
    const row = await operationRow(reference);
    expect(row).toMatchObject({
      scenario: 'no_answer',
      status: 'declined',
      decline_reason: 'acquirer_timeout',
    });
    expectNoCardData(row, SANDBOX_CARDS.noAnswer);
  });

  it('settles through answerChallenge too once the time has passed', async () => {
    const { reference } = await acquirer.authorize(request(SANDBOX_CARDS.noAnswer));
    context.clock.advanceMs(60_000);
    expect(await acquirer.answerChallenge(reference ?? '', '123456')).toEqual({
      kind: 'declined',
      reference,
      reason: 'acquirer_timeout',
    });
  });

  it('takes the waiting time from its options', async () => {
    const quick = new SandboxCardAcquirer({
      db: context.deps.db,
      clock: context.clock,
      noAnswerResolvesAfterMs: 5_000,
    });
    const { reference } = await quick.authorize(request(SANDBOX_CARDS.noAnswer));
    context.clock.advanceMs(4_999);
    expect((await quick.fetchStatus(reference ?? '')).kind).toBe('no_answer');
    // The default instance would still wait; the operation's age is what counts, not who asks.
    expect((await acquirer.fetchStatus(reference ?? '')).kind).toBe('no_answer');
    context.clock.advanceMs(1);
    expect(await quick.fetchStatus(reference ?? '')).toMatchObject({
      kind: 'declined',
      reason: 'acquirer_timeout',
    });
  });
});

describe('the sandbox acquirer: unknown references', () => {
  it.each(['sbx_00000000000000000000', '', 'pay_x'])('declines %j with no reference', async (reference) => {
    const unknown = { kind: 'declined', reference: null, reason: 'do_not_honor' };
    expect(await acquirer.fetchStatus(reference)).toEqual(unknown);
    expect(await acquirer.answerChallenge(reference, '123456')).toEqual(unknown);
  });
});

describe('decline texts', () => {
  it('explain every reason to the buyer in both languages', () => {
    expect(Object.keys(DECLINE_REASON_TEXTS).sort()).toEqual([...DECLINE_REASONS].sort());
    for (const text of Object.values(DECLINE_REASON_TEXTS)) {
      expect(text.ru.trim()).not.toBe('');
      expect(text.en.trim()).not.toBe('');
    }
    expect(DECLINE_REASON_TEXTS.insufficient_funds.ru).toBe('Недостаточно средств на карте.');
  });
});
