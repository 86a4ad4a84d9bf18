/**
 * The buyer pays the fee (shops.is_buyer_fee) end to end on real PostgreSQL: the merchant's switch in the
 * cabinet, the checkout's fee and total, the amount the acquirer is asked, the ledger, ResultURL,
 * OpStateExt, GetRates and CalcOutSumm in both modes, refunds; and the operator's holds switch (error 64).
 * The default tariff is 2.9% for bank cards: for OutSum 100.00 the buyer pays 102.99 (fee 2.99).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, seedDemoData } from '../../src/seed.js';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, MerchantStub, paymentIdFrom, submitCard } from '../support/payments.js';
import {
  ledgerTotal,
  openLiveShop,
  pay,
  startPayment,
  unbalancedTransfers,
  type LiveShop,
} from '../refunds/refund-support.js';
import { holdInitUrl, netByAccount } from './holds-support.js';

let context: TestContext;
const stub = new MerchantStub();
let merchant: TestBrowser;
let buyerFeeShop: LiveShop;
let shopFeeShop: LiveShop;

const SERVICE = '/Merchant/WebService/Service.asmx';
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  merchant = (await registerMerchant(context)).browser;
  buyerFeeShop = await openLiveShop(context, merchant);
  shopFeeShop = await openLiveShop(context, merchant);
  for (const shop of [buyerFeeShop, shopFeeShop]) {
    const patched = await merchant.patch(`/api/cabinet/shops/${shop.id}`, { resultUrl: stub.url });
    expect(patched.statusCode, patched.body).toBe(200);
  }
  const switched = await merchant.patch(`/api/cabinet/shops/${buyerFeeShop.id}`, { isBuyerFee: true });
  expect(switched.statusCode, switched.body).toBe(200);
  expect(switched.json()).toMatchObject({ isBuyerFee: true, isHoldAllowed: false });
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

function resultCall(invId: string) {
  return stub.calls.find((call) => call.fields.get('InvId') === invId)?.fields;
}

function xmlValue(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

async function opState(shop: LiveShop, invId: string) {
  const fields = new URLSearchParams({
    MerchantLogin: shop.merchantLogin,
    InvoiceID: invId,
    Signature: md5(`${shop.merchantLogin}:${invId}:${shop.passwords.password2}`),
  });
  const response = await context.app.inject({ method: 'GET', url: `${SERVICE}/OpStateExt?${fields}` });
  return { incSum: xmlValue(response.body, 'IncSum'), outSum: xmlValue(response.body, 'OutSum') };
}

async function rates(shop: LiveShop, outSum: string): Promise<string[]> {
  const query = new URLSearchParams({
    MerchantLogin: shop.merchantLogin,
    OutSum: outSum,
    IncCurrLabel: 'BankCardPSR',
  });
  const response = await context.app.inject({ method: 'GET', url: `${SERVICE}/GetRates?${query}` });
  return [...response.body.matchAll(/IncSum="([^"]*)"/g)].map((match) => match[1] ?? '');
}

async function calcOutSum(shop: LiveShop, incSum: string): Promise<string | undefined> {
  const query = new URLSearchParams({ MerchantLogin: shop.merchantLogin, IncSum: incSum });
  const response = await context.app.inject({ method: 'GET', url: `${SERVICE}/CalcOutSumm?${query}` });
  return xmlValue(response.body, 'OutSum');
}

describe('the shop setting', () => {
  it('is the merchant’s, audited as a settings change, and refused when not a boolean', async () => {
    const audit = await auditEntries(context, 'shop.settings_changed');
    expect(audit.some((entry) => JSON.stringify(entry.details).includes('isBuyerFee'))).toBe(true);
    const wrong = await merchant.patch(`/api/cabinet/shops/${buyerFeeShop.id}`, { isBuyerFee: 'yes' });
    expect(wrong.statusCode).toBe(422);
    const other = (await registerMerchant(context)).browser;
    const foreign = await other.patch(`/api/cabinet/shops/${buyerFeeShop.id}`, { isBuyerFee: false });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('checkout when the buyer pays the fee', () => {
  it('shows the amount, the fee and the total before paying, in Russian and English', async () => {
    const paymentId = await startPayment(context, buyerFeeShop, '100.00');
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Комиссия');
    expect(page.body).toMatch(/2,99\s₽/);
    expect(page.body).toMatch(/Итого к оплате<\/dt>\s*<dd>102,99\s₽/);
    const english = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index/${paymentId}`,
      headers: { 'accept-language': 'en' },
    });
    expect(english.body).toContain('<dt>Fee</dt>');
    expect(english.body).toMatch(/RUB\s102\.99/);
  });

  it('shows no fee line when the shop pays the fee', async () => {
    const paymentId = await startPayment(context, shopFeeShop, '100.00');
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).not.toContain('Комиссия');
    expect(page.body).toMatch(/100,00\s₽/);
  });
});

describe('a paid payment when the buyer pays the fee', () => {
  it('charges OutSum plus the fee, credits the shop exactly OutSum and the fee to fee revenue', async () => {
    const paid = await pay(context, buyerFeeShop, '100.00');
    const row = await paymentRow(paid.id);
    expect(row).toMatchObject({ amount_minor: 10_000n, buyer_fee_minor: 299n, fee_minor: 299n });
    const attempt = await context.deps.db
      .selectFrom('card_attempts')
      .select('amount_minor')
      .where('payment_id', '=', paid.id)
      .executeTakeFirstOrThrow();
    expect(attempt.amount_minor).toBe(10_299n);
    expect(await netByAccount(context, paid.id)).toEqual({
      'platform:acquirer_clearing:RUB': 10_299n,
      [`shop:${buyerFeeShop.id}:pending:RUB`]: -10_000n,
      'platform:fee_revenue:RUB': -299n,
    });
    expect(await unbalancedTransfers(context)).toBe(0);
    expect(await ledgerTotal(context)).toBe(0n);

    await context.deliverMail();
    const result = resultCall(String(row.inv_id));
    // OutSum stays the merchant's (its signature is over it); Fee is what the shop pays: nothing.
    expect(result?.get('OutSum')).toBe('100.00');
    expect(result?.get('Fee')).toBe('0.00');
    expect(result?.get('SignatureValue')?.toLowerCase()).toBe(
      md5(`100.00:${row.inv_id}:${buyerFeeShop.passwords.password2}`),
    );
    expect(await opState(buyerFeeShop, String(row.inv_id))).toEqual({
      incSum: '102.990000',
      outSum: '100.000000',
    });
  });

  it('refunds up to OutSum, never the fee, and the ledger stays balanced', async () => {
    const paid = await pay(context, buyerFeeShop, '100.00');
    const refunds = `/api/cabinet/operations/${paid.id}/refunds`;
    const tooMuch = await merchant.post(refunds, { amount: '102.99' });
    expect(tooMuch.statusCode, tooMuch.body).toBe(409);
    const whole = await merchant.post(refunds, { amount: '100.00' });
    expect(whole.statusCode, whole.body).toBe(201);
    const net = await netByAccount(context, paid.id);
    expect(net['platform:fee_revenue:RUB']).toBe(-299n);
    expect(net['platform:acquirer_clearing:RUB']).toBe(299n);
    expect(await unbalancedTransfers(context)).toBe(0);
  });

  it('answers GetRates with what the buyer pays and CalcOutSumm with what the shop receives', async () => {
    expect(await rates(buyerFeeShop, '100.00')).toEqual(['102.990000']);
    expect(await calcOutSum(buyerFeeShop, '102.99')).toBe('100.000000');
    // 102.98 does not cover the fee of 100.00: the most it pays for is 99.99.
    expect(await calcOutSum(buyerFeeShop, '102.98')).toBe('99.990000');
  });
});

describe('a paid payment when the shop pays the fee', () => {
  it('charges OutSum and reports the fee in ResultURL, OpStateExt, GetRates and CalcOutSumm', async () => {
    const paid = await pay(context, shopFeeShop, '100.00');
    const row = await paymentRow(paid.id);
    expect(row).toMatchObject({ amount_minor: 10_000n, buyer_fee_minor: null, fee_minor: 290n });
    expect(await netByAccount(context, paid.id)).toEqual({
      'platform:acquirer_clearing:RUB': 10_000n,
      [`shop:${shopFeeShop.id}:pending:RUB`]: -9_710n,
      'platform:fee_revenue:RUB': -290n,
    });
    await context.deliverMail();
    const result = resultCall(String(row.inv_id));
    expect(result?.get('OutSum')).toBe('100.00');
    expect(result?.get('Fee')).toBe('2.90');
    expect(await opState(shopFeeShop, String(row.inv_id))).toEqual({
      incSum: '100.000000',
      outSum: '97.100000',
    });
    expect(await rates(shopFeeShop, '100.00')).toEqual(['100.000000']);
    expect(await calcOutSum(shopFeeShop, '100.00')).toBe('97.100000');
  });
});

describe('holds need the operator’s switch', () => {
  it('refuses StepByStep with error 64 until the operator allows holds, then takes the hold', async () => {
    const { merchantLogin, passwords } = buyerFeeShop;
    const hold = (invId: string) => {
      const signed = [merchantLogin, '50.00', invId, 'true', passwords.password1].join(':');
      const query = new URLSearchParams({
        MerchantLogin: merchantLogin,
        OutSum: '50.00',
        InvId: invId,
        StepByStep: 'true',
        SignatureValue: md5(signed),
      });
      return context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${query}` });
    };
    const refused = await hold('9001');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('64');
    expect(refused.body).toContain('холдирование');
    expect(
      await context.deps.db.selectFrom('payments').select('id').where('inv_id', '=', 9001n).execute(),
    ).toHaveLength(0);

    const operator = await createOperator(context);
    const forbidden = await merchant.post(`/api/backoffice/shops/${buyerFeeShop.id}/holds`, {
      isAllowed: true,
    });
    expect(forbidden.statusCode).toBe(403);
    const allowed = await operator.browser.post(`/api/backoffice/shops/${buyerFeeShop.id}/holds`, {
      isAllowed: true,
    });
    expect(allowed.statusCode, allowed.body).toBe(200);
    expect(allowed.json()).toMatchObject({ isHoldAllowed: true });
    expect(await auditEntries(context, 'shop.holds_allowed')).toHaveLength(1);
    const missing = await operator.browser.post('/api/backoffice/shops/shp_missing/holds', {
      isAllowed: true,
    });
    expect(missing.statusCode).toBe(404);

    const started = await hold('9002');
    expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
    // A hold is charged OutSum: its final amount is known only at capture, so the shop pays the fee.
    const paymentId = paymentIdFrom(started.headers.location as string);
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).not.toContain('Комиссия');
    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
    expect(await paymentRow(paymentId)).toMatchObject({ status: 'held', buyer_fee_minor: null });
  });

  it('is on for the seeded demo shop', async () => {
    await seedDemoData(context.deps);
    const demo = await context.deps.db
      .selectFrom('shops')
      .select('is_hold_allowed')
      .where('merchant_login', '=', DEMO.shop.merchantLogin)
      .executeTakeFirstOrThrow();
    expect(demo.is_hold_allowed).toBe(true);
    const started = await context.app.inject({
      method: 'GET',
      url: holdInitUrl({ invId: '77', outSum: '10.00' }),
    });
    expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  });
});
