/**
 * Webhook deliveries against real HTTP servers on loopback and a real PostgreSQL: what a payment's and a
 * refund's state changes send, the signature (checked with node:crypto from the documentation alone),
 * the retry schedule on a moved clock, the transactional outbox (a rollback sends nothing), endpoints
 * that are off or deleted, "send again", and secret rotation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordPaymentEvent } from '../../src/modules/payments/index.js';
import {
  createWebhookDeliveryHandler,
  enqueueWebhookEvents,
  PREVIOUS_SECRET_GRACE_MS,
  WEBHOOK_QUEUE,
} from '../../src/modules/webhooks/index.js';
import { findFreePort, startMerchantStub, type MerchantStub } from '../notifications/merchant-stub.js';
import { openLiveShop, pay, startPayment, type LiveShop } from '../refunds/refund-support.js';
import type { TestBrowser } from '../support/client.js';
import { registerMerchant, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, submitCard } from '../support/payments.js';
import {
  callApi,
  createApiKey,
  createEndpoint,
  secondsOf,
  verifyKopekSignature,
  type CreatedEndpoint,
} from './webhook-support.js';

const MINUTE_MS = 60_000;
const DECLINED_CARD = '4000 0000 0000 0002';

let context: TestContext;
let admin: TestBrowser;
let adminEmail: string;
const stubs: MerchantStub[] = [];

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'error' });
  context.worker.register(WEBHOOK_QUEUE, createWebhookDeliveryHandler(context.deps, { timeoutMs: 1000 }));
  const merchant = await registerMerchant(context);
  admin = merchant.browser;
  adminEmail = merchant.form.email as string;
});
afterAll(async () => context?.close());
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
  // Retries left over from one test must not run in the next one.
  await context.deps.db
    .updateTable('jobs')
    .set({ state: 'done' })
    .where('queue', '=', WEBHOOK_QUEUE)
    .where('state', '=', 'pending')
    .execute();
});

async function startStub(...args: Parameters<typeof startMerchantStub>) {
  const stub = await startMerchantStub(...args);
  stubs.push(stub);
  return stub;
}

/**
 * Every test gets its own shop and key, so endpoints of one test never receive another's events; and
 * a fresh session, because tests move the clock past the session's idle limit.
 */
async function openShopWithKey(): Promise<{ shop: LiveShop; key: string }> {
  admin = await signInBrowser(context, adminEmail);
  const shop = await openLiveShop(context, admin);
  return { shop, key: await createApiKey(admin, shop.id) };
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  paymentId: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  attempts: { responseStatus: number | null; error: string | null; isSuccess: boolean; durationMs: number }[];
}

async function deliveriesOf(key: string, endpoint: CreatedEndpoint): Promise<Delivery[]> {
  const response = await callApi(context, 'GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, key);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { items: Delivery[] }).items;
}

function header(request: MerchantStub['requests'][number], name: string): string {
  const value = request.headers[name];
  if (typeof value !== 'string') throw new Error(`no ${name} header`);
  return value;
}

interface EventBody {
  id: string;
  type: string;
  createdAt: string;
  shopId: string;
  isTest: boolean;
  data: {
    payment: { id: string; status: string; amount: string; currency: string; invId: string };
    refund?: { id: string; amount: string; paymentId: string; status: string };
    reason?: string;
  };
}

function bodyOf(request: MerchantStub['requests'][number]): EventBody {
  return JSON.parse(request.body.toString('utf8')) as EventBody;
}

async function webhookRows(paymentId: string) {
  const db = context.deps.db.withTables<{
    webhook_events: { id: string; subject_id: string; type: string };
  }>();
  return db.selectFrom('webhook_events').selectAll().where('subject_id', '=', paymentId).execute();
}

async function pendingWebhookJobs(): Promise<number> {
  const rows = await context.deps.db
    .selectFrom('jobs')
    .select('id')
    .where('queue', '=', WEBHOOK_QUEUE)
    .where('state', '=', 'pending')
    .execute();
  return rows.length;
}

describe('a delivered webhook', () => {
  it('POSTs payment.paid as JSON with a signature the receiver can verify', async () => {
    const { shop, key } = await openShopWithKey();
    const stub = await startStub(() => ({ body: 'thanks' }));
    const endpoint = await createEndpoint(context, key, `${stub.origin}/hooks?shop=1`, ['payment.paid']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);

    const payment = await pay(context, shop, '1490.00');
    await context.worker.drain();

    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    if (!request) throw new Error('no request');
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks?shop=1');
    expect(header(request, 'content-type')).toMatch(/^application\/json/);
    expect(header(request, 'user-agent')).toBe('Kopek-Webhooks/1');
    const raw = request.body.toString('utf8');
    const signature = header(request, 'kopek-signature');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(signature.startsWith(`t=${secondsOf(context)},`)).toBe(true);
    expect(verifyKopekSignature(raw, signature, endpoint.secret, secondsOf(context))).toBe(true);
    // The check fails for a changed body, another secret, and a delivery older than five minutes.
    expect(
      verifyKopekSignature(raw.replace('1490.00', '1.00'), signature, endpoint.secret, secondsOf(context)),
    ).toBe(false);
    expect(verifyKopekSignature(raw, signature, `${endpoint.secret}x`, secondsOf(context))).toBe(false);
    expect(verifyKopekSignature(raw, signature, endpoint.secret, secondsOf(context) + 301)).toBe(false);

    const event = bodyOf(request);
    expect(event).toMatchObject({
      type: 'payment.paid',
      shopId: shop.id,
      isTest: false,
      createdAt: context.clock.now().toISOString(),
      data: { payment: { id: payment.id, status: 'paid', amount: '1490.00', currency: 'RUB' } },
    });
    expect(event.id).toMatch(/^evt_/);
    expect(header(request, 'kopek-event-id')).toBe(event.id);
    expect(header(request, 'kopek-event-type')).toBe('payment.paid');

    const [delivery] = await deliveriesOf(key, endpoint);
    expect(delivery).toMatchObject({
      eventId: event.id,
      eventType: 'payment.paid',
      paymentId: payment.id,
      status: 'delivered',
      attemptCount: 1,
      nextAttemptAt: null,
    });
    expect(delivery?.attempts).toEqual([
      expect.objectContaining({
        responseStatus: 200,
        responseExcerpt: 'thanks',
        error: null,
        isSuccess: true,
      }),
    ]);
  });

  it('sends payment.created, payment.failed (with the reason) and refund.succeeded to subscribers', async () => {
    const { shop, key } = await openShopWithKey();
    const stub = await startStub(() => ({ status: 204 }));
    await createEndpoint(context, key, `${stub.origin}/all`);

    const declined = await startPayment(context, shop, '300.00');
    const answer = await submitCard(context.app, declined, cardForm(DECLINED_CARD));
    expect(answer.statusCode).toBeLessThan(500);
    const paid = await pay(context, shop, '500.00');
    const refund = await callApi(context, 'POST', `/api/v1/payments/${paid.id}/refunds`, key, {
      body: { amount: '120.50' },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    await context.worker.drain();

    // Deliveries run concurrently: the order of arrival is not promised, each event arrives once.
    const received = stub.requests.map(bodyOf).map((event) => [event.type, event.data.payment.id]);
    expect(received).toHaveLength(5);
    expect(received).toEqual(
      expect.arrayContaining([
        ['payment.created', declined],
        ['payment.failed', declined],
        ['payment.created', paid.id],
        ['payment.paid', paid.id],
        ['refund.succeeded', paid.id],
      ]),
    );
    const failed = stub.requests.map(bodyOf).find((event) => event.type === 'payment.failed');
    expect(failed?.data).toMatchObject({ payment: { status: 'failed' }, reason: expect.any(String) });
    const refunded = stub.requests.map(bodyOf).find((event) => event.type === 'refund.succeeded');
    expect(refunded?.data.refund).toMatchObject({
      id: (refund.json() as { id: string }).id,
      paymentId: paid.id,
      amount: '120.50',
      status: 'finished',
    });
  });

  it('goes only to enabled endpoints subscribed to the event', async () => {
    const { shop, key } = await openShopWithKey();
    const stub = await startStub(() => ({ body: 'ok' }));
    const paidOnly = await createEndpoint(context, key, `${stub.origin}/paid`, ['payment.paid']);
    const refundsOnly = await createEndpoint(context, key, `${stub.origin}/refunds`, ['refund.succeeded']);
    const off = await createEndpoint(context, key, `${stub.origin}/off`, ['payment.paid']);
    const switched = await callApi(context, 'PATCH', `/api/v1/webhook-endpoints/${off.id}`, key, {
      body: { isEnabled: false },
    });
    expect(switched.statusCode, switched.body).toBe(200);

    await pay(context, shop, '100.00');
    await context.worker.drain();
    expect(stub.requests.map((request) => request.url)).toEqual(['/paid']);
    expect(await deliveriesOf(key, paidOnly)).toHaveLength(1);
    expect(await deliveriesOf(key, refundsOnly)).toHaveLength(0);
    expect(await deliveriesOf(key, off)).toHaveLength(0);
  });
});

describe('retries', () => {
  it('retries on the ResultURL schedule while the endpoint is down, then delivers', async () => {
    const { shop, key } = await openShopWithKey();
    const port = await findFreePort();
    const endpoint = await createEndpoint(context, key, `http://127.0.0.1:${port}/hooks`, ['payment.paid']);
    const payment = await pay(context, shop, '250.00');
    const paidAt = context.clock.now();
    await context.worker.drain();

    let [delivery] = await deliveriesOf(key, endpoint);
    expect(delivery).toMatchObject({ status: 'pending', attemptCount: 1, paymentId: payment.id });
    expect(delivery?.attempts[0]).toMatchObject({ responseStatus: null, isSuccess: false });
    expect(delivery?.attempts[0]?.error).toMatch(/ECONNREFUSED|connect/i);
    expect(delivery?.nextAttemptAt).toBe(new Date(paidAt.getTime() + MINUTE_MS).toISOString());

    // Nothing is due before the minute is over.
    context.clock.advanceMs(MINUTE_MS - 1000);
    await context.worker.drain();
    expect((await deliveriesOf(key, endpoint))[0]?.attemptCount).toBe(1);

    // The server comes up answering 500: a failure too, next try 5 minutes later.
    const stub = await startStub(() => ({ status: 500, body: 'database is down' }), port);
    context.clock.advanceMs(1000);
    await context.worker.drain();
    [delivery] = await deliveriesOf(key, endpoint);
    expect(delivery).toMatchObject({ status: 'pending', attemptCount: 2 });
    expect(delivery?.attempts[1]).toMatchObject({
      responseStatus: 500,
      responseExcerpt: 'database is down',
      isSuccess: false,
    });
    expect(delivery?.nextAttemptAt).toBe(
      new Date(context.clock.now().getTime() + 5 * MINUTE_MS).toISOString(),
    );

    stub.respondWith(() => ({ body: 'ok' }));
    context.clock.advanceMs(5 * MINUTE_MS);
    await context.worker.drain();
    [delivery] = await deliveriesOf(key, endpoint);
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 3, nextAttemptAt: null });
    expect(stub.requests).toHaveLength(2);

    // Every attempt carries the same event and body, signed afresh at the time of the attempt.
    const [second, third] = stub.requests;
    if (!second || !third) throw new Error('missing requests');
    expect(header(third, 'kopek-event-id')).toBe(delivery?.eventId);
    expect(header(second, 'kopek-event-id')).toBe(delivery?.eventId);
    expect(third.body.equals(second.body)).toBe(true);
    const signature = header(third, 'kopek-signature');
    expect(signature.startsWith(`t=${secondsOf(context)},`)).toBe(true);
    expect(
      verifyKopekSignature(third.body.toString('utf8'), signature, endpoint.secret, secondsOf(context)),
    ).toBe(true);
  });

  it('gives up after the 72-hour window and marks the delivery failed', async () => {
    const { shop, key } = await openShopWithKey();
    const port = await findFreePort();
    const endpoint = await createEndpoint(context, key, `http://127.0.0.1:${port}/`, ['payment.paid']);
    await pay(context, shop, '10.00');
    const createdMs = context.clock.now().getTime();
    const offsetsMinutes: number[] = [];
    for (let step = 0; step < 20; step += 1) {
      offsetsMinutes.push((context.clock.now().getTime() - createdMs) / MINUTE_MS);
      await context.worker.drain();
      const next = (await deliveriesOf(key, endpoint))[0]?.nextAttemptAt;
      if (!next) break;
      context.clock.set(next);
    }
    // ResultURL's schedule: 0, 1, 6, 21 min, 1 h 21, 4 h 21, 10 h 21, 22 h 21, 46 h 21, 70 h 21.
    expect(offsetsMinutes).toEqual([0, 1, 6, 21, 81, 261, 621, 1341, 2781, 4221]);
    const [delivery] = await deliveriesOf(key, endpoint);
    expect(delivery).toMatchObject({ status: 'failed', nextAttemptAt: null, attemptCount: 10 });
    expect(delivery?.attempts).toHaveLength(10);
    expect(delivery?.attempts.every((attempt) => !attempt.isSuccess)).toBe(true);
  });
});

describe('the transactional outbox', () => {
  it('records nothing when the state change rolls back, and the event when it commits', async () => {
    const { shop, key } = await openShopWithKey();
    const stub = await startStub(() => ({ body: 'ok' }));
    await createEndpoint(context, key, `${stub.origin}/outbox`, ['payment.paid']);
    const paymentId = await startPayment(context, shop, '75.00');
    const jobsBefore = await pendingWebhookJobs();

    const rolledBack = context.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('payments').set({ status: 'paid' }).where('id', '=', paymentId).execute();
      await recordPaymentEvent(trx, context.clock, paymentId, 'paid', {});
      throw new Error('the acquirer outcome could not be recorded');
    });
    await expect(rolledBack).rejects.toThrow('could not be recorded');
    expect(await webhookRows(paymentId)).toHaveLength(0);
    expect(await pendingWebhookJobs()).toBe(jobsBefore);
    await context.worker.drain();
    expect(stub.requests).toHaveLength(0);

    // The same step, committed, records the event and its job (so the check above can fail).
    await context.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('payments').set({ status: 'paid' }).where('id', '=', paymentId).execute();
      await recordPaymentEvent(trx, context.clock, paymentId, 'paid', {});
    });
    expect(await webhookRows(paymentId)).toEqual([expect.objectContaining({ type: 'payment.paid' })]);
    expect(await pendingWebhookJobs()).toBe(jobsBefore + 1);
    await context.worker.drain();
    expect(stub.requests.map(bodyOf).map((event) => event.data.payment.id)).toEqual([paymentId]);
  });

  it('raises no event for steps inside a state (card submitted, 3-D Secure asked)', async () => {
    const { shop, key } = await openShopWithKey();
    const stub = await startStub(() => ({ body: 'ok' }));
    await createEndpoint(context, key, `${stub.origin}/steps`);
    const paymentId = await startPayment(context, shop, '75.00');
    await context.deps.db.transaction().execute(async (trx) => {
      await recordPaymentEvent(trx, context.clock, paymentId, 'card_submitted', {});
      await recordPaymentEvent(trx, context.clock, paymentId, 'challenge_requested', {});
    });
    expect((await webhookRows(paymentId)).map((row) => row.type)).toEqual(['payment.created']);
  });
});

describe('holds (StepByStep)', () => {
  it('maps the hold outcomes to payment.held, payment.paid and payment.released, not the requests', async () => {
    const { shop, key } = await openShopWithKey();
    const stub = await startStub(() => ({ body: 'ok' }));
    await createEndpoint(context, key, `${stub.origin}/holds`, [
      'payment.held',
      'payment.paid',
      'payment.released',
    ]);
    const paymentId = await startPayment(context, shop, '75.00');
    const steps: [string, Record<string, unknown>][] = [
      ['held', { amount: '75.00', releaseAt: '2026-03-09T09:00:00.000Z' }],
      ['hold_capture_requested', {}],
      ['hold_captured', { amount: '70.00', held: '75.00', released: '5.00' }],
      ['hold_release_requested', {}],
      ['hold_released', { amount: '75.00', reason: 'cancelled' }],
    ];
    const eventIds = await context.deps.db.transaction().execute(async (trx) => {
      const ids: (string | undefined)[] = [];
      for (const [kind, details] of steps)
        ids.push(await enqueueWebhookEvents(trx, context.clock, paymentId, kind, details));
      return ids;
    });
    expect(eventIds.map((id) => id !== undefined)).toEqual([true, false, true, false, true]);
    await context.worker.drain();
    const events = stub.requests.map(bodyOf);
    expect(events.map((event) => event.type).sort()).toEqual([
      'payment.held',
      'payment.paid',
      'payment.released',
    ]);
    const byType = new Map(events.map((event) => [event.type, event.data as Record<string, unknown>]));
    expect(byType.get('payment.held')).toMatchObject({
      hold: { amount: '75.00', releaseAt: expect.any(String) },
    });
    expect(byType.get('payment.paid')).toMatchObject({ hold: { held: '75.00', released: '5.00' } });
    expect(byType.get('payment.released')).toMatchObject({ hold: { reason: 'cancelled' } });
  });
});

describe('endpoints that change after the event', () => {
  it('stops the retries of a deleted endpoint, recording why nothing was sent', async () => {
    const { shop, key } = await openShopWithKey();
    const port = await findFreePort();
    const endpoint = await createEndpoint(context, key, `http://127.0.0.1:${port}/gone`, ['payment.paid']);
    await pay(context, shop, '10.00');
    await context.worker.drain();
    const [before] = await deliveriesOf(key, endpoint);
    expect(before).toMatchObject({ status: 'pending', attemptCount: 1 });

    const deleted = await callApi(context, 'DELETE', `/api/v1/webhook-endpoints/${endpoint.id}`, key);
    expect(deleted.statusCode).toBe(204);
    context.clock.advanceMs(MINUTE_MS);
    await context.worker.drain();
    const row = await context.deps.db
      .withTables<{ webhook_deliveries: { id: string; status: string; attempt_count: number } }>()
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', before?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempt_count: 2 });
    const attempts = await context.deps.db
      .withTables<{ webhook_attempts: { delivery_id: string; error: string | null; id: bigint } }>()
      .selectFrom('webhook_attempts')
      .select(['error'])
      .where('delivery_id', '=', row.id)
      .orderBy('id')
      .execute();
    expect(attempts[1]?.error).toBe('not sent: the endpoint was deleted');
  });

  it('sends again on request with the same event id, and a rotated secret signs beside the old one for a day', async () => {
    const { shop, key } = await openShopWithKey();
    const stub = await startStub(() => ({ body: 'ok' }));
    const endpoint = await createEndpoint(context, key, `${stub.origin}/again`, ['payment.paid']);
    await pay(context, shop, '10.00');
    await context.worker.drain();
    const [delivered] = await deliveriesOf(key, endpoint);
    expect(delivered?.status).toBe('delivered');

    const rotated = await callApi(
      context,
      'POST',
      `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`,
      key,
    );
    expect(rotated.statusCode, rotated.body).toBe(200);
    const newSecret = (rotated.json() as { secret: string; previousSecretExpiresAt: string }).secret;
    expect(newSecret).not.toBe(endpoint.secret);

    context.clock.advanceMs(MINUTE_MS);
    const resent = await admin.post(
      `/api/cabinet/shops/${shop.id}/webhook-deliveries/${delivered?.id}/resend`,
    );
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toMatchObject({ id: delivered?.id, status: 'pending' });
    await context.worker.drain();
    expect(stub.requests).toHaveLength(2);
    const again = stub.requests[1];
    if (!again) throw new Error('not sent again');
    expect(header(again, 'kopek-event-id')).toBe(delivered?.eventId);
    const signature = header(again, 'kopek-signature');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const raw = again.body.toString('utf8');
    expect(verifyKopekSignature(raw, signature, newSecret, secondsOf(context))).toBe(true);
    expect(verifyKopekSignature(raw, signature, endpoint.secret, secondsOf(context))).toBe(true);
    const [afterResend] = await deliveriesOf(key, endpoint);
    expect(afterResend).toMatchObject({ status: 'delivered', attemptCount: 2 });

    // A day later the old secret no longer signs.
    context.clock.advanceMs(PREVIOUS_SECRET_GRACE_MS);
    admin = await signInBrowser(context, adminEmail);
    const third = await admin.post(
      `/api/cabinet/shops/${shop.id}/webhook-deliveries/${delivered?.id}/resend`,
    );
    expect(third.statusCode, third.body).toBe(200);
    await context.worker.drain();
    const late = stub.requests[2];
    if (!late) throw new Error('not sent the third time');
    const lateSignature = header(late, 'kopek-signature');
    expect(lateSignature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(
      verifyKopekSignature(late.body.toString('utf8'), lateSignature, newSecret, secondsOf(context)),
    ).toBe(true);
    expect(
      verifyKopekSignature(late.body.toString('utf8'), lateSignature, endpoint.secret, secondsOf(context)),
    ).toBe(false);
  });
});
