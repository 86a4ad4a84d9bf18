/**
 * The wiring of fiscal receipts into money movements: a card payment on a shop with fiscal settings is
 * registered at ATOL (the sandbox, over HTTP) as a `sell` receipt, and a partial refund as a
 * `sell_refund` for the refunded amount; a shop without settings gets no receipt. A test payment never.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFiscalTables } from '../../src/modules/fiscal/fiscal.tables.js';
import { DEMO } from '../../src/seed.js';
import type { TestBrowser } from '../support/client.js';
import { signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  cardForm,
  MerchantStub,
  prepareDemoShop,
  startDemoPayment,
  submitCard,
} from '../support/payments.js';
import { createSandboxGroup, listenOnLoopback, sandboxOf, SHOP_INN } from './helpers.js';

let context: TestContext;
let admin: TestBrowser;
let demoShopId: string;
const stub = new MerchantStub();
let nextInvId = 9100;

beforeAll(async () => {
  context = await createTestContext({ KOPEK_FISCAL_TIMEOUT_MS: '2000' });
  const { baseUrl } = await listenOnLoopback(context);
  await stub.start();
  await prepareDemoShop(context, stub);
  admin = await signInBrowser(context, DEMO.administrator.email, DEMO.administrator.password);
  const shop = await context.deps.db
    .selectFrom('shops')
    .select('id')
    .where('merchant_login', '=', DEMO.shop.merchantLogin)
    .executeTakeFirstOrThrow();
  demoShopId = shop.id;
  const group = await createSandboxGroup(sandboxOf(context));
  const saved = await admin.request('PUT', `/api/cabinet/shops/${demoShopId}/fiscal-settings`, {
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

async function paidPayment(isTest = false): Promise<string> {
  const paymentId = await startDemoPayment(context.app, {
    invId: String((nextInvId += 1)),
    outSum: '250.00',
    isTest,
  });
  await submitCard(
    context.app,
    paymentId,
    cardForm('4111 1111 1111 1111', undefined, { email: 'buyer@example.ru' }),
  );
  return paymentId;
}

const receiptsOf = (paymentId: string) =>
  withFiscalTables(context.deps.db)
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .execute();

/** Runs due jobs, a second of clock at a time, until every receipt of the payment is settled. */
async function settleReceipts(paymentId: string) {
  for (let step = 0; step < 40; step += 1) {
    await context.worker.runDueJobs();
    const receipts = await receiptsOf(paymentId);
    if (receipts.every((receipt) => receipt.status === 'done' || receipt.status === 'fail')) return receipts;
    context.clock.advanceMs(1_000);
  }
  return receiptsOf(paymentId);
}

describe('fiscal receipts of payments and refunds', () => {
  it('registers a sell receipt for a paid card payment, then a sell_refund for a partial refund', async () => {
    const paymentId = await paidPayment();
    const [sale] = await settleReceipts(paymentId);
    expect(sale).toMatchObject({ kind: 'sell', status: 'done' });

    const refund = await admin.post(`/api/cabinet/operations/${paymentId}/refunds`, { amount: '100.00' });
    expect(refund.statusCode, refund.body).toBe(201);
    const receipts = await settleReceipts(paymentId);
    const refundReceipt = receipts.find((receipt) => receipt.kind === 'sell_refund');
    expect(refundReceipt).toMatchObject({
      status: 'done',
      total_minor: 10_000n,
      fiscal_total_minor: 10_000n,
    });
    expect(sale).toMatchObject({ total_minor: 25_000n, fiscal_total_minor: 25_000n });
  });

  it('makes no receipt for a test payment', async () => {
    const paymentId = await paidPayment(true);
    expect(await receiptsOf(paymentId)).toEqual([]);
  });

  it('makes no receipt for a shop without fiscal settings', async () => {
    await admin.request('PUT', `/api/cabinet/shops/${demoShopId}/fiscal-settings`, { provider: 'none' });
    const paymentId = await paidPayment();
    expect(await receiptsOf(paymentId)).toEqual([]);
  });
});
