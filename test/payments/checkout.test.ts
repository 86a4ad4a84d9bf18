/**
 * The whole payment cycle over HTTP: Robokassa's payment request, the checkout page, card attempts with
 * 3-D Secure, declines and unknown outcomes, the ResultURL notification and the way back to the shop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashHex } from '../../src/modules/protocol/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  cardForm,
  demoInitUrl,
  MerchantStub,
  paymentIdFrom,
  prepareDemoShop,
  startDemoPayment,
  submitCard,
} from '../support/payments.js';

let context: TestContext;
const stub = new MerchantStub();
let nextInvId = 1000;
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

async function paymentRow(paymentId: string) {
  return context.deps.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
}

async function page(paymentId: string) {
  return context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
}

describe('payment request', () => {
  it('creates a payment and sends the buyer to its page, which shows the card form in Russian', async () => {
    const invId = newInvId();
    const response = await context.app.inject({
      method: 'GET',
      url: demoInitUrl({ invId, outSum: '1490.50' }),
    });
    expect(response.statusCode).toBe(303);
    const paymentId = paymentIdFrom(response.headers.location as string);
    const payment = await paymentRow(paymentId);
    expect(payment).toMatchObject({
      inv_id: BigInt(invId),
      amount_minor: 149050n,
      out_sum_text: '1490.50',
      status: 'created',
      is_test: false,
    });
    const checkout = await page(paymentId);
    expect(checkout.statusCode).toBe(200);
    expect(checkout.headers['content-security-policy']).toContain("script-src 'self'");
    expect(checkout.body).toMatch(/1\s490,50 ₽/);
    for (const label of ['Номер карты', 'Срок действия', 'CVC', 'E-mail', 'Тестовый заказ']) {
      expect(checkout.body).toContain(label);
    }
  });

  it('accepts the request as a POST form and with legacy names, and assigns an InvId when none is sent', async () => {
    const url = new URL(demoInitUrl(), 'http://x');
    const form = new URLSearchParams(url.search);
    form.set('MrchLogin', form.get('MerchantLogin') ?? '');
    form.delete('MerchantLogin');
    const response = await context.app.inject({
      method: 'POST',
      url: '/Merchant/Index.aspx',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(response.statusCode).toBe(303);
    const payment = await paymentRow(paymentIdFrom(response.headers.location as string));
    expect(payment.is_inv_id_assigned).toBe(true);
    expect(payment.inv_id).toBeGreaterThanOrEqual(1_000_000_000n);
  });

  it.each([
    ['an unknown shop', (url: string) => url.replace('MerchantLogin=demo', 'MerchantLogin=nobody'), 26],
    ['a wrong signature', (url: string) => url.replace(/SignatureValue=\w+/, 'SignatureValue=00ff'), 29],
    ['a zero amount', () => demoInitUrl({ outSum: '0' }), 31],
    ['a comma in the amount', () => demoInitUrl({ outSum: '10,50' }), 31],
    ['a bad InvId', () => demoInitUrl({ invId: '-5' }), 30],
  ])('refuses %s with Robokassa error code %i on a clear page', async (_name, makeUrl, code) => {
    const response = await context.app.inject({
      method: 'GET',
      url: makeUrl(demoInitUrl({ invId: newInvId() })),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(`Код ошибки Robokassa: ${code}`);
  });

  // Recurring and Token are covered by test/payments/recurring.test.ts and cof.test.ts.
  it.each([['a sum in dollars', { OutSumCurrency: 'USD' }, 30]] as const)(
    'refuses %s, which Kopek cannot do yet, instead of charging something else',
    async (_name, extra, code) => {
      const response = await context.app.inject({
        method: 'GET',
        url: demoInitUrl({ invId: newInvId(), extra }),
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain(`Код ошибки Robokassa: ${code}`);
    },
  );

  it('answers error 29 in test mode with the integration debugger, never showing the password', async () => {
    const url = demoInitUrl({ invId: newInvId(), isTest: true }).replace(
      /SignatureValue=\w+/,
      'SignatureValue=abc',
    );
    const response = await context.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Integration debugger');
    expect(response.body).toMatch(/demo:100\.00:\d+:••••••/);
    expect(response.body).not.toContain('demo_test1');
  });

  it('refuses a live payment for a shop that is not active (25) but takes a test one', async () => {
    await context.deps.db
      .updateTable('shops')
      .set({ status: 'test' })
      .where('merchant_login', '=', 'demo')
      .execute();
    try {
      const live = await context.app.inject({ method: 'GET', url: demoInitUrl({ invId: newInvId() }) });
      expect(live.body).toContain('Код ошибки Robokassa: 25');
      const test = await context.app.inject({
        method: 'GET',
        url: demoInitUrl({ invId: newInvId(), isTest: true }),
      });
      expect(test.statusCode).toBe(303);
    } finally {
      await context.deps.db
        .updateTable('shops')
        .set({ status: 'active' })
        .where('merchant_login', '=', 'demo')
        .execute();
    }
  });

  it('refuses an expired request with 33', async () => {
    const response = await context.app.inject({
      method: 'GET',
      url: demoInitUrl({ invId: newInvId(), extra: { ExpirationDate: '2026-03-01T12:00:00+03:00' } }),
    });
    expect(response.body).toContain('Код ошибки Robokassa: 33');
  });

  it('stops taking the payment once its ExpirationDate passes', async () => {
    const paymentId = await startDemoPayment(context.app, {
      invId: newInvId(),
      extra: { ExpirationDate: '2026-03-02T12:30:00+03:00' },
    });
    expect((await page(paymentId)).statusCode).toBe(200);
    context.clock.advanceMs(31 * 60_000);
    const expired = await page(paymentId);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('Код ошибки Robokassa: 33');
    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
    expect((await paymentRow(paymentId)).status).toBe('expired');
  });

  it('reuses an unpaid InvId and refuses a paid one with 40', async () => {
    const invId = newInvId();
    const first = await startDemoPayment(context.app, { invId });
    expect(await startDemoPayment(context.app, { invId })).toBe(first);
    await submitCard(context.app, first, cardForm('4111 1111 1111 1111'));
    const again = await context.app.inject({ method: 'GET', url: demoInitUrl({ invId }) });
    expect(again.body).toContain('Код ошибки Robokassa: 40');
    const test = await context.app.inject({ method: 'GET', url: demoInitUrl({ invId, isTest: true }) });
    expect(test.statusCode).toBe(303);
  });

  it('answers Indexjson with the invoice id or the error code', async () => {
    const form = new URLSearchParams(
      new URL(demoInitUrl({ invId: newInvId() }), 'http://x').search,
    ).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await context.app.inject({
      method: 'POST',
      url: '/Merchant/Indexjson.aspx',
      headers,
      payload: form,
    });
    expect(ok.json().invoiceID).toMatch(/^pay_/);
    const bad = await context.app.inject({
      method: 'POST',
      url: '/Merchant/Indexjson.aspx',
      headers,
      payload: form.replace(/SignatureValue=\w+/, 'SignatureValue=1'),
    });
    expect(bad.json()).toMatchObject({ errorCode: 29 });
  });
});

describe('paying by card', () => {
  it('approves 4111…, notifies the ResultURL with a signature by Password #2, and returns the buyer signed by Password #1', async () => {
    const invId = newInvId();
    const paymentId = await startDemoPayment(context.app, {
      invId,
      outSum: '250.00',
      shp: { Shp_order: 'A-1', Shp_user: 'Вася' },
    });
    const response = await submitCard(
      context.app,
      paymentId,
      cardForm('4111 1111 1111 1111', undefined, { email: 'buyer@example.ru' }),
    );
    expect(response.statusCode).toBe(303);
    const payment = await paymentRow(paymentId);
    expect(payment).toMatchObject({
      status: 'paid',
      card_mask: '411111******1111',
      payment_method: 'BankCard',
    });
    await context.deliverMail();
    const call = stub.calls.find((item) => item.fields.get('InvId') === invId);
    expect(call?.method).toBe('POST');
    const fields = call?.fields;
    expect(fields?.get('OutSum')).toBe('250.00');
    expect(fields?.get('Fee')).toBe('7.25'); // the default bank-card tariff: 2.9% of 250.00
    expect(fields?.get('EMail')).toBe('buyer@example.ru');
    expect(fields?.get('Shp_user')).toBe('Вася');
    const expected = hashHex('MD5', `250.00:${invId}:demo_pass2:Shp_order=A-1:Shp_user=Вася`).toUpperCase();
    expect(fields?.get('SignatureValue')).toBe(expected);
    const notification = await context.deps.db
      .selectFrom('notifications')
      .selectAll()
      .where('subject_id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(notification.status).toBe('delivered');
    expect(context.mail.sent.some((mail) => mail.to === 'buyer@example.ru')).toBe(true);

    const entries = await context.deps.db
      .selectFrom('ledger_entries')
      .innerJoin('ledger_transfers', 'ledger_transfers.id', 'ledger_entries.transfer_id')
      .select(['ledger_entries.account_id', 'ledger_entries.amount_minor'])
      .where('ledger_transfers.reference', '=', paymentId)
      .execute();
    expect(
      entries.map((entry) => [entry.account_id.replace(/shp_\w+/, 'SHOP'), entry.amount_minor]).sort(),
    ).toEqual(
      [
        ['platform:acquirer_clearing:RUB', 25000n],
        ['platform:fee_revenue:RUB', -725n],
        ['shop:SHOP:pending:RUB', -24275n],
      ].sort(),
    );

    const paid = await page(paymentId);
    const success = hashHex('MD5', `250.00:${invId}:demo_pass1:Shp_order=A-1:Shp_user=Вася`).toUpperCase();
    expect(paid.body).toContain('action="http://kopek.test/demo-store/success"');
    expect(paid.body).toContain(`value="${success}"`);
  });

  it('shows card errors next to the fields and charges nothing', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: newInvId() });
    const response = await submitCard(
      context.app,
      paymentId,
      new URLSearchParams({
        cardNumber: '4111 1111 1111 1112',
        expiry: '01/20',
        cvc: '1',
        submissionKey: 'k',
      }).toString(),
    );
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="cardNumber-error"/);
    expect(response.body).toMatch(/id="expiry-error"/);
    expect(response.body).toMatch(/id="cvc-error"/);
    expect(response.body).toContain('value="4111 1111 1111 1112"');
    const attempts = await context.deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .execute();
    expect(attempts).toHaveLength(0);
  });

  it('runs 3-D Secure: a wrong code leaves tries, 123456 pays', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: newInvId() });
    await submitCard(context.app, paymentId, cardForm('5555 5555 5555 4444'));
    expect((await paymentRow(paymentId)).status).toBe('awaiting_3ds');
    const challenge = await page(paymentId);
    const attemptId = /name="attemptId" value="(att_\w+)"/.exec(challenge.body)?.[1] ?? '';
    const answer = (code: string) =>
      context.app.inject({
        method: 'POST',
        url: `/Merchant/Index/${paymentId}/3ds`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ attemptId, code }).toString(),
      });
    const wrong = await answer('000000');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Осталось попыток: 2');
    expect((await answer('123456')).statusCode).toBe(303);
    expect((await paymentRow(paymentId)).status).toBe('paid');
  });

  it('declines after three wrong 3-D Secure codes (Mir card) and lets the buyer try again', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: newInvId() });
    await submitCard(context.app, paymentId, cardForm('2200 0000 0000 0004'));
    const attemptId = /name="attemptId" value="(att_\w+)"/.exec((await page(paymentId)).body)?.[1] ?? '';
    let last;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      last = await context.app.inject({
        method: 'POST',
        url: `/Merchant/Index/${paymentId}/3ds`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ attemptId, code: '111111' }).toString(),
      });
    }
    expect(last?.statusCode).toBe(402);
    expect((await paymentRow(paymentId)).status).toBe('failed');
    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
    expect((await paymentRow(paymentId)).status).toBe('paid');
  });

  it('declines 4000…0002 for insufficient funds, saying so', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: newInvId() });
    const response = await submitCard(context.app, paymentId, cardForm('4000 0000 0000 0002'));
    expect(response.statusCode).toBe(402);
    expect(response.body).toContain('Недостаточно средств');
    expect((await paymentRow(paymentId)).status).toBe('failed');
  });

  it('keeps a payment pending while the acquirer does not answer, then fails it when reconciled', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: newInvId() });
    expect((await submitCard(context.app, paymentId, cardForm('4000 0000 0000 0119'))).statusCode).toBe(303);
    expect((await paymentRow(paymentId)).status).toBe('processing');
    const pending = await page(paymentId);
    expect(pending.body).toContain('Ждём ответа банка');
    expect(pending.body).toContain('http-equiv="refresh"');
    context.clock.advanceMs(61_000);
    await context.worker.drain();
    expect((await paymentRow(paymentId)).status).toBe('failed');
    const attempt = await context.deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(attempt).toMatchObject({ status: 'declined', decline_reason: 'acquirer_timeout' });
  });

  it('charges once for a double click or a reload (same submission key)', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: newInvId() });
    const form = cardForm('4111 1111 1111 1111', 'same-key');
    const responses = await Promise.all([
      submitCard(context.app, paymentId, form),
      submitCard(context.app, paymentId, form),
    ]);
    expect(responses.map((response) => response.statusCode)).toEqual([303, 303]);
    await submitCard(context.app, paymentId, form);
    const attempts = await context.deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .execute();
    expect(attempts).toHaveLength(1);
    const operations = await context.deps.db
      .selectFrom('sandbox_acquirer_operations')
      .selectAll()
      .where('amount_minor', '=', 10000n)
      .execute();
    expect(operations.filter((operation) => operation.status === 'approved').length).toBeGreaterThan(0);
  });

  it('charges once when different submissions race for one payment', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: newInvId(), outSum: '777.00' });
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111', `race-${index}`)),
      ),
    );
    expect(responses.every((response) => response.statusCode === 303)).toBe(true);
    const approved = await context.deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .where('status', '=', 'approved')
      .execute();
    expect(approved).toHaveLength(1);
    const charges = await context.deps.db
      .selectFrom('sandbox_acquirer_operations')
      .selectAll()
      .where('amount_minor', '=', 77700n)
      .execute();
    expect(charges).toHaveLength(1);
  });

  it('sends the buyer back to FailURL without a signature', async () => {
    const invId = newInvId();
    const paymentId = await startDemoPayment(context.app, { invId });
    const response = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/return` });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('action="http://kopek.test/demo-store/fail"');
    expect(response.body).toContain(`name="InvId" value="${invId}"`);
    expect(response.body).not.toContain('SignatureValue');
  });

  it('escapes the merchant’s description wherever it is shown', async () => {
    const url = demoInitUrl({ invId: newInvId() }).replace(
      'Description=',
      'Description=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    );
    const paymentId = paymentIdFrom(
      (await context.app.inject({ method: 'GET', url })).headers.location as string,
    );
    const checkout = await page(paymentId);
    expect(checkout.body).not.toContain('<script>alert(1)</script>');
    expect(checkout.body).toContain('&#60;script&#62;');
  });
});
