/**
 * Helpers for webhook tests: API keys and endpoints made the way a merchant makes them (cabinet, JSON
 * API), the JSON API called with a bearer key, and the receiver's signature check written from the
 * documentation alone (node:crypto), never with Kopek's own code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../src/modules/webhooks/index.js';
import type { TestBrowser } from '../support/client.js';
import type { TestContext } from '../support/harness.js';

export interface CreatedEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: string[];
  readonly isEnabled: boolean;
  readonly secret: string;
}

export async function createApiKey(browser: TestBrowser, shopId: string): Promise<string> {
  const response = await browser.post(`/api/cabinet/shops/${shopId}/api-keys`, { name: 'Webhooks' });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { secret: string }).secret;
}

let idempotencyKeys = 0;

/** A JSON API call with the key; POSTs get a fresh Idempotency-Key unless one is given. */
export function callApi(
  context: TestContext,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  key: string,
  options: { body?: unknown; idem?: string } = {},
) {
  idempotencyKeys += 1;
  const idem = options.idem ?? (method === 'POST' ? `webhook-test-${idempotencyKeys}` : undefined);
  return context.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${key}`,
      ...(idem !== undefined ? { 'idempotency-key': idem } : {}),
    },
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
}

export async function createEndpoint(
  context: TestContext,
  key: string,
  url: string,
  events: string[] = [...WEBHOOK_EVENT_TYPES],
): Promise<CreatedEndpoint> {
  const response = await callApi(context, 'POST', '/api/v1/webhook-endpoints', key, {
    body: { url, events },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as CreatedEndpoint;
}

/**
 * The receiver's check, as the README describes it: the header is `t=<unix>,v1=<hex>[,v1=<hex>]`; the
 * hex is HMAC-SHA256, keyed with the secret string, of "<t>.<raw body>"; the timestamp must be at most
 * five minutes away from now. Same logic as the README's example, with "now" passed in for the clock.
 */
export function verifyKopekSignature(
  rawBody: string,
  header: string,
  secret: string,
  nowSeconds = Date.now() / 1000,
  toleranceSeconds = 300,
): boolean {
  const parts = header.split(',').map((part) => part.split('='));
  const timestamp = Number(parts.find(([name]) => name === 't')?.[1]);
  const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  return signatures.some((signature) => {
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export function secondsOf(context: TestContext): number {
  return Math.floor(context.clock.now().getTime() / 1000);
}
