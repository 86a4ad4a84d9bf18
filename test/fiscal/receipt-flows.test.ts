/**
 * Receipts from the merchant's side, end to end through HTTP, the job worker and Kopek's ATOL sandbox:
 * a Receipt checked at the payment's start (refused with code 30 naming the item and field, in Russian
 * and English; a valid one kept read with the payment), the fiscal receipt e-mailed to the buyer once it
 * is done, IsWithoutFreeSale, refund receipts from the Refund API's InvoiceItems and the cabinet's items,
 * and Robokassa's second receipt (RoboFiscal Receipt/Attach and Receipt/Status).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftFromJson, enqueueWholeSaleRefundReceipt } from '../../src/modules/fiscal/index.js';
import { withFiscalTables } from '../../src/modules/fiscal/fiscal.tables.js';
import { signInitRequest, signRoboFiscalPayload } from '../../src/modules/protocol/index.js';
import { DEMO } from '../../src/seed.js';
import type { TestBrowser } from '../support/client.js';
import { createShopVia, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, MerchantStub, paymentIdFrom, prepareDemoShop, submitCard } from '../support/payments.js';
import { signRefundToken } from '../refunds/refund-support.js';
import { createSandboxGroup, listenOnLoopback, sandboxOf, SHOP_INN } from './helpers.js';

let context: TestContext;
let admin: TestBrowser;
let groupCode: string;
let sandboxBaseUrl: string;
const stub = new MerchantStub();
let nextInvId = 72_000;
const BUYER = 'buyer-receipts@example.ru';

beforeAll(async () => {
  context = await createTestContext({ KOPEK_FISCAL_TIMEOUT_MS: '2000' });
  const { baseUrl } = await listenOnLoopback(context);
  sandboxBaseUrl = baseUrl;
  await stub.start();
  await prepareDemoShop(context, stub);
  admin = await signInBrowser(context, DEMO.administrator.email, DEMO.administrator.password);
  const shop = await context.deps.db
    .selectFrom('shops')
    .select('id')
    .where('merchant_login', '=', DEMO.shop.merchantLogin)
    .executeTakeFirstOrThrow();
  const group = await createSandboxGroup(sandboxOf(context));
  groupCode = group.groupCode;
  const saved = await admin.request('PUT', `/api/cabinet/shops/${shop.id}/fiscal-settings`, {
    provider: 'atol',
    baseUrl,
    login: group.login,
    password: group.password,
    groupCode: group.groupCode,
    companyInn: SHOP_INN,
    paymentAddress: 'https://demo.example.ru',
    sno: 'osn',
    companyEmail: 'shop@example.ru',
  });
  expect(saved.statusCode, saved.body).toBe(200);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await stub.stop();
});

const COFFEE = { name: 'Кофе', quantity: 2, sum: 150, tax: 'vat20', payment_method: 'full_prepayment' };
const DELIVERY = { name: 'Доставка', quantity: 1, sum: 100, tax: 'none', payment_object: 'service' };

/** Index.aspx for the demo shop with a Receipt, signed over the Receipt as sent (raw JSON). */
function initUrl(outSum: string, invId: string, receipt?: string, extra: Record<string, string> = {}) {
  const signature = signInitRequest(
    'MD5',
    { merchantLogin: 'demo', outSum, invId, ...(receipt === undefined ? {} : { receipt }), shp: [] },
    DEMO.shop.password1,
  );
  const query = new URLSearchParams({
    MerchantLogin: 'demo',
    OutSum: outSum,
    InvId: invId,
    Description: 'Заказ с чеком',
    Email: BUYER,
    ...(receipt === undefined ? {} : { Receipt: receipt }),
    SignatureValue: signature,
    ...extra,
  });
  return `/Merchant/Index.aspx?${query.toString()}`;
}

async function paidPayment(receipt?: unknown, extra: Record<string, string> = {}) {
  const invId = String((nextInvId += 1));
  const text = receipt === undefined ? undefined : JSON.stringify(receipt);
  const started = await context.app.inject({ method: 'GET', url: initUrl('250.00', invId, text, extra) });
  expect(started.statusCode, started.body.slice(0, 400)).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  const paid = await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
  expect(paid.statusCode).toBeLessThan(400);
  return { paymentId, invId };
}

const receiptsOf = (paymentId: string) =>
  withFiscalTables(context.deps.db)
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('created_at')
    .execute();

/** Runs due jobs (ATOL calls, mail), a second of clock at a time, until the payment's receipts settle. */
async function settleReceipts(paymentId: string) {
  for (let step = 0; step < 40; step += 1) {
    await context.worker.runDueJobs();
    const receipts = await receiptsOf(paymentId);
    if (receipts.every((receipt) => receipt.status === 'done' || receipt.status === 'fail')) {
      await context.deliverMail();
      return receipts;
    }
    context.clock.advanceMs(1_000);
  }
  return receiptsOf(paymentId);
}

describe('Receipt at the payment start', () => {
  it('refuses an invalid Receipt with code 30, naming the item and field in Russian and English', async () => {
    const invId = String((nextInvId += 1));
    const bad = JSON.stringify({ items: [{ ...COFFEE, tax: 'vat18' }, DELIVERY] });
    const ru = await context.app.inject({ method: 'GET', url: initUrl('250.00', invId, bad) });
    expect(ru.statusCode).toBe(400);
    expect(ru.body).toContain('Код ошибки Robokassa: 30');
    expect(ru.body).toContain('Позиция 1 «Кофе», поле tax');
    const en = await context.app.inject({
      method: 'GET',
      url: initUrl('250.00', invId, bad, { Culture: 'en' }),
    });
    expect(en.body).toMatch(/Item 1 (&quot;|&#34;|&#x22;)Кофе(&quot;|&#34;|&#x22;), field tax/);
    const short = JSON.stringify({ items: [COFFEE] });
    const mismatch = await context.app.inject({ method: 'GET', url: initUrl('250.00', invId, short) });
    expect(mismatch.body).toContain('сумма позиций 150.00 не равна сумме платежа 250.00');
    const stored = await context.deps.db
      .selectFrom('payments')
      .select('id')
      .where('inv_id', '=', BigInt(invId))
      .execute();
    expect(stored).toEqual([]);
  });

  it('answers Indexjson.aspx with errorCode 30 for an invalid Receipt', async () => {
    const url = initUrl('250.00', String((nextInvId += 1)), JSON.stringify({ items: [] }));
    const response = await context.app.inject({
      method: 'POST',
      url: '/Merchant/Indexjson.aspx',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: url.split('?')[1],
    });
    expect(response.json()).toMatchObject({ errorCode: 30 });
  });

  it('keeps a valid Receipt read; the paid payment gets that receipt, e-mailed to the buyer once', async () => {
    const { paymentId } = await paidPayment({ sno: 'osn', items: [COFFEE, DELIVERY] });
    const payment = await context.deps.db
      .selectFrom('payments')
      .select(['receipt_parsed', 'is_without_free_sale'])
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment.receipt_parsed).toMatchObject({
      sno: 'osn',
      totalMinor: '25000',
      items: [{ name: 'Кофе', priceMinor: '7500', quantityThousandths: '2000' }, { name: 'Доставка' }],
    });
    const before = context.mail.sent.length;
    const [sale] = await settleReceipts(paymentId);
    expect(sale).toMatchObject({ kind: 'sell', status: 'done' });
    const draft = draftFromJson(sale!.draft);
    if (draft instanceof Error) throw draft;
    expect(draft.items.map((item) => [item.name, item.paymentMethod, item.sumMinor])).toEqual([
      ['Кофе', 'full_prepayment', 15_000n],
      ['Доставка', 'full_prepayment', 10_000n],
    ]);
    const mails = context.mail.sent.slice(before).filter((mail) => mail.subject.startsWith('Кассовый чек'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe(BUYER);
    expect(mails[0]!.text).toContain(`ФН: ${sale!.fn_number}`);
    expect(mails[0]!.text).toContain(`ФПД: ${sale!.fiscal_document_attribute}`);
    expect(mails[0]!.text).toContain(`Проверить чек: ${sale!.ofd_receipt_url}`);
    expect(sale!.buyer_mailed_at).not.toBeNull();
    // Running the jobs again sends nothing more.
    await context.worker.runDueJobs();
    await context.deliverMail();
    expect(context.mail.sent.slice(before).filter((mail) => mail.to === BUYER)).toHaveLength(2);
  });

  it('returns a whole sale (a safe deal given back) with the sale receipt’s own lines, once', async () => {
    const { paymentId } = await paidPayment({ sno: 'osn', items: [COFFEE, DELIVERY] });
    await settleReceipts(paymentId);
    const enqueue = () =>
      context.deps.db
        .transaction()
        .execute((trx) => enqueueWholeSaleRefundReceipt(trx, context.deps.clock, paymentId));
    expect(await enqueue()).toMatchObject({ isNew: true });
    expect(await enqueue()).toMatchObject({ isNew: false });
    const receipts = await settleReceipts(paymentId);
    expect(
      receipts.map((receipt) => [receipt.kind, receipt.status, receipt.total_minor, receipt.refund_id]),
    ).toEqual([
      ['sell', 'done', 25_000n, null],
      ['sell_refund', 'done', 25_000n, null],
    ]);
    const draft = draftFromJson(receipts[1]!.draft);
    if (draft instanceof Error) throw draft;
    expect(draft.items.map((item) => [item.name, item.sumMinor])).toEqual([
      ['Кофе', 15_000n],
      ['Доставка', 10_000n],
    ]);
  });

  it('e-mails the receipt in English when the payment was in English', async () => {
    const { paymentId } = await paidPayment({ items: [COFFEE, DELIVERY] }, { Culture: 'en' });
    const before = context.mail.sent.length;
    await settleReceipts(paymentId);
    const mail = context.mail.sent.slice(before).find((item) => item.subject.startsWith('Your receipt'));
    expect(mail?.text).toContain('The fiscal receipt (sale)');
    expect(mail?.text).toContain('Check the receipt: https://');
  });

  it('registers no receipt for IsWithoutFreeSale=true without a Receipt, a free sale otherwise', async () => {
    const deferred = await paidPayment(undefined, { IsWithoutFreeSale: 'true' });
    expect(await receiptsOf(deferred.paymentId)).toEqual([]);
    const free = await paidPayment();
    const [sale] = await settleReceipts(free.paymentId);
    const draft = draftFromJson(sale!.draft);
    if (draft instanceof Error) throw draft;
    expect(draft.items).toEqual([expect.objectContaining({ name: 'Свободная продажа', sumMinor: 25_000n })]);
  });
});

describe('refund receipts with items', () => {
  async function refundApi(payload: unknown) {
    const response = await context.app.inject({
      method: 'POST',
      url: '/RefundService/Refund/Create',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(signRefundToken(payload, DEMO.shop.password3)),
    });
    return response.json() as { success: boolean; message: string | null; details?: string };
  }

  it('takes the Refund API InvoiceItems for a partial refund; refuses bad ones naming item and field', async () => {
    const { paymentId } = await paidPayment({ items: [COFFEE, DELIVERY] });
    const opKey = (
      await context.deps.db
        .selectFrom('payments')
        .select('op_key')
        .where('id', '=', paymentId)
        .executeTakeFirstOrThrow()
    ).op_key;
    const coffee = { Name: 'Кофе', Quantity: 1, Cost: 75, Tax: 'vat20', PaymentMethod: 'full_payment' };
    const badTax = await refundApi({
      OpKey: opKey,
      RefundSum: 75,
      InvoiceItems: [{ ...coffee, Tax: 'vat21' }],
    });
    expect(badTax).toMatchObject({ success: false, message: 'InvalidInvoiceItems' });
    expect(badTax.details).toContain('Item 1 "Кофе", field Tax');
    const short = await refundApi({ OpKey: opKey, RefundSum: 100, InvoiceItems: [coffee] });
    expect(short).toMatchObject({ success: false, message: 'InvalidInvoiceItems' });
    expect(short.details).toContain('75.00 RUB');
    expect(await context.deps.db.selectFrom('refunds').where('payment_id', '=', paymentId).execute()).toEqual(
      [],
    );

    const done = await refundApi({ OpKey: opKey, RefundSum: 75, InvoiceItems: [coffee] });
    expect(done).toMatchObject({ success: true });
    const refund = (await settleReceipts(paymentId)).find((receipt) => receipt.kind === 'sell_refund');
    expect(refund).toMatchObject({ status: 'done', total_minor: 7_500n });
    const draft = draftFromJson(refund!.draft);
    if (draft instanceof Error) throw draft;
    expect(draft.items).toEqual([
      expect.objectContaining({
        name: 'Кофе',
        paymentMethod: 'full_payment',
        vat: 'vat20',
        sumMinor: 7_500n,
      }),
    ]);
  });

  it('takes items from a cabinet refund, and answers a bad list with a field error', async () => {
    const { paymentId } = await paidPayment({ items: [COFFEE, DELIVERY] });
    const delivery = { name: 'Доставка', quantity: 1, cost: '100.00', tax: 'none', paymentObject: 'service' };
    const bad = await admin.request('POST', `/api/cabinet/operations/${paymentId}/refunds`, {
      amount: '100.00',
      items: [{ ...delivery, quantity: 0 }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error: { fields: { items: { code: 'invalid_items' } } } });
    expect(JSON.stringify(bad.json())).toContain('Позиция 1 «Доставка», поле quantity');
    const ok = await admin.request('POST', `/api/cabinet/operations/${paymentId}/refunds`, {
      amount: '100.00',
      items: [delivery],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const refund = (await settleReceipts(paymentId)).find((receipt) => receipt.kind === 'sell_refund');
    const draft = draftFromJson(refund!.draft);
    if (draft instanceof Error) throw draft;
    expect(draft.items).toEqual([
      expect.objectContaining({ name: 'Доставка', paymentObject: 'service', sumMinor: 10_000n }),
    ]);
  });
});

describe('RoboFiscal Receipt/Attach and Receipt/Status', () => {
  async function post(
    path: 'Attach' | 'Status' | 'Register',
    payload: unknown,
    password: string = DEMO.shop.password1,
  ) {
    const body = signRoboFiscalPayload(JSON.stringify(payload), password, 'MD5');
    const response = await context.app.inject({
      method: 'POST',
      url: `/RoboFiscal/Receipt/${path}`,
      headers: { 'content-type': 'text/plain' },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    return response.json() as Record<string, unknown>;
  }

  function finalReceipt(originId: string, id: number) {
    return {
      merchantId: 'demo',
      id,
      originId: Number(originId),
      operation: 'sell',
      sno: 'osn',
      url: 'https://demo.example.ru',
      total: 250,
      items: [
        { ...COFFEE, payment_method: 'full_payment' },
        { ...DELIVERY, payment_method: 'full_payment' },
      ],
      client: { email: BUYER },
      payments: [{ type: 2, sum: 250 }],
      vats: [{ type: 'vat20', sum: 25 }],
    };
  }

  it('registers the final receipt of a prepayment and answers its status until registered', async () => {
    const { paymentId, invId } = await paidPayment({ items: [COFFEE, DELIVERY] });
    await settleReceipts(paymentId);
    const id = (nextInvId += 1);
    const attached = await post('Attach', finalReceipt(invId, id));
    expect(attached).toMatchObject({ ResultCode: '0', ResultDescription: 'ok', OpKey: expect.any(String) });
    expect(await post('Status', { merchantId: 'demo', id })).toMatchObject({ Code: '1', FnNumber: null });

    const receipts = await settleReceipts(paymentId);
    const second = receipts.find((receipt) => receipt.second_receipt_id === BigInt(id));
    expect(second).toMatchObject({ kind: 'sell', status: 'done', total_minor: 25_000n });
    const document = second!.request as {
      receipt: { payments: unknown; items: { payment_method: string }[] };
    };
    expect(document.receipt.payments).toEqual([{ type: 2, sum: 250 }]);
    expect(document.receipt.items.map((item) => item.payment_method)).toEqual([
      'full_payment',
      'full_payment',
    ]);
    const status = await post('Status', { merchantId: 'demo', id: String(id) });
    expect(status).toMatchObject({
      Code: '2',
      FnNumber: second!.fn_number,
      FiscalDocumentNumber: String(second!.fiscal_document_number),
      FiscalDocumentAttribute: String(second!.fiscal_document_attribute),
      FiscalDate: second!.receipt_datetime,
    });
    // The first receipt answers by the payment's InvId.
    expect(await post('Status', { merchantId: 'demo', id: Number(invId) })).toMatchObject({ Code: '2' });

    // The same Attach again answers the first; another id for the same operation is refused.
    expect(await post('Attach', finalReceipt(invId, id))).toMatchObject({ ResultCode: '0' });
    expect(await post('Attach', finalReceipt(invId, id + 1))).toMatchObject({ ResultCode: '3' });
    expect(await receiptsOf(paymentId)).toHaveLength(2);
  });

  it('a final receipt the register refused is retried from the cabinet with its own total', async () => {
    const { paymentId, invId } = await paidPayment({ items: [COFFEE, DELIVERY] });
    await settleReceipts(paymentId);
    const sandbox = sandboxOf(context);
    await sandbox.configureGroup(groupCode, { behaviour: { outcome: 'fail' } });
    try {
      const id = (nextInvId += 1);
      expect(await post('Attach', finalReceipt(invId, id))).toMatchObject({ ResultCode: '0' });
      const failed = (await settleReceipts(paymentId)).find((receipt) => receipt.second_receipt_id !== null);
      expect(failed).toMatchObject({ status: 'fail' });
      expect(await post('Status', { merchantId: 'demo', id })).toMatchObject({
        Code: '3',
        Description: expect.stringMatching(/^ATOL /),
      });
      await sandbox.configureGroup(groupCode, { behaviour: { outcome: 'done' } });
      const retried = await admin.post(`/api/cabinet/fiscal-receipts/${failed!.id}/retry`);
      expect(retried.statusCode, retried.body).toBe(200);
      expect(retried.json()).toMatchObject({ status: 'pending', generation: 2, secondReceiptId: String(id) });
      const done = (await settleReceipts(paymentId)).find((receipt) => receipt.id === failed!.id);
      expect(done).toMatchObject({ status: 'done', total_minor: 25_000n });
      expect(await post('Status', { merchantId: 'demo', id })).toMatchObject({ Code: '2' });
    } finally {
      await sandbox.configureGroup(groupCode, { behaviour: { outcome: 'done' } });
    }
  });

  it('refuses bad signatures, unknown operations, non-prepayments and invalid payloads, storing nothing', async () => {
    const { paymentId, invId } = await paidPayment({
      items: [
        { ...COFFEE, payment_method: 'full_payment' },
        { ...DELIVERY, payment_method: 'full_payment' },
      ],
    });
    const id = (nextInvId += 1);
    expect(await post('Attach', finalReceipt(invId, id), 'wrong-password')).toMatchObject({
      ResultCode: '1000',
    });
    expect(await post('Status', { merchantId: 'demo', id }, 'wrong-password')).toMatchObject({
      Code: '1000',
    });
    expect(await post('Attach', finalReceipt('999999999', id))).toMatchObject({ ResultCode: '3' });
    const notPrepaid = await post('Attach', finalReceipt(invId, id));
    expect(notPrepaid).toMatchObject({ ResultCode: '3' });
    expect(String(notPrepaid.ResultDescription)).toContain('not fiscalised as a prepayment');
    const invalid = await post('Attach', {
      ...finalReceipt(invId, id),
      items: [{ ...COFFEE, payment_method: 'full_prepayment' }, DELIVERY],
    });
    expect(invalid).toMatchObject({ ResultCode: '3' });
    expect(String(invalid.ResultDescription)).toContain('field payment_method');
    const garbage = await context.app.inject({
      method: 'POST',
      url: '/RoboFiscal/Receipt/Attach',
      headers: { 'content-type': 'application/json' },
      payload: '"not-a-body"',
    });
    expect(garbage.json()).toMatchObject({ ResultCode: '3' });
    expect(await post('Status', { merchantId: 'demo', id: 123_456_789 })).toMatchObject({ Code: '3' });
    expect((await receiptsOf(paymentId)).filter((receipt) => receipt.second_receipt_id !== null)).toEqual([]);
  });
});

describe('RoboFiscal Receipt/Register: the receipt of a payment made with IsWithoutFreeSale=true', () => {
  async function register(payload: unknown, password: string = DEMO.shop.password1) {
    const response = await context.app.inject({
      method: 'POST',
      url: '/RoboFiscal/Receipt/Register',
      headers: { 'content-type': 'text/plain' },
      payload: signRoboFiscalPayload(JSON.stringify(payload), password, 'MD5'),
    });
    expect(response.statusCode).toBe(200);
    return response.json() as Record<string, unknown>;
  }
  const deferredReceipt = (originId: string, id: number, overrides: Record<string, unknown> = {}) => ({
    merchantId: 'demo',
    id,
    originId: Number(originId),
    operation: 'sell',
    sno: 'osn',
    total: 250,
    items: [COFFEE, DELIVERY],
    client: { email: BUYER },
    payments: [{ type: 1, sum: 250 }],
    ...overrides,
  });

  it('registers the merchant’s own receipt later, once, as the payment’s sale receipt', async () => {
    const { paymentId, invId } = await paidPayment(undefined, { IsWithoutFreeSale: 'true' });
    expect(await receiptsOf(paymentId)).toEqual([]);
    const id = (nextInvId += 1);
    expect(await register(deferredReceipt(invId, id))).toMatchObject({
      ResultCode: '0',
      OpKey: expect.any(String),
    });
    expect(await register(deferredReceipt(invId, id))).toMatchObject({ ResultCode: '0' });
    const [sale, ...others] = await settleReceipts(paymentId);
    expect(others).toEqual([]);
    expect(sale).toMatchObject({
      kind: 'sell',
      status: 'done',
      source_key: `payment:${paymentId}:sell`,
      total_minor: 25_000n,
      second_receipt_id: BigInt(id),
    });
    const document = sale!.request as { receipt: { items: { payment_method: string }[] } };
    // Any payment method is taken (an item without one is a full prepayment, as with Receipt).
    expect(document.receipt.items.map((item) => item.payment_method)).toEqual([
      'full_prepayment',
      'full_prepayment',
    ]);
    const status = await context.app.inject({
      method: 'POST',
      url: '/RoboFiscal/Receipt/Status',
      headers: { 'content-type': 'text/plain' },
      payload: signRoboFiscalPayload(JSON.stringify({ merchantId: 'demo', id }), DEMO.shop.password1, 'MD5'),
    });
    expect(status.json()).toMatchObject({ Code: '2', FnNumber: sale!.fn_number });
    // Another number for the same operation is refused: it has its receipt now.
    const again = await register(deferredReceipt(invId, id + 1));
    expect(again).toMatchObject({ ResultCode: '3' });
    expect(String(again.ResultDescription)).toContain('already has its receipt');
  });

  it('refuses what it cannot register, storing nothing', async () => {
    const deferred = await paidPayment(undefined, { IsWithoutFreeSale: 'true' });
    const ordinary = await paidPayment();
    await settleReceipts(ordinary.paymentId);
    const id = (nextInvId += 1);
    const refusals: [unknown, string][] = [
      [deferredReceipt(ordinary.invId, id), 'already has its receipt'],
      [deferredReceipt('999999999', id), 'No paid operation'],
      [
        deferredReceipt(deferred.invId, id, {
          total: 200,
          items: [{ ...COFFEE, sum: 100, quantity: 1 }, DELIVERY],
          payments: [{ type: 1, sum: 200 }],
        }),
        'must be the operation',
      ],
      [deferredReceipt(deferred.invId, id, { payments: [{ type: 2, sum: 250 }] }), 'payment type 2'],
      [deferredReceipt(deferred.invId, id, { items: [{ ...COFFEE, tax: 'vat18' }, DELIVERY] }), 'field tax'],
    ];
    for (const [payload, reason] of refusals) {
      const answer = await register(payload);
      expect(answer, reason).toMatchObject({ ResultCode: '3' });
      expect(String(answer.ResultDescription)).toContain(reason);
    }
    expect(await register(deferredReceipt(deferred.invId, id), 'wrong-password')).toMatchObject({
      ResultCode: '1000',
    });
    expect(await receiptsOf(deferred.paymentId)).toEqual([]);
  });
});

describe('checking the connection from the fiscal settings', () => {
  it('asks the service for a token with the stored login and password', async () => {
    const shop = await createShopVia(admin);
    const path = `/api/cabinet/shops/${shop.id}/fiscal-settings`;
    expect((await admin.post(`${path}/check`)).json()).toMatchObject({
      error: { code: 'fiscalisation_off' },
    });
    const group = await createSandboxGroup(sandboxOf(context));
    const settings = {
      provider: 'atol',
      baseUrl: sandboxBaseUrl,
      login: group.login,
      password: group.password,
      groupCode: group.groupCode,
      companyInn: SHOP_INN,
      paymentAddress: 'https://second.example.ru',
      sno: 'osn',
      companyEmail: 'shop@example.ru',
    };
    expect((await admin.request('PUT', path, settings)).statusCode).toBe(200);
    expect((await admin.post(`${path}/check`)).json()).toEqual({ ok: true, problem: null });
    expect((await admin.request('PUT', path, { ...settings, password: 'wrong-password' })).statusCode).toBe(
      200,
    );
    const refused = await admin.post(`${path}/check`);
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toEqual({ ok: false, problem: expect.stringMatching(/^ATOL 12 /) });
  });
});
