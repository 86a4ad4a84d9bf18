/**
 * Holds (StepByStep) over HTTP against real PostgreSQL: the hold taken at checkout, Confirm (full,
 * partial, twice, above the held amount, bad signature, unknown InvoiceID), Cancel, the automatic release
 * on the injected clock, racing requests, the ledger after every step, OpStateExt, the notifications
 * (ResultURL after the capture, ResultUrl2 JWS at every step) and the cabinet's view of the operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseExpiredHolds } from '../../src/modules/payments/index.js';
import { DEMO } from '../../src/seed.js';
import { signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, MerchantStub, paymentIdFrom, prepareDemoShop, submitCard } from '../support/payments.js';
import {
  APPROVED_CARD,
  cancelFields,
  confirmFields,
  FAILURE,
  holdAction,
  holdInitUrl,
  holdRow,
  netByAccount,
  opStateCode,
  paymentRow,
  SUCCESS,
  takeHold,
  transferKeys,
  unbalancedTransfers,
  verifyWithPublishedKeys,
} from './holds-support.js';

const DAY_MS = 24 * 3_600_000;

let context: TestContext;
const stub = new MerchantStub();
let shopId = '';
let nextInvId = 7000;
const newInvId = () => String((nextInvId += 1));

const account = (purpose: string) => `shop:${shopId}:${purpose}:RUB`;
const CLEARING = 'platform:acquirer_clearing:RUB';
const FEES = 'platform:fee_revenue:RUB';

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
  const shop = await context.deps.db
    .selectFrom('shops')
    .select('id')
    .where('merchant_login', '=', DEMO.shop.merchantLogin)
    .executeTakeFirstOrThrow();
  shopId = shop.id;
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

const result2Url = () => `${stub.url}2`;
const callsTo = (path: string) => stub.calls.filter((call) => call.url === path);

/** Delivers due notifications and returns the ResultUrl2 bodies that arrived since `from` calls. */
async function deliverResult2(from: number): Promise<string[]> {
  await context.worker.drain();
  return callsTo('/result2')
    .slice(from)
    .map((call) => call.body);
}

/** The states of the verified ResultUrl2 notifications about one InvId, in arrival order. */
async function result2States(jwsList: string[], invId: string) {
  const states: string[] = [];
  for (const jws of jwsList) {
    const { data } = (await verifyWithPublishedKeys(context, jws)).payload;
    if (data.invId === invId) states.push(data.state ?? '');
  }
  return states;
}

describe('taking a hold', () => {
  it('reserves the amount: status held, on_hold credited without a fee, OpStateExt 20, only ResultUrl2 HOLD', async () => {
    const invId = newInvId();
    const resultCalls = callsTo('/result').length;
    const result2Calls = callsTo('/result2').length;
    const paymentId = await takeHold(context, { invId, outSum: '1500.00', resultUrl2: result2Url() });
    const payment = await paymentRow(context, paymentId);
    expect(payment).toMatchObject({ status: 'held', is_step_by_step: true, fee_minor: 0n, paid_at: null });
    expect(payment.op_key).toMatch(/^op_/);
    expect(await holdRow(context, paymentId)).toMatchObject({ status: 'held', amount_minor: 150000n });
    expect(await transferKeys(context, paymentId)).toEqual([`payment:${paymentId}:held`]);
    expect(await netByAccount(context, paymentId)).toEqual({
      [CLEARING]: 150000n,
      [account('on_hold')]: -150000n,
    });
    expect(await opStateCode(context, invId)).toMatchObject({ code: '20', incSum: '1500.000000' });

    const bodies = await deliverResult2(result2Calls);
    expect(callsTo('/result').length).toBe(resultCalls);
    expect(bodies).toHaveLength(1);
    const { header, payload } = await verifyWithPublishedKeys(context, bodies[0] ?? '');
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(header.kid).toEqual(expect.any(String));
    expect(payload).toEqual({
      header: {
        type: 'PaymentStateNotification',
        version: '1.0.0',
        timestamp: String(Math.floor(context.clock.now().getTime() / 1000)),
      },
      data: {
        shop: 'demo',
        opKey: payment.op_key,
        invId,
        paymentMethod: 'BankCard',
        incSum: '1500.00',
        state: 'HOLD',
      },
    });
    const received = callsTo('/result2').at(-1);
    expect(received?.method).toBe('POST');
  });

  it('sends the buyer to the paid page and takes no second card for a held payment', async () => {
    const paymentId = await takeHold(context, { invId: newInvId(), outSum: '10.00' });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('name="cardNumber"');
    const again = await submitCard(context.app, paymentId, cardForm(APPROVED_CARD));
    expect(again.statusCode).toBe(303);
    const attempts = await context.deps.db
      .selectFrom('card_attempts')
      .select('id')
      .where('payment_id', '=', paymentId)
      .execute();
    expect(attempts).toHaveLength(1);
  });

  it('refuses a reused InvId of a held payment (40) and StepByStep with Recurring (65)', async () => {
    const invId = newInvId();
    await takeHold(context, { invId, outSum: '10.00' });
    const repeated = await context.app.inject({
      method: 'GET',
      url: holdInitUrl({ invId, outSum: '10.00' }),
    });
    expect(repeated.statusCode).toBe(400);
    expect(repeated.body).toContain('Код ошибки Robokassa: 40');
    const recurring = await context.app.inject({
      method: 'GET',
      url: `${holdInitUrl({ invId: newInvId(), outSum: '10.00' })}&Recurring=true`,
    });
    expect(recurring.body).toContain('Код ошибки Robokassa: 65');
  });

  it('needs StepByStep in the signature: a request signed without it is error 29', async () => {
    const url = new URL(holdInitUrl({ invId: newInvId(), outSum: '10.00' }), 'http://x');
    url.searchParams.delete('StepByStep');
    const withoutHold = await context.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(withoutHold.body).toContain('Код ошибки Robokassa: 29');
  });
});

describe('Confirm', () => {
  it('captures the whole hold: a paid payment with its fee, ResultURL, ResultUrl2 OK, OpStateExt 100', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '1000.00', resultUrl2: result2Url() });
    await context.worker.drain();
    const resultCalls = callsTo('/result').length;
    const result2Calls = callsTo('/result2').length;
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '1000.00'))).toBe(SUCCESS);

    const payment = await paymentRow(context, paymentId);
    expect(payment).toMatchObject({ status: 'paid', amount_minor: 100000n, fee_minor: 2900n });
    expect(payment.paid_at).toEqual(context.clock.now());
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'captured',
      capture_amount_minor: 100000n,
    });
    expect(await transferKeys(context, paymentId)).toEqual([
      `payment:${paymentId}:held`,
      `payment:${paymentId}:paid`,
    ]);
    expect(await netByAccount(context, paymentId)).toEqual({
      [CLEARING]: 100000n,
      [account('on_hold')]: 0n,
      [account('pending')]: -97100n,
      [FEES]: -2900n,
    });

    const bodies = await deliverResult2(result2Calls);
    const results = callsTo('/result').slice(resultCalls);
    expect(results).toHaveLength(1);
    expect(results[0]?.fields.get('OutSum')).toBe('1000.00');
    expect(results[0]?.fields.get('InvId')).toBe(invId);
    expect(results[0]?.fields.get('Fee')).toBe('29.00');
    expect(await result2States(bodies, invId)).toEqual(['OK']);
    expect(await opStateCode(context, invId)).toMatchObject({ code: '100', incSum: '1000.000000' });
  });

  it('captures part of the hold: the rest goes back, the fee is on the captured amount, OutSum as sent', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '1000.00', resultUrl2: result2Url() });
    await context.worker.drain();
    const resultCalls = callsTo('/result').length;
    const result2Calls = callsTo('/result2').length;
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '600.5'))).toBe(SUCCESS);

    expect(await paymentRow(context, paymentId)).toMatchObject({
      status: 'paid',
      amount_minor: 60050n,
      out_sum_text: '600.5',
      fee_minor: 1741n,
    });
    expect(await netByAccount(context, paymentId)).toEqual({
      [CLEARING]: 60050n,
      [account('on_hold')]: 0n,
      [account('pending')]: -(60050n - 1741n),
      [FEES]: -1741n,
    });
    const bodies = await deliverResult2(result2Calls);
    const result = callsTo('/result').slice(resultCalls)[0];
    expect(result?.fields.get('OutSum')).toBe('600.5');
    const [ok] = bodies;
    expect((await verifyWithPublishedKeys(context, ok ?? '')).payload.data).toMatchObject({
      state: 'OK',
      incSum: '600.50',
    });
    expect(await opStateCode(context, invId)).toMatchObject({ code: '100', incSum: '600.500000' });
    const timeline = await context.deps.db
      .selectFrom('payment_events')
      .select(['kind', 'details'])
      .where('payment_id', '=', paymentId)
      .orderBy('id')
      .execute();
    expect(timeline.map((event) => event.kind)).toEqual([
      'created',
      'card_submitted',
      'held',
      'hold_capture_requested',
      'hold_captured',
    ]);
    expect(timeline.at(-1)?.details).toMatchObject({ amount: '600.50', held: '1000.00', released: '399.50' });
  });

  it('accepts a reduced cart in Receipt, signed as the SDK signs it, and keeps it', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '300.00' });
    const receipt = encodeURIComponent(
      JSON.stringify({ items: [{ name: 'Номер', quantity: 1, sum: 200, tax: 'none' }] }),
    );
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '200.00', { receipt }))).toBe(SUCCESS);
    expect((await paymentRow(context, paymentId)).amount_minor).toBe(20000n);
  });

  it('is allowed once: a second Confirm answers false and moves no money', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '500.00' });
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '400.00'))).toBe(SUCCESS);
    const before = await netByAccount(context, paymentId);
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '400.00'))).toBe(FAILURE);
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '100.00'))).toBe(FAILURE);
    expect(await holdAction(context, 'Cancel', cancelFields(invId))).toBe(FAILURE);
    expect(await netByAccount(context, paymentId)).toEqual(before);
    expect((await paymentRow(context, paymentId)).amount_minor).toBe(40000n);
  });

  it('refuses more than the held amount, and the hold can still be confirmed after that', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '100.00' });
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '100.01'))).toBe(FAILURE);
    expect(await holdRow(context, paymentId)).toMatchObject({ status: 'held', capture_amount_minor: null });
    expect(await transferKeys(context, paymentId)).toEqual([`payment:${paymentId}:held`]);
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '100.00'))).toBe(SUCCESS);
  });

  it.each([
    [
      'a wrong signature',
      (invId: string) => ({ ...confirmFields(invId, '50.00'), SignatureValue: 'ab'.repeat(16) }),
    ],
    [
      'Password #2 instead of #1',
      (invId: string) => confirmFields(invId, '50.00', { password: DEMO.shop.password2 }),
    ],
    [
      'an OutSum other than the signed one',
      (invId: string) => ({ ...confirmFields(invId, '50.00'), OutSum: '10.00' }),
    ],
    ['no OutSum', (invId: string) => ({ ...confirmFields(invId, '50.00'), OutSum: '' })],
    ['a malformed OutSum', (invId: string) => confirmFields(invId, '50,00')],
    ['an unknown shop', (invId: string) => ({ ...confirmFields(invId, '50.00'), MerchantLogin: 'nobody' })],
  ])('answers false for %s and leaves the hold alone', async (_name, makeFields) => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '50.00' });
    expect(await holdAction(context, 'Confirm', makeFields(invId))).toBe(FAILURE);
    expect(await holdRow(context, paymentId)).toMatchObject({ status: 'held' });
    expect(await transferKeys(context, paymentId)).toEqual([`payment:${paymentId}:held`]);
  });

  it('answers false for an unknown InvoiceID and for a payment that is not a hold', async () => {
    expect(await holdAction(context, 'Confirm', confirmFields('99999999', '1.00'))).toBe(FAILURE);
    expect(await holdAction(context, 'Cancel', cancelFields('99999999'))).toBe(FAILURE);
  });
});

describe('Cancel', () => {
  it('releases the hold: ledger back to zero for the payment, ResultUrl2 CANCELLED, OpStateExt 10', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '250.00', resultUrl2: result2Url() });
    await context.worker.drain();
    const resultCalls = callsTo('/result').length;
    const result2Calls = callsTo('/result2').length;
    expect(await holdAction(context, 'Cancel', cancelFields(invId))).toBe(SUCCESS);

    expect(await paymentRow(context, paymentId)).toMatchObject({ status: 'released', paid_at: null });
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'released',
      release_reason: 'cancelled',
    });
    expect(await transferKeys(context, paymentId)).toEqual([
      `payment:${paymentId}:held`,
      `payment:${paymentId}:released`,
    ]);
    expect(await netByAccount(context, paymentId)).toEqual({ [CLEARING]: 0n, [account('on_hold')]: 0n });
    const bodies = await deliverResult2(result2Calls);
    expect(callsTo('/result').length).toBe(resultCalls);
    expect(await result2States(bodies, invId)).toEqual(['CANCELLED']);
    expect(await opStateCode(context, invId)).toMatchObject({ code: '10' });
    expect(await holdAction(context, 'Cancel', cancelFields(invId))).toBe(FAILURE);
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '250.00'))).toBe(FAILURE);
  });

  it('accepts OutSum in its slot when the shop sends and signs it', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '20.00' });
    const signed = confirmFields(invId, '20.00').SignatureValue ?? '';
    const fields = { ...cancelFields(invId), OutSum: '20.00', SignatureValue: signed };
    expect(await holdAction(context, 'Cancel', fields)).toBe(SUCCESS);
    expect((await paymentRow(context, paymentId)).status).toBe('released');
  });

  it('answers false for a wrong signature', async () => {
    const invId = newInvId();
    await takeHold(context, { invId, outSum: '20.00' });
    expect(await holdAction(context, 'Cancel', cancelFields(invId, { password: 'wrong' }))).toBe(FAILURE);
  });
});

describe('racing requests', () => {
  it('lets exactly one of several simultaneous Confirms capture, once', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '800.00' });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => holdAction(context, 'Confirm', confirmFields(invId, '800.00'))),
    );
    expect(answers.filter((answer) => answer === SUCCESS)).toHaveLength(1);
    expect(await transferKeys(context, paymentId)).toEqual([
      `payment:${paymentId}:held`,
      `payment:${paymentId}:paid`,
    ]);
    const captures = await context.deps.db
      .selectFrom('sandbox_acquirer_operations')
      .select('captured_minor')
      .where('captured_minor', 'is not', null)
      .where('reference', '=', (await holdAcquirerReference(paymentId)) ?? '')
      .execute();
    expect(captures).toEqual([{ captured_minor: 80000n }]);
  });

  it('lets a Confirm and a Cancel racing for one hold end in exactly one of them', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '90.00' });
    const [confirmed, cancelled] = await Promise.all([
      holdAction(context, 'Confirm', confirmFields(invId, '90.00')),
      holdAction(context, 'Cancel', cancelFields(invId)),
    ]);
    expect([confirmed, cancelled].filter((answer) => answer === SUCCESS)).toHaveLength(1);
    const status = (await paymentRow(context, paymentId)).status;
    expect(status).toBe(confirmed === SUCCESS ? 'paid' : 'released');
    expect((await netByAccount(context, paymentId))[account('on_hold')]).toBe(0n);
    expect(await unbalancedTransfers(context)).toBe(0);
  });
});

async function holdAcquirerReference(paymentId: string): Promise<string | undefined> {
  const row = await context.deps.db
    .selectFrom('card_attempts')
    .select('acquirer_reference')
    .where('payment_id', '=', paymentId)
    .executeTakeFirst();
  return row?.acquirer_reference ?? undefined;
}

describe('ResultUrl2 of a payment charged at once', () => {
  it('sends one verifiable OK with the paid amount, alongside the ResultURL', async () => {
    const invId = newInvId();
    const result2Calls = callsTo('/result2').length;
    const url = holdInitUrl({ invId, outSum: '75.25', resultUrl2: result2Url(), isStepByStep: false });
    const started = await context.app.inject({ method: 'GET', url });
    expect(started.statusCode).toBe(303);
    const paymentId = paymentIdFrom(started.headers.location as string);
    await submitCard(context.app, paymentId, cardForm(APPROVED_CARD));
    const payment = await paymentRow(context, paymentId);
    expect(payment).toMatchObject({ status: 'paid', is_step_by_step: false });
    const bodies = await deliverResult2(result2Calls);
    expect(bodies).toHaveLength(1);
    const { payload } = await verifyWithPublishedKeys(context, bodies[0] ?? '');
    expect(payload.data).toEqual({
      shop: 'demo',
      opKey: payment.op_key,
      invId,
      paymentMethod: 'BankCard',
      incSum: '75.25',
      state: 'OK',
    });
  });
});

describe('the cabinet', () => {
  it('shows the hold on the operation page: status, amount, release time and the timeline', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '70.00' });
    const browser = await signInBrowser(context, DEMO.administrator.email, DEMO.administrator.password);
    const held = await browser.get(`/api/cabinet/operations/${paymentId}`);
    expect(held.statusCode).toBe(200);
    expect(held.json()).toMatchObject({
      operation: { status: 'held', amount: '70.00' },
      hold: {
        amount: '70.00',
        status: 'held',
        releaseAt: new Date(context.clock.now().getTime() + 7 * DAY_MS).toISOString(),
        capturedAmount: null,
      },
    });
    const list = await browser.get('/api/cabinet/operations?status=held');
    expect((list.json() as { items: { id: string }[] }).items.map((item) => item.id)).toContain(paymentId);
    await holdAction(context, 'Confirm', confirmFields(invId, '60.00'));
    const captured = (await browser.get(`/api/cabinet/operations/${paymentId}`)).json() as {
      hold: { status: string; capturedAmount: string };
      timeline: { kind: string }[];
    };
    expect(captured.hold).toMatchObject({ status: 'captured', capturedAmount: '60.00' });
    expect(captured.timeline.map((event) => event.kind)).toContain('hold_captured');
  });
});

describe('test mode', () => {
  it('holds with the test password, moves no money, sends no ResultUrl2 and confirms with test Password #1', async () => {
    const invId = newInvId();
    const result2Calls = callsTo('/result2').length;
    const paymentId = await takeHold(context, {
      invId,
      outSum: '30.00',
      isTest: true,
      resultUrl2: result2Url(),
    });
    expect(await transferKeys(context, paymentId)).toEqual([]);
    expect(await opStateCode(context, invId, DEMO.shop.testPassword2)).toMatchObject({ code: '20' });
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '30.00'))).toBe(FAILURE);
    const fields = confirmFields(invId, '30.00', { password: DEMO.shop.testPassword1 });
    expect(await holdAction(context, 'Confirm', fields)).toBe(SUCCESS);
    expect(await paymentRow(context, paymentId)).toMatchObject({ status: 'paid', fee_minor: 0n });
    expect(await transferKeys(context, paymentId)).toEqual([]);
    expect(await deliverResult2(result2Calls)).toEqual([]);
  });
});

describe('automatic release', () => {
  it('releases a hold nobody confirmed after 7 days on the injected clock, and Confirm is refused by then', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '40.00', resultUrl2: result2Url() });
    await context.worker.drain();
    const result2Calls = callsTo('/result2').length;
    const acquirer = context.deps.providers.cardAcquirer;

    context.clock.advanceMs(7 * DAY_MS - 60_000);
    await releaseExpiredHolds(context.deps, acquirer);
    expect((await paymentRow(context, paymentId)).status).toBe('held');

    context.clock.advanceMs(60_000);
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '40.00'))).toBe(FAILURE);
    const run = await releaseExpiredHolds(context.deps, acquirer);
    expect(run.failed).toBe(0);
    expect(await paymentRow(context, paymentId)).toMatchObject({ status: 'released' });
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'released',
      release_reason: 'expired',
    });
    expect(await netByAccount(context, paymentId)).toEqual({ [CLEARING]: 0n, [account('on_hold')]: 0n });
    expect(await result2States(await deliverResult2(result2Calls), invId)).toEqual(['CANCELLED']);

    // Every hold of this file has been captured or released by now: nothing is left on hold.
    const again = await releaseExpiredHolds(context.deps, acquirer);
    expect(again.examined).toBe(0);
    expect(await sumOf(account('on_hold'))).toBe(0n);
    expect(await unbalancedTransfers(context)).toBe(0);
  });
});

async function sumOf(accountId: string): Promise<bigint> {
  const rows = await context.deps.db
    .selectFrom('ledger_entries')
    .select('amount_minor')
    .where('account_id', '=', accountId)
    .execute();
  return rows.reduce((total, row) => total + row.amount_minor, 0n);
}
