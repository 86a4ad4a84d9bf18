/**
 * SBP end to end over HTTP: IncCurrLabel preselects SBP, the page shows a QR code with the payment link,
 * the sandbox bank app confirms, its signed callback pays the payment through the card's path (ledger,
 * ResultURL acknowledged). Callbacks forged, duplicated, late and with an unknown status; the QR's expiry
 * by the injected clock; a shop without SBP; the transformer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethodByLabelOrAlias } from '../../src/modules/methods/index.js';
import {
  SANDBOX_SBP_PROVIDER,
  sbpStatusToOurs,
  toSbpQrRequest,
} from '../../src/modules/methods/providers/sandbox-sbp.js';
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
let nextInvId = 5000;
const newInvId = () => String((nextInvId += 1));

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

/** A payment with a pending SBP attempt: its id, the attempt and the bank-app path of its link. */
async function pendingSbpPayment(outSum = '250.00') {
  const invId = newInvId();
  const { paymentId, attempt, reference } = await startPendingAttempt(context, 'SBP', { invId, outSum });
  return { invId, paymentId, attempt, bankAppPath: `/sandbox/sbp/${reference}` };
}

function callbackBody(reference: string, status: string, amount: number, eventId = `ev-${Math.random()}`) {
  return {
    eventId,
    qrcId: reference,
    status,
    amount,
    payerBank: 'Сбербанк',
    payerAccount: '+7 *** ***-12-34',
  };
}

describe('the SBP transformer', () => {
  it('turns our request into the bank’s QR request: kopecks, a purpose of 140 characters, minutes of life', () => {
    const method = findMethodByLabelOrAlias('SBP');
    if (!method) throw new Error('SBP is not in the catalogue');
    const now = new Date('2026-03-02T09:00:00Z');
    expect(
      toSbpQrRequest(
        {
          attemptId: 'mat_1',
          paymentId: 'pay_1',
          method: method.item,
          amountMinor: 25_050n,
          currency: 'RUB',
          description: 'x'.repeat(200),
          returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
          buyerInput: {},
          expiresAt: new Date('2026-03-02T09:10:00Z'),
        },
        now,
      ),
    ).toEqual({
      qrcType: '02',
      amount: 25_050,
      currency: 'RUB',
      paymentPurpose: 'x'.repeat(140),
      redirectUrl: 'https://kopek.example/Merchant/Index/pay_1',
      qrTtl: 10,
    });
  });

  it.each([
    ['NTST', 'pending'],
    ['RCVD', 'pending'],
    ['ACWP', 'paid'],
    ['RJCT', 'declined'],
    ['EXPD', 'expired'],
    ['acwp', 'unknown'],
    ['PAID', 'unknown'],
    ['constructor', 'unknown'],
    ['', 'unknown'],
  ])('reads the bank’s %j as %j', (status, ours) => {
    expect(sbpStatusToOurs(status)).toBe(ours);
  });
});

describe('paying by SBP', () => {
  it('shows the QR code, the bank app confirms, and the merchant is notified', async () => {
    const invId = newInvId();
    const paymentId = await startMethodPayment(context.app, 'SBP', { invId, outSum: '250.00' });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Получить QR-код');
    expect(page.body).toContain('aria-current="true"');
    // The chooser lists every method the demo shop takes.
    for (const name of [
      'Банковская карта',
      'СБП',
      'ЮMoney',
      'Альфа-Клик',
      'Терминалы и банкоматы',
      'SberPay',
    ])
      expect(page.body).toContain(name);

    const started = await chooseMethod(context.app, paymentId, 'SBP');
    expect(started.statusCode).toBe(303);
    const [attempt] = await methodAttempts(context, paymentId);
    expect(attempt).toMatchObject({ status: 'pending', method_label: 'SBPPSR', amount_minor: 25_000n });
    const pending = await context.app.inject({ method: 'GET', url: started.headers.location as string });
    expect(pending.body).toContain('<svg');
    expect(pending.body).toContain(`/sandbox/sbp/${attempt?.provider_reference}`);
    expect(pending.body).toContain('data-poll=');
    // A reload or a second press keeps the same attempt: one QR per payment.
    await chooseMethod(context.app, paymentId, 'SBP');
    expect(await methodAttempts(context, paymentId)).toHaveLength(1);

    const bankApp = await context.app.inject({
      method: 'GET',
      url: `/sandbox/sbp/${attempt?.provider_reference}`,
    });
    expect(bankApp.statusCode).toBe(200);
    expect(bankApp.body).toContain('Т-Банк');
    const confirmed = await context.app.inject({
      method: 'POST',
      url: `/sandbox/sbp/${attempt?.provider_reference}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'bank=tbank&decision=confirm',
    });
    expect(confirmed.body).toContain('Оплата подтверждена');
    // The bank's callback arrives through the queue, as a real one arrives later.
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    await context.deliverMail();

    const paid = await paymentRow(context, paymentId);
    expect(paid).toMatchObject({ status: 'paid', payment_method: 'SBP', inc_curr_label: 'SBPPSR' });
    expect(paid.card_mask).toBe('+7 *** ***-12-34');
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    const notification = stub.calls.find((call) => call.fields.get('InvId') === invId);
    expect(notification?.fields.get('IncCurrLabel')).toBe('SBPPSR');
    expect(notification?.fields.get('PaymentMethod')).toBe('SBP');
    const status = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/status` });
    expect(status.json()).toMatchObject({ status: 'paid', attempt: { status: 'paid' } });
  });

  it('a declining test bank leaves the payment open with the reason, and SBP can be tried again', async () => {
    const { paymentId, attempt, bankAppPath } = await pendingSbpPayment();
    await context.app.inject({
      method: 'POST',
      url: bankAppPath,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'bank=poor&decision=confirm',
    });
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      id: attempt.id,
      status: 'declined',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}?method=SBP` });
    expect(page.body).toContain('банк отклонил платёж');
    expect((await chooseMethod(context.app, paymentId, 'SBP')).statusCode).toBe(303);
    expect(await methodAttempts(context, paymentId)).toHaveLength(2);
  });

  it('an attempt left "starting" by a crash does not block the payment: the next start replaces it', async () => {
    const { paymentId, attempt } = await pendingSbpPayment();
    await context.deps.db
      .updateTable('method_attempts')
      .set({ status: 'starting', provider_reference: null })
      .where('id', '=', attempt.id)
      .execute();
    // Within a minute it may still be answered: the same attempt is shown.
    expect((await chooseMethod(context.app, paymentId, 'SBP')).statusCode).toBe(303);
    expect(await methodAttempts(context, paymentId)).toHaveLength(1);
    context.clock.advanceMs(61_000);
    expect((await chooseMethod(context.app, paymentId, 'SBP')).statusCode).toBe(303);
    const attempts = await methodAttempts(context, paymentId);
    expect(attempts.map((row) => [row.status, row.decline_reason])).toEqual([
      ['declined', 'start_interrupted'],
      ['pending', null],
    ]);
  });

  it('choosing another method closes the QR on our side', async () => {
    const { paymentId, attempt } = await pendingSbpPayment();
    await context.app.inject({ method: 'POST', url: `/Merchant/Index/${paymentId}/method/cancel` });
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      id: attempt.id,
      status: 'declined',
      decline_reason: 'buyer_cancelled',
    });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).toContain('Получить QR-код');
  });
});

describe('a start that cannot happen', () => {
  it('leaves the open QR as it was (cash cannot take 20 000 ₽)', async () => {
    const { paymentId, attempt } = await pendingSbpPayment('20000.00');
    const refused = await chooseMethod(context.app, paymentId, 'Terminals');
    expect(refused.statusCode).toBe(422);
    expect(await methodAttempts(context, paymentId)).toMatchObject([{ id: attempt.id, status: 'pending' }]);
  });
});

describe('SBP callbacks', () => {
  it('refuses a forged callback and changes nothing', async () => {
    const { paymentId, attempt } = await pendingSbpPayment();
    const { text } = signedCallback(
      context,
      SANDBOX_SBP_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'ACWP', 25_000),
    );
    const forged = await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, 'f'.repeat(64));
    expect(forged.statusCode).toBe(401);
    const unsigned = await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, undefined);
    expect(unsigned.statusCode).toBe(401);
    const garbage = await postCallback(context.app, SANDBOX_SBP_PROVIDER, '{"eventId":', 'x');
    expect(garbage.statusCode).toBe(401);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    const unknownProvider = await postCallback(context.app, 'nobody', text, 'x');
    expect(unknownProvider.statusCode).toBe(404);
  });

  it('applies a duplicated callback once: one payment, one ledger transfer, one notification', async () => {
    const { invId, paymentId, attempt } = await pendingSbpPayment();
    const { text, signature } = signedCallback(
      context,
      SANDBOX_SBP_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'ACWP', 25_000, 'event-dup-1'),
    );
    const first = await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, signature);
    const second = await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, signature);
    expect(first.json()).toEqual({ outcome: 'paid' });
    expect(second.json()).toEqual({ outcome: 'duplicate' });
    // Another event id with the same news is recognised too.
    const again = signedCallback(
      context,
      SANDBOX_SBP_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'ACWP', 25_000, 'event-dup-2'),
    );
    expect(
      (await postCallback(context.app, SANDBOX_SBP_PROVIDER, again.text, again.signature)).json(),
    ).toEqual({
      outcome: 'already_applied',
    });
    await context.deliverMail();
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invId)).toHaveLength(1);
  });

  it('never counts an unknown status as paid', async () => {
    const { paymentId, attempt } = await pendingSbpPayment();
    const { text, signature } = signedCallback(
      context,
      SANDBOX_SBP_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'PAID', 25_000),
    );
    const answer = await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, signature);
    expect(answer.json()).toEqual({ outcome: 'unknown_status' });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
  });

  it('expires the QR after 10 minutes; a late "paid" is still money received and pays the payment', async () => {
    const { paymentId, attempt, bankAppPath } = await pendingSbpPayment();
    context.clock.advanceMs(9 * 60_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
    context.clock.advanceMs(60_000);
    expect(await expireMethodAttempts(context.deps)).toBeGreaterThanOrEqual(1);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    const bankApp = await context.app.inject({ method: 'GET', url: bankAppPath });
    expect(bankApp.statusCode).toBe(410);
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}?method=SBP` });
    expect(page.body).toContain('Время на оплату этим способом истекло');

    const { text, signature } = signedCallback(
      context,
      SANDBOX_SBP_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'ACWP', 25_000),
    );
    expect((await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'paid_late',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });

  it('a second QR paid after the payment was paid is held for the buyer on the overpayments account', async () => {
    const first = await pendingSbpPayment();
    await context.app.inject({ method: 'POST', url: `/Merchant/Index/${first.paymentId}/method/cancel` });
    await chooseMethod(context.app, first.paymentId, 'SBP');
    const second = (await methodAttempts(context, first.paymentId))[1];
    const pay = async (reference: string | null) => {
      const { text, signature } = signedCallback(
        context,
        SANDBOX_SBP_PROVIDER,
        callbackBody(reference ?? '', 'ACWP', 25_000),
      );
      return (await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, signature)).json();
    };
    expect(await pay(second?.provider_reference ?? null)).toEqual({ outcome: 'paid' });
    expect(await pay(first.attempt.provider_reference)).toEqual({ outcome: 'paid_twice' });
    const transfers = await ledgerTransfersOf(context, first.paymentId);
    expect(transfers.map((transfer) => transfer.kind).sort()).toEqual(['method_unapplied', 'payment']);
    const held = await context.deps.db
      .selectFrom('ledger_entries')
      .select('amount_minor')
      .where('account_id', '=', 'platform:overpayments:RUB')
      .where('transfer_id', '=', transfers.find((transfer) => transfer.kind === 'method_unapplied')?.id ?? '')
      .executeTakeFirst();
    expect(held?.amount_minor).toBe(-25_000n);
  });
});

describe('SBP availability', () => {
  it('is listed by GetCurrencies, GetPaymentMethods and GetRates for a shop that takes it, with its limits', async () => {
    const ask = (method: string, query: string) =>
      context.app.inject({
        method: 'GET',
        url: `/Merchant/WebService/Service.asmx/${method}?MerchantLogin=demo&${query}`,
      });
    const currencies = (await ask('GetCurrencies', 'Language=ru')).body;
    expect(currencies).toContain('<Group Code="SBP" Description="Система быстрых платежей">');
    expect(currencies).toContain(
      'Label="SBPPSR" Alias="SBP" Name="СБП" MinValue="1.00" MaxValue="1000000.00"',
    );
    expect((await ask('GetPaymentMethods', 'Language=en')).body).toContain('Code="Terminals"');
    const rates = (await ask('GetRates', 'IncCurrLabel=SBP&OutSum=100&Language=ru')).body;
    expect(rates).toContain('Label="SBPPSR"');
    expect(rates).not.toContain('BankCardPSR');
  });

  it('is refused for a shop that does not take it, and absent from its page', async () => {
    const shop = await context.deps.db
      .selectFrom('shops')
      .select('id')
      .where('merchant_login', '=', 'demo')
      .executeTakeFirstOrThrow();
    await context.deps.db
      .updateTable('shop_payment_methods')
      .set({ is_enabled: false })
      .where('shop_id', '=', shop.id)
      .where('method_label', '=', 'SBPPSR')
      .execute();
    try {
      const paymentId = await startMethodPayment(context.app, 'SBP', { invId: newInvId() });
      const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
      expect(page.body).not.toContain('>СБП<');
      expect(page.body).toContain('Номер карты');
      const refused = await chooseMethod(context.app, paymentId, 'SBP');
      expect(refused.statusCode).toBe(303);
      expect(await methodAttempts(context, paymentId)).toHaveLength(0);
    } finally {
      await context.deps.db
        .updateTable('shop_payment_methods')
        .set({ is_enabled: true })
        .where('shop_id', '=', shop.id)
        .where('method_label', '=', 'SBPPSR')
        .execute();
    }
  });

  it('refuses an amount above the method’s maximum with a clear reason', async () => {
    const paymentId = await startMethodPayment(context.app, 'SBP', {
      invId: newInvId(),
      outSum: '1000000.01',
    });
    const refused = await chooseMethod(context.app, paymentId, 'SBP');
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('сумма больше максимальной для способа');
    expect(await methodAttempts(context, paymentId)).toHaveLength(0);
  });
});

describe('refunds of SBP payments', () => {
  async function paidSbpPayment() {
    const { paymentId, bankAppPath } = await pendingSbpPayment('300.00');
    await context.app.inject({
      method: 'POST',
      url: bankAppPath,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'bank=sber&decision=confirm',
    });
    await context.deliverMail();
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
    return paymentId;
  }

  it('go back through SBP: processing until the bank refunds, then finished with its reference, balanced', async () => {
    const paymentId = await paidSbpPayment();
    const refund = await refundPayment(context.deps, { paymentId, amountMinor: 10_000n, source: 'cabinet' });
    expect(refund.status).toBe('processing');
    await context.deliverMail();
    const row = await context.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'finished' });
    expect(row.provider_reference).toMatch(/^RF1/);
    const bankSide = await context.deps.db
      .selectFrom('sandbox_method_operations')
      .selectAll()
      .where('reference', '=', row.provider_reference ?? '')
      .executeTakeFirstOrThrow();
    expect(bankSide).toMatchObject({ kind: 'sbp_refund', amount_minor: 10_000n });
    // Parked in the platform's 'refunds' account, then paid out: the account is back to zero for it.
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

  it('refuses a refund of a payment made with a method that cannot return money', async () => {
    const paymentId = await paidSbpPayment();
    await context.deps.db
      .updateTable('payments')
      .set({ inc_curr_label: 'TerminalsPSR', payment_method: 'Terminals' })
      .where('id', '=', paymentId)
      .execute();
    await expect(refundPayment(context.deps, { paymentId, source: 'cabinet' })).rejects.toMatchObject({
      code: 'method_not_refundable',
    });
    expect(
      await context.deps.db.selectFrom('refunds').select('id').where('payment_id', '=', paymentId).execute(),
    ).toHaveLength(0);
  });
});
