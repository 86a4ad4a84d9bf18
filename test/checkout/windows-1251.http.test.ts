/**
 * A legacy integration with Encoding=windows-1251: its Description and Shp_ values arrive as windows-1251
 * escapes and its signature is over windows-1251 bytes. Kopek shows the Cyrillic text intact and
 * keeps the Shp_ value for the ResultURL, over GET and over a POST form.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWindows1251 } from '../../src/modules/protocol/windows-1251.js';
import { DEMO } from '../../src/seed.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { MerchantStub, paymentIdFrom, prepareDemoShop } from '../support/payments.js';

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

function escape1251(text: string): string {
  const bytes = encodeWindows1251(text) as Buffer;
  return [...bytes]
    .map((byte) =>
      /[A-Za-z0-9._-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : '%' + byte.toString(16).toUpperCase().padStart(2, '0'),
    )
    .join('');
}

/** The request a windows-1251 PHP site builds: every value escaped as windows-1251, MD5 over those bytes. */
function legacyRequest(invId: string, shpItem: string): string {
  const base = `${DEMO.shop.merchantLogin}:15.00:${invId}:${DEMO.shop.password1}:Shp_item=${shpItem}`;
  const signature = createHash('md5')
    .update(encodeWindows1251(base) as Buffer)
    .digest('hex');
  return [
    `MerchantLogin=${DEMO.shop.merchantLogin}`,
    'OutSum=15.00',
    `InvId=${invId}`,
    `Description=${escape1251('Чайник «Заря» — 1 шт.')}`,
    `Shp_item=${escape1251(shpItem)}`,
    'Encoding=windows-1251',
    `SignatureValue=${signature}`,
  ].join('&');
}

async function expectIntactPayment(location: string | undefined) {
  const paymentId = paymentIdFrom(location);
  const payment = await context.deps.db
    .selectFrom('payments')
    .select(['description', 'shp'])
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  expect(payment.description).toBe('Чайник «Заря» — 1 шт.');
  expect(payment.shp).toEqual([['Shp_item', 'Синий']]);
  const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
  expect(page.body).toContain('Чайник «Заря» — 1 шт.');
}

describe('Encoding=windows-1251', () => {
  it('accepts a GET request and decodes its values as windows-1251', async () => {
    const response = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index.aspx?${legacyRequest('7001', 'Синий')}`,
    });
    expect(response.statusCode).toBe(303);
    await expectIntactPayment(response.headers.location);
  });

  it('accepts a POST form the same way', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/Merchant/Index.aspx',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: legacyRequest('7002', 'Синий'),
    });
    expect(response.statusCode).toBe(303);
    await expectIntactPayment(response.headers.location);
  });

  it('refuses the same request with error 29 when the Encoding declaration is missing', async () => {
    const request = legacyRequest('7003', 'Синий').replace('&Encoding=windows-1251', '');
    const response = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${request}` });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('29');
  });
});
