/**
 * Internet banking (Alfa-Click style) end to end over HTTP: IncCurrLabel=AlfaBank preselects the bank,
 * checkout sends the buyer to the sandbox bank, who signs in with a test login and signs the payment
 * order; the bank is "processing" for its delay (KOPEK_SANDBOX_BANK_DELAY_SECONDS) and then its signed
 * callback pays the payment through the card's path (ledger, ResultURL acknowledged). Declines (too
 * little money, cancel), callbacks forged, duplicated, late and with an unknown status, expiry of a
 * pending bank payment by the injected clock, refunds, the config reader and the transformer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { findMethodByLabelOrAlias, findProviderByName } from '../../src/modules/methods/index.js';
import {
  bankStatusAt,
  bankStatusToOurs,
  maskBankAccount,
  SANDBOX_BANK_PROVIDER,
  toBankPaymentOrder,
} from '../../src/modules/methods/providers/sandbox-bank.js';
import type { SandboxOperation } from '../../src/modules/methods/providers/sandbox-operations.js';
import { expireMethodAttempts } from '../../src/modules/payments/index.js';
import { refundPayment } from '../../src/modules/refunds/index.js';
import { createTestContext, TEST_MASTER_KEY, type TestContext } from '../support/harness.js';
import {
  chooseMethod,
  ledgerTransfersOf,
  methodAttempts,
  paymentRow,
  postCallback,
  signedCallback,
  startMethodPayment,
  startPendingAttempt,
} from '../support/methods.js';
import { MerchantStub, prepareDemoShop } from '../support/payments.js';

let context: TestContext;
const stub = new MerchantStub();
let nextInvId = 8000;
const newInvId = () => String((nextInvId += 1));
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

/** A payment with a pending internet-bank attempt: its id, the attempt and the bank page's path. */
async function pendingBankPayment(target: TestContext = context, outSum = '250.00') {
  const invId = newInvId();
  const { paymentId, attempt, reference } = await startPendingAttempt(target, 'AlfaBank', { invId, outSum });
  return { invId, paymentId, attempt, reference, bankPath: `/sandbox/bank/${reference}` };
}

async function signIn(target: TestContext, reference: string, login: string, password = login) {
  const answer = await target.app.inject({
    method: 'POST',
    url: `/sandbox/bank/${reference}/sign-in`,
    headers: FORM,
    payload: new URLSearchParams({ login, password }).toString(),
  });
  const session = /name="session" value="([^"]+)"/.exec(answer.body)?.[1] ?? '';
  return { answer, session };
}

async function decide(target: TestContext, reference: string, session: string, decision: 'sign' | 'cancel') {
  return target.app.inject({
    method: 'POST',
    url: `/sandbox/bank/${reference}/order`,
    headers: FORM,
    payload: new URLSearchParams({ session, decision }).toString(),
  });
}

/** Signs in as `login` and signs (or cancels) the order: what the buyer does on the bank's pages. */
async function payAtBank(
  target: TestContext,
  reference: string,
  login = 'client',
  decision: 'sign' | 'cancel' = 'sign',
) {
  const { answer, session } = await signIn(target, reference, login);
  expect(answer.statusCode).toBe(200);
  return decide(target, reference, session, decision);
}

function callbackBody(reference: string, status: string, amount: number, eventId = `ev-${Math.random()}`) {
  return {
    eventId,
    orderId: reference,
    externalId: 'mat_x',
    status,
    amount,
    debitAccount: '40817…2345',
    statusTime: '2026-03-02T09:00:00.000Z',
  };
}

async function callbacksOf(target: TestContext, attemptId: string) {
  return target.deps.db
    .selectFrom('provider_callbacks')
    .select(['outcome', 'payload'])
    .where('attempt_id', '=', attemptId)
    .orderBy('id')
    .execute();
}

async function bankOperation(target: TestContext, reference: string) {
  return target.deps.db
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', SANDBOX_BANK_PROVIDER)
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
}

/** Page text with Intl's no-break spaces (digit grouping) made plain, for readable expectations. */
function plain(body: string): string {
  return body.replace(/[\u00a0\u202f]/g, ' ');
}

describe('the internet-bank transformer', () => {
  const method = findMethodByLabelOrAlias('AlfaBank');

  it('turns our request into the bank’s payment order: kopecks, a purpose of 210 characters, the payee', () => {
    if (!method) throw new Error('AlfaBank is not in the catalogue');
    const now = new Date('2026-03-02T09:00:00Z');
    expect(
      toBankPaymentOrder(
        {
          attemptId: 'mat_1',
          paymentId: 'pay_1',
          method: method.item,
          amountMinor: 25_050n,
          currency: 'RUB',
          description: `Заказ  №5\n${'x'.repeat(300)}`,
          returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
          buyerInput: {},
          expiresAt: new Date('2026-03-02T09:59:30Z'),
        },
        now,
      ),
    ).toEqual({
      externalId: 'mat_1',
      amount: 25_050,
      currency: 'RUB',
      purpose: `Оплата заказа: Заказ №5 ${'x'.repeat(300)}`.slice(0, 210),
      payeeName: 'ООО «Копек»',
      payeeInn: '7700000000',
      payeeAccount: '40702810900000000001',
      payeeBic: '044525593',
      returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
      validUntil: '2026-03-02T09:59:30.000Z',
      lifetimeMinutes: 60,
    });
  });

  it.each([
    ['NEW', 'pending'],
    ['SIGNED', 'pending'],
    ['PROCESSING', 'pending'],
    ['EXECUTED', 'paid'],
    ['REJECTED', 'declined'],
    ['EXPIRED', 'expired'],
    ['executed', 'unknown'],
    ['PAID', 'unknown'],
    ['toString', 'unknown'],
    ['', 'unknown'],
  ])('reads the bank’s %j as %j', (status, ours) => {
    expect(bankStatusToOurs(status)).toBe(ours);
  });

  it('counts a processing order as executed once its execution time has come', () => {
    const operation = {
      status: 'PROCESSING',
      details: { executesAt: '2026-03-02T09:01:00.000Z' },
    } as unknown as SandboxOperation;
    expect(bankStatusAt(operation, new Date('2026-03-02T09:00:59Z'))).toBe('PROCESSING');
    expect(bankStatusAt(operation, new Date('2026-03-02T09:01:00Z'))).toBe('EXECUTED');
    expect(bankStatusAt({ ...operation, status: 'REJECTED' }, new Date('2026-03-03T00:00:00Z'))).toBe(
      'REJECTED',
    );
    expect(maskBankAccount('40817810100000012345')).toBe('40817…2345');
  });
});

describe('KOPEK_SANDBOX_BANK_DELAY_SECONDS', () => {
  const load = (value?: string) =>
    loadConfig({
      NODE_ENV: 'test',
      KOPEK_MASTER_KEY: TEST_MASTER_KEY,
      ...(value !== undefined ? { KOPEK_SANDBOX_BANK_DELAY_SECONDS: value } : {}),
    });

  it('is a minute by default; 0 (at once) up to a day is taken', () => {
    expect(load().sandboxBankDelaySeconds).toBe(60);
    expect(load('').sandboxBankDelaySeconds).toBe(60);
    expect(load('0').sandboxBankDelaySeconds).toBe(0);
    expect(load('300').sandboxBankDelaySeconds).toBe(300);
    expect(load('86400').sandboxBankDelaySeconds).toBe(86_400);
  });

  it.each(['-1', '1.5', '60s', ' 60', 'abc', '86401', '999999'])(
    'refuses %j naming the variable',
    (value) => {
      expect(() => load(value)).toThrow(ConfigError);
      expect(() => load(value)).toThrow(
        /KOPEK_SANDBOX_BANK_DELAY_SECONDS: expected a whole number of seconds/,
      );
    },
  );
});

describe('paying through the internet bank', () => {
  it('goes to the bank, signs the order, waits while the bank processes it, then pays and notifies the merchant', async () => {
    const invId = newInvId();
    const paymentId = await startMethodPayment(context.app, 'AlfaBank', { invId, outSum: '250.00' });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Альфа-Клик');
    expect(page.body).toContain('Перейти к оплате');

    const started = await chooseMethod(context.app, paymentId, 'AlfaBank');
    expect(started.statusCode).toBe(303);
    const [attempt] = await methodAttempts(context, paymentId);
    expect(attempt).toMatchObject({
      status: 'pending',
      method_label: 'AlfaBankPSR',
      provider: SANDBOX_BANK_PROVIDER,
      amount_minor: 25_000n,
    });
    // The bank holds the order open for the attempt's time: an hour by default (KOPEK_BANK_TTL_MINUTES).
    expect(attempt?.expires_at.toISOString()).toBe(
      new Date(context.clock.now().getTime() + 60 * 60_000).toISOString(),
    );
    const reference = attempt?.provider_reference ?? '';
    expect(reference).toMatch(/^ALF/);
    const pending = await context.app.inject({ method: 'GET', url: started.headers.location as string });
    expect(pending.body).toContain(`href="http://kopek.test/sandbox/bank/${reference}"`);
    expect(pending.body).toContain('data-poll=');

    // The bank: sign in (the test logins are on the page), see the order, sign it.
    const signInPage = await context.app.inject({ method: 'GET', url: `/sandbox/bank/${reference}` });
    expect(signInPage.statusCode).toBe(200);
    expect(signInPage.body).toContain('Вход в интернет-банк');
    expect(signInPage.body).toContain('<code>client</code>');
    expect(signInPage.body).toContain('<code>poor</code>');
    expect(plain(signInPage.body)).toContain('250,00 ₽');
    const wrong = await signIn(context, reference, 'client', 'nope');
    expect(wrong.answer.statusCode).toBe(422);
    expect(wrong.answer.body).toContain('Неверный логин или пароль');
    expect(wrong.session).toBe('');

    const { answer: order, session } = await signIn(context, reference, 'client');
    expect(order.statusCode).toBe(200);
    expect(order.body).toContain('Платёжное поручение №');
    expect(order.body).toContain('ООО «Копек»');
    expect(order.body).toContain('Оплата заказа: Тестовый заказ');
    expect(order.body).toContain('40817810100000012345');
    expect(order.body).toContain('value="sign"');
    expect(order.body).toContain('value="cancel"');
    const signed = await decide(context, reference, session, 'sign');
    expect(signed.statusCode).toBe(200);
    expect(signed.body).toContain('передано на исполнение');
    expect(signed.body).toContain('в течение 1 мин');
    expect(signed.body).toContain(`href="http://kopek.test/Merchant/Index/${paymentId}"`);

    // Processing at the bank: the payment stays pending, the page keeps polling.
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    const waiting = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(waiting.body).toContain('data-poll=');
    const waitingStatus = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${paymentId}/status`,
    });
    expect(waitingStatus.json()).toMatchObject({ status: 'created', attempt: { status: 'pending' } });
    expect((await callbacksOf(context, attempt?.id ?? '')).map((row) => row.outcome)).toEqual(['pending']);

    // A minute later the bank executes the order and its callback pays the payment.
    context.clock.advanceMs(60_000);
    await context.deliverMail();
    const paid = await paymentRow(context, paymentId);
    expect(paid).toMatchObject({ status: 'paid', payment_method: 'Bank', inc_curr_label: 'AlfaBankPSR' });
    expect(paid.card_mask).toBe('40817…2345');
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'paid',
      received_minor: 25_000n,
    });
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect((await callbacksOf(context, attempt?.id ?? '')).map((row) => row.outcome)).toEqual([
      'pending',
      'paid',
    ]);
    const notification = stub.calls.find((call) => call.fields.get('InvId') === invId);
    expect(notification?.fields.get('IncCurrLabel')).toBe('AlfaBankPSR');
    expect(notification?.fields.get('PaymentMethod')).toBe('Bank');
    const delivered = await context.deps.db
      .selectFrom('notifications')
      .select('status')
      .where('subject_id', '=', paymentId)
      .execute();
    expect(delivered.map((row) => row.status)).toEqual(['delivered']);
    const status = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/status` });
    expect(status.json()).toMatchObject({ status: 'paid', attempt: { status: 'paid' } });

    // The bank's page now says the order is executed; the old sign-in signs nothing twice.
    const after = await context.app.inject({ method: 'GET', url: `/sandbox/bank/${reference}` });
    expect(after.body).toContain('data-bank-status="EXECUTED"');
    const again = await decide(context, reference, session, 'sign');
    expect(again.body).toContain('Платёж исполнен банком');
    await context.deliverMail();
    expect(await callbacksOf(context, attempt?.id ?? '')).toHaveLength(2);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('declines at once the test client with too little money, with the reason; the bank can be tried again', async () => {
    const { paymentId, attempt, reference } = await pendingBankPayment();
    const answer = await payAtBank(context, reference, 'poor');
    expect(answer.body).toContain('на счёте недостаточно средств');
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      id: attempt.id,
      status: 'declined',
      decline_reason: 'insufficient_funds',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    const page = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${paymentId}?method=AlfaBank`,
    });
    expect(page.body).toContain('недостаточно средств');
    expect((await bankOperation(context, reference)).status).toBe('REJECTED');
    expect((await chooseMethod(context.app, paymentId, 'AlfaBank')).statusCode).toBe(303);
    expect(await methodAttempts(context, paymentId)).toHaveLength(2);
  });

  it('a cancel at the bank closes the attempt and takes no money', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    const answer = await payAtBank(context, reference, 'client', 'cancel');
    expect(answer.body).toContain('Вы отменили платёж');
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'buyer_cancelled',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(0);
  });

  it('takes no signature without this page’s sign-in, and says so', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    const forged = await decide(context, reference, 'not-a-session', 'sign');
    expect(forged.statusCode).toBe(401);
    expect(forged.body).toContain('Сеанс завершён');
    const none = await decide(context, reference, '', 'sign');
    expect(none.statusCode).toBe(401);
    // A second sign-in replaces the first: the older page's session signs nothing.
    const first = await signIn(context, reference, 'client');
    await signIn(context, reference, 'client');
    expect((await decide(context, reference, first.session, 'sign')).statusCode).toBe(401);
    await context.deliverMail();
    expect((await bankOperation(context, reference)).status).toBe('NEW');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
  });

  it('speaks English with ?lang=en and answers 404 for an unknown order', async () => {
    const { reference } = await pendingBankPayment();
    const english = await context.app.inject({ method: 'GET', url: `/sandbox/bank/${reference}?lang=en` });
    expect(english.body).toContain('Sign in to internet banking');
    expect(english.body).toContain(`action="/sandbox/bank/${reference}/sign-in?lang=en"`);
    expect(english.body).toContain('<html lang="en">');
    const unknown = await context.app.inject({ method: 'GET', url: '/sandbox/bank/ALFnothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Такого платёжного поручения нет');
    const unknownSignIn = await signIn(context, 'ALFnothing', 'client');
    expect(unknownSignIn.answer.statusCode).toBe(404);
  });
});

describe('the bank’s delay and the expiry of a pending bank payment', () => {
  it('stays pending until the delayed callback is due by the injected clock', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    await payAtBank(context, reference);
    context.clock.advanceMs(59_000);
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    const bankPage = await context.app.inject({ method: 'GET', url: `/sandbox/bank/${reference}` });
    expect(bankPage.body).toContain('data-bank-status="PROCESSING"');
    context.clock.advanceMs(1_000);
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });

  it('expires an order not signed in time: the attempt closes, the bank refuses the signature', async () => {
    const { paymentId, attempt, reference, bankPath } = await pendingBankPayment();
    const { session } = await signIn(context, reference, 'client');
    context.clock.advanceMs(59 * 60_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    context.clock.advanceMs(60_000);
    expect(await expireMethodAttempts(context.deps)).toBeGreaterThanOrEqual(1);
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'expired',
      decline_reason: 'expired',
    });
    const page = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${paymentId}?method=AlfaBank`,
    });
    expect(page.body).toContain('Время на оплату этим способом истекло');
    const bankPage = await context.app.inject({ method: 'GET', url: bankPath });
    expect(bankPage.statusCode).toBe(410);
    expect(bankPage.body).toContain('Время на оплату истекло');

    // Signing now is refused; the bank marks the order EXPIRED and says so (already applied on our side).
    const late = await decide(context, reference, session, 'sign');
    expect(late.statusCode).toBe(410);
    expect((await bankOperation(context, reference)).status).toBe('EXPIRED');
    await context.deliverMail();
    expect((await callbacksOf(context, attempt.id)).map((row) => row.outcome)).toEqual(['already_applied']);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
  });

  it('the bank’s own EXPIRED closes the attempt even before the sweep does', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    context.clock.advanceMs(60 * 60_000);
    const late = await signIn(context, reference, 'client');
    expect(late.answer.statusCode).toBe(410);
    expect(late.session).toBe('');
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'expired',
      decline_reason: 'expired',
    });
  });

  it('an order signed but not executed before the attempt expires: the bank’s late EXECUTED still pays', async () => {
    const { invId, paymentId, attempt, reference } = await pendingBankPayment();
    context.clock.advanceMs(59 * 60_000 + 30_000);
    await payAtBank(context, reference);
    await context.deliverMail();
    context.clock.advanceMs(30_000);
    // The sweep runs before the bank's confirmation is delivered: the attempt expires first.
    expect(await expireMethodAttempts(context.deps)).toBeGreaterThanOrEqual(1);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    context.clock.advanceMs(30_000);
    await context.deliverMail();
    expect((await callbacksOf(context, attempt.id)).map((row) => row.outcome)).toEqual([
      'pending',
      'paid_late',
    ]);
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('paid');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });
});

describe('internet-bank callbacks', () => {
  it('refuses a forged or malformed callback and changes nothing', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    const { text } = signedCallback(
      context,
      SANDBOX_BANK_PROVIDER,
      callbackBody(reference, 'EXECUTED', 25_000),
    );
    expect((await postCallback(context.app, SANDBOX_BANK_PROVIDER, text, 'f'.repeat(64))).statusCode).toBe(
      401,
    );
    expect((await postCallback(context.app, SANDBOX_BANK_PROVIDER, text, undefined)).statusCode).toBe(401);
    // Signed with another sandbox's secret: still forged for this bank.
    const other = signedCallback(context, 'sandbox-sbp', callbackBody(reference, 'EXECUTED', 25_000));
    expect(
      (await postCallback(context.app, SANDBOX_BANK_PROVIDER, other.text, other.signature)).statusCode,
    ).toBe(401);
    const noAmount = signedCallback(context, SANDBOX_BANK_PROVIDER, {
      ...callbackBody(reference, 'EXECUTED', 25_000),
      amount: '250.00',
    });
    const malformed = await postCallback(
      context.app,
      SANDBOX_BANK_PROVIDER,
      noAmount.text,
      noAmount.signature,
    );
    expect(malformed.statusCode).toBe(400);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(0);
  });

  it('applies a duplicated callback once: one payment, one ledger transfer, one notification', async () => {
    const { invId, paymentId, reference } = await pendingBankPayment();
    const { text, signature } = signedCallback(
      context,
      SANDBOX_BANK_PROVIDER,
      callbackBody(reference, 'EXECUTED', 25_000, 'bank-dup-1'),
    );
    const first = await postCallback(context.app, SANDBOX_BANK_PROVIDER, text, signature);
    const second = await postCallback(context.app, SANDBOX_BANK_PROVIDER, text, signature);
    expect(first.json()).toEqual({ outcome: 'paid' });
    expect(second.json()).toEqual({ outcome: 'duplicate' });
    const again = signedCallback(
      context,
      SANDBOX_BANK_PROVIDER,
      callbackBody(reference, 'EXECUTED', 25_000, 'bank-dup-2'),
    );
    expect(
      (await postCallback(context.app, SANDBOX_BANK_PROVIDER, again.text, again.signature)).json(),
    ).toEqual({
      outcome: 'already_applied',
    });
    await context.deliverMail();
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('never counts an unknown status as paid, and a PROCESSING changes nothing', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    for (const [status, outcome] of [
      ['PAID', 'unknown_status'],
      ['executed', 'unknown_status'],
      ['PROCESSING', 'pending'],
    ]) {
      const { text, signature } = signedCallback(
        context,
        SANDBOX_BANK_PROVIDER,
        callbackBody(reference, status ?? '', 25_000),
      );
      expect((await postCallback(context.app, SANDBOX_BANK_PROVIDER, text, signature)).json()).toEqual({
        outcome,
      });
    }
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
  });

  it('late callbacks: a REJECTED after expiry changes nothing, an EXECUTED after it is money received', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    context.clock.advanceMs(60 * 60_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    const rejected = signedCallback(context, SANDBOX_BANK_PROVIDER, {
      ...callbackBody(reference, 'REJECTED', 25_000),
      rejectReason: 'insufficient_funds',
    });
    expect(
      (await postCallback(context.app, SANDBOX_BANK_PROVIDER, rejected.text, rejected.signature)).json(),
    ).toEqual({ outcome: 'already_applied' });
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'expired',
      decline_reason: 'expired',
    });
    const executed = signedCallback(
      context,
      SANDBOX_BANK_PROVIDER,
      callbackBody(reference, 'EXECUTED', 25_000),
    );
    expect(
      (await postCallback(context.app, SANDBOX_BANK_PROVIDER, executed.text, executed.signature)).json(),
    ).toEqual({ outcome: 'paid_late' });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });

  it('a late EXECUTED after the bank declined still pays (money received), recorded as late', async () => {
    const { paymentId, reference } = await pendingBankPayment();
    await payAtBank(context, reference, 'poor');
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('declined');
    const executed = signedCallback(
      context,
      SANDBOX_BANK_PROVIDER,
      callbackBody(reference, 'EXECUTED', 25_000),
    );
    expect(
      (await postCallback(context.app, SANDBOX_BANK_PROVIDER, executed.text, executed.signature)).json(),
    ).toEqual({ outcome: 'paid_late' });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });
});

describe('refunds of internet-bank payments', () => {
  async function paidBankPayment() {
    const { paymentId, reference } = await pendingBankPayment(context, '300.00');
    await payAtBank(context, reference);
    context.clock.advanceMs(60_000);
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    return { paymentId, reference };
  }

  it('go back to the debited account through the bank: finished with its reference', async () => {
    const { paymentId, reference } = await paidBankPayment();
    const refund = await refundPayment(context.deps, { paymentId, amountMinor: 10_000n, source: 'cabinet' });
    expect(refund.status).toBe('processing');
    await context.deliverMail();
    const row = await context.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('finished');
    expect(row.provider_reference).toMatch(/^ARF/);
    const bankSide = await context.deps.db
      .selectFrom('sandbox_method_operations')
      .selectAll()
      .where('reference', '=', row.provider_reference ?? '')
      .executeTakeFirstOrThrow();
    expect(bankSide).toMatchObject({ kind: 'internet_bank_refund', amount_minor: 10_000n });
    expect(bankSide.details).toMatchObject({ originalReference: reference, creditAccount: '40817…2345' });
  });

  it('the bank refuses to refund an order it has not executed, or more than it took', async () => {
    const provider = findProviderByName(context.deps.providers.methodProviders, SANDBOX_BANK_PROVIDER);
    if (!provider?.refund) throw new Error('the sandbox bank cannot refund');
    const { reference } = await pendingBankPayment();
    await payAtBank(context, reference);
    expect(await provider.refund({ reference, amountMinor: 100n, refundId: 'ref_early' })).toEqual({
      kind: 'refused',
      reason: 'operation_not_paid',
    });
    context.clock.advanceMs(60_000);
    expect(await provider.refund({ reference, amountMinor: 25_001n, refundId: 'ref_big' })).toEqual({
      kind: 'refused',
      reason: 'amount_too_large',
    });
    const once = await provider.refund({ reference, amountMinor: 100n, refundId: 'ref_same' });
    const twice = await provider.refund({ reference, amountMinor: 100n, refundId: 'ref_same' });
    expect(once.kind).toBe('refunded');
    expect(twice).toEqual(once);
    await context.deliverMail();
  });
});

describe('KOPEK_SANDBOX_BANK_DELAY_SECONDS=0', () => {
  let instant: TestContext;
  beforeAll(async () => {
    instant = await createTestContext({ KOPEK_SANDBOX_BANK_DELAY_SECONDS: '0' });
    await prepareDemoShop(instant, stub);
  });
  afterAll(async () => {
    await instant?.close();
  });

  it('executes a signed order at once: paid at the first delivery', async () => {
    const { invId, paymentId, reference } = await pendingBankPayment(instant);
    const signed = await payAtBank(instant, reference);
    // No processing time: the order is executed as it is signed, and both callbacks are due at once.
    expect(signed.body).toContain('data-bank-status="EXECUTED"');
    await instant.deliverMail();
    expect((await paymentRow(instant, paymentId)).status).toBe('paid');
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });
});
