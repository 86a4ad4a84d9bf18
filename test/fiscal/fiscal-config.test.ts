/**
 * Fiscal configuration: the provider deadline, the sandbox switch (refused in production), and the
 * sandbox absent from a production app while ATOL's callback route stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createTestContext, TEST_MASTER_KEY, type TestContext } from '../support/harness.js';

const base = { NODE_ENV: 'test', KOPEK_MASTER_KEY: TEST_MASTER_KEY };
const production = { ...base, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525' };

describe('fiscal configuration', () => {
  it('defaults to a 30 s deadline and the sandbox outside production only', () => {
    expect(loadConfig(base)).toMatchObject({ fiscalTimeoutMs: 30_000, isAtolSandboxEnabled: true });
    expect(loadConfig(production)).toMatchObject({ isAtolSandboxEnabled: false });
    expect(loadConfig({ ...base, KOPEK_ATOL_SANDBOX: '0', KOPEK_FISCAL_TIMEOUT_MS: '500' })).toMatchObject({
      fiscalTimeoutMs: 500,
      isAtolSandboxEnabled: false,
    });
  });

  const refused: [string, Record<string, string>][] = [
    ['KOPEK_FISCAL_TIMEOUT_MS', { ...base, KOPEK_FISCAL_TIMEOUT_MS: '50' }],
    ['KOPEK_FISCAL_TIMEOUT_MS', { ...base, KOPEK_FISCAL_TIMEOUT_MS: '2s' }],
    ['KOPEK_ATOL_SANDBOX', { ...base, KOPEK_ATOL_SANDBOX: 'yes' }],
    ['KOPEK_ATOL_SANDBOX', { ...production, KOPEK_ATOL_SANDBOX: '1' }],
  ];
  for (const [variable, environment] of refused)
    it(`refuses ${variable}=${environment[variable]}${environment.NODE_ENV === 'production' ? ' in production' : ''}`, () => {
      expect(() => loadConfig(environment)).toThrow(ConfigError);
      expect(() => loadConfig(environment)).toThrow(variable);
    });
});

describe('a production app', () => {
  let context: TestContext;

  beforeAll(async () => {
    context = await createTestContext({
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      LOG_LEVEL: 'silent',
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  it('has no ATOL sandbox, but takes ATOL callbacks', async () => {
    const token = await context.app.inject({
      method: 'POST',
      url: '/atol-sandbox/possystem/v5/getToken',
      payload: { login: 'v5-online-atol-ru', pass: 'zUr0OxfI' },
    });
    expect(token.statusCode).toBe(404);
    const callback = await context.app.inject({
      method: 'POST',
      url: '/fiscal/atol/callback/fsr_unknown',
      payload: { uuid: 'x' },
    });
    expect(callback.statusCode).toBe(200);
  });
});
