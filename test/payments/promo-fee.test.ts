/** A promo code from registration discounts the fee for its number of days, counted from confirmation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashHex } from '../../src/modules/protocol/index.js';
import { createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, MerchantStub, paymentIdFrom, submitCard } from '../support/payments.js';

let context: TestContext;
const stub = new MerchantStub();

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await context.deps.db
    .insertInto('promo_codes')
    .values({
      code: 'WELCOME',
      description: 'test',
      fee_discount_percent: 10,
      discount_days: 30,
      valid_until: null,
      created_at: new Date(),
    })
    .execute();
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

async function payOnce(merchantLogin: string, invId: string): Promise<string> {
  const base = `${merchantLogin}:250.00:${invId}:own-pass-1`;
  const query = new URLSearchParams({
    MerchantLogin: merchantLogin,
    OutSum: '250.00',
    InvId: invId,
    Description: 'x',
    SignatureValue: hashHex('MD5', base),
  });
  const started = await context.app.inject({
    method: 'GET',
    url: `/Merchant/Index.aspx?${query.toString()}`,
  });
  expect(started.statusCode, started.body).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  await submitCard(context.app, paymentId, cardForm('4111 1111 1111 1111'));
  await context.deliverMail();
  return stub.calls.find((call) => call.fields.get('InvId') === invId)?.fields.get('Fee') ?? '';
}

describe('promo fee discount', () => {
  it('takes 10% off the fee for 30 days after confirmation, then charges the full tariff', async () => {
    const { browser } = await registerMerchant(context, { promoCode: 'WELCOME' });
    const shop = await createShopVia(browser);
    const patched = await browser.patch(`/api/cabinet/shops/${shop.id}`, {
      password1: 'own-pass-1',
      password2: 'own-pass-2',
      resultUrl: stub.url,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    await context.deps.db.updateTable('shops').set({ status: 'active' }).where('id', '=', shop.id).execute();

    // 2.9% of 250.00 is 7.25; 10% of that is 0.725, rounded half away from zero to 0.73.
    expect(await payOnce(shop.merchantLogin, '1')).toBe('6.52');
    context.clock.advanceMs(31 * 24 * 3_600_000);
    expect(await payOnce(shop.merchantLogin, '2')).toBe('7.25');
  });
});
