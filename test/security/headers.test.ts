/**
 * Security headers: a strict CSP (no inline script, no framing, no base or plugin tricks) on every
 * checkout page; framing refused on the cabinet (X-Frame-Options and frame-ancestors); no x-powered-by on
 * any surface; and in production, cookies that are Secure, HttpOnly where script needs no access, and
 * SameSite, with the development-only pages gone.
 *
 * Not covered here, and reported instead: Strict-Transport-Security is not sent, in production or
 * otherwise (no route or hook in src/ sets it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { DEMO } from '../../src/seed.js';
import { createOperator } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { demoInitUrl, MerchantStub, prepareDemoShop, startDemoPayment } from '../support/payments.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(response: LightMyRequestResponse): Map<string, string[]> {
  const header = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

/**
 * A checkout page's CSP: nothing by default, script and style only from Kopek itself (no inline script,
 * no eval), no framing by other sites, no <base> or plugin tricks; plus nosniff and no referrer.
 */
function expectCheckoutPolicy(response: LightMyRequestResponse, what: string): void {
  const csp = directives(response);
  expect(csp.get('default-src'), what).toEqual(["'none'"]);
  expect(csp.get('script-src'), what).toEqual(["'self'"]);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'none'"]);
  expect(csp.get('form-action')?.[0], what).toBe("'self'");
  expect(response.headers['x-content-type-options'], what).toBe('nosniff');
  expect(response.headers['referrer-policy'], what).toBe('no-referrer');
  expect(response.headers['x-powered-by'], what).toBeUndefined();
}

describe('in development and test', () => {
  const stub = new MerchantStub();
  let context: TestContext;
  let cabinetApp: FastifyInstance;
  let webRoot: string;

  beforeAll(async () => {
    await stub.start();
    context = await createTestContext({ LOG_LEVEL: 'silent' });
    await prepareDemoShop(context, stub);
    // The cabinet as a built SPA: an index.html in a web root of its own, served by a second app.
    webRoot = mkdtempSync(path.join(tmpdir(), 'kopek-web-'));
    writeFileSync(
      path.join(webRoot, 'index.html'),
      '<!doctype html><title>Kopek</title><div id="root"></div>',
    );
    cabinetApp = await buildApp(context.deps, { webRoot });
  });
  afterAll(async () => {
    await cabinetApp?.close();
    await context?.close();
    await stub.stop();
    rmSync(webRoot, { recursive: true, force: true });
  });

  // Fails if: a checkout page loses a directive that keeps injected script from running or the page
  // from being framed (clickjacking the card form).
  it('sends the strict CSP on the payment page, the error page, the card form answer and the payment-link page', async () => {
    const paymentId = await startDemoPayment(context.app, { invId: '8101' });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expectCheckoutPolicy(page, 'payment page');
    expect(page.headers['cache-control']).toBe('no-store');

    const refused = await context.app.inject({ method: 'GET', url: `${demoInitUrl({ invId: '8102' })}0` });
    expect(refused.statusCode).toBe(400);
    expectCheckoutPolicy(refused, 'error page');

    const form = await context.app.inject({
      method: 'POST',
      url: `/Merchant/Index/${paymentId}/card`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'cardNumber=1&expiry=1&cvc=1',
    });
    expect(form.statusCode).toBe(422);
    expectCheckoutPolicy(form, 'refused card form');

    const unknown = await context.app.inject({ method: 'GET', url: '/Merchant/Index/pay_unknown' });
    expect(unknown.statusCode).toBe(404);
    expectCheckoutPolicy(unknown, 'unknown payment');

    const link = await context.app.inject({ method: 'GET', url: '/merchant/Invoice/unknown-link' });
    expect(link.statusCode).toBe(404);
    expectCheckoutPolicy(link, 'payment-link page');

    const back = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}/return` });
    expect(back.statusCode).toBe(200);
    expectCheckoutPolicy(back, 'return page');
    // The way back posts to the shop: its origin, and only it, joins form-action.
    expect(directives(back).get('form-action')).toEqual(["'self'", 'http://kopek.test']);
  });

  // Fails if: the cabinet can be framed by another site (clickjacking a refund or a password reveal).
  it('refuses framing of the cabinet with X-Frame-Options and frame-ancestors', async () => {
    for (const url of ['/', '/cabinet', '/cabinet/operations', '/login', '/backoffice']) {
      const response = await cabinetApp.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      expect(directives(response).get('frame-ancestors'), url).toEqual(["'none'"]);
      expect(directives(response).get('script-src'), url).toEqual(["'self'"]);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
    }
  });

  // Fails if: any surface announces its framework (x-powered-by) to help an attacker pick exploits.
  it('sends no x-powered-by on any surface', async () => {
    const requests = [
      { method: 'GET', url: '/health' },
      { method: 'GET', url: demoInitUrl({ invId: '8103' }) },
      { method: 'GET', url: '/Merchant/WebService/Service.asmx/GetCurrencies?MerchantLogin=demo' },
      { method: 'GET', url: '/RefundService/Refund/GetState?id=x' },
      { method: 'POST', url: '/RefundService/Refund/Create', payload: 'x' },
      { method: 'GET', url: '/api/v1/payments' },
      { method: 'GET', url: '/api/cabinet/me' },
      { method: 'GET', url: '/api/openapi.json' },
      { method: 'GET', url: '/demo-store' },
      { method: 'GET', url: '/checkout/assets/checkout.css' },
      { method: 'GET', url: '/.well-known/jwks.json' },
    ] as const;
    for (const request of requests) {
      const response = await context.app.inject(request);
      expect(response.statusCode, request.url).toBeLessThan(500);
      expect(response.headers['x-powered-by'], request.url).toBeUndefined();
      expect(response.headers.server, request.url).toBeUndefined();
    }
    const spa = await cabinetApp.inject({ method: 'GET', url: '/cabinet' });
    expect(spa.headers['x-powered-by']).toBeUndefined();
  });
});

describe('in production', () => {
  let context: TestContext;

  beforeAll(async () => {
    context = await createTestContext({
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      LOG_LEVEL: 'silent',
    });
  });
  afterAll(() => context?.close());

  // Fails if: a session or CSRF cookie can travel over plain HTTP, the session cookie is readable by
  // script, or either is sent on cross-site requests.
  it('marks the session cookie Secure, HttpOnly and SameSite=Lax, and the CSRF cookie Secure', async () => {
    const csrf = await context.app.inject({ method: 'GET', url: '/api/cabinet/csrf' });
    const csrfCookie = csrf.cookies.find((cookie) => cookie.name === 'kopek_csrf');
    expect(csrfCookie).toMatchObject({ secure: true, sameSite: 'Lax' });
    expect(csrfCookie?.httpOnly ?? false).toBe(false);

    const operator = await createOperator(context);
    expect(operator.browser.cookie('kopek_session')).toBeDefined();
    const signIn = await context.app.inject({
      method: 'POST',
      url: '/api/cabinet/sessions',
      headers: { cookie: `kopek_csrf=${csrfCookie?.value}`, 'x-csrf-token': csrfCookie?.value ?? '' },
      payload: { email: operator.email, password: 'correct horse battery' },
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const session = signIn.cookies.find((cookie) => cookie.name === 'kopek_session');
    expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
  });

  // Fails if: development helpers (the mailbox with every e-mailed link, the demo store with the demo
  // shop's passwords) are reachable in production.
  it('serves neither the development mailbox nor the demo store', async () => {
    for (const url of ['/dev/mailbox', '/dev/mailbox.json', '/demo-store']) {
      const response = await context.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).not.toBe(200);
      expect(response.body, url).not.toContain(DEMO.shop.password1);
    }
    const post = await context.app.inject({ method: 'POST', url: '/demo-store/orders' });
    expect(post.statusCode).toBe(404);
  });
});
