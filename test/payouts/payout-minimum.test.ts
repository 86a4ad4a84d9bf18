/**
 * The minimum payout: KOPEK_PAYOUT_MINIMUM (validated at boot, default 100.00), a shop's own minimum not
 * below it, and on-demand payouts under the minimum refused with a field error on the amount. This file's
 * installation sets the minimum to 50.00.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { effectiveMinimumMinor } from '../../src/modules/payouts/index.js';
import type { TestBrowser } from '../support/client.js';
import { createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, TEST_MASTER_KEY, type TestContext } from '../support/harness.js';
import { balancesOf, fund, saveBankDetails } from './helpers.js';

type ErrorAnswer = {
  error: { code: string; message: string; fields?: Record<string, { code: string; message: string }> };
};

describe('KOPEK_PAYOUT_MINIMUM', () => {
  const environment = (value?: string) => ({
    NODE_ENV: 'test',
    KOPEK_MASTER_KEY: TEST_MASTER_KEY,
    ...(value === undefined ? {} : { KOPEK_PAYOUT_MINIMUM: value }),
  });

  it.each([
    [undefined, 10_000n],
    ['', 10_000n],
    ['250', 25_000n],
    ['250.5', 25_050n],
    ['0.01', 1n],
    ['1000000.00', 100_000_000n],
  ])('%j is %s minor units', (value, minor) => {
    expect(loadConfig(environment(value)).payoutMinimumMinor).toBe(minor);
  });

  it.each(['0', '0.00', '-1', '1,5', '1.001', '1000000.01', 'abc', ' 100'])(
    'refuses %j, naming the variable',
    (value) => {
      expect(() => loadConfig(environment(value))).toThrow(ConfigError);
      expect(() => loadConfig(environment(value))).toThrow(/KOPEK_PAYOUT_MINIMUM/);
    },
  );

  it('a shop’s own minimum applies only when it is higher', () => {
    expect(effectiveMinimumMinor(10_000n, null)).toBe(10_000n);
    expect(effectiveMinimumMinor(10_000n, 50_000n)).toBe(50_000n);
    // The installation's minimum was raised after the shop chose its own.
    expect(effectiveMinimumMinor(60_000n, 50_000n)).toBe(60_000n);
  });
});

describe('on-demand payouts and the minimum', () => {
  let context: TestContext;
  let admin: TestBrowser;
  let shopId: string;

  beforeAll(async () => {
    context = await createTestContext({ KOPEK_PAYOUT_MINIMUM: '50.00' });
    admin = (await registerMerchant(context)).browser;
    await saveBankDetails(admin);
    shopId = (await createShopVia(admin)).id;
    await fund(context, shopId, 100_000n);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  const payout = (body: Record<string, unknown>) =>
    admin.request('POST', '/api/cabinet/payouts', body, { 'accept-language': 'en' });

  it('the installation’s minimum is what the cabinet shows and what applies', async () => {
    const settings = (await admin.get('/api/cabinet/payout-settings')).json() as {
      platformMinimum: string;
      shops: { effectiveMinimum: string }[];
    };
    expect(settings.platformMinimum).toBe('50.00');
    expect(settings.shops[0]?.effectiveMinimum).toBe('50.00');
    expect((await payout({ shopId, amount: '60.00' })).statusCode).toBe(201);
  });

  it('below it: 422 below_minimum with the problem on the amount field', async () => {
    const response = await payout({ shopId, amount: '49.99' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: {
        code: 'below_minimum',
        message: 'The minimum payout is 50.00 RUB.',
        fields: {
          amount: { code: 'below_minimum', message: "At least 50.00 RUB: the shop's minimum payout." },
        },
      },
    });
    const russian = await admin.post('/api/cabinet/payouts', { shopId, amount: '49.99' });
    expect((russian.json() as ErrorAnswer).error.fields?.amount?.message).toBe(
      'Не меньше 50.00 RUB: это минимальная сумма выплаты для магазина.',
    );
  });

  it('the shop’s own minimum applies to on-demand payouts too; it cannot go below the installation’s', async () => {
    const tooLow = await admin.request('PUT', `/api/cabinet/payout-settings/${shopId}`, {
      frequency: 'off',
      minimum: '49.99',
    });
    expect((tooLow.json() as ErrorAnswer).error.fields?.minimum?.code).toBe('below_platform_minimum');
    const saved = await admin.request('PUT', `/api/cabinet/payout-settings/${shopId}`, {
      frequency: 'off',
      minimum: '500',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const refused = await payout({ shopId, amount: '200.00' });
    expect((refused.json() as ErrorAnswer).error.fields?.amount?.message).toBe(
      "At least 500.00 RUB: the shop's minimum payout.",
    );
    expect((await payout({ shopId, amount: '500.00' })).statusCode).toBe(201);
  });

  it('everything available, when it is below the minimum, says how much there is', async () => {
    const available = (await balancesOf(context, shopId)).availableMinor;
    expect(available).toBe(44_000n);
    const response = await payout({ shopId });
    expect((response.json() as ErrorAnswer).error).toMatchObject({
      code: 'below_minimum',
      fields: {
        amount: {
          code: 'below_minimum',
          message: 'Available: 440.00 RUB, less than the minimum payout of 500.00 RUB.',
        },
      },
    });
  });

  it('more than available: 409 insufficient_funds, also on the amount field', async () => {
    const response = await payout({ shopId, amount: '900.00' });
    expect(response.statusCode).toBe(409);
    expect((response.json() as ErrorAnswer).error).toMatchObject({
      code: 'insufficient_funds',
      fields: { amount: { code: 'insufficient_funds', message: 'Only 440.00 RUB is available for payout.' } },
    });
  });
});
