/**
 * In production webhooks are never sent to loopback or private addresses: endpoints naming one are
 * refused when configured, and a public name that resolves to one is refused at delivery (after DNS),
 * through the same checks as ResultURL notifications.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDeliveryHandler, WEBHOOK_QUEUE } from '../../src/modules/webhooks/index.js';
import { openLiveShop, pay, type LiveShop } from '../refunds/refund-support.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { callApi, createApiKey, createEndpoint, secondsOf, verifyKopekSignature } from './webhook-support.js';

let context: TestContext;
let shop: LiveShop;
let key: string;

beforeAll(async () => {
  context = await createTestContext({
    NODE_ENV: 'production',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    LOG_LEVEL: 'silent',
  });
  const { browser } = await registerMerchant(context);
  shop = await openLiveShop(context, browser);
  key = await createApiKey(browser, shop.id);
});
afterAll(async () => context?.close());

interface FetchCall {
  readonly url: string;
  readonly init: RequestInit | undefined;
}

/** A fetch that records what it was asked and answers 200, and a resolver that answers as told. */
function useNetwork(addresses: string[]) {
  const calls: FetchCall[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), init });
    return new Response('received');
  };
  context.worker.register(
    WEBHOOK_QUEUE,
    createWebhookDeliveryHandler(context.deps, {
      fetchImpl,
      resolveHost: async () => addresses,
      timeoutMs: 1000,
    }),
  );
  return calls;
}

async function lastAttempt(endpointId: string) {
  const response = await callApi(context, 'GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries`, key);
  const [delivery] = (
    response.json() as { items: { attempts: { error: string | null; isSuccess: boolean }[] }[] }
  ).items;
  return delivery?.attempts.at(-1);
}

describe('webhooks in production', () => {
  it('refuses endpoints that name a loopback or private address', async () => {
    for (const url of ['http://127.0.0.1:8080/hooks', 'https://10.1.2.3/hooks', 'http://localhost/hooks']) {
      const response = await callApi(context, 'POST', '/api/v1/webhook-endpoints', key, {
        body: { url, events: ['payment.paid'] },
      });
      expect(response.statusCode, url).toBe(422);
      expect(response.json()).toMatchObject({ error: { fields: { url: { code: 'private_url' } } } });
    }
  });

  it('refuses at delivery a name that resolves to a private address, and calls a public one', async () => {
    const endpoint = await createEndpoint(context, key, 'https://hooks.merchant.example/kopek', [
      'payment.paid',
    ]);

    // Test payments: production takes no live payment through the sandbox acquirer.
    const refusedCalls = useNetwork(['10.0.0.7']);
    await pay(context, shop, '100.00', { isTest: true });
    await context.worker.drain();
    expect(refusedCalls).toHaveLength(0);
    expect(await lastAttempt(endpoint.id)).toMatchObject({
      isSuccess: false,
      error: expect.stringContaining('private address 10.0.0.7'),
    });

    const calls = useNetwork(['93.184.216.34']);
    await pay(context, shop, '200.00', { isTest: true });
    await context.worker.drain();
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('https://hooks.merchant.example/kopek');
    expect(call?.init?.method).toBe('POST');
    expect(call?.init?.redirect).toBe('manual');
    const headers = call?.init?.headers as Record<string, string>;
    const body = String(call?.init?.body);
    expect(JSON.parse(body)).toMatchObject({ type: 'payment.paid', data: { payment: { amount: '200.00' } } });
    expect(
      verifyKopekSignature(body, headers['Kopek-Signature'] ?? '', endpoint.secret, secondsOf(context)),
    ).toBe(true);
  });
});
