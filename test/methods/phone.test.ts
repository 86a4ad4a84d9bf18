/**
 * Payment from the phone balance end to end over HTTP: IncCurrLabel=PhoneBalance preselects the method,
 * the buyer types a phone, the sandbox operator (found by the number's DEF code) sends a code by SMS to
 * the sandbox SMS log, the buyer types it, and the operator's signed callback pays the payment through the
 * card's path (ledger, ResultURL acknowledged). The rules around it: number normalisation, the operator
 * table, the operators' limits per payment and per Moscow day, the code kept only as a hash, three wrong
 * codes, the code's expiry by the injected clock, callbacks forged, duplicated, late and unknown, no
 * refunds, and the SMS log page (only outside production).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethodByLabelOrAlias } from '../../src/modules/methods/index.js';
import {
  DEF_CODE_RANGES,
  MAX_WRONG_CODES,
  maskPhone,
  moscowDayStart,
  normalizeRussianMobile,
  operatorLimitProblem,
  operatorOfPhone,
  MOBILE_OPERATORS,
  operatorStatusToOurs,
  SANDBOX_PHONE_PROVIDER,
  smsCodeText,
  toOperatorChargeRequest,
  type OperatorId,
} from '../../src/modules/methods/providers/sandbox-phone.js';
import { findProviderByName } from '../../src/modules/methods/index.js';
import { expireMethodAttempts } from '../../src/modules/payments/index.js';
import { refundPayment } from '../../src/modules/refunds/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';
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
let nextInvId = 9000;
const newInvId = () => String((nextInvId += 1));
/** Every test pays from its own number, so that one test's payments do not count in another's limits. */
let nextSubscriber = 100;
function newPhone(defCode: number, last4?: string): string {
  const serial = (nextSubscriber += 1);
  return `+7${defCode}${String(serial % 1000).padStart(3, '0')}${last4 ?? String(serial).padStart(4, '0')}`;
}

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

function form(fields: Record<string, string>) {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  };
}

/** A payment with a pending phone attempt: its id, the attempt and the code the operator sent. */
async function pendingPhonePayment(phone: string, outSum = '250.00') {
  const invId = newInvId();
  const { paymentId, attempt, reference } = await startPendingAttempt(context, 'PhoneBalance', {
    invId,
    outSum,
    fields: { phone },
  });
  return {
    invId,
    paymentId,
    attempt,
    reference,
    code: await lastCodeSentTo(phone),
  };
}

/** The code in the newest SMS to a normalised number, as the buyer reads it on the phone. */
async function lastCodeSentTo(phone: string): Promise<string> {
  const sms = await context.deps.db
    .selectFrom('sandbox_sms')
    .selectAll()
    .where('phone', '=', phone)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const code = /Код (\d{6})/.exec(sms.body)?.[1];
  if (!code) throw new Error(`no code in "${sms.body}"`);
  return code;
}

async function confirmCode(paymentId: string, code: string) {
  return context.app.inject({
    method: 'POST',
    url: `/Merchant/Index/${paymentId}/method/confirm`,
    ...form({ code }),
  });
}

async function operationOf(reference: string) {
  return context.deps.db
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', SANDBOX_PHONE_PROVIDER)
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
}

function callbackBody(reference: string, status: string, amount: number, eventId = `ev-${Math.random()}`) {
  return {
    eventId,
    transactionId: reference,
    clientTransactionId: 'mat_x',
    status,
    amount,
    operator: 'MTS',
    maskedMsisdn: '+7 9** ***-**-67',
  };
}

function wrongCodeFor(code: string): string {
  return code === '000000' ? '000001' : '000000';
}

describe('phone numbers, operators and limits', () => {
  it.each([
    ['+7 (916) 123-45-67', '+79161234567'],
    ['+79161234567', '+79161234567'],
    ['8 916 123 45 67', '+79161234567'],
    ['8(916)1234567', '+79161234567'],
    ['7-916-123-45-67', '+79161234567'],
    ['  +7 903 000-11-22 ', '+79030001122'],
    ['9161234567', undefined],
    ['+8 916 123-45-67', undefined],
    ['+7 495 123-45-67', undefined],
    ['8 800 555-35-35', undefined],
    ['+7 916 123-45-6', undefined],
    ['+7 916 123-45-678', undefined],
    ['+375 29 123-45-67', undefined],
    ['++79161234567', undefined],
    ['+7 916 123-45-6a', undefined],
    ['+7.916.123.45.67', undefined],
    ['', undefined],
  ])('normalises %j to %j', (typed, normalised) => {
    expect(normalizeRussianMobile(typed)).toBe(normalised);
  });

  it.each([
    [910, 'mts'],
    [916, 'mts'],
    [919, 'mts'],
    [980, 'mts'],
    [989, 'mts'],
    [903, 'beeline'],
    [905, 'beeline'],
    [906, 'beeline'],
    [909, 'beeline'],
    [960, 'beeline'],
    [968, 'beeline'],
    [920, 'megafon'],
    [929, 'megafon'],
    [930, 'megafon'],
    [939, 'megafon'],
    [997, 'megafon'],
    [999, 'megafon'],
    [900, 'tele2'],
    [902, 'tele2'],
    [904, 'tele2'],
    [908, 'tele2'],
    [950, 'tele2'],
    [953, 'tele2'],
    [958, 'tele2'],
    [977, 'tele2'],
    [991, 'tele2'],
    [996, 'tele2'],
    [907, undefined],
    [940, undefined],
    [949, undefined],
    [954, undefined],
    [959, undefined],
    [969, undefined],
    [970, undefined],
    [990, undefined],
    [998, undefined],
  ])('finds the operator of DEF code %i: %s', (defCode, operator) => {
    expect(operatorOfPhone(`+7${defCode}1234567`)?.id).toBe(operator);
  });

  it('has a table of ranges that do not overlap, each within 900–999', () => {
    const sorted = [...DEF_CODE_RANGES].sort((left, right) => left.from - right.from);
    for (const [index, range] of sorted.entries()) {
      expect(range.from).toBeLessThanOrEqual(range.to);
      expect(range.from).toBeGreaterThanOrEqual(900);
      expect(range.to).toBeLessThanOrEqual(999);
      if (index > 0) expect(range.from).toBeGreaterThan(sorted[index - 1]!.to);
    }
  });

  it('masks a number to its first DEF digit and last two digits', () => {
    expect(maskPhone('+79161234512')).toBe('+7 9** ***-**-12');
  });

  it.each<[OperatorId, bigint, bigint, string | undefined]>([
    ['mts', 1_500_000n, 0n, undefined],
    ['mts', 1_500_001n, 0n, 'limit_per_payment'],
    ['mts', 1_000_000n, 3_000_000n, undefined],
    ['mts', 1_000_001n, 3_000_000n, 'limit_per_day'],
    ['beeline', 1_500_000n, 1_500_000n, undefined],
    ['beeline', 1_500_000n, 1_500_001n, 'limit_per_day'],
    ['megafon', 1_000_001n, 0n, 'limit_per_payment'],
    ['megafon', 500_000n, 2_000_000n, undefined],
    ['megafon', 500_001n, 2_000_000n, 'limit_per_day'],
    ['tele2', 500_000n, 1_000_000n, undefined],
    ['tele2', 500_001n, 0n, 'limit_per_payment'],
    ['tele2', 1_000n, 1_499_001n, 'limit_per_day'],
  ])('%s: %i kopecks after %i today → %s', (operator, amount, paidToday, problem) => {
    expect(operatorLimitProblem(MOBILE_OPERATORS[operator], amount, paidToday)).toBe(problem);
  });

  it('counts the day from midnight in Moscow', () => {
    expect(moscowDayStart(new Date('2026-03-02T09:00:00Z')).toISOString()).toBe('2026-03-01T21:00:00.000Z');
    expect(moscowDayStart(new Date('2026-03-01T21:00:00Z')).toISOString()).toBe('2026-03-01T21:00:00.000Z');
    expect(moscowDayStart(new Date('2026-03-01T20:59:59Z')).toISOString()).toBe('2026-02-28T21:00:00.000Z');
  });
});

describe('the operator’s transformer', () => {
  it('turns our request into the operator’s charge request: 11-digit MSISDN, kopecks, seconds of life', () => {
    const method = findMethodByLabelOrAlias('PhoneBalance');
    if (!method) throw new Error('PhoneBalance is not in the catalogue');
    expect(
      toOperatorChargeRequest(
        {
          attemptId: 'mat_1',
          paymentId: 'pay_1',
          method: method.item,
          amountMinor: 25_050n,
          currency: 'RUB',
          description: 'x'.repeat(100),
          returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
          buyerInput: { phone: '+7 916 123-45-67' },
          expiresAt: new Date('2026-03-02T09:10:00Z'),
        },
        '+79161234567',
        MOBILE_OPERATORS.mts,
        new Date('2026-03-02T09:00:00Z'),
      ),
    ).toEqual({
      msisdn: '79161234567',
      operator: 'mts',
      amount: 25_050,
      currency: 'RUB',
      purpose: 'x'.repeat(60),
      clientTransactionId: 'mat_1',
      confirmTtl: 600,
    });
  });

  it.each([
    ['CODE_SENT', 'pending'],
    ['PROCESSING', 'pending'],
    ['CHARGED', 'paid'],
    ['REJECTED', 'declined'],
    ['TIMEOUT', 'expired'],
    ['charged', 'unknown'],
    ['SUCCESS', 'unknown'],
    ['PAID', 'unknown'],
    ['toString', 'unknown'],
    ['', 'unknown'],
  ])('reads the operator’s %j as %j', (status, ours) => {
    expect(operatorStatusToOurs(status)).toBe(ours);
  });

  it('writes the SMS in Russian with the code, the amount and the purpose', () => {
    expect(smsCodeText('012345', 149_000n, 'Кофе')).toMatch(
      /^Код 012345 для оплаты 1\s490,00 ₽ со счёта телефона: «Кофе»\. Никому не сообщайте код\.$/,
    );
  });
});

describe('paying from the phone balance', () => {
  it('sends a code by SMS, takes it on the payment page, and the merchant is notified', async () => {
    const invId = newInvId();
    const paymentId = await startMethodPayment(context.app, 'PhoneBalance', { invId, outSum: '250.00' });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Номер телефона');
    expect(page.body).toContain('Получить код в СМС');

    const started = await chooseMethod(context.app, paymentId, 'PhoneBalance', {
      phone: '+7 (916) 555-12-67',
    });
    expect(started.statusCode).toBe(303);
    const [attempt] = await methodAttempts(context, paymentId);
    expect(attempt).toMatchObject({
      status: 'pending',
      method_label: 'PhoneBalancePSR',
      amount_minor: 25_000n,
    });
    expect(attempt?.details).toMatchObject({
      maskedAccount: '+7 9** ***-**-67',
      operator: 'MTS',
      instructions: { type: 'sms_confirmation', maskedPhone: '+7 9** ***-**-67', operator: 'MTS' },
    });
    // The attempt's life is the operator's code's: 10 minutes (KOPEK_PHONE_TTL_MINUTES).
    expect(attempt!.expires_at.getTime() - attempt!.created_at.getTime()).toBe(10 * 60_000);
    const pending = await context.app.inject({ method: 'GET', url: started.headers.location as string });
    expect(pending.body).toContain('Оператор MTS отправил код на номер +7 9** ***-**-67');
    expect(pending.body).toContain('name="code"');
    // A reload or a second press keeps the same attempt and sends no second SMS.
    await chooseMethod(context.app, paymentId, 'PhoneBalance', { phone: '+7 (916) 555-12-67' });
    expect(await methodAttempts(context, paymentId)).toHaveLength(1);

    // The buyer reads the SMS on the sandbox log, filtered by the number typed any usual way.
    const log = await context.app.inject({ method: 'GET', url: '/sandbox/sms?phone=8%20916%205551267' });
    expect(log.statusCode).toBe(200);
    expect(log.body.match(/data-sms-body/g)).toHaveLength(1);
    const code = /Код (\d{6})/.exec(log.body)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(log.body).toContain('MTS');
    expect(log.body).toContain('250,00');
    expect(log.body).toContain('Тестовый заказ');

    // The code itself is kept nowhere but in the SMS: the operation has its HMAC only.
    const operation = await operationOf(attempt!.provider_reference!);
    expect(operation).toMatchObject({ status: 'CODE_SENT', amount_minor: 25_000n });
    expect(operation.details.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(operation.details)).not.toContain(code);
    expect(JSON.stringify(attempt!.details)).not.toContain(code);

    const confirmed = await confirmCode(paymentId, code!);
    expect(confirmed.statusCode).toBe(303);
    // The operator's callback arrives through the queue, as a real one arrives later.
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    await context.deliverMail();

    const paid = await paymentRow(context, paymentId);
    expect(paid).toMatchObject({
      status: 'paid',
      payment_method: 'Mobile',
      inc_curr_label: 'PhoneBalancePSR',
    });
    expect(paid.card_mask).toBe('+7 9** ***-**-67');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect((await operationOf(attempt!.provider_reference!)).status).toBe('CHARGED');
    const notification = stub.calls.find((call) => call.fields.get('InvId') === invId);
    expect(notification?.fields.get('IncCurrLabel')).toBe('PhoneBalancePSR');
    expect(notification?.fields.get('PaymentMethod')).toBe('Mobile');
    const acknowledged = await context.deps.db
      .selectFrom('notifications')
      .select('status')
      .where('subject_id', '=', paymentId)
      .execute();
    expect(acknowledged.map((row) => row.status)).toEqual(['delivered']);
    const status = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/status` });
    expect(status.json()).toMatchObject({ status: 'paid', attempt: { status: 'paid' } });
    // A second press of "confirm" after the charge changes nothing.
    expect((await confirmCode(paymentId, code!)).statusCode).toBe(303);
    await context.deliverMail();
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
  });

  it('refuses a number that is not a Russian mobile, next to the field', async () => {
    const paymentId = await startMethodPayment(context.app, 'PhoneBalance', { invId: newInvId() });
    const refused = await chooseMethod(context.app, paymentId, 'PhoneBalance', { phone: '+7 495 123-45-67' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Проверьте номер телефона');
    expect(refused.body).toContain('aria-invalid="true"');
    expect(refused.body).toContain('value="+7 495 123-45-67"');
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'invalid_phone',
    });
    const sms = await context.deps.db
      .selectFrom('sandbox_sms')
      .select('id')
      .where('phone', '=', '+74951234567')
      .execute();
    expect(sms).toHaveLength(0);
  });

  it('refuses a number no sandbox operator serves, then takes a corrected one', async () => {
    const paymentId = await startMethodPayment(context.app, 'PhoneBalance', { invId: newInvId() });
    const refused = await chooseMethod(context.app, paymentId, 'PhoneBalance', { phone: newPhone(907) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Оператор этого номера не принимает платежи');
    const corrected = await chooseMethod(context.app, paymentId, 'PhoneBalance', { phone: newPhone(903) });
    expect(corrected.statusCode).toBe(303);
    const statuses = (await methodAttempts(context, paymentId)).map((row) => row.status);
    expect(statuses.sort()).toEqual(['declined', 'pending']);
  });

  it('applies the operator’s limit per payment (Tele2: 5 000 ₽)', async () => {
    const phone = newPhone(900);
    const over = await startMethodPayment(context.app, 'PhoneBalance', {
      invId: newInvId(),
      outSum: '5000.01',
    });
    const refused = await chooseMethod(context.app, over, 'PhoneBalance', { phone });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('превышен лимит оператора на один платёж');
    expect((await methodAttempts(context, over))[0]?.decline_reason).toBe('limit_per_payment');
    // The same amount from an MTS number is within its 15 000 ₽.
    const mts = await startMethodPayment(context.app, 'PhoneBalance', {
      invId: newInvId(),
      outSum: '5000.01',
    });
    expect((await chooseMethod(context.app, mts, 'PhoneBalance', { phone: newPhone(916) })).statusCode).toBe(
      303,
    );
    await pendingPhonePayment(phone, '5000.00');
  });

  it('applies the limit per day: what the phone paid since Moscow midnight, not before', async () => {
    const phone = newPhone(950); // Tele2: 15 000 ₽ a day.
    const midnight = moscowDayStart(context.clock.now());
    const charged = (reference: string, amountMinor: bigint, at: Date) => ({
      provider: SANDBOX_PHONE_PROVIDER,
      reference,
      kind: 'phone_balance',
      amount_minor: amountMinor,
      received_minor: amountMinor,
      status: 'CHARGED',
      details: JSON.stringify({ phone }),
      created_at: at,
      updated_at: at,
    });
    await context.deps.db
      .insertInto('sandbox_method_operations')
      .values([
        charged(`MC1yesterday${nextSubscriber}`, 900_000n, new Date(midnight.getTime() - 1000)),
        charged(`MC1midnight${nextSubscriber}`, 500_000n, midnight),
        charged(`MC1morning${nextSubscriber}`, 600_000n, new Date(midnight.getTime() + 3_600_000)),
      ])
      .execute();
    // 11 000 ₽ today: 4 000 ₽ more is exactly the limit (yesterday's 9 000 ₽ do not count).
    const within = await pendingPhonePayment(phone, '4000.00');
    const overPayment = await startMethodPayment(context.app, 'PhoneBalance', {
      invId: newInvId(),
      outSum: '10.00',
    });
    // Pending payments do not count: only what was charged.
    expect((await chooseMethod(context.app, overPayment, 'PhoneBalance', { phone })).statusCode).toBe(303);
    await context.app.inject({ method: 'POST', url: `/Merchant/Index/${overPayment}/method/cancel` });

    expect((await confirmCode(within.paymentId, within.code)).statusCode).toBe(303);
    await context.deliverMail();
    expect((await paymentRow(context, within.paymentId)).status).toBe('paid');
    const refused = await chooseMethod(context.app, overPayment, 'PhoneBalance', { phone });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('превышен дневной лимит оператора');
    const reasons = (await methodAttempts(context, overPayment)).map((row) => row.decline_reason);
    expect(reasons.sort()).toEqual(['buyer_cancelled', 'limit_per_day']);
  });

  it('checks the day’s limit again when the code comes: two payments begun together cannot both pass it', async () => {
    const phone = newPhone(925); // MegaFon: 10 000 ₽ a payment, 25 000 ₽ a day.
    const first = await pendingPhonePayment(phone, '10000.00');
    const second = await pendingPhonePayment(phone, '10000.00');
    const third = await pendingPhonePayment(phone, '10000.00');
    for (const payment of [first, second, third])
      expect((await confirmCode(payment.paymentId, payment.code)).statusCode).toBe(303);
    await context.deliverMail();
    expect((await paymentRow(context, first.paymentId)).status).toBe('paid');
    expect((await paymentRow(context, second.paymentId)).status).toBe('paid');
    expect((await paymentRow(context, third.paymentId)).status).toBe('created');
    expect((await methodAttempts(context, third.paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'limit_per_day',
    });
    expect((await operationOf(third.reference)).status).toBe('REJECTED');
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${third.paymentId}` });
    expect(page.body).toContain('превышен дневной лимит оператора');
  });

  it('counts wrong codes: two tell the tries left, the third declines the payment', async () => {
    const phone = newPhone(963);
    const { paymentId, reference, code } = await pendingPhonePayment(phone);
    // An empty form is not a guess.
    const blank = await confirmCode(paymentId, '');
    expect(blank.statusCode).toBe(422);
    expect(blank.body).toContain(`Осталось попыток: ${MAX_WRONG_CODES}`);
    const wrong = wrongCodeFor(code);
    const firstTry = await confirmCode(paymentId, wrong);
    expect(firstTry.statusCode).toBe(422);
    expect(firstTry.body).toContain('Неверный код. Осталось попыток: 2.');
    const secondTry = await confirmCode(paymentId, '12 34');
    expect(secondTry.body).toContain('Неверный код. Осталось попыток: 1.');
    const thirdTry = await confirmCode(paymentId, wrong);
    expect(thirdTry.statusCode).toBe(303);
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'too_many_attempts',
    });
    expect(await operationOf(reference)).toMatchObject({ status: 'REJECTED' });
    expect((await operationOf(reference)).details).toMatchObject({
      wrongCodes: 3,
      declineReason: 'too_many_attempts',
    });
    // The right code is too late now, asked of the operator directly too.
    const provider = findProviderByName(context.deps.providers.methodProviders, SANDBOX_PHONE_PROVIDER);
    expect(await provider?.confirm?.(reference, { code })).toEqual({
      kind: 'declined',
      reason: 'too_many_attempts',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    // The buyer may start again: a new attempt, a new SMS with a new code.
    context.clock.advanceMs(1000);
    const again = await chooseMethod(context.app, paymentId, 'PhoneBalance', { phone });
    expect(again.statusCode).toBe(303);
    const fresh = await lastCodeSentTo(phone);
    const sent = await context.deps.db
      .selectFrom('sandbox_sms')
      .select('id')
      .where('phone', '=', phone)
      .execute();
    expect(sent).toHaveLength(2);
    expect((await confirmCode(paymentId, fresh)).statusCode).toBe(303);
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });

  it('declines the right code when the phone account has no money (test numbers ending in 0000)', async () => {
    const phone = newPhone(912, '0000');
    const { paymentId, reference, code } = await pendingPhonePayment(phone);
    expect((await confirmCode(paymentId, code)).statusCode).toBe(303);
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]?.decline_reason).toBe('insufficient_funds');
    expect((await operationOf(reference)).status).toBe('REJECTED');
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).toContain('недостаточно средств');
  });

  it('takes the code until it expires and not after (the injected clock)', async () => {
    const inTime = await pendingPhonePayment(newPhone(981));
    context.clock.advanceMs(9 * 60_000 + 59_000);
    expect((await confirmCode(inTime.paymentId, inTime.code)).statusCode).toBe(303);
    await context.deliverMail();
    expect((await paymentRow(context, inTime.paymentId)).status).toBe('paid');

    const late = await pendingPhonePayment(newPhone(982));
    context.clock.advanceMs(10 * 60_000);
    // Before the expiry sweep closes the attempt, the operator itself refuses the code as expired.
    expect((await confirmCode(late.paymentId, late.code)).statusCode).toBe(303);
    await context.deliverMail();
    expect((await methodAttempts(context, late.paymentId))[0]).toMatchObject({
      status: 'expired',
      decline_reason: 'code_expired',
    });
    expect((await operationOf(late.reference)).status).toBe('TIMEOUT');
    expect((await paymentRow(context, late.paymentId)).status).toBe('created');
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${late.paymentId}` });
    expect(page.body).toContain('Время на оплату этим способом истекло');
  });

  it('is closed by the expiry sweep after 10 minutes; the code is then no use', async () => {
    const { paymentId, reference, code } = await pendingPhonePayment(newPhone(983));
    context.clock.advanceMs(9 * 60_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    context.clock.advanceMs(60_000);
    expect(await expireMethodAttempts(context.deps)).toBeGreaterThanOrEqual(1);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    expect((await confirmCode(paymentId, code)).statusCode).toBe(303);
    await context.deliverMail();
    expect((await operationOf(reference)).status).toBe('CODE_SENT');
    expect((await paymentRow(context, paymentId)).status).toBe('created');
  });
});

describe('operator callbacks', () => {
  it('refuses a forged callback and changes nothing', async () => {
    const { paymentId, reference } = await pendingPhonePayment(newPhone(913));
    const { text } = signedCallback(
      context,
      SANDBOX_PHONE_PROVIDER,
      callbackBody(reference, 'CHARGED', 25_000),
    );
    expect((await postCallback(context.app, SANDBOX_PHONE_PROVIDER, text, 'f'.repeat(64))).statusCode).toBe(
      401,
    );
    expect((await postCallback(context.app, SANDBOX_PHONE_PROVIDER, text, undefined)).statusCode).toBe(401);
    // Signed by another provider's secret: still forged for this one.
    const other = signedCallback(context, 'sandbox-sbp', callbackBody(reference, 'CHARGED', 25_000));
    expect(
      (await postCallback(context.app, SANDBOX_PHONE_PROVIDER, other.text, other.signature)).statusCode,
    ).toBe(401);
    const malformed = signedCallback(context, SANDBOX_PHONE_PROVIDER, { eventId: 'x', status: 'CHARGED' });
    expect(
      (await postCallback(context.app, SANDBOX_PHONE_PROVIDER, malformed.text, malformed.signature))
        .statusCode,
    ).toBe(400);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    const stored = await context.deps.db
      .selectFrom('provider_callbacks')
      .select('id')
      .where('provider', '=', SANDBOX_PHONE_PROVIDER)
      .where('event_id', '=', 'x')
      .execute();
    expect(stored).toHaveLength(0);
  });

  it('applies a duplicated callback once: one payment, one ledger transfer, one notification', async () => {
    const { invId, paymentId, reference } = await pendingPhonePayment(newPhone(914));
    const { text, signature } = signedCallback(
      context,
      SANDBOX_PHONE_PROVIDER,
      callbackBody(reference, 'CHARGED', 25_000, `phone-dup-${reference}`),
    );
    expect((await postCallback(context.app, SANDBOX_PHONE_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'paid',
    });
    expect((await postCallback(context.app, SANDBOX_PHONE_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'duplicate',
    });
    const again = signedCallback(context, SANDBOX_PHONE_PROVIDER, callbackBody(reference, 'CHARGED', 25_000));
    expect(
      (await postCallback(context.app, SANDBOX_PHONE_PROVIDER, again.text, again.signature)).json(),
    ).toEqual({
      outcome: 'already_applied',
    });
    // A decline after the charge cannot undo it.
    const rejected = signedCallback(
      context,
      SANDBOX_PHONE_PROVIDER,
      callbackBody(reference, 'REJECTED', 25_000),
    );
    expect(
      (await postCallback(context.app, SANDBOX_PHONE_PROVIDER, rejected.text, rejected.signature)).json(),
    ).toEqual({ outcome: 'already_applied' });
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('never counts an unknown status as paid', async () => {
    const { paymentId, reference } = await pendingPhonePayment(newPhone(915));
    const { text, signature } = signedCallback(
      context,
      SANDBOX_PHONE_PROVIDER,
      callbackBody(reference, 'SUCCESS', 25_000),
    );
    expect((await postCallback(context.app, SANDBOX_PHONE_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'unknown_status',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
  });

  it('a late "charged" after the payment was declined is still money received and pays it', async () => {
    const { paymentId, reference, code } = await pendingPhonePayment(newPhone(917));
    for (let index = 0; index < MAX_WRONG_CODES; index += 1) await confirmCode(paymentId, wrongCodeFor(code));
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('declined');
    const { text, signature } = signedCallback(
      context,
      SANDBOX_PHONE_PROVIDER,
      callbackBody(reference, 'CHARGED', 25_000),
    );
    expect((await postCallback(context.app, SANDBOX_PHONE_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'paid_late',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
  });

  it('a late "charged" after the attempt expired pays the payment too; a late decline changes nothing', async () => {
    const { paymentId, reference } = await pendingPhonePayment(newPhone(918));
    context.clock.advanceMs(10 * 60_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    const timeout = signedCallback(
      context,
      SANDBOX_PHONE_PROVIDER,
      callbackBody(reference, 'TIMEOUT', 25_000),
    );
    expect(
      (await postCallback(context.app, SANDBOX_PHONE_PROVIDER, timeout.text, timeout.signature)).json(),
    ).toEqual({ outcome: 'already_applied' });
    const charged = signedCallback(
      context,
      SANDBOX_PHONE_PROVIDER,
      callbackBody(reference, 'CHARGED', 25_000),
    );
    expect(
      (await postCallback(context.app, SANDBOX_PHONE_PROVIDER, charged.text, charged.signature)).json(),
    ).toEqual({ outcome: 'paid_late' });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });
});

describe('refunds of phone-balance payments', () => {
  it('are refused: money taken from a phone account does not go back through the operator', async () => {
    const { paymentId, code } = await pendingPhonePayment(newPhone(984));
    await confirmCode(paymentId, code);
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    await expect(refundPayment(context.deps, { paymentId, source: 'cabinet' })).rejects.toMatchObject({
      code: 'method_not_refundable',
    });
    const provider = findProviderByName(context.deps.providers.methodProviders, SANDBOX_PHONE_PROVIDER);
    expect(provider?.refund).toBeUndefined();
  });
});

describe('the sandbox SMS log', () => {
  it('shows the newest message first, in Russian by default and in English on request', async () => {
    const phone = newPhone(985);
    await pendingPhonePayment(phone, '100.00');
    context.clock.advanceMs(1000);
    await pendingPhonePayment(phone, '200.00');
    const page = await context.app.inject({
      method: 'GET',
      url: `/sandbox/sms?phone=${encodeURIComponent(phone)}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('<html lang="ru">');
    expect(page.body).toContain('СМС-сообщения песочницы');
    const bodies = [...page.body.matchAll(/<p data-sms-body>([^<]*)<\/p>/g)].map((match) => match[1]);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toContain('200,00');
    expect(bodies[1]).toContain('100,00');
    const all = await context.app.inject({ method: 'GET', url: '/sandbox/sms' });
    expect(all.body.match(/data-sms-body/g)!.length).toBeGreaterThan(2);
    const english = await context.app.inject({
      method: 'GET',
      url: `/sandbox/sms?lang=en&phone=${encodeURIComponent(phone)}`,
    });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Sandbox SMS messages');
    expect(english.body).toContain('name="lang" value="en"');
  });

  it('says so for a number without messages and for a number that cannot exist', async () => {
    const none = await context.app.inject({ method: 'GET', url: '/sandbox/sms?phone=%2B79990001122' });
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('На номер +7 999 000-11-22 сообщений не было.');
    const invalid = await context.app.inject({ method: 'GET', url: '/sandbox/sms?phone=12345&lang=en' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('That is not a number');
    expect(invalid.body).not.toContain('data-sms-body');
  });

  it('is not served in production', async () => {
    const production = await createTestContext({
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      LOG_LEVEL: 'silent',
    });
    try {
      expect(production.app.hasRoute({ method: 'GET', url: '/sandbox/sms' })).toBe(false);
      expect(context.app.hasRoute({ method: 'GET', url: '/sandbox/sms' })).toBe(true);
      // The path falls to the cabinet's pages, like any other unknown one: no message is shown.
      const page = await production.app.inject({ method: 'GET', url: '/sandbox/sms' });
      expect(page.body).not.toContain('data-sms');
    } finally {
      await production.close();
    }
  });
});
