/**
 * Payment from a mobile app (SberPay, Mir Pay, T-Pay; the sandbox-app provider) end to end over HTTP:
 * IncCurrLabel preselects the app, the checkout shows the app link as a button and a QR code, the sandbox
 * app page (named after the app) shows the purpose and the amount, the buyer picks a test card or account
 * and confirms; the app's signed callback pays the payment through the card's path (ledger, ResultURL
 * acknowledged by the merchant stub). Declines (the empty card, the buyer's own), the link's expiry by
 * the injected clock, callbacks valid / forged / duplicated / late / unknown, refunds through the app,
 * and the transformer for each app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethodByLabelOrAlias } from '../../src/modules/methods/index.js';
import type { MethodProvider } from '../../src/modules/methods/providers/method-provider.js';
import {
  appDeclineReasonToOurs,
  appOfMethod,
  appStatusToOurs,
  MOBILE_APPS,
  readAppCallback,
  SANDBOX_APP_PROVIDER,
  toAppOrderRequest,
} from '../../src/modules/methods/providers/sandbox-app.js';
import { NOTIFICATION_QUEUE } from '../../src/modules/notifications/index.js';
import { expireMethodAttempts } from '../../src/modules/payments/index.js';
import { refundPayment } from '../../src/modules/refunds/index.js';
import { loadConfig } from '../../src/config.js';
import { formatMoneyForPeople } from '../../src/platform/money.js';
import { createTestContext, TEST_MASTER_KEY, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
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
let nextInvId = 9400;
const newInvId = () => String((nextInvId += 1));
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const rub = (minor: bigint, language: 'ru' | 'en' = 'ru') => formatMoneyForPeople(minor, 'RUB', language);

/** Each app as checkout names it: the catalogue label, the alias, its good and empty test instruments. */
const APPS = [
  {
    id: 'sberpay',
    label: 'SberPayPSR',
    alias: 'SberPay',
    name: 'SberPay',
    good: 'sber-mir',
    empty: 'sber-empty',
  },
  { id: 'mirpay', label: 'MirPayPSR', alias: 'MirPay', name: 'Mir Pay', good: 'mir-vtb', empty: 'mir-empty' },
  { id: 'tpay', label: 'TPayPSR', alias: 'TPay', name: 'T-Pay', good: 'tbank-black', empty: 'tbank-empty' },
] as const;
const SBERPAY = APPS[0];

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

/** A payment with a pending app attempt: its id, the attempt and the path of the app page. */
async function pendingAppPayment(outSum = '250.00', alias: string = SBERPAY.alias) {
  const invId = newInvId();
  const { paymentId, attempt, reference, started } = await startPendingAttempt(context, alias, {
    invId,
    outSum,
  });
  return { invId, paymentId, attempt, reference, appPath: `/sandbox/app/${reference}`, started };
}

async function answerInApp(appPath: string, fields: Record<string, string>, query = '') {
  return context.app.inject({
    method: 'POST',
    url: `${appPath}${query}`,
    headers: FORM,
    payload: new URLSearchParams(fields).toString(),
  });
}

async function appOperation(reference: string) {
  return context.deps.db
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', SANDBOX_APP_PROVIDER)
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
}

async function queuedJobs(queue: string): Promise<number> {
  const row = await context.deps.db
    .selectFrom('jobs')
    .select(({ fn }) => fn.countAll<string>().as('count'))
    .where('queue', '=', queue)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function appProvider(): MethodProvider {
  const provider = context.deps.providers.methodProviders.find((item) => item.name === SANDBOX_APP_PROVIDER);
  if (!provider) throw new Error('the app provider is not registered');
  return provider;
}

function callbackBody(
  reference: string,
  status: string,
  amount: number,
  extra: { eventId?: string; reasonCode?: string } = {},
) {
  return {
    eventId: extra.eventId ?? `ev-${Math.random()}`,
    operationId: reference,
    app: 'sberpay',
    status,
    amount,
    maskedAccount: '220220******0011',
    ...(extra.reasonCode ? { reasonCode: extra.reasonCode } : {}),
  };
}

async function sendCallback(body: unknown) {
  const { text, signature } = signedCallback(context, SANDBOX_APP_PROVIDER, body);
  return postCallback(context.app, SANDBOX_APP_PROVIDER, text, signature);
}

describe('the app transformer', () => {
  const request = (label: string) => {
    const method = findMethodByLabelOrAlias(label);
    if (!method) throw new Error(`${label} is not in the catalogue`);
    return {
      attemptId: 'mat_1',
      paymentId: 'pay_1',
      method: method.item,
      amountMinor: 25_050n,
      currency: 'RUB',
      description: 'x'.repeat(200),
      returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
      buyerInput: {},
      expiresAt: new Date('2026-03-02T09:10:00Z'),
    };
  };

  it.each(APPS)('knows $label as the app $name and registers its order in the app’s words', (entry) => {
    const app = appOfMethod({ label: entry.label });
    expect(app?.id).toBe(entry.id);
    expect(app?.name).toBe(entry.name);
    expect(toAppOrderRequest(request(entry.label), MOBILE_APPS[entry.id])).toEqual({
      app: entry.id,
      orderNumber: 'mat_1',
      amount: 25_050,
      currency: '643',
      description: 'x'.repeat(140),
      returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
      expirationDate: '2026-03-02T09:10:00.000Z',
    });
  });

  it.each(APPS)('$name has test instruments, masked, and one that always declines', (entry) => {
    const { instruments } = MOBILE_APPS[entry.id];
    expect(instruments.filter((instrument) => instrument.isEmpty).map((item) => item.id)).toEqual([
      entry.empty,
    ]);
    expect(instruments.some((instrument) => instrument.id === entry.good && !instrument.isEmpty)).toBe(true);
    for (const instrument of instruments) expect(instrument.maskedAccount).toMatch(/^\d{6,8}\*{6,}\d{4}$/);
  });

  it('knows no app for a method that is not one', () => {
    expect(appOfMethod({ label: 'YooMoneyPSR' })).toBeUndefined();
    expect(appOfMethod({ label: 'SBPPSR' })).toBeUndefined();
  });

  it.each([
    ['CREATED', 'pending'],
    ['AUTHORIZED', 'pending'],
    ['CONFIRMED', 'paid'],
    ['REVERSED', 'declined'],
    ['DECLINED', 'declined'],
    ['EXPIRED', 'expired'],
    ['confirmed', 'unknown'],
    ['PAID', 'unknown'],
    ['REFUNDED', 'unknown'],
    ['constructor', 'unknown'],
    ['', 'unknown'],
  ])('reads the app’s %j as %j', (status, ours) => {
    expect(appStatusToOurs(status)).toBe(ours);
  });

  it.each([
    ['INSUFFICIENT_FUNDS', 'insufficient_funds'],
    ['USER_CANCELLED', 'buyer_cancelled'],
    ['TIMEOUT', 'expired'],
    ['FRAUD_SUSPECTED', 'app_declined'],
    ['__proto__', 'app_declined'],
    [undefined, 'app_declined'],
  ])('reads the reason code %j as ours %j', (reasonCode, ours) => {
    expect(appDeclineReasonToOurs(reasonCode)).toBe(ours);
  });

  it('reads a callback into our event with kopecks and the masked account; refuses another shape', () => {
    expect(readAppCallback(callbackBody('APP1', 'CONFIRMED', 25_050, { eventId: 'e1' }))).toEqual({
      eventId: 'e1',
      reference: 'APP1',
      status: 'paid',
      providerStatus: 'CONFIRMED',
      receivedMinor: 25_050n,
      maskedAccount: '220220******0011',
    });
    expect(
      readAppCallback(callbackBody('APP1', 'DECLINED', 25_050, { reasonCode: 'INSUFFICIENT_FUNDS' })),
    ).toMatchObject({ status: 'declined', declineReason: 'insufficient_funds' });
    expect(readAppCallback(callbackBody('APP1', 'EXPIRED', 25_050, { reasonCode: 'TIMEOUT' }))).toMatchObject(
      {
        status: 'expired',
        declineReason: 'expired',
      },
    );
    expect(readAppCallback(callbackBody('APP1', 'AUTHORIZED', 25_050))).not.toHaveProperty('receivedMinor');
    expect(readAppCallback({ ...callbackBody('APP1', 'CONFIRMED', 1), amount: 1.5 })).toBeUndefined();
    expect(readAppCallback({ ...callbackBody('APP1', 'CONFIRMED', 1), amount: -100 })).toBeUndefined();
    expect(readAppCallback({ ...callbackBody('APP1', 'CONFIRMED', 1), amount: '100' })).toBeUndefined();
    expect(readAppCallback({ eventId: 'e3', status: 'CONFIRMED', amount: 1 })).toBeUndefined();
  });
});

describe('paying in an app', () => {
  it.each(APPS)(
    'goes from Index.aspx (IncCurrLabel=$label) through the $name page to the acknowledged ResultURL',
    async (entry) => {
      const invId = newInvId();
      const paymentId = await startMethodPayment(context.app, entry.label, { invId, outSum: '250.00' });
      const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`Оплатить через ${entry.name}`);
      expect(page.body).toContain('Получить QR-код');
      expect(page.body).toMatch(new RegExp(`data-method="${entry.alias}"\\s+aria-current="true"`));

      const started = await chooseMethod(context.app, paymentId, entry.alias);
      expect(started.statusCode).toBe(303);
      const [attempt] = await methodAttempts(context, paymentId);
      expect(attempt).toMatchObject({
        status: 'pending',
        method_label: entry.label,
        provider: SANDBOX_APP_PROVIDER,
        amount_minor: 25_000n,
      });
      expect(attempt?.details.app).toBe(entry.id);
      // The link lives as long as KOPEK_APP_TTL_MINUTES says (10 minutes by default).
      expect(context.deps.config.methodAttemptTtlMinutes.mobile_app).toBe(10);
      expect(attempt!.expires_at.getTime() - attempt!.created_at.getTime()).toBe(10 * 60_000);
      const appUrl = `${TEST_PUBLIC_URL}/sandbox/app/${attempt?.provider_reference}`;
      const pending = await context.app.inject({ method: 'GET', url: started.headers.location as string });
      expect(pending.body).toContain(`href="${appUrl}" data-deeplink`);
      expect(pending.body).toContain('Открыть приложение');
      expect(pending.body).toContain('<svg');
      expect(pending.body).toContain(`Ждём подтверждения от ${entry.name}`);

      const appPath = `/sandbox/app/${attempt?.provider_reference}`;
      const appPage = await context.app.inject({ method: 'GET', url: appPath });
      expect(appPage.statusCode).toBe(200);
      expect(appPage.body).toContain(`data-app="${entry.id}"`);
      expect(appPage.body).toContain(`<title>${entry.name}</title>`);
      expect(appPage.body).toContain('data-purpose>Тестовый заказ<');
      expect(appPage.body).toContain(rub(25_000n));
      for (const instrument of MOBILE_APPS[entry.id].instruments) {
        expect(appPage.body).toContain(`value="${instrument.id}"`);
        expect(appPage.body).toContain(instrument.maskedAccount);
      }
      const operation = await appOperation(attempt?.provider_reference ?? '');
      expect(operation).toMatchObject({ kind: 'mobile_app', status: 'CREATED', amount_minor: 25_000n });
      expect(operation.details).toMatchObject({ app: entry.id, orderNumber: attempt?.id });

      const confirmed = await answerInApp(appPath, { instrument: entry.good, decision: 'confirm' });
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.body).toContain(`Оплата подтверждена в ${entry.name}`);
      expect(confirmed.body).toContain(
        `<a class="button" href="${TEST_PUBLIC_URL}/Merchant/Index/${paymentId}">Вернуться на страницу магазина</a>`,
      );
      // The app's callback arrives through the queue, as a real one arrives later.
      expect((await paymentRow(context, paymentId)).status).toBe('created');
      await context.deliverMail();

      const mask = MOBILE_APPS[entry.id].instruments.find((item) => item.id === entry.good)?.maskedAccount;
      const paid = await paymentRow(context, paymentId);
      expect(paid).toMatchObject({ status: 'paid', payment_method: 'Apps', inc_curr_label: entry.label });
      expect(paid.card_mask).toBe(mask);
      expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
      const call = stub.calls.find((item) => item.fields.get('InvId') === invId);
      expect(call?.fields.get('IncCurrLabel')).toBe(entry.label);
      expect(call?.fields.get('PaymentMethod')).toBe('Apps');
      const delivered = await context.deps.db
        .selectFrom('notifications')
        .select('status')
        .where('subject_id', '=', paymentId)
        .execute();
      expect(delivered.map((row) => row.status)).toEqual(['delivered']);
      const status = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/status` });
      expect(status.json()).toMatchObject({ status: 'paid', attempt: { status: 'paid' } });
      expect(await appOperation(attempt?.provider_reference ?? '')).toMatchObject({
        status: 'CONFIRMED',
        received_minor: 25_000n,
      });

      // The app takes no second answer.
      const again = await context.app.inject({ method: 'GET', url: appPath });
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('Эта покупка уже оплачена.');
      const twice = await answerInApp(appPath, { instrument: entry.good, decision: 'confirm' });
      expect(twice.statusCode).toBe(409);
      await context.deliverMail();
      expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    },
  );

  it('speaks English with ?lang=en', async () => {
    const { appPath } = await pendingAppPayment('100.00', 'TPay');
    const page = await context.app.inject({ method: 'GET', url: `${appPath}?lang=en` });
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('Pay for the purchase');
    expect(page.body).toContain('T-Bank Black, debit');
    expect(page.body).toContain(`Confirm · ${rub(10_000n, 'en')}`);
    const declined = await answerInApp(
      appPath,
      { instrument: 'tbank-empty', decision: 'confirm' },
      '?lang=en',
    );
    expect(declined.body).toContain('Payment declined: not enough money on the card. Nothing was taken.');
    expect(declined.body).toContain('Return to the shop’s page');
    await context.deliverMail();
  });

  it.each(APPS)(
    '$name: the empty card declines for lack of money; the checkout says why; the buyer may try again',
    async (entry) => {
      const { paymentId, attempt, reference, appPath } = await pendingAppPayment('100.00', entry.alias);
      const declined = await answerInApp(appPath, { instrument: entry.empty, decision: 'confirm' });
      expect(declined.statusCode).toBe(200);
      expect(declined.body).toContain('Оплата отклонена: на карте недостаточно средств. Деньги не списаны.');
      expect(declined.body).toContain('Вернуться на страницу магазина');
      await context.deliverMail();
      expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
        id: attempt.id,
        status: 'declined',
        decline_reason: 'insufficient_funds',
      });
      expect((await paymentRow(context, paymentId)).status).toBe('created');
      expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(0);
      expect(await appOperation(reference)).toMatchObject({ status: 'DECLINED', received_minor: 0n });
      const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
      expect(page.body).toContain('Оплата не прошла: недостаточно средств.');
      expect((await chooseMethod(context.app, paymentId, entry.alias)).statusCode).toBe(303);
      expect(await methodAttempts(context, paymentId)).toHaveLength(2);
    },
  );

  it('Decline is the buyer’s own choice: no alert on the checkout, and the app says nothing was taken', async () => {
    const { paymentId, appPath } = await pendingAppPayment('100.00', 'MirPay');
    const declined = await answerInApp(appPath, { instrument: 'mir-vtb', decision: 'decline' });
    expect(declined.body).toContain('Вы отклонили оплату. Деньги не списаны.');
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'buyer_cancelled',
    });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).toContain('Получить QR-код');
    expect(page.body).not.toContain('Оплата не прошла');
    const again = await context.app.inject({ method: 'GET', url: appPath });
    expect(again.body).toContain('Эта оплата уже отклонена');
  });

  it('refuses a confirmation without an instrument of this app and changes nothing', async () => {
    const { paymentId, reference, appPath } = await pendingAppPayment('100.00', 'SberPay');
    const queued = await queuedJobs('methods.sandbox-callback');
    for (const instrument of ['', 'tbank-black', 'nothing']) {
      const answer = await answerInApp(appPath, { instrument, decision: 'confirm' });
      expect(answer.statusCode).toBe(422);
      expect(answer.body).toContain('Выберите карту или счёт.');
    }
    expect(await appOperation(reference)).toMatchObject({ status: 'CREATED' });
    expect(await queuedJobs('methods.sandbox-callback')).toBe(queued);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
  });

  it('answers an unknown link plainly, and a link of another provider is unknown to the app', async () => {
    const page = await context.app.inject({ method: 'GET', url: '/sandbox/app/APPnothing' });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Такой ссылки на оплату нет.');
    const posted = await answerInApp('/sandbox/app/APPnothing', {
      instrument: 'sber-mir',
      decision: 'confirm',
    });
    expect(posted.statusCode).toBe(404);
    const sbpPayment = await startMethodPayment(context.app, 'SBP', { invId: newInvId() });
    await chooseMethod(context.app, sbpPayment, 'SBP');
    const [sbpAttempt] = await methodAttempts(context, sbpPayment);
    const foreign = await context.app.inject({
      method: 'GET',
      url: `/sandbox/app/${sbpAttempt?.provider_reference}`,
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('the app link’s expiry', () => {
  it('dies at the attempt’s time: the app answers it expired, takes nothing and tells Kopek', async () => {
    const { paymentId, attempt, reference, appPath } = await pendingAppPayment('60.00', 'MirPay');
    context.clock.advanceMs(10 * 60_000 - 1_000);
    expect((await context.app.inject({ method: 'GET', url: appPath })).statusCode).toBe(200);
    context.clock.advanceMs(1_000);

    const page = await context.app.inject({ method: 'GET', url: appPath });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Срок действия ссылки на оплату истёк: деньги не списаны.');
    expect(page.body).toContain('Вернуться на страницу магазина');
    expect(page.body).not.toContain('name="decision"');
    const late = await answerInApp(appPath, { instrument: 'mir-vtb', decision: 'confirm' });
    expect(late.statusCode).toBe(410);
    expect(await appOperation(reference)).toMatchObject({ status: 'EXPIRED', received_minor: 0n });

    // The app's EXPIRED callback closes the attempt even before our own sweep does.
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      id: attempt.id,
      status: 'expired',
      decline_reason: 'expired',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(0);
    const checkout = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${paymentId}?method=MirPay`,
    });
    expect(checkout.body).toContain('Время на оплату этим способом истекло');
    // A second press on the dead link tells Kopek nothing new.
    const queued = await queuedJobs('methods.sandbox-callback');
    expect((await answerInApp(appPath, { instrument: 'mir-vtb', decision: 'confirm' })).statusCode).toBe(410);
    expect(await queuedJobs('methods.sandbox-callback')).toBe(queued);
  });

  it('takes its time from the request: KOPEK_APP_TTL_MINUTES sets it, the app page follows expiresAt', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:5432/none',
      KOPEK_MASTER_KEY: TEST_MASTER_KEY,
      PUBLIC_URL: TEST_PUBLIC_URL,
      KOPEK_APP_TTL_MINUTES: '3',
    });
    expect(config.methodAttemptTtlMinutes.mobile_app).toBe(3);
    const method = findMethodByLabelOrAlias('TPay');
    if (!method) throw new Error('T-Pay is not in the catalogue');
    const now = context.clock.now();
    const started = await appProvider().start({
      attemptId: `mat_ttl_${Math.random()}`,
      paymentId: 'pay_ttl',
      method: method.item,
      amountMinor: 5_000n,
      currency: 'RUB',
      description: 'Заказ на три минуты',
      returnUrl: `${TEST_PUBLIC_URL}/Merchant/Index/pay_ttl`,
      buyerInput: {},
      expiresAt: new Date(now.getTime() + 3 * 60_000),
    });
    if (started.kind !== 'started') throw new Error('the app refused to start');
    expect(started.details).toEqual({ app: 'tpay' });
    expect(started.instructions).toEqual({
      type: 'qr_link',
      url: `${TEST_PUBLIC_URL}/sandbox/app/${started.reference}`,
    });
    const path = `/sandbox/app/${started.reference}`;
    context.clock.advanceMs(3 * 60_000 - 1);
    expect((await context.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    context.clock.advanceMs(1);
    expect((await context.app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
  });

  it('is closed on our side by the sweep at its time; a late CONFIRMED is still money received', async () => {
    const { paymentId, reference } = await pendingAppPayment('70.00');
    context.clock.advanceMs(9 * 60_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    context.clock.advanceMs(60_000);
    expect(await expireMethodAttempts(context.deps)).toBeGreaterThanOrEqual(1);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    expect((await context.app.inject({ method: 'GET', url: `/sandbox/app/${reference}` })).statusCode).toBe(
      410,
    );

    const answer = await sendCallback(callbackBody(reference, 'CONFIRMED', 7_000));
    expect(answer.json()).toEqual({ outcome: 'paid_late' });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
  });
});

describe('app callbacks', () => {
  it('pays on a valid callback: ledger transfer and the ResultURL job enqueued, then acknowledged', async () => {
    const { invId, paymentId, reference } = await pendingAppPayment('120.00');
    const notificationsBefore = await queuedJobs(NOTIFICATION_QUEUE);
    const answer = await sendCallback(callbackBody(reference, 'CONFIRMED', 12_000));
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ outcome: 'paid' });
    const paid = await paymentRow(context, paymentId);
    expect(paid).toMatchObject({ status: 'paid', card_mask: '220220******0011' });
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect(await queuedJobs(NOTIFICATION_QUEUE)).toBeGreaterThan(notificationsBefore);
    await context.deliverMail();
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('refuses a forged callback and changes nothing', async () => {
    const { paymentId, reference } = await pendingAppPayment();
    const { text } = signedCallback(
      context,
      SANDBOX_APP_PROVIDER,
      callbackBody(reference, 'CONFIRMED', 25_000),
    );
    expect((await postCallback(context.app, SANDBOX_APP_PROVIDER, text, 'f'.repeat(64))).statusCode).toBe(
      401,
    );
    expect((await postCallback(context.app, SANDBOX_APP_PROVIDER, text, undefined)).statusCode).toBe(401);
    expect((await postCallback(context.app, SANDBOX_APP_PROVIDER, '{"eventId":', 'x')).statusCode).toBe(401);
    // Signed with another sandbox's secret: still forged for the app.
    const other = signedCallback(context, 'sandbox-sbp', callbackBody(reference, 'CONFIRMED', 25_000));
    expect(
      (await postCallback(context.app, SANDBOX_APP_PROVIDER, other.text, other.signature)).statusCode,
    ).toBe(401);
    // Signed but not the app's format.
    const malformed = signedCallback(context, SANDBOX_APP_PROVIDER, { eventId: 'x', operationId: reference });
    expect(
      (await postCallback(context.app, SANDBOX_APP_PROVIDER, malformed.text, malformed.signature)).statusCode,
    ).toBe(400);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(0);
    const stored = await context.deps.db
      .selectFrom('provider_callbacks')
      .select('id')
      .where('provider', '=', SANDBOX_APP_PROVIDER)
      .where('event_id', '=', 'x')
      .execute();
    expect(stored).toHaveLength(0);
  });

  it('applies a duplicated callback once: one payment, one ledger transfer, one notification', async () => {
    const { invId, paymentId, reference } = await pendingAppPayment();
    const body = callbackBody(reference, 'CONFIRMED', 25_000, { eventId: 'app-dup-1' });
    expect((await sendCallback(body)).json()).toEqual({ outcome: 'paid' });
    expect((await sendCallback(body)).json()).toEqual({ outcome: 'duplicate' });
    // Another event id with the same news is recognised too.
    const again = callbackBody(reference, 'CONFIRMED', 25_000, { eventId: 'app-dup-2' });
    expect((await sendCallback(again)).json()).toEqual({ outcome: 'already_applied' });
    await context.deliverMail();
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('records a late decline after a decline without changing anything; a late CONFIRMED after it is still money received', async () => {
    const { paymentId, reference, appPath } = await pendingAppPayment('90.00');
    await answerInApp(appPath, { instrument: 'sber-empty', decision: 'confirm' });
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('declined');
    const lateDecline = callbackBody(reference, 'REVERSED', 9_000, { reasonCode: 'USER_CANCELLED' });
    expect((await sendCallback(lateDecline)).json()).toEqual({ outcome: 'already_applied' });
    expect((await methodAttempts(context, paymentId))[0]?.decline_reason).toBe('insufficient_funds');
    expect((await sendCallback(callbackBody(reference, 'CONFIRMED', 9_000))).json()).toEqual({
      outcome: 'paid_late',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });

  it('never counts an unknown status as paid; AUTHORIZED is still waiting', async () => {
    const { paymentId, reference } = await pendingAppPayment('80.00');
    for (const [status, outcome] of [
      ['AUTHORIZED', 'pending'],
      ['PAID', 'unknown_status'],
      ['REFUNDED', 'unknown_status'],
      ['confirmed', 'unknown_status'],
    ] as const)
      expect((await sendCallback(callbackBody(reference, status, 8_000))).json()).toEqual({ outcome });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(0);
  });
});

describe('refunds through the app', () => {
  async function paidAppPayment(outSum: string, alias: string, instrument: string) {
    const pending = await pendingAppPayment(outSum, alias);
    await answerInApp(pending.appPath, { instrument, decision: 'confirm' });
    await context.deliverMail();
    expect((await paymentRow(context, pending.paymentId)).status).toBe('paid');
    return pending;
  }

  it('go back to the card the payment came from: processing, then finished with the app’s reference, balanced', async () => {
    const { paymentId, reference } = await paidAppPayment('300.00', 'TPay', 'tbank-platinum');
    const refund = await refundPayment(context.deps, { paymentId, amountMinor: 10_000n, source: 'cabinet' });
    expect(refund.status).toBe('processing');
    await context.deliverMail();
    const row = await context.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('finished');
    expect(row.provider_reference).toMatch(/^APR/);
    const appSide = await appOperation(row.provider_reference ?? '');
    expect(appSide).toMatchObject({ kind: 'mobile_app_refund', amount_minor: 10_000n, status: 'REFUNDED' });
    expect(appSide.details).toMatchObject({
      originalReference: reference,
      app: 'tpay',
      maskedAccount: '553691******0022',
    });
    const legs = await context.deps.db
      .selectFrom('ledger_entries')
      .innerJoin('ledger_transfers', 'ledger_transfers.id', 'ledger_entries.transfer_id')
      .select(['ledger_entries.account_id', 'ledger_entries.amount_minor'])
      .where('ledger_transfers.idempotency_key', 'in', [`refund:${refund.id}`, `refund:${refund.id}:sent`])
      .execute();
    const parked = legs
      .filter((leg) => leg.account_id === 'platform:refunds:RUB')
      .reduce((sum, leg) => sum + leg.amount_minor, 0n);
    expect(parked).toBe(0n);
    expect(legs.reduce((sum, leg) => sum + leg.amount_minor, 0n)).toBe(0n);
  });

  it('is refused for an order that is not paid, and beyond what was paid; a repeat is one refund', async () => {
    const provider = appProvider();
    if (!provider.refund) throw new Error('the app cannot refund');
    const open = await pendingAppPayment('50.00');
    expect(
      await provider.refund({ reference: open.reference, amountMinor: 100n, refundId: 'rf-open' }),
    ).toEqual({
      kind: 'refused',
      reason: 'operation_not_paid',
    });
    expect(
      await provider.refund({ reference: 'APPnothing', amountMinor: 100n, refundId: 'rf-none' }),
    ).toMatchObject({ kind: 'refused' });

    const paid = await paidAppPayment('50.00', 'SberPay', 'sber-account');
    const first = await provider.refund({ reference: paid.reference, amountMinor: 3_000n, refundId: 'rf-1' });
    expect(first.kind).toBe('refunded');
    expect(
      await provider.refund({ reference: paid.reference, amountMinor: 3_000n, refundId: 'rf-1' }),
    ).toEqual(first);
    expect(
      await provider.refund({ reference: paid.reference, amountMinor: 2_001n, refundId: 'rf-2' }),
    ).toEqual({
      kind: 'refused',
      reason: 'amount_exceeds_payment',
    });
    expect(
      (await provider.refund({ reference: paid.reference, amountMinor: 2_000n, refundId: 'rf-3' })).kind,
    ).toBe('refunded');
  });

  it('each app method is refundable in the catalogue', () => {
    for (const entry of APPS)
      expect(findMethodByLabelOrAlias(entry.label)?.item.capabilities.isRefundable).toBe(true);
  });
});
