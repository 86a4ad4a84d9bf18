/**
 * Cash through terminals end to end over HTTP: IncCurrLabel=Terminals preselects cash, the page gives a
 * payment code and a printable voucher, the sandbox terminal (its JSON API and its page) takes cash in
 * parts, each insertion's signed callback raises what the payment page shows, and the last one pays the
 * payment through the card's path (ledger, ResultURL acknowledged). Overpayment under both rules
 * (KOPEK_CASH_OVERPAYMENT keep and phone), callbacks forged, duplicated, late and with an unknown status,
 * the code's expiry by the injected clock, the terminal API's authentication, and the transformer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethodByLabelOrAlias } from '../../src/modules/methods/index.js';
import {
  luhnCheckDigit,
  newTerminalCode,
  planInsertion,
  readChangePhone,
  readTerminalCode,
  SANDBOX_TERMINAL_PROVIDER,
  terminalApiKey,
  terminalStatusToOurs,
  toTerminalBillRequest,
} from '../../src/modules/methods/providers/sandbox-terminal.js';
import { expireMethodAttempts } from '../../src/modules/payments/index.js';
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
let nextInvId = 7000;
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

/** A payment with a pending cash attempt: its id, the attempt and the payment code. */
async function pendingCashPayment(target: TestContext = context, outSum = '1000.00') {
  const invId = newInvId();
  const { paymentId, attempt } = await startPendingAttempt(target, 'Terminals', { invId, outSum });
  const instructions = attempt.details.instructions as { type: string; code: string } | undefined;
  if (instructions?.type !== 'payment_code') throw new Error('no payment code');
  return { invId, paymentId, attempt, code: instructions.code };
}

/** A terminal's call to the network's API, with the installation's terminal key unless told otherwise. */
async function terminalPays(
  target: TestContext,
  body: Record<string, unknown>,
  /** null: no key header at all. */
  key: string | null = terminalApiKey(target.deps.config.masterKey),
) {
  return target.app.inject({
    method: 'POST',
    url: '/sandbox/terminal/api/payments',
    headers: { 'content-type': 'application/json', ...(key !== null ? { 'x-terminal-key': key } : {}) },
    payload: JSON.stringify({ terminalId: 'TRM-TEST-1', ...body }),
  });
}

async function terminalPage(target: TestContext, fields: Record<string, string>) {
  return target.app.inject({
    method: 'POST',
    url: '/sandbox/terminal',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
}

function callbackBody(reference: string, status: string, received: number, eventId = `ev-${Math.random()}`) {
  return {
    eventId,
    operationId: reference,
    billId: 'mat_x',
    status,
    amount: 100_000,
    received,
    inserted: received,
    terminalId: 'TRM-TEST-1',
  };
}

/** Page text with Intl's no-break spaces (digit grouping) made plain, for readable expectations. */
function plain(body: string): string {
  return body.replace(/[\u00a0\u202f]/g, ' ');
}

async function paymentEvents(target: TestContext, paymentId: string) {
  return target.deps.db
    .selectFrom('payment_events')
    .select(['kind', 'details'])
    .where('payment_id', '=', paymentId)
    .orderBy('id')
    .execute();
}

describe('the terminal transformer', () => {
  it('turns our request into the network’s bill: kopecks, a comment of 100 characters, whole hours of life', () => {
    const method = findMethodByLabelOrAlias('Terminals');
    if (!method) throw new Error('Terminals is not in the catalogue');
    expect(method.item).toMatchObject({ label: 'TerminalsPSR', kind: 'cash_terminal' });
    const now = new Date('2026-03-02T09:00:00Z');
    expect(
      toTerminalBillRequest(
        {
          attemptId: 'mat_1',
          paymentId: 'pay_1',
          method: method.item,
          amountMinor: 149_000n,
          currency: 'RUB',
          description: 'к'.repeat(150),
          returnUrl: 'https://kopek.example/Merchant/Index/pay_1',
          buyerInput: {},
          expiresAt: new Date('2026-03-05T09:00:00Z'),
        },
        now,
      ),
    ).toEqual({
      billId: 'mat_1',
      amount: 149_000,
      currency: 'RUB',
      comment: 'к'.repeat(100),
      validUntil: '2026-03-05T09:00:00.000Z',
      lifetimeHours: 72,
    });
  });

  it.each([
    ['ISSUED', 'pending'],
    ['PARTIAL', 'partially_paid'],
    ['COMPLETED', 'paid'],
    ['EXPIRED', 'expired'],
    ['CANCELLED', 'declined'],
    ['completed', 'unknown'],
    ['PAID', 'unknown'],
    ['hasOwnProperty', 'unknown'],
    ['', 'unknown'],
  ])('reads the network’s %j as %j', (status, ours) => {
    expect(terminalStatusToOurs(status)).toBe(ours);
  });

  it('issues 12-digit codes with a Luhn check digit and catches a mistyped digit', () => {
    for (let index = 0; index < 50; index += 1) {
      const code = newTerminalCode();
      expect(code).toMatch(/^[1-9]\d{11}$/);
      expect(readTerminalCode(code)).toBe(code);
      const typo = `${code.slice(0, 5)}${(Number(code[5]) + 1) % 10}${code.slice(6)}`;
      expect(readTerminalCode(typo)).toBeUndefined();
    }
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(readTerminalCode('1234 5678 9012')).toBe(readTerminalCode('123456789012'));
    expect(readTerminalCode('12345')).toBeUndefined();
  });

  it('applies the overpayment rule to an insertion', () => {
    const base = { owedMinor: 100_000n, insertedBeforeMinor: 40_000n };
    expect(planInsertion({ ...base, insertMinor: 50_000n, rule: 'keep', hasPhone: false })).toEqual({
      kind: 'accepted',
      status: 'PARTIAL',
      insertedMinor: 90_000n,
      receivedMinor: 90_000n,
      changeMinor: 0n,
    });
    expect(planInsertion({ ...base, insertMinor: 60_000n, rule: 'phone', hasPhone: false })).toMatchObject({
      status: 'COMPLETED',
      receivedMinor: 100_000n,
      changeMinor: 0n,
    });
    expect(planInsertion({ ...base, insertMinor: 100_000n, rule: 'keep', hasPhone: false })).toMatchObject({
      status: 'COMPLETED',
      receivedMinor: 140_000n,
      changeMinor: 0n,
    });
    expect(planInsertion({ ...base, insertMinor: 100_000n, rule: 'phone', hasPhone: false })).toEqual({
      kind: 'phone_required',
      changeMinor: 40_000n,
    });
    expect(planInsertion({ ...base, insertMinor: 100_000n, rule: 'phone', hasPhone: true })).toMatchObject({
      status: 'COMPLETED',
      insertedMinor: 140_000n,
      receivedMinor: 100_000n,
      changeMinor: 40_000n,
    });
  });

  it.each([
    ['+7 900 123-45-67', '+79001234567'],
    ['89001234567', '+79001234567'],
    ['9001234567', '+79001234567'],
    ['+7 (495) 123-45-67', undefined],
    ['12345', undefined],
  ])('reads the change phone %j as %j', (typed, phone) => {
    expect(readChangePhone(typed)).toBe(phone);
  });
});

describe('paying cash through a terminal', () => {
  it('gives a code, takes cash in parts (shown on the page), pays and notifies the merchant', async () => {
    const invId = newInvId();
    const paymentId = await startMethodPayment(context.app, 'Terminals', { invId, outSum: '1000.00' });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).toContain('Получить код для оплаты');
    const started = await chooseMethod(context.app, paymentId, 'Terminals');
    expect(started.statusCode).toBe(303);
    const [attempt] = await methodAttempts(context, paymentId);
    expect(attempt).toMatchObject({
      status: 'pending',
      method_label: 'TerminalsPSR',
      amount_minor: 100_000n,
    });
    // The code lives 72 hours by default.
    expect(attempt?.expires_at.toISOString()).toBe(
      new Date(context.clock.now().getTime() + 72 * 3_600_000).toISOString(),
    );
    const code = (attempt?.details.instructions as { code: string }).code;
    expect(readTerminalCode(code)).toBe(code);
    const pending = await context.app.inject({ method: 'GET', url: started.headers.location as string });
    expect(pending.body).toContain(`data-payment-code>${code}<`);
    expect(pending.body).toContain(`/Merchant/Index/${paymentId}/voucher`);

    const part = await terminalPays(context, { code, amountMinor: 40_000 });
    expect(part.statusCode).toBe(200);
    expect(part.json()).toMatchObject({ status: 'PARTIAL', receivedMinor: 40_000, leftMinor: 60_000 });
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'pending',
      received_minor: 40_000n,
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    const partPage = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(plain(partPage.body)).toContain('Внесено 400,00 ₽ из 1 000,00 ₽. Осталось внести 600,00 ₽.');
    const status = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/status` });
    expect(status.json()).toMatchObject({
      status: 'created',
      attempt: { status: 'pending', receivedMinor: '40000' },
    });

    // The rest through the terminal's page: a 500-rouble banknote, then 100 roubles in coins.
    const shown = await terminalPage(context, { code: `${code.slice(0, 4)} ${code.slice(4)}` });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('600,00 ₽');
    const banknote = await terminalPage(context, { code, banknote: '500' });
    expect(banknote.body).toContain('Принято.');
    const coins = await terminalPage(context, { code, insert: 'amount', amount: '100' });
    expect(coins.body).toContain('Платёж оплачен полностью.');
    expect(coins.body).toContain('data-receipt');
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    await context.deliverMail();

    const paid = await paymentRow(context, paymentId);
    expect(paid).toMatchObject({
      status: 'paid',
      payment_method: 'Terminals',
      inc_curr_label: 'TerminalsPSR',
    });
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'paid',
      received_minor: 100_000n,
      overpaid_minor: 0n,
    });
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
    const notification = stub.calls.find((call) => call.fields.get('InvId') === invId);
    expect(notification?.fields.get('IncCurrLabel')).toBe('TerminalsPSR');
    expect(notification?.fields.get('PaymentMethod')).toBe('Terminals');
    const delivered = await context.deps.db
      .selectFrom('notifications')
      .select('status')
      .where('subject_id', '=', paymentId)
      .execute();
    expect(delivered.map((row) => row.status)).toEqual(['delivered']);
    const kinds = (await paymentEvents(context, paymentId)).map((event) => event.kind);
    expect(kinds.filter((kind) => kind === 'method_part_received')).toHaveLength(2);

    // A paid code takes no more cash.
    const again = await terminalPays(context, { code, amountMinor: 100 });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'code_closed' } });
  });

  it('keeps cash beyond the amount as a recorded overpayment (default rule); the ledger moves the amount owed', async () => {
    const { paymentId, code, attempt } = await pendingCashPayment();
    const answer = await terminalPays(context, { code, amount: '1500.00' });
    expect(answer.json()).toMatchObject({
      status: 'COMPLETED',
      insertedMinor: 150_000,
      receivedMinor: 150_000,
      overpaidMinor: 50_000,
      changeMinor: 0,
    });
    await context.deliverMail();
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      id: attempt.id,
      status: 'paid',
      received_minor: 150_000n,
      overpaid_minor: 50_000n,
    });
    const overpaid = (await paymentEvents(context, paymentId)).find(
      (event) => event.kind === 'method_overpaid',
    );
    expect(overpaid?.details).toMatchObject({ attemptId: attempt.id, overpaidMinor: '50000' });
    const [transfer] = await ledgerTransfersOf(context, paymentId);
    const legs = await context.deps.db
      .selectFrom('ledger_entries')
      .select(['account_id', 'amount_minor'])
      .where('transfer_id', '=', transfer?.id ?? '')
      .execute();
    expect(legs.find((leg) => leg.account_id === 'platform:acquirer_clearing:RUB')?.amount_minor).toBe(
      100_000n,
    );
    expect(await unappliedLegs(paymentId)).toEqual([{ kind: 'method_unapplied', amountMinor: -50_000n }]);
  });

  it('the terminal page says the rule and shows the overpayment on its receipt', async () => {
    const { code } = await pendingCashPayment();
    const shown = await terminalPage(context, { code });
    expect(shown.body).toContain('Терминал не выдаёт сдачу');
    const receipt = await terminalPage(context, { code, banknote: '5000' });
    expect(receipt.body).toMatch(/data-overpaid>4\s000,00 ₽</);
  });

  it('refuses an expired code at the terminal (page and API) and closes the attempt', async () => {
    const { paymentId, code } = await pendingCashPayment();
    const key = terminalApiKey(context.deps.config.masterKey);
    context.clock.advanceMs(72 * 3_600_000 - 60_000);
    const stillValid = await context.app.inject({
      method: 'GET',
      url: `/sandbox/terminal/api/codes/${code}`,
      headers: { 'x-terminal-key': key },
    });
    expect(stillValid.json()).toMatchObject({ status: 'ISSUED', amountMinor: 100_000 });
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');

    context.clock.advanceMs(60_000);
    const refused = await terminalPays(context, { code, amountMinor: 100_000 });
    expect(refused.statusCode).toBe(410);
    expect(refused.json()).toEqual({
      error: {
        code: 'code_expired',
        message: 'Срок действия кода истёк: деньги не приняты. Получите новый код на странице оплаты.',
      },
    });
    const page = await terminalPage(context, { code, banknote: '1000' });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Срок действия кода истёк');
    expect(await expireMethodAttempts(context.deps)).toBeGreaterThanOrEqual(1);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    const operation = await context.deps.db
      .selectFrom('sandbox_method_operations')
      .select(['status', 'received_minor'])
      .where('provider', '=', SANDBOX_TERMINAL_PROVIDER)
      .where(({ ref, eb }) => eb(ref('details', '->>').key('code'), '=', code))
      .executeTakeFirstOrThrow();
    expect(operation).toEqual({ status: 'ISSUED', received_minor: 0n });
    const voucher = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/voucher` });
    expect(voucher.statusCode).toBe(404);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
  });
});

describe('the terminal API', () => {
  it('wants the terminal key, a well-formed body and a code with the right check digit', async () => {
    const { code, paymentId } = await pendingCashPayment();
    const noKey = await terminalPays(context, { code, amountMinor: 100 }, null);
    expect(noKey.statusCode).toBe(401);
    expect(noKey.json()).toMatchObject({ error: { code: 'bad_terminal_key' } });
    expect((await terminalPays(context, { code, amountMinor: 100 }, 'ab'.repeat(32))).statusCode).toBe(401);
    const badBody = await terminalPays(context, { code, amountMinor: -5 });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json()).toMatchObject({ error: { code: 'invalid_request' } });
    const typo = `${code.slice(0, -1)}${(Number(code.slice(-1)) + 1) % 10}`;
    expect((await terminalPays(context, { code: typo, amountMinor: 100 })).json()).toMatchObject({
      error: { code: 'invalid_code' },
    });
    // A well-formed code nobody issued (random codes start with 1-9 and are never this one in practice).
    const unissued = `10000000000${luhnCheckDigit('10000000000')}`;
    const unknown = await terminalPays(context, { code: unissued, amountMinor: 100 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'unknown_code' } });
    const english = await context.app.inject({
      method: 'POST',
      url: '/sandbox/terminal/api/payments?lang=en',
      headers: { 'content-type': 'application/json', 'x-terminal-key': 'nope' },
      payload: '{}',
    });
    expect(english.json()).toEqual({ error: { code: 'bad_terminal_key', message: 'Wrong terminal key.' } });
    expect((await methodAttempts(context, paymentId))[0]).toMatchObject({
      status: 'pending',
      received_minor: 0n,
    });
  });

  it('shows its key on the sandbox terminal page', async () => {
    const page = await context.app.inject({ method: 'GET', url: '/sandbox/terminal' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(terminalApiKey(context.deps.config.masterKey));
  });
});

describe('terminal callbacks', () => {
  it('refuses a forged callback and changes nothing', async () => {
    const { paymentId, attempt } = await pendingCashPayment();
    const { text } = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'COMPLETED', 100_000),
    );
    expect(
      (await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, text, 'f'.repeat(64))).statusCode,
    ).toBe(401);
    expect((await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, text, undefined)).statusCode).toBe(
      401,
    );
    // Signed with another provider's secret: still forged for this one.
    const other = signedCallback(context, 'sandbox-sbp', JSON.parse(text));
    expect(
      (await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, other.text, other.signature)).statusCode,
    ).toBe(401);
    expect((await paymentRow(context, paymentId)).status).toBe('created');
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('pending');
  });

  it('applies a duplicated part payment once and never lowers what was received', async () => {
    const { paymentId, attempt } = await pendingCashPayment();
    const reference = attempt.provider_reference ?? '';
    const first = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(reference, 'PARTIAL', 30_000, 'tp-1'),
    );
    expect(
      (await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, first.text, first.signature)).json(),
    ).toEqual({
      outcome: 'partially_paid',
    });
    expect(
      (await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, first.text, first.signature)).json(),
    ).toEqual({
      outcome: 'duplicate',
    });
    const older = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(reference, 'PARTIAL', 20_000, 'tp-0'),
    );
    expect(
      (await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, older.text, older.signature)).json(),
    ).toEqual({
      outcome: 'already_applied',
    });
    expect((await methodAttempts(context, paymentId))[0]?.received_minor).toBe(30_000n);
    const full = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(reference, 'COMPLETED', 100_000, 'tp-2'),
    );
    expect(
      (await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, full.text, full.signature)).json(),
    ).toEqual({
      outcome: 'paid',
    });
    const fullAgain = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(reference, 'COMPLETED', 100_000, 'tp-3'),
    );
    expect(
      (
        await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, fullAgain.text, fullAgain.signature)
      ).json(),
    ).toEqual({ outcome: 'already_applied' });
    expect(await ledgerTransfersOf(context, paymentId)).toHaveLength(1);
  });

  it('never counts an unknown status as paid', async () => {
    const { paymentId, attempt } = await pendingCashPayment();
    const { text, signature } = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'PAID', 100_000),
    );
    expect((await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'unknown_status',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('created');
  });

  it('a late COMPLETED after the code expired on our side is money received and pays the payment', async () => {
    const { paymentId, attempt } = await pendingCashPayment();
    context.clock.advanceMs(72 * 3_600_000);
    await expireMethodAttempts(context.deps);
    expect((await methodAttempts(context, paymentId))[0]?.status).toBe('expired');
    const { text, signature } = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'COMPLETED', 100_000),
    );
    expect((await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'paid_late',
    });
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });

  it('holds cash left on a code that expired part paid for the buyer, and pays with it if the rest comes late', async () => {
    const { paymentId, attempt, code } = await pendingCashPayment();
    expect((await terminalPays(context, { code, amount: '400.00' })).json()).toMatchObject({
      status: 'PARTIAL',
    });
    await context.deliverMail();
    context.clock.advanceMs(72 * 3_600_000);
    await expireMethodAttempts(context.deps);
    expect(await unappliedLegs(paymentId)).toEqual([{ kind: 'method_unapplied', amountMinor: -40_000n }]);
    const expired = (await paymentEvents(context, paymentId)).find(
      (event) => event.kind === 'method_expired',
    );
    expect(expired?.details).toMatchObject({ keptMinor: '40000' });

    const { text, signature } = signedCallback(
      context,
      SANDBOX_TERMINAL_PROVIDER,
      callbackBody(attempt.provider_reference ?? '', 'COMPLETED', 100_000),
    );
    expect((await postCallback(context.app, SANDBOX_TERMINAL_PROVIDER, text, signature)).json()).toEqual({
      outcome: 'paid_late',
    });
    expect(await unappliedLegs(paymentId)).toEqual([
      { kind: 'method_unapplied', amountMinor: -40_000n },
      { kind: 'method_unapplied_released', amountMinor: 40_000n },
    ]);
  });
});

/** The buyer's money held by the platform for this payment: its legs on the overpayments account. */
async function unappliedLegs(paymentId: string) {
  const rows = await context.deps.db
    .selectFrom('ledger_entries')
    .innerJoin('ledger_transfers', 'ledger_transfers.id', 'ledger_entries.transfer_id')
    .select(['ledger_transfers.kind', 'ledger_entries.amount_minor'])
    .where('ledger_transfers.reference', '=', paymentId)
    .where('ledger_entries.account_id', '=', 'platform:overpayments:RUB')
    .orderBy('ledger_entries.id')
    .execute();
  return rows.map((row) => ({ kind: row.kind, amountMinor: row.amount_minor }));
}

describe('the voucher', () => {
  it('prints the shop, the amount, the code, its validity and how to pay, in Russian and English', async () => {
    const { paymentId, code } = await pendingCashPayment(context, '1490.00');
    const grouped = code.replace(/(\d{4})(?=\d)/g, '$1 ');
    const ru = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/voucher` });
    expect(ru.statusCode).toBe(200);
    expect(ru.headers['content-security-policy']).toContain("default-src 'none'");
    for (const text of [
      'Квитанция для оплаты наличными',
      '1 490,00 ₽',
      `data-voucher-code>${grouped}<`,
      'Как оплатить',
      '(МСК)',
      'Терминал не выдаёт сдачу',
      paymentId,
    ])
      expect(plain(ru.body)).toContain(text);
    // Valid until now + 72 h: 5 March 2026, 12:00 Moscow time for a code taken at 09:00 UTC on 2 March.
    const attempt = (await methodAttempts(context, paymentId))[0];
    const moscow = new Intl.DateTimeFormat('ru-RU', {
      timeZone: 'Europe/Moscow',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }).format(attempt?.expires_at);
    expect(plain(ru.body)).toContain(plain(moscow));
    const en = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${paymentId}/voucher`,
      headers: { 'accept-language': 'en' },
    });
    expect(en.body).toContain('Cash payment voucher');
    expect(plain(en.body)).toContain('RUB 1,490.00');
    expect(en.body).toContain('How to pay');

    await terminalPays(context, { code, amountMinor: 49_000 });
    await context.deliverMail();
    const part = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/voucher` });
    expect(part.body).toContain('Уже внесено');
    expect(plain(part.body)).toContain('1 000,00 ₽');
  });

  it('answers 404 for a payment without a cash code, and for an unknown payment', async () => {
    const paymentId = await startMethodPayment(context.app, 'Terminals', { invId: newInvId() });
    const none = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/voucher` });
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('нет действующего кода');
    const unknown = await context.app.inject({ method: 'GET', url: '/Merchant/Index/pay_nope/voucher' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('change to the buyer’s phone (KOPEK_CASH_OVERPAYMENT=phone)', () => {
  let phoneContext: TestContext;
  const phoneStub = new MerchantStub();

  beforeAll(async () => {
    phoneContext = await createTestContext({ KOPEK_CASH_OVERPAYMENT: 'phone' });
    await phoneStub.start();
    await prepareDemoShop(phoneContext, phoneStub);
  });
  afterAll(async () => {
    await phoneContext?.close();
    await phoneStub.stop();
  });

  it('asks for the phone before taking more than owed, then credits the change to it', async () => {
    const { paymentId, code } = await pendingCashPayment(phoneContext);
    const withoutPhone = await terminalPays(phoneContext, { code, amountMinor: 150_000 });
    expect(withoutPhone.statusCode).toBe(422);
    expect(withoutPhone.json()).toMatchObject({ error: { code: 'phone_required' } });
    expect(
      (await terminalPays(phoneContext, { code, amountMinor: 150_000, phone: '12' })).json(),
    ).toMatchObject({
      error: { code: 'invalid_phone' },
    });
    const paid = await terminalPays(phoneContext, { code, amountMinor: 150_000, phone: '+7 900 123-45-67' });
    expect(paid.json()).toMatchObject({
      status: 'COMPLETED',
      insertedMinor: 150_000,
      receivedMinor: 100_000,
      changeMinor: 50_000,
      changePhone: '+7 *** ***-45-67',
      overpaidMinor: 0,
    });
    await phoneContext.deliverMail();
    expect((await methodAttempts(phoneContext, paymentId))[0]).toMatchObject({
      status: 'paid',
      received_minor: 100_000n,
      overpaid_minor: 0n,
    });
    expect((await paymentRow(phoneContext, paymentId)).status).toBe('paid');
    const operation = await phoneContext.deps.db
      .selectFrom('sandbox_method_operations')
      .select('details')
      .where('provider', '=', SANDBOX_TERMINAL_PROVIDER)
      .where(({ ref, eb }) => eb(ref('details', '->>').key('code'), '=', code))
      .executeTakeFirstOrThrow();
    expect(operation.details).toMatchObject({ changeMinor: '50000', changePhone: '+79001234567' });
  });

  it('the terminal page asks for the phone and prints the change on its receipt', async () => {
    const { code } = await pendingCashPayment(phoneContext);
    const shown = await terminalPage(phoneContext, { code });
    expect(shown.body).toContain('Телефон для сдачи');
    const refused = await terminalPage(phoneContext, { code, banknote: '5000' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('укажите телефон для сдачи');
    const receipt = await terminalPage(phoneContext, { code, banknote: '5000', phone: '89001234567' });
    expect(receipt.body).toMatch(/data-change>4\s000,00 ₽ → \+7 \*\*\* \*\*\*-45-67</);
    expect(receipt.body).not.toContain('9001234567');
    const voucherPaymentId = (await pendingCashPayment(phoneContext)).paymentId;
    const voucher = await phoneContext.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${voucherPaymentId}/voucher`,
    });
    expect(voucher.body).toContain('зачислит сдачу на его баланс');
  });
});
