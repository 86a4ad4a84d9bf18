/**
 * Requests Fastify refuses before any handler runs (unparseable JSON, an unsupported content type, a body
 * over the limit, a URL it cannot decode, a path with no route) are answered like every other error: the
 * platform's `{ error: { code, message } }` with a specific code under /api, and the surface's own format
 * on the Robokassa-compatible paths (a payment page, Indexjson's errorCode, an XML Result, the hold,
 * Refund and Invoice APIs' answers).
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
});
afterAll(async () => context?.close());

const TOO_LARGE = 'a'.repeat(1_048_576 + 10);

function errorCodeOf(response: LightMyRequestResponse): string | undefined {
  expect(response.headers['content-type'], response.body.slice(0, 200)).toMatch(/^application\/json/);
  return (response.json() as { error?: { code?: string; message?: string } }).error?.code;
}

function expectPlatformError(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  expect(errorCodeOf(response)).toBe(code);
  expect(typeof (response.json() as { error: { message?: unknown } }).error.message).toBe('string');
}

describe('JSON paths under /api', () => {
  // Fails if: a framework refusal answers Fastify's own {statusCode, error, message} shape, a generic
  // bad_request, or a 5xx, instead of the platform shape with a code a client can act on.
  it('answers malformed and empty JSON with 400 invalid_json', async () => {
    const browser = new TestBrowser(context.app);
    const malformed = await browser.request('POST', '/api/cabinet/sessions', '{"email": ', {
      'content-type': 'application/json',
    });
    expectPlatformError(malformed, 400, 'invalid_json');
    const empty = await browser.request('POST', '/api/cabinet/sessions', '', {
      'content-type': 'application/json',
    });
    expectPlatformError(empty, 400, 'invalid_json');
    const poisoned = await browser.request('POST', '/api/cabinet/sessions', '{"__proto__": {"x": 1}}', {
      'content-type': 'application/json',
    });
    expectPlatformError(poisoned, 400, 'invalid_json');
  });

  it('answers an unsupported content type with 415 unsupported_media_type', async () => {
    const browser = new TestBrowser(context.app);
    const response = await browser.request('POST', '/api/cabinet/sessions', '<login/>', {
      'content-type': 'application/xml',
    });
    expectPlatformError(response, 415, 'unsupported_media_type');
  });

  it('answers a body over the limit with 413 payload_too_large', async () => {
    const browser = new TestBrowser(context.app);
    const response = await browser.request(
      'POST',
      '/api/cabinet/sessions',
      JSON.stringify({ email: TOO_LARGE }),
      {
        'content-type': 'application/json',
      },
    );
    expectPlatformError(response, 413, 'payload_too_large');
  });

  it('answers a path with no route with 404 route_not_found, whatever the method', async () => {
    for (const [method, url] of [
      ['GET', '/api/no-such-thing'],
      ['POST', '/api/v1/no-such-thing'],
      ['DELETE', '/api/cabinet/no-such-thing'],
      ['PUT', '/health'],
    ] as const) {
      const response = await context.app.inject({ method, url });
      expectPlatformError(response, 404, 'route_not_found');
    }
  });

  it('answers a URL with broken percent-encoding with 400 invalid_url', async () => {
    for (const url of ['/api/v1/payments/%E0%A4%A', '/api/cabinet/shops/%zz']) {
      const response = await context.app.inject({ method: 'GET', url });
      expectPlatformError(response, 400, 'invalid_url');
    }
  });

  it('answers in the language the client asked for', async () => {
    const response = await context.app.inject({
      method: 'GET',
      url: '/api/no-such-thing',
      headers: { 'accept-language': 'en' },
    });
    expect((response.json() as { error: { message: string } }).error.message).toMatch(/no such address/);
    const russian = await context.app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect((russian.json() as { error: { message: string } }).error.message).toMatch(/Такого адреса нет/);
  });
});

describe('Robokassa-compatible paths answer in their own format', () => {
  function expectPaymentPage(response: LightMyRequestResponse, status: number, code: number): void {
    expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('<!doctype html>');
    expect(response.body).toMatch(new RegExp(`\\b${code}\\b`));
  }

  // Fails if: a buyer's browser gets a JSON error instead of a payment page.
  it('the payment request and buyer pages answer a payment page with the right status', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expectPaymentPage(
      await context.app.inject({
        method: 'POST',
        url: '/Merchant/Index.aspx',
        headers: { 'content-type': 'application/json' },
        payload: '{"MerchantLogin":',
      }),
      400,
      30,
    );
    expectPaymentPage(
      await context.app.inject({
        method: 'POST',
        url: '/Merchant/Index.aspx',
        headers: { 'content-type': 'application/xml' },
        payload: '<x/>',
      }),
      415,
      30,
    );
    expectPaymentPage(
      await context.app.inject({
        method: 'POST',
        url: '/Merchant/Index.aspx',
        headers: form,
        payload: TOO_LARGE,
      }),
      413,
      30,
    );
    expectPaymentPage(await context.app.inject({ method: 'GET', url: '/Merchant/NoSuchPage' }), 404, 53);
    expectPaymentPage(await context.app.inject({ method: 'GET', url: '/Merchant/Index/%E0%A4%A' }), 400, 30);
  });

  it('Indexjson.aspx answers {errorCode, errorMessage}', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/Merchant/Indexjson.aspx',
      headers: { 'content-type': 'application/json' },
      payload: '{"MerchantLogin":',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ errorCode: 30, errorMessage: expect.any(String) });
  });

  it('the XML web service answers a Result with code 1000 and the reason', async () => {
    const response = await context.app.inject({
      method: 'GET',
      url: '/Merchant/WebService/Service.asmx/%E0%A4%A',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/xml/);
    expect(response.body).toContain('<Code>1000</Code>');
    const tooLarge = await context.app.inject({
      method: 'POST',
      url: '/Merchant/WebService/Service.asmx/GetRates',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: TOO_LARGE,
    });
    expect(tooLarge.body).toMatch(/<RatesList[^>]*>[\s\S]*<Code>1000<\/Code>/);
  });

  it('the hold, Refund and Invoice APIs answer their refusal shapes', async () => {
    const hold = await context.app.inject({
      method: 'POST',
      url: '/Merchant/Payment/Confirm',
      headers: { 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(hold.statusCode).toBe(200);
    expect(hold.body).toBe('"success: false"');

    const refund = await context.app.inject({
      method: 'POST',
      url: '/RefundService/Refund/Create',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify('e'.repeat(70_000)),
    });
    expect(refund.statusCode).toBe(200);
    expect(refund.json()).toEqual({ success: false, message: 'BadRequest', requestId: null });

    const invoice = await context.app.inject({
      method: 'POST',
      url: '/InvoiceServiceWebApi/api/CreateInvoice',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify('e'.repeat(70_000)),
    });
    expect(invoice.statusCode).toBe(200);
    expect(invoice.json()).toMatchObject({ isSuccess: false, message: expect.stringMatching(/too large/) });
  });
});
