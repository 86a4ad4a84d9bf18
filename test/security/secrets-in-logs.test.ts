/**
 * Secrets never reach the logs. The app runs exactly as in production (buildApp, the job worker), with
 * its logger at level trace writing into a buffer, through a registration, sign-ins (one failed, one
 * with a second factor), a password reset and change, a shop with its passwords set and revealed, an API
 * key used on /api/v1, a webhook endpoint and its secret, fiscal settings, a card payment, refunds from
 * the cabinet, the Refund API and the JSON API, and the delivery of every mail, ResultURL call and
 * webhook. Then every captured line is searched for each secret used on the way: the card number (with
 * and without spaces), the CVC, passwords, shop passwords, the API key, the webhook secret, session
 * cookies, CSRF tokens, e-mailed link tokens, the TOTP secret and recovery codes, the Refund API token.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { generateTotp } from '../../src/modules/accounts/totp.js';
import { hashHex } from '../../src/modules/protocol/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createLogger } from '../../src/platform/logger.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { TestBrowser } from '../support/client.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { registrationForm } from '../support/flows.js';
import {
  RecordingTransport,
  TEST_MASTER_KEY,
  TEST_PUBLIC_URL,
  type TestContext,
} from '../support/harness.js';
import { MerchantStub, paymentIdFrom } from '../support/payments.js';
import { signRefundToken } from '../refunds/refund-support.js';

const CARD_NUMBER = '4111 1111 1111 1111';
const CVC = '737';
const USER_PASSWORD = 'Blue-harbour 8391 lantern';
const NEW_PASSWORD = 'Quiet-meadow 5127 compass';
const RESET_PASSWORD = 'Silver-canyon 6604 orchard';
const WRONG_PASSWORD = 'Wrong-guess 4411 pebble';
const SHOP_PASSWORDS = {
  password1: 'ShopOne-Zq8wX3kP',
  password2: 'ShopTwo-Lm4vB7nR',
  password3: 'ShopThree-Hd2sG9tY',
  testPassword1: 'TestOne-Pw6cJ1qE',
  testPassword2: 'TestTwo-Ux5yK8mA',
};
const ATOL_PASSWORD = 'Atol-secret-Vb3nM7xQ';

const lines: string[] = [];
const stub = new MerchantStub();
let database: TestDatabase;
let runtime: Runtime;
let context: TestContext;
/** Every secret the flows below create or use, named for the failure message. */
const secrets = new Map<string, string>();

function remember(name: string, value: string | undefined): void {
  expect(value, name).toBeTruthy();
  secrets.set(name, value ?? '');
}

function rememberCookies(browser: TestBrowser, label: string): void {
  const session = browser.cookie('kopek_session');
  if (session) secrets.set(`session cookie (${label})`, session);
  const csrf = browser.cookie('kopek_csrf');
  if (csrf) secrets.set(`CSRF token (${label})`, csrf);
}

beforeAll(async () => {
  await stub.start();
  database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    KOPEK_MASTER_KEY: TEST_MASTER_KEY,
    PUBLIC_URL: TEST_PUBLIC_URL,
  });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const mail = new RecordingTransport();
  runtime = await openRuntime(config, {
    clock,
    mailTransport: mail,
    logger: createLogger('trace', destination),
    signInFailureDelayMs: 0,
  });
  const app = await buildApp(runtime.deps, { webRoot: '/nonexistent' });
  context = {
    deps: runtime.deps,
    app,
    clock,
    worker: runtime.worker,
    mail,
    deliverMail: () => runtime.worker.drain(),
    close: async () => {
      await app.close();
      await runtime.close();
      await database.drop();
    },
  };
}, 60_000);
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

async function ok(response: { statusCode: number; body: string; json(): unknown }, status = 200) {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  return response.body === '' ? {} : (response.json() as Record<string, unknown>);
}

/** Registration, confirmation, a failed and a good sign-in, two-factor, a reset and a change of password. */
async function runAccountFlows() {
  const form = registrationForm();
  const browser = new TestBrowser(context.app);
  await ok(await browser.post('/api/cabinet/registrations', form), 201);
  await context.deliverMail();
  const confirmation = context.mail.lastLinkTo(form.email as string);
  remember('confirmation link token', confirmation);
  await ok(await browser.get(`/api/cabinet/email-links/${confirmation}`));
  await ok(
    await browser.post(`/api/cabinet/email-links/${confirmation}/complete`, { password: USER_PASSWORD }),
  );
  rememberCookies(browser, 'registration');

  const stranger = new TestBrowser(context.app);
  expect(
    (await stranger.post('/api/cabinet/sessions', { email: form.email, password: WRONG_PASSWORD }))
      .statusCode,
  ).toBe(401);
  const signedIn = new TestBrowser(context.app);
  await ok(await signedIn.post('/api/cabinet/sessions', { email: form.email, password: USER_PASSWORD }));
  rememberCookies(signedIn, 'sign-in');

  const setup = await ok(await signedIn.post('/api/cabinet/me/totp/setup'));
  remember('TOTP secret', setup.secret as string);
  const enabled = await ok(
    await signedIn.post('/api/cabinet/me/totp/enable', {
      code: generateTotp(setup.secret as string, context.clock.now()),
    }),
  );
  const recoveryCodes = enabled.recoveryCodes as string[];
  recoveryCodes.forEach((code, index) => remember(`recovery code ${index + 1}`, code));
  context.clock.advanceMs(60_000);
  const withTotp = new TestBrowser(context.app);
  await ok(
    await withTotp.post('/api/cabinet/sessions', {
      email: form.email,
      password: USER_PASSWORD,
      totpCode: generateTotp(setup.secret as string, context.clock.now()),
    }),
  );
  rememberCookies(withTotp, 'two-factor sign-in');
  const withRecovery = new TestBrowser(context.app);
  await ok(
    await withRecovery.post('/api/cabinet/sessions', {
      email: form.email,
      password: USER_PASSWORD,
      totpCode: recoveryCodes[0],
    }),
  );

  await ok(
    await withTotp.post('/api/cabinet/me/password', {
      currentPassword: USER_PASSWORD,
      newPassword: NEW_PASSWORD,
    }),
    204,
  );
  const reset = new TestBrowser(context.app);
  await ok(await reset.post('/api/cabinet/password-resets', { email: form.email }), 202);
  await context.deliverMail();
  const resetToken = context.mail.lastLinkTo(form.email as string);
  remember('password reset link token', resetToken);
  await reset.get(`/api/cabinet/email-links/${resetToken}`);
  await reset.post(`/api/cabinet/email-links/${resetToken}/complete`, { password: RESET_PASSWORD });

  context.clock.advanceMs(60_000);
  const admin = new TestBrowser(context.app);
  await ok(
    await admin.post('/api/cabinet/sessions', {
      email: form.email,
      password: RESET_PASSWORD,
      totpCode: generateTotp(setup.secret as string, context.clock.now()),
    }),
  );
  rememberCookies(admin, 'after reset');
  return admin;
}

/** A live shop with its passwords, an API key, a webhook endpoint and fiscal settings. */
async function runShopFlows(admin: TestBrowser) {
  const shop = await ok(
    await admin.post('/api/cabinet/shops', {
      name: 'Logged shop',
      siteUrl: 'https://logged.example.ru',
      merchantLogin: `logged_${process.pid % 1000}`,
    }),
    201,
  );
  const shopId = shop.id as string;
  await ok(
    await admin.patch(`/api/cabinet/shops/${shopId}`, {
      ...SHOP_PASSWORDS,
      resultUrl: stub.url,
      resultMethod: 'POST',
    }),
  );
  await context.deps.db.updateTable('shops').set({ status: 'active' }).where('id', '=', shopId).execute();
  await ok(await admin.post(`/api/cabinet/shops/${shopId}/passwords/reveal`, { password: RESET_PASSWORD }));

  const key = await ok(
    await admin.post(`/api/cabinet/shops/${shopId}/api-keys`, { name: 'Logged key' }),
    201,
  );
  remember('API key', key.secret as string);
  await ok(
    await context.app.inject({
      method: 'GET',
      url: '/api/v1/payments',
      headers: { authorization: `Bearer ${key.secret}` },
    }),
  );

  const endpoint = await ok(
    await admin.post(`/api/cabinet/shops/${shopId}/webhook-endpoints`, {
      url: stub.url.replace('/result', '/hooks'),
      events: ['payment.paid', 'refund.succeeded'],
    }),
    201,
  );
  remember('webhook secret', endpoint.secret as string);
  await ok(
    await admin.post(`/api/cabinet/shops/${shopId}/webhook-endpoints/${endpoint.id}/reveal-secret`, {
      password: RESET_PASSWORD,
    }),
  );

  await ok(
    await admin.request('PUT', `/api/cabinet/shops/${shopId}/fiscal-settings`, {
      provider: 'atol',
      baseUrl: 'https://testonline.atol.ru/possystem/v5',
      login: 'logged-login',
      password: ATOL_PASSWORD,
      groupCode: 'logged-group',
      companyInn: '7707083893',
      paymentAddress: 'https://logged.example.ru',
      sno: 'usn_income',
      companyEmail: 'shop@logged.example.ru',
    }),
  );
  // Fiscal registration is not part of this flow: the settings are turned off before any payment.
  await ok(await admin.request('PUT', `/api/cabinet/shops/${shopId}/fiscal-settings`, { provider: 'none' }));
  return { shopId, merchantLogin: shop.merchantLogin as string, apiKey: key.secret as string };
}

/** A card payment, then refunds from the cabinet, the Refund API and the JSON API, and every delivery. */
async function runPaymentFlows(admin: TestBrowser, shop: { merchantLogin: string; apiKey: string }) {
  const invId = '4242';
  const query = new URLSearchParams({
    MerchantLogin: shop.merchantLogin,
    OutSum: '1500.00',
    InvId: invId,
    Description: 'Logged order',
    Email: 'buyer@example.ru',
    SignatureValue: hashHex('MD5', `${shop.merchantLogin}:1500.00:${invId}:${SHOP_PASSWORDS.password1}`),
  });
  const started = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${query}` });
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  const paymentId = paymentIdFrom(started.headers.location as string);
  await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
  const card = await context.app.inject({
    method: 'POST',
    url: `/Merchant/Index/${paymentId}/card`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      cardNumber: CARD_NUMBER,
      expiry: '12/30',
      cvc: CVC,
      submissionKey: 'logged-key',
    }).toString(),
  });
  expect(card.statusCode, card.body.slice(0, 300)).toBe(303);
  const payment = await context.deps.db
    .selectFrom('payments')
    .select(['status', 'op_key'])
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  expect(payment.status).toBe('paid');

  await ok(await admin.post(`/api/cabinet/operations/${paymentId}/refunds`, { amount: '10.00' }), 201);
  const token = signRefundToken({ OpKey: payment.op_key, RefundSum: 20 }, SHOP_PASSWORDS.password3);
  remember('Refund API token', token);
  remember('Refund API token signature', token.split('.')[2]);
  const refund = await context.app.inject({
    method: 'POST',
    url: '/RefundService/Refund/Create',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(token),
  });
  expect((refund.json() as { success: boolean }).success, refund.body).toBe(true);
  const bad = signRefundToken({ OpKey: payment.op_key, RefundSum: 20 }, 'not-password-3');
  await context.app.inject({
    method: 'POST',
    url: '/RefundService/Refund/Create',
    headers: { 'content-type': 'text/plain' },
    payload: bad,
  });
  await ok(
    await context.app.inject({
      method: 'POST',
      url: `/api/v1/payments/${paymentId}/refunds`,
      headers: { authorization: `Bearer ${shop.apiKey}`, 'idempotency-key': 'logged-refund' },
      payload: { amount: '30.00' },
    }),
    201,
  );
  await context.deliverMail();
  expect(stub.calls.length, 'the ResultURL and webhook calls were made').toBeGreaterThan(0);
}

describe('secrets in logs', () => {
  // Fails if: any secret used by the flows appears anywhere in what the logger wrote, in any form the
  // code might log it (as sent, without the spaces of a card number, form-encoded).
  it('never writes a card number, CVC, password, key, token or cookie into the logs, even at trace level', async () => {
    const admin = await runAccountFlows();
    const shop = await runShopFlows(admin);
    await runPaymentFlows(admin, shop);
    rememberCookies(admin, 'admin at the end');

    const text = lines.join('');
    // The capture works and saw the flows: requests, the card form, the worker.
    expect(lines.length).toBeGreaterThan(50);
    expect(text).toContain('/card');
    expect(text).toContain('incoming request');

    const named = new Map<string, string>([
      ['card number', CARD_NUMBER],
      ['card number without spaces', CARD_NUMBER.replaceAll(' ', '')],
      ['card number form-encoded', CARD_NUMBER.replaceAll(' ', '+')],
      ['card number URL-encoded', CARD_NUMBER.replaceAll(' ', '%20')],
      ['password', USER_PASSWORD],
      ['new password', NEW_PASSWORD],
      ['reset password', RESET_PASSWORD],
      ['wrong password', WRONG_PASSWORD],
      ['ATOL password', ATOL_PASSWORD],
      ...Object.entries(SHOP_PASSWORDS).map(([name, value]) => [`shop ${name}`, value] as [string, string]),
      ...secrets,
    ]);
    const leaks = [...named].filter(([, value]) => text.includes(value)).map(([name]) => name);
    expect(leaks).toEqual([]);

    // The CVC is three digits: look for it as a value on its own, once the fields that hold numbers
    // by nature (time, pid, request ids, durations) are set aside.
    const cvcPattern = new RegExp(`(?<![0-9A-Za-z])${CVC}(?![0-9A-Za-z])`);
    const cvcLines = lines
      .map((line) => {
        try {
          const {
            time: _time,
            pid: _pid,
            reqId: _reqId,
            responseTime: _duration,
            ...rest
          } = JSON.parse(line) as Record<string, unknown>;
          return JSON.stringify(rest);
        } catch {
          return line;
        }
      })
      .filter((line) => cvcPattern.test(line));
    expect(cvcLines).toEqual([]);
  });
});
