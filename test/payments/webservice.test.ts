/** Robokassa's XML web service: operation state, methods, rates and sums, over GET and POST. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashHex } from '../../src/modules/protocol/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  cardForm,
  MerchantStub,
  prepareDemoShop,
  startDemoPayment,
  submitCard,
} from '../support/payments.js';

let context: TestContext;
const stub = new MerchantStub();

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

const SERVICE = '/Merchant/WebService/Service.asmx';

function opState(invoiceId: string, password = 'demo_pass2', method: 'GET' | 'POST' = 'GET') {
  const fields = new URLSearchParams({
    MerchantLogin: 'demo',
    InvoiceID: invoiceId,
    Signature: hashHex('MD5', `demo:${invoiceId}:${password}`),
  });
  return method === 'GET'
    ? context.app.inject({ method: 'GET', url: `${SERVICE}/OpStateExt?${fields.toString()}` })
    : context.app.inject({
        method: 'POST',
        url: `${SERVICE}/OpStateExt`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: fields.toString(),
      });
}

function tag(xml: string, path: string): string | undefined {
  const names = path.split('/');
  let rest = xml;
  for (const name of names) {
    const match = new RegExp(`<${name}(?: [^>]*)?>([\\s\\S]*?)</${name}>`).exec(rest);
    if (!match?.[1]) return undefined;
    rest = match[1];
  }
  return rest.trim();
}

describe('OpStateExt', () => {
  it('reports 5 before payment, 100 once paid and notified, with the operation details and Shp fields', async () => {
    const paymentId = await startDemoPayment(context.app, {
      invId: '501',
      outSum: '99.90',
      shp: { Shp_item: 'book' },
    });
    const before = await opState('501');
    expect(before.headers['content-type']).toContain('text/xml');
    expect(tag(before.body, 'Result/Code')).toBe('0');
    expect(tag(before.body, 'State/Code')).toBe('5');

    await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
    const paidNotNotified = await opState('501', 'demo_pass2', 'POST');
    expect(tag(paidNotNotified.body, 'State/Code')).toBe('50');
    await context.deliverMail();
    const done = await opState('501');
    expect(tag(done.body, 'State/Code')).toBe('100');
    expect(tag(done.body, 'Info/IncSum')).toBe('99.900000');
    expect(tag(done.body, 'Info/IncAccount')).toBe('411111******1111');
    expect(tag(done.body, 'Info/PaymentMethod/Code')).toBe('BankCard');
    expect(tag(done.body, 'Info/OpKey')).toMatch(/^op_/);
    expect(done.body).toContain('<Name>Shp_item</Name>');
    expect(done.body).toContain('<Value>book</Value>');
  });

  it('answers 1 for a wrong signature, 2 for an unknown shop, 3 for an unknown invoice', async () => {
    expect(tag((await opState('501', 'wrong')).body, 'Result/Code')).toBe('1');
    const unknownShop = await context.app.inject({
      method: 'GET',
      url: `${SERVICE}/OpStateExt?MerchantLogin=nobody&InvoiceID=1&Signature=x`,
    });
    expect(tag(unknownShop.body, 'Result/Code')).toBe('2');
    expect(tag((await opState('999999')).body, 'Result/Code')).toBe('3');
  });

  it('finds test payments with the test Password #2, not with the live one', async () => {
    await startDemoPayment(context.app, { invId: '777', isTest: true });
    expect(tag((await opState('777', 'demo_test2')).body, 'State/Code')).toBe('5');
    expect(tag((await opState('777')).body, 'Result/Code')).toBe('3');
  });
});

describe('methods, rates and sums', () => {
  it('lists currencies grouped like Robokassa, in the requested language', async () => {
    const response = await context.app.inject({
      method: 'GET',
      url: `${SERVICE}/GetCurrencies?MerchantLogin=demo&Language=en`,
    });
    expect(response.body).toContain('<Group Code="BankCard" Description="Bank card">');
    expect(response.body).toContain('<Currency Label="BankCardPSR" Alias="BankCard" Name="Bank card" />');
  });

  it('lists payment methods', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: `${SERVICE}/GetPaymentMethods`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'MerchantLogin=demo&Language=ru',
    });
    expect(response.body).toContain('<Method Code="BankCard" Description="Банковская карта"');
  });

  it('computes rates and sums exactly, refusing bad sums with code 5', async () => {
    const rates = await context.app.inject({
      method: 'GET',
      url: `${SERVICE}/GetRates?MerchantLogin=demo&IncCurrLabel=BankCard&OutSum=100.10&Language=ru`,
    });
    expect(rates.body).toMatch(/<Rate IncSum="100.100000"/);
    const sum = await context.app.inject({
      method: 'GET',
      url: `${SERVICE}/CalcOutSumm?MerchantLogin=demo&IncCurrLabel=BankCardPSR&IncSum=250`,
    });
    // The default bank-card tariff is 2.9%: the shop receives 250.00 − 7.25.
    expect(tag(sum.body, 'OutSum')).toBe('242.750000');
    const bad = await context.app.inject({
      method: 'GET',
      url: `${SERVICE}/CalcOutSumm?MerchantLogin=demo&IncSum=1,5`,
    });
    expect(tag(bad.body, 'Result/Code')).toBe('5');
  });

  it('answers 2 for an unknown shop on every method', async () => {
    for (const method of ['GetCurrencies', 'GetPaymentMethods', 'GetRates', 'CalcOutSumm']) {
      const response = await context.app.inject({
        method: 'GET',
        url: `${SERVICE}/${method}?MerchantLogin=nobody&OutSum=1&IncSum=1`,
      });
      expect(tag(response.body, 'Result/Code'), method).toBe('2');
    }
  });
});
