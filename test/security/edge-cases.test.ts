/**
 * Inputs the fuzz found to cause 5xx before they were fixed: NUL characters (PostgreSQL text cannot hold
 * them), names of Object.prototype's members used as lookup keys, an InvoiceID beyond PostgreSQL's bigint.
 * Also HSTS in production. Fails if any of these answers 5xx or the header is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashHex } from '../../src/modules/protocol/index.js';
import { DEMO } from '../../src/seed.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { demoInitUrl, MerchantStub, prepareDemoShop } from '../support/payments.js';

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

describe('inputs that once caused 5xx', () => {
  it('refuses NUL characters on every surface, changing nothing', async () => {
    const before = await context.deps.db.selectFrom('payments').select('id').execute();
    const requests = [
      { method: 'GET', url: '/Merchant/WebService/Service.asmx/GetRates?MerchantLogin=demo%00&OutSum=1' },
      { method: 'GET', url: '/Merchant/Index.aspx?MerchantLogin=demo%00&OutSum=1&SignatureValue=x' },
      { method: 'GET', url: `${demoInitUrl({ invId: '42' })}&Description=%00` },
      { method: 'GET', url: '/Merchant/Index/pay_%00' },
      { method: 'GET', url: '/api/v1/payments/%00' },
      {
        method: 'POST',
        url: '/api/cabinet/sessions',
        payload: { email: 'a\u0000@b.ru', password: 'x' },
      },
      {
        method: 'POST',
        url: '/Merchant/Payment/Confirm',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'MerchantLogin=demo%00&InvoiceID=1&OutSum=1&SignatureValue=x',
      },
    ] as const;
    for (const request of requests) {
      const response = await context.app.inject(request);
      const what = `${request.method} ${request.url}`;
      if (request.url.includes('/WebService/')) {
        // The web service answers every refusal HTTP 200 with a Result code, as Robokassa does.
        expect(response.statusCode, what).toBe(200);
        expect(response.body, what).toContain('<Code>1000</Code>');
      } else if (request.url.includes('/Payment/Confirm')) {
        expect(response.body, what).toBe('"success: false"');
      } else {
        // 400 from the NUL check, or an earlier refusal (no API key, no CSRF token): never a 5xx.
        expect([400, 401, 403], what).toContain(response.statusCode);
      }
    }
    expect(await context.deps.db.selectFrom('payments').select('id').execute()).toEqual(before);
  });

  it('treats names of Object.prototype members as unknown files and methods', async () => {
    for (const name of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty']) {
      const asset = await context.app.inject({ method: 'GET', url: `/checkout/assets/${name}` });
      expect(asset.statusCode, name).toBe(404);
      const method = await context.app.inject({
        method: 'GET',
        url: `/Merchant/WebService/Service.asmx/${name}`,
      });
      expect(method.statusCode, name).toBe(404);
    }
  });

  it('answers OpStateExt for an InvoiceID beyond bigint as an unknown operation', async () => {
    const invoiceId = '9223372036854775808';
    const signature = hashHex('MD5', `${DEMO.shop.merchantLogin}:${invoiceId}:${DEMO.shop.password2}`);
    const response = await context.app.inject({
      method: 'GET',
      url: `/Merchant/WebService/Service.asmx/OpStateExt?MerchantLogin=demo&InvoiceID=${invoiceId}&Signature=${signature}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/<Code>3<\/Code>/);
  });
});

describe('in production', () => {
  it('sends HSTS on every answer', async () => {
    const production = await createTestContext({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525' });
    try {
      for (const url of ['/health', '/Merchant/Index.aspx', '/api/cabinet/me']) {
        const response = await production.app.inject({ method: 'GET', url });
        expect(response.headers['strict-transport-security'], url).toBe(
          'max-age=31536000; includeSubDomains',
        );
      }
    } finally {
      await production.close();
    }
  });
});
