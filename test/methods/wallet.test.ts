/**
 * The e-wallet (YooMoney-like sandbox) end to end over HTTP: IncCurrLabel preselects the wallet, the page
 * sends the buyer to the wallet's sign-in, the buyer signs in with a test account, confirms, comes back,
 * and the wallet's signed notification pays the payment through the card's path (ledger, ResultURL
 * acknowledged). Balances are real (a payment takes from the account, a refund puts back, two payments
 * can exhaust it); sign-in errors change nothing; callbacks forged, duplicated, late and with an unknown
 * status; expiry by the injected clock; refunds through the wallet; the transformer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethodByLabelOrAlias } from '../../src/modules/methods/index.js';
import type { MethodProvider } from '../../src/modules/methods/providers/method-provider.js';
import {
  findWalletAccount,
  maskWalletNumber,
  readWalletNotification,
  SANDBOX_WALLET_PROVIDER,
  toWalletPaymentRequest,
  walletBalanceMinor,
  walletDeclineReasonToOurs,
  walletStatusToOurs,
  WALLET_TEST_ACCOUNTS,
} from '../../src/modules/methods/providers/sandbox-wallet.js';
import { expireMethodAttempts } from '../../src/modules/payments/index.js';
import { refundPayment } from '../../src/modules/refunds/index.js';
import { formatMoneyForPeople } from '../../src/platform/money.js';
import { createTestContext, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
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
let nextInvId = 7000;
const newInvId = () => String((nextInvId += 1));

const [RICH, POOR, BLOCKED] = WALLET_TEST_ACCOUNTS as [
  (typeof WALLET_TEST_ACCOUNTS)[number],
  (typeof WALLET_TEST_ACCOUNTS)[number],
  (typeof WALLET_TEST_ACCOUNTS)[number],
];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const rub = (minor: bigint, language: 'ru' | 'en' = 'ru') => formatMoneyForPeople(minor, 'RUB', language);

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

/** A payment with a pending wallet attempt: its id, the attempt and the path of the wallet's page. */
async function pendingWalletPayment(outSum = '250.00') {
  const invId = newInvId();
  const { paymentId, attempt, reference } = await startPendingAttempt(context, 'YooMoney', { invId, outSum });
  return { invId, paymentId, attempt, reference, walletPath: `/sandbox/wallet/${reference}` };
}

async function signIn(walletPath: string, account: string, password: string, query = '') {
  return context.app.inject({
    method: 'POST',
    url: `${walletPath}${query}`,
    headers: FORM,
    payload: new URLSearchParams({ account, password }).toString(),
  });
}

function sessionOf(confirmPage: string): string {
  const session = /name="session" value="([0-9a-f]+)"/.exec(confirmPage)?.[1];
  if (!session) throw new Error('no session on the confirm page');
  return session;
}

async function decide(walletPath: string, account: string, session: string, decision: 'pay' | 'cancel') {
  return context.app.inject({
    method: 'POST',
    url: `${walletPath}/confirm`,
    headers: FORM,
    payload: new URLSearchParams({ account, session, decision }).toString(),
  });
}

/** Signs in with `account` and decides; answers the redirect and the confirm page shown before it. */
async function payWithWallet(
  walletPath: string,
  account: (typeof WALLET_TEST_ACCOUNTS)[number],
  decision: 'pay' | 'cancel' = 'pay',
) {
  const confirmPage = await signIn(walletPath, account.number, account.password);
  expect(confirmPage.statusCode).toBe(200);
  const answer = await decide(walletPath, account.number, sessionOf(confirmPage.body), decision);
  return { confirmPage, answer };
}

async function walletOperation(reference: string) {
  return context.deps.db
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', SANDBOX_WALLET_PROVIDER)
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
}

async function queuedSandboxCallbacks(): Promise<number> {
  const row = await context.deps.db
    .selectFrom('jobs')
    .select(({ fn }) => fn.countAll<string>().as('count'))
    .where('queue', '=', 'methods.sandbox-callback')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function walletProvider(): MethodProvider {
  const provider = context.deps.providers.methodProviders.find(
    (item) => item.name === SANDBOX_WALLET_PROVIDER,
  );
  if (!provider) throw new Error('the wallet provider is not registered');
  return provider;
}

function notification(
  reference: string,
  status: string,
  value: string,
  extra: { eventId?: string; reason?: string } = {},
) {
  return {
    type: 'notification',
    eventId: extra.eventId ?? `ev-${Math.random()}`,
    event: `payment.${status}`,
    object: {
      id: reference,
      status,
      paid: status === 'succeeded',
      amount: { value, currency: 'RUB' },
      payment_method: { type: 'yoo_money', account_number: '41001*******0001' },
      ...(extra.reason ? { cancellation_details: { party: 'yoo_money', reason: extra.reason } } : {}),
    },
  };
}

describe('the wallet transformer', () => {
  it('turns our request into the wallet’s payment: roubles as text, redirect confirmation, 128-character description', () => {
    const method = findMethodByLabelOrAlias('YooMoney');
    if (!method) throw new Error('YooMoney is not in the catalogue');
    expect(
      toWalletPaymentRequest({
        attemptId: 'mat_1',
        paymentId: 'pay_1',
        method: method.item,
        amountMinor: 25_050n,
        currency: 'RUB',
        description: 'x'.repeat(200),
        returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
        buyerInput: {},
        expiresAt: new Date('2026-03-02T09:30:00Z'),
      }),
    ).toEqual({
      amount: { value: '250.50', currency: 'RUB' },
      capture: true,
      confirmation: { type: 'redirect', return_url: 'https://kopek.example/Merchant/Index/pay_1' },
      payment_method_data: { type: 'yoo_money' },
      description: 'x'.repeat(128),
      metadata: { attemptId: 'mat_1', paymentId: 'pay_1' },
      expires_at: '2026-03-02T09:30:00.000Z',
    });
  });

  it.each([
    ['pending', undefined, 'pending'],
    ['waiting_for_capture', undefined, 'pending'],
    ['succeeded', undefined, 'paid'],
    ['canceled', 'insufficient_funds', 'declined'],
    ['canceled', 'expired_on_confirmation', 'expired'],
    ['canceled', undefined, 'declined'],
    ['SUCCEEDED', undefined, 'unknown'],
    ['refunded', undefined, 'unknown'],
    ['constructor', undefined, 'unknown'],
    ['', undefined, 'unknown'],
  ])('reads the wallet’s %j (reason %j) as %j', (status, reason, ours) => {
    expect(walletStatusToOurs(status, reason)).toBe(ours);
  });

  it.each([
    ['insufficient_funds', 'insufficient_funds'],
    ['payment_method_restricted', 'account_blocked'],
    ['canceled_by_user', 'buyer_cancelled'],
    ['expired_on_confirmation', 'expired'],
    ['fraud_suspected', 'wallet_declined'],
    ['__proto__', 'wallet_declined'],
    [undefined, 'wallet_declined'],
  ])('reads the cancellation reason %j as ours %j', (reason, ours) => {
    expect(walletDeclineReasonToOurs(reason)).toBe(ours);
  });

  it('reads a notification into our event, with the masked wallet and kopecks; refuses another shape', () => {
    expect(readWalletNotification(notification('YM1', 'succeeded', '250.50', { eventId: 'e1' }))).toEqual({
      eventId: 'e1',
      reference: 'YM1',
      status: 'paid',
      providerStatus: 'succeeded',
      receivedMinor: 25_050n,
      maskedAccount: '41001*******0001',
    });
    expect(
      readWalletNotification(
        notification('YM1', 'canceled', '250.50', { eventId: 'e2', reason: 'insufficient_funds' }),
      ),
    ).toMatchObject({ status: 'declined', declineReason: 'insufficient_funds' });
    expect(readWalletNotification(notification('YM1', 'succeeded', '250.505'))).toBeUndefined();
    expect(readWalletNotification({ eventId: 'e3', object: { id: 'YM1' } })).toBeUndefined();
    expect(readWalletNotification({ object: { id: 'YM1', status: 'succeeded' } })).toBeUndefined();
  });

  it('masks a wallet number to its first five and last four digits', () => {
    expect(maskWalletNumber('4100100000000001')).toBe('41001*******0001');
    expect(findWalletAccount('4100 1000 0000 0002')).toBe(POOR);
    expect(findWalletAccount('4100100000000009')).toBeUndefined();
  });
});

describe('paying with the wallet', () => {
  it('goes from Index.aspx through the wallet’s sign-in and confirm pages back to the shop; the merchant is notified', async () => {
    const invId = newInvId();
    const paymentId = await startMethodPayment(context.app, 'YooMoney', { invId, outSum: '250.00' });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Оплатить через ЮMoney');
    expect(page.body).toContain('Перейти к оплате');

    const started = await chooseMethod(context.app, paymentId, 'YooMoney');
    expect(started.statusCode).toBe(303);
    const [attempt] = await methodAttempts(context, paymentId);
    expect(attempt).toMatchObject({
      status: 'pending',
      method_label: 'YooMoneyPSR',
      provider: SANDBOX_WALLET_PROVIDER,
      amount_minor: 25_000n,
    });
    const walletUrl = `${TEST_PUBLIC_URL}/sandbox/wallet/${attempt?.provider_reference}`;
    const pending = await context.app.inject({ method: 'GET', url: started.headers.location as string });
    expect(pending.body).toContain(`href="${walletUrl}"`);
    expect(pending.body).toContain('data-poll=');

    const walletPath = `/sandbox/wallet/${attempt?.provider_reference}`;
    const signInPage = await context.app.inject({ method: 'GET', url: walletPath });
    expect(signInPage.statusCode).toBe(200);
    expect(signInPage.body).toContain('Вход в кошелёк');
    for (const account of WALLET_TEST_ACCOUNTS) {
      expect(signInPage.body).toContain(account.number);
      expect(signInPage.body).toContain(account.password);
    }
    expect(signInPage.body).toContain(rub(RICH.openingMinor));

    const confirmPage = await signIn(walletPath, RICH.number, RICH.password);
    expect(confirmPage.statusCode).toBe(200);
    expect(confirmPage.body).toContain('Подтверждение платежа');
    expect(confirmPage.body).toContain('Тестовый заказ');
    expect(confirmPage.body).toContain(rub(25_000n));
    expect(confirmPage.body).toContain(`data-balance>${rub(RICH.openingMinor)}<`);
    expect(confirmPage.body).toContain('41001*******0001');

    const paid = await decide(walletPath, RICH.number, sessionOf(confirmPage.body), 'pay');
    expect(paid.statusCode).toBe(303);
    expect(paid.headers.location).toBe(`${TEST_PUBLIC_URL}/Merchant/Index/${paymentId}`);
    // Back on the payment page before the notification arrives: still waiting for the wallet.
    const back = await context.app.inject({
      method: 'GET',
      url: String(paid.headers.location).slice(TEST_PUBLIC_URL.length),
    });
    expect(back.body).toContain('Ждём подтверждения от ЮMoney');
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    await context.deliverMail();

    const payment = await paymentRow(context, paymentId);
    expect(payment).toMatchObject({
      status: 'paid',
      payment_method: 'EMoney',
      inc_curr_label: 'YooMoneyPSR',
    });
    expect(payment.card_mask).toBe('41001*******0001');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    const call = stub.calls.find((item) => item.fields.get('InvId') === invId);
    expect(call?.fields.get('IncCurrLabel')).toBe('YooMoneyPSR');
    expect(call?.fields.get('PaymentMethod')).toBe('EMoney');
    const delivered = await context.deps.db
      .selectFrom('notifications')
      .select('status')
      .where('subject_id', '=', paymentId)
      .execute();
    expect(delivered.map((row) => row.status)).toEqual(['delivered']);
    const status = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/status` });
    expect(status.json()).toMatchObject({ status: 'paid', attempt: { status: 'paid' } });

    // The wallet side: the account paid, the operation is closed and takes no second decision.
    expect(await walletBalanceMinor(context.deps.db, RICH)).toBe(RICH.openingMinor - 25_000n);
    const again = await context.app.inject({ method: 'GET', url: walletPath });
    expect(again.body).toContain('Этот платёж уже оплачен.');
    const twice = await decide(walletPath, RICH.number, sessionOf(confirmPage.body), 'pay');
    expect(twice.statusCode).toBe(409);
    expect(await walletBalanceMinor(context.deps.db, RICH)).toBe(RICH.openingMinor - 25_000n);
  });

  it('speaks English with ?lang=en', async () => {
    const { walletPath } = await pendingWalletPayment();
    const page = await context.app.inject({ method: 'GET', url: `${walletPath}?lang=en` });
    expect(page.body).toContain('Sign in to the wallet');
    expect(page.body).toContain('Test wallets');
    const wrong = await signIn(walletPath, RICH.number, 'nope', '?lang=en');
    expect(wrong.body).toContain('Wrong password. Nothing was taken.');
    const confirm = await signIn(walletPath, RICH.number, RICH.password, '?lang=en');
    expect(confirm.body).toContain('Confirm the payment');
    expect(confirm.body).toContain(`/confirm?lang=en`);
  });

  it('answers a wrong password or an unknown wallet with a field error and changes nothing', async () => {
    const { paymentId, reference, walletPath } = await pendingWalletPayment();
    const queued = await queuedSandboxCallbacks();
    const wrong = await signIn(walletPath, RICH.number, 'rich-12345');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('id="password-error"');
    expect(wrong.body).toContain('Неверный пароль. Ничего не списано.');
    expect(wrong.body).toContain(`value="${RICH.number}"`);
    expect(wrong.body).not.toContain('name="session"');
    const unknown = await signIn(walletPath, '4100100000000099', 'whatever');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('id="account-error"');
    expect(unknown.body).toContain('Кошелька с таким номером нет');
    // A forged session (not signed in) decides nothing either.
    const forged = await decide(walletPath, RICH.number, 'a'.repeat(64), 'pay');
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Войдите в кошелёк ещё раз.');
    expect(forged.body).toContain(`action="${walletPath}?lang=ru"`);
    // The session of one account does not pay from another.
    const confirm = await signIn(walletPath, POOR.number, POOR.password);
    const swapped = await decide(walletPath, RICH.number, sessionOf(confirm.body), 'pay');
    expect(swapped.statusCode).toBe(403);

    expect(await walletOperation(reference)).toMatchObject({ status: 'pending' });
    expect(await queuedSandboxCallbacks()).toBe(queued);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    expect((await paymentRow(context, paymentId)).status).toBe('created');
  });

  it('declines for insufficient funds, and the checkout says why; the buyer may try again', async () => {
    const { paymentId, attempt, walletPath } = await pendingWalletPayment('100.00');
    const { confirmPage, answer } = await payWithWallet(walletPath, POOR);
    expect(confirmPage.body).toContain('недостаточно средств: платёж будет отклонён');
    expect(answer.statusCode).toBe(303);
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      id: attempt.id,
      status: 'declined',
      decline_reason: 'insufficient_funds',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect(await walletBalanceMinor(context.deps.db, POOR)).toBe(POOR.openingMinor);
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).toContain('Оплата не прошла: недостаточно средств.');
    expect((await chooseMethod(context.app, paymentId, 'YooMoney')).statusCode).toBe(303);
    expect(await methodAttempts(context, paymentId)).toHaveLength(2);
  });

  it('exhausts a balance over two payments: the second is declined', async () => {
    const first = await pendingWalletPayment('30.00');
    const second = await pendingWalletPayment('30.00');
    expect((await payWithWallet(first.walletPath, POOR)).answer.statusCode).toBe(303);
    const { confirmPage, answer } = await payWithWallet(second.walletPath, POOR);
    expect(confirmPage.body).toContain(`data-balance>${rub(2_000n)}<`);
    expect(answer.statusCode).toBe(303);
    await context.deliverMail();
    expect((await paymentRow(context, first.paymentId)).status).toBe('paid');
    expect((await methodAttempts(context, second.paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'insufficient_funds',
    });
    expect(await walletBalanceMinor(context.deps.db, POOR)).toBe(2_000n);
    expect(await walletOperation(second.reference)).toMatchObject({
      status: 'canceled',
      received_minor: 0n,
    });
  });

  it('reads the balance in turn when two payments from one account are confirmed at once', async () => {
    const poorer = await walletBalanceMinor(context.deps.db, POOR);
    expect(poorer).toBe(2_000n);
    const first = await pendingWalletPayment('15.00');
    const second = await pendingWalletPayment('15.00');
    const pages = await Promise.all(
      [first, second].map((payment) => signIn(payment.walletPath, POOR.number, POOR.password)),
    );
    const answers = await Promise.all(
      [first, second].map((payment, index) =>
        decide(payment.walletPath, POOR.number, sessionOf(pages[index]?.body ?? ''), 'pay'),
      ),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual([303, 303]);
    const statuses = await Promise.all(
      [first, second].map(async (payment) => (await walletOperation(payment.reference)).status),
    );
    expect(statuses.sort()).toEqual(['canceled', 'succeeded']);
    expect(await walletBalanceMinor(context.deps.db, POOR)).toBe(500n);
    await context.deliverMail();
  });

  it('a blocked wallet always declines; Cancel declines as the buyer’s own choice', async () => {
    const blocked = await pendingWalletPayment('10.00');
    const { confirmPage } = await payWithWallet(blocked.walletPath, BLOCKED);
    expect(confirmPage.body).toContain('Кошелёк заблокирован');
    const cancelled = await pendingWalletPayment('10.00');
    const { answer } = await payWithWallet(cancelled.walletPath, RICH, 'cancel');
    expect(answer.statusCode).toBe(303);
    await context.deliverMail();
    expect((await methodAttempts(context, blocked.paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'account_blocked',
    });
    expect((await methodAttempts(context, cancelled.paymentId))[0]).toMatchObject({
      status: 'declined',
      decline_reason: 'buyer_cancelled',
    });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${cancelled.paymentId}` });
    expect(page.body).toContain('Перейти к оплате');
    expect(page.body).not.toContain('Оплата не прошла');
  });

  it('an unknown operation is answered plainly', async () => {
    const page = await context.app.inject({ method: 'GET', url: '/sandbox/wallet/YMnothing' });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Такого платежа в кошельке нет.');
  });
});

describe('wallet expiry', () => {
  it('closes the operation after 30 minutes: the wallet takes nothing, the attempt expires, a late "succeeded" still pays', async () => {
    const { paymentId, reference, walletPath } = await pendingWalletPayment('40.00');
    const confirmPage = await signIn(walletPath, RICH.number, RICH.password);
    const balance = await walletBalanceMinor(context.deps.db, RICH);
    context.clock.advanceMs(29 * 60_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    context.clock.advanceMs(60_000);
    expect(await expireMethodAttempts(context.deps)).toBeGreaterThanOrEqual(1);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');

    const queued = await queuedSandboxCallbacks();
    const page = await context.app.inject({ method: 'GET', url: walletPath });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Время на оплату истекло: деньги не списаны.');
    expect((await signIn(walletPath, RICH.number, RICH.password)).statusCode).toBe(410);
    const late = await decide(walletPath, RICH.number, sessionOf(confirmPage.body), 'pay');
    expect(late.statusCode).toBe(410);
    expect(await walletBalanceMinor(context.deps.db, RICH)).toBe(balance);
    expect(await walletOperation(reference)).toMatchObject({ status: 'pending' });
    expect(await queuedSandboxCallbacks()).toBe(queued);
    const checkout = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${paymentId}?method=YooMoney`,
    });
    expect(checkout.body).toContain('Время на оплату этим способом истекло');

    // Money the wallet reports taken after our expiry is still money received.
    const { text, signature } = signedCallback(
      context,
      SANDBOX_WALLET_PROVIDER,
      notification(reference, 'succeeded', '40.00'),
    );
    expect((await postCallback(context.app, SANDBOX_WALLET_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'paid_late',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });
});

describe('wallet callbacks', () => {
  it('pays on a valid notification: ledger transfer and ResultURL', async () => {
    const { invId, paymentId, reference } = await pendingWalletPayment('120.00');
    const { text, signature } = signedCallback(
      context,
      SANDBOX_WALLET_PROVIDER,
      notification(reference, 'succeeded', '120.00'),
    );
    const answer = await postCallback(context.app, SANDBOX_WALLET_PROVIDER, text, signature);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ outcome: 'paid' });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    await context.deliverMail();
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('refuses a forged notification and changes nothing', async () => {
    const { paymentId, reference } = await pendingWalletPayment();
    const { text } = signedCallback(
      context,
      SANDBOX_WALLET_PROVIDER,
      notification(reference, 'succeeded', '250.00'),
    );
    expect((await postCallback(context.app, SANDBOX_WALLET_PROVIDER, text, 'f'.repeat(64))).statusCode).toBe(
      401,
    );
    expect((await postCallback(context.app, SANDBOX_WALLET_PROVIDER, text, undefined)).statusCode).toBe(401);
    // Signed with another sandbox's secret: still forged for the wallet.
    const other = signedCallback(context, 'sandbox-sbp', notification(reference, 'succeeded', '250.00'));
    expect(
      (await postCallback(context.app, SANDBOX_WALLET_PROVIDER, other.text, other.signature)).statusCode,
    ).toBe(401);
    // Signed but not the wallet's format.
    const malformed = signedCallback(context, SANDBOX_WALLET_PROVIDER, {
      eventId: 'x',
      object: { id: reference },
    });
    expect(
      (await postCallback(context.app, SANDBOX_WALLET_PROVIDER, malformed.text, malformed.signature))
        .statusCode,
    ).toBe(400);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
  });

  it('applies a duplicated notification once: one payment, one ledger transfer, one notification', async () => {
    const { invId, paymentId, reference } = await pendingWalletPayment();
    const body = notification(reference, 'succeeded', '250.00', { eventId: 'wallet-dup-1' });
    const { text, signature } = signedCallback(context, SANDBOX_WALLET_PROVIDER, body);
    expect((await postCallback(context.app, SANDBOX_WALLET_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'paid',
    });
    expect((await postCallback(context.app, SANDBOX_WALLET_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'duplicate',
    });
    const again = signedCallback(
      context,
      SANDBOX_WALLET_PROVIDER,
      notification(reference, 'succeeded', '250.00', { eventId: 'wallet-dup-2' }),
    );
    expect(
      (await postCallback(context.app, SANDBOX_WALLET_PROVIDER, again.text, again.signature)).json(),
    ).toEqual({
      outcome: 'already_applied',
    });
    await context.deliverMail();
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('records a late cancellation after a decline without changing anything, and never counts an unknown status as paid', async () => {
    const { paymentId, reference, walletPath } = await pendingWalletPayment('90.00');
    await payWithWallet(walletPath, BLOCKED);
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('declined');
    const late = signedCallback(
      context,
      SANDBOX_WALLET_PROVIDER,
      notification(reference, 'canceled', '90.00', { reason: 'insufficient_funds' }),
    );
    expect(
      (await postCallback(context.app, SANDBOX_WALLET_PROVIDER, late.text, late.signature)).json(),
    ).toEqual({
      outcome: 'already_applied',
    });
    expect((await methodAttempts(context, paymentId))[0]?.decline_reason).toBe('account_blocked');

    const open = await pendingWalletPayment('90.00');
    for (const status of ['waiting_for_capture', 'refunded']) {
      const { text, signature } = signedCallback(
        context,
        SANDBOX_WALLET_PROVIDER,
        notification(open.reference, status, '90.00'),
      );
      const answer = await postCallback(context.app, SANDBOX_WALLET_PROVIDER, text, signature);
      expect(answer.json()).toEqual({ outcome: status === 'refunded' ? 'unknown_status' : 'pending' });
    }
    expect((await paymentRow(context, open.paymentId)).status).toBe('created');
    expect((await methodAttempts(context, open.paymentId))[0]?.status).toBe('pending');
  });
});

describe('refunds through the wallet', () => {
  it('credit the account back: processing until the wallet refunds, then finished with its reference', async () => {
    const { paymentId, walletPath } = await pendingWalletPayment('300.00');
    const before = await walletBalanceMinor(context.deps.db, RICH);
    await payWithWallet(walletPath, RICH);
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    expect(await walletBalanceMinor(context.deps.db, RICH)).toBe(before - 30_000n);

    const refund = await refundPayment(context.deps, { paymentId, amountMinor: 10_000n, source: 'cabinet' });
    expect(refund.status).toBe('processing');
    await context.deliverMail();
    const row = await context.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('finished');
    expect(row.provider_reference).toMatch(/^YR/);
    expect(await walletOperation(row.provider_reference ?? '')).toMatchObject({
      kind: 'e_wallet_refund',
      amount_minor: 10_000n,
      status: 'succeeded',
    });
    expect(await walletBalanceMinor(context.deps.db, RICH)).toBe(before - 20_000n);
  });

  it('is refused for an operation that is not paid, and beyond what was paid; a repeat is one refund', async () => {
    const provider = walletProvider();
    if (!provider.refund) throw new Error('the wallet cannot refund');
    const open = await pendingWalletPayment('50.00');
    expect(
      await provider.refund({ reference: open.reference, amountMinor: 100n, refundId: 'rf-open' }),
    ).toEqual({
      kind: 'refused',
      reason: 'operation_not_paid',
    });
    expect(
      await provider.refund({ reference: 'YMnothing', amountMinor: 100n, refundId: 'rf-none' }),
    ).toMatchObject({
      kind: 'refused',
    });

    const paid = await pendingWalletPayment('50.00');
    await payWithWallet(paid.walletPath, RICH);
    const before = await walletBalanceMinor(context.deps.db, RICH);
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
    expect(await walletBalanceMinor(context.deps.db, RICH)).toBe(before + 3_000n);
  });
});
