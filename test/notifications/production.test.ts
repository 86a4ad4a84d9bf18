/**
 * In production a notification is never sent to a loopback, private, link-local or CGNAT address,
 * whether the URL names it or a host name resolves to it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotificationDeliveryHandler,
  enqueueNotification,
  NOTIFICATION_QUEUE,
  type NotificationDeliveryOptions,
} from '../../src/modules/notifications/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { startMerchantStub, type MerchantStub } from './merchant-stub.js';

let context: TestContext;
let stub: MerchantStub;

beforeAll(async () => {
  context = await createTestContext({
    NODE_ENV: 'production',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    LOG_LEVEL: 'silent',
  });
  stub = await startMerchantStub(() => ({ body: 'OK5' }));
});
afterAll(async () => {
  await stub?.close();
  await context?.close();
});
afterEach(async () => {
  await context.deps.db
    .updateTable('jobs')
    .set({ state: 'done' })
    .where('queue', '=', NOTIFICATION_QUEUE)
    .where('state', '=', 'pending')
    .execute();
});

function useHandler(options: NotificationDeliveryOptions = {}) {
  context.worker.register(
    NOTIFICATION_QUEUE,
    createNotificationDeliveryHandler(context.deps, { timeoutMs: 1000, ...options }),
  );
}

/** A fetch that records the URLs it was asked for and answers as a merchant would. */
function recordingFetch(body = 'OK5') {
  const urls: string[] = [];
  const fetchImpl: typeof fetch = async (input) => {
    urls.push(String(input));
    return new Response(body);
  };
  return { urls, fetchImpl };
}

async function deliverTo(url: string) {
  const id = await context.deps.db.transaction().execute((trx) =>
    enqueueNotification(trx, context.clock, {
      accountId: 'acc_production',
      subjectId: 'pay_production',
      kind: 'result_url',
      url,
      method: 'POST',
      fields: [['InvId', '5']],
      expectedBody: 'OK5',
    }),
  );
  await context.worker.runDueJobs();
  const notification = await context.deps.db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const attempts = await context.deps.db
    .selectFrom('notification_attempts')
    .selectAll()
    .where('notification_id', '=', id)
    .execute();
  return { notification, attempts };
}

describe('destinations in production', () => {
  it('runs in production mode', () => {
    expect(context.deps.config.isProduction).toBe(true);
  });

  it('refuses a URL on 127.0.0.1 without any request reaching the merchant stub', async () => {
    useHandler();
    const { notification, attempts } = await deliverTo(`${stub.origin}/result`);
    expect(stub.requests).toEqual([]);
    expect(attempts).toMatchObject([
      {
        request_line: `POST ${stub.origin}/result`,
        response_status: null,
        error: 'refused: 127.0.0.1 is a loopback or private address',
        is_success: false,
      },
    ]);
    // Recorded like any failed attempt: retried by the schedule (a DNS record may be fixed meanwhile).
    expect(notification).toMatchObject({ status: 'pending', attempt_count: 1 });
    expect(notification.next_attempt_at).not.toBeNull();
  });

  it('refuses localhost, IPv6 loopback and IPv4-mapped loopback', async () => {
    useHandler();
    for (const host of ['localhost', '[::1]', '[::ffff:127.0.0.1]', '10.0.0.8', '169.254.169.254']) {
      const { attempts } = await deliverTo(`http://${host}:${stub.port}/result`);
      expect(attempts[0]?.error).toMatch(/^refused: /);
    }
    expect(stub.requests).toEqual([]);
  });

  it('refuses a host name that resolves to a private address, among public ones', async () => {
    const fetch = recordingFetch();
    const resolved: string[] = [];
    useHandler({
      fetchImpl: fetch.fetchImpl,
      resolveHost: async (host) => {
        resolved.push(host);
        return ['203.0.113.5', '192.168.1.20'];
      },
    });
    const { attempts } = await deliverTo('https://shop.example.ru/result');
    expect(resolved).toEqual(['shop.example.ru']);
    expect(attempts[0]?.error).toBe('refused: shop.example.ru resolves to the private address 192.168.1.20');
    expect(fetch.urls).toEqual([]);
  });

  it('calls a host name that resolves only to public addresses', async () => {
    const fetch = recordingFetch();
    useHandler({ fetchImpl: fetch.fetchImpl, resolveHost: async () => ['203.0.113.5', '2001:db8::5'] });
    const { notification, attempts } = await deliverTo('https://shop.example.ru/result');
    expect(fetch.urls).toEqual(['https://shop.example.ru/result']);
    expect(attempts[0]).toMatchObject({ is_success: true, response_status: 200 });
    expect(notification.status).toBe('delivered');
  });

  it('records a host name that does not resolve', async () => {
    const fetch = recordingFetch();
    useHandler({
      fetchImpl: fetch.fetchImpl,
      resolveHost: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
      },
    });
    const { attempts } = await deliverTo('https://nowhere.example/result');
    expect(attempts[0]?.error).toBe('cannot resolve nowhere.example: getaddrinfo ENOTFOUND nowhere.example');
    expect(fetch.urls).toEqual([]);
  });

  it('a resolver that never answers is bounded by the timeout', async () => {
    const fetch = recordingFetch();
    useHandler({
      fetchImpl: fetch.fetchImpl,
      resolveHost: () => new Promise<string[]>(() => undefined),
      timeoutMs: 100,
    });
    const { attempts } = await deliverTo('https://slow-dns.example/result');
    expect(attempts[0]?.error).toBe('no answer within 100 ms');
    expect(fetch.urls).toEqual([]);
  });
});
