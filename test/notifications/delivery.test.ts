/**
 * Delivery of merchant notifications against real HTTP servers on loopback and a real PostgreSQL:
 * acknowledgement rules, the retry schedule, wire formats, the transactional outbox, restarts, "send
 * again" and its stale jobs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotificationDeliveryHandler,
  enqueueNotification,
  isSubjectNotified,
  listNotificationsForSubject,
  NOTIFICATION_QUEUE,
  resendNotification,
  type NewNotification,
} from '../../src/modules/notifications/index.js';
import { JobWorker } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { findFreePort, startMerchantStub, type MerchantStub } from './merchant-stub.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const TIMEOUT_MS = 300;
const ACCOUNT_ID = 'acc_notify_a';

let context: TestContext;
const stubs: MerchantStub[] = [];

beforeAll(async () => {
  context = await createTestContext();
  context.worker.register(
    NOTIFICATION_QUEUE,
    createNotificationDeliveryHandler(context.deps, { timeoutMs: TIMEOUT_MS }),
  );
});
afterAll(async () => context?.close());
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
  // Retries left over from one test must not run in the next one.
  await context.deps.db
    .updateTable('jobs')
    .set({ state: 'done' })
    .where('queue', '=', NOTIFICATION_QUEUE)
    .where('state', '=', 'pending')
    .execute();
});

async function startStub(...args: Parameters<typeof startMerchantStub>) {
  const stub = await startMerchantStub(...args);
  stubs.push(stub);
  return stub;
}

let subjects = 0;
function newNotification(stub: { origin: string }, overrides: Partial<NewNotification> = {}) {
  subjects += 1;
  return {
    accountId: ACCOUNT_ID,
    subjectId: `pay_subject${subjects}`,
    kind: 'result_url',
    url: `${stub.origin}/result`,
    method: 'POST',
    fields: [
      ['OutSum', '100.00'],
      ['InvId', '123'],
      ['SignatureValue', 'ABCDEF'],
    ],
    expectedBody: 'OK123',
    ...overrides,
  } satisfies NewNotification;
}

async function enqueue(notification: NewNotification): Promise<string> {
  return context.deps.db
    .transaction()
    .execute((trx) => enqueueNotification(trx, context.clock, notification));
}

async function notificationRow(id: string) {
  return context.deps.db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function attemptsOf(id: string) {
  return context.deps.db
    .selectFrom('notification_attempts')
    .selectAll()
    .where('notification_id', '=', id)
    .orderBy('id')
    .execute();
}

async function pendingJobsOf(id: string) {
  const jobs = await context.deps.db
    .selectFrom('jobs')
    .selectAll()
    .where('queue', '=', NOTIFICATION_QUEUE)
    .where('state', '=', 'pending')
    .orderBy('id')
    .execute();
  return jobs.filter((job) => (job.payload as { notificationId: string }).notificationId === id);
}

const runDueJobs = () => context.worker.runDueJobs();

describe('a successful delivery', () => {
  it('is delivered when the merchant answers OK123, with the attempt on record', async () => {
    const stub = await startStub(() => ({ body: 'OK123' }));
    const notification = newNotification(stub);
    const id = await enqueue(notification);
    expect(id).toMatch(/^ntf_[0-9a-z]{20}$/);
    expect(await notificationRow(id)).toMatchObject({
      status: 'pending',
      attempt_count: 0,
      next_attempt_at: context.clock.now(),
      delivered_at: null,
    });
    expect(await isSubjectNotified(context.deps.db, notification.subjectId, 'result_url')).toBe(false);

    await runDueJobs();

    expect(stub.requests).toHaveLength(1);
    expect(await notificationRow(id)).toMatchObject({
      status: 'delivered',
      attempt_count: 1,
      next_attempt_at: null,
      delivered_at: context.clock.now(),
    });
    const [attempt, ...others] = await attemptsOf(id);
    expect(others).toEqual([]);
    expect(attempt).toMatchObject({
      started_at: context.clock.now(),
      request_line: `POST ${stub.origin}/result`,
      response_status: 200,
      response_excerpt: 'OK123',
      error: null,
      is_success: true,
    });
    expect(attempt?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(await pendingJobsOf(id)).toEqual([]);
    expect(await isSubjectNotified(context.deps.db, notification.subjectId, 'result_url')).toBe(true);

    await runDueJobs();
    context.clock.advanceMs(80 * HOUR_MS);
    await runDueJobs();
    expect(stub.requests).toHaveLength(1);
  });

  it('accepts the acknowledgement with surrounding whitespace and a byte order mark', async () => {
    const stub = await startStub(() => ({ body: '\uFEFFOK123\r\n' }));
    const id = await enqueue(newNotification(stub));
    await runDueJobs();
    expect((await notificationRow(id)).status).toBe('delivered');
  });

  it('lists the notifications of a subject with their attempts, scoped to the account', async () => {
    const stub = await startStub();
    stub.respondInTurn({ status: 503, body: 'Service Unavailable' }, { body: 'OK123' });
    const notification = newNotification(stub, { method: 'GET' });
    const id = await enqueue(notification);
    await runDueJobs();
    const createdAt = context.clock.now();
    context.clock.advanceMs(MINUTE_MS);
    await runDueJobs();
    const otherId = await enqueue({ ...notification, expectedBody: 'OK999' });

    const views = await listNotificationsForSubject(context.deps.db, ACCOUNT_ID, notification.subjectId);
    expect(views.map((view) => view.id)).toEqual([id, otherId]);
    expect(views[0]).toEqual({
      id,
      kind: 'result_url',
      url: `${stub.origin}/result`,
      method: 'GET',
      status: 'delivered',
      attemptCount: 2,
      nextAttemptAt: null,
      createdAt: createdAt.toISOString(),
      deliveredAt: context.clock.now().toISOString(),
      attempts: [
        {
          startedAt: createdAt.toISOString(),
          durationMs: expect.any(Number),
          requestLine: `GET ${stub.origin}/result`,
          responseStatus: 503,
          responseExcerpt: 'Service Unavailable',
          error: null,
          isSuccess: false,
        },
        {
          startedAt: context.clock.now().toISOString(),
          durationMs: expect.any(Number),
          requestLine: `GET ${stub.origin}/result`,
          responseStatus: 200,
          responseExcerpt: 'OK123',
          error: null,
          isSuccess: true,
        },
      ],
    });
    expect(views[1]).toMatchObject({ status: 'pending', attempts: [] });
    expect(await listNotificationsForSubject(context.deps.db, 'acc_other', notification.subjectId)).toEqual(
      [],
    );
  });
});

describe('failed attempts and the retry schedule', () => {
  it('records wrong answers, errors and timeouts and retries each after its delay', async () => {
    const stub = await startStub();
    stub.respondInTurn(
      { body: 'ok123' },
      { body: 'OK124' },
      { status: 500, body: 'Internal Server Error' },
      { isHanging: true },
      { body: 'OK123' },
    );
    const id = await enqueue(newNotification(stub));
    const expected = [
      { response_status: 200, response_excerpt: 'ok123', error: null },
      { response_status: 200, response_excerpt: 'OK124', error: null },
      { response_status: 500, response_excerpt: 'Internal Server Error', error: null },
      { response_status: null, response_excerpt: null, error: `no answer within ${TIMEOUT_MS} ms` },
    ];
    const delaysMs = [MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS, HOUR_MS];
    for (const [index, delayMs] of delaysMs.entries()) {
      await runDueJobs();
      expect(stub.requests).toHaveLength(index + 1);
      const attempts = await attemptsOf(id);
      expect(attempts).toHaveLength(index + 1);
      expect(attempts[index]).toMatchObject({ ...expected[index], is_success: false });
      expect(await notificationRow(id)).toMatchObject({
        status: 'pending',
        attempt_count: index + 1,
        next_attempt_at: new Date(context.clock.now().getTime() + delayMs),
      });
      expect(await pendingJobsOf(id)).toHaveLength(1);
      // Not a moment early.
      context.clock.advanceMs(delayMs - 1);
      await runDueJobs();
      expect(stub.requests).toHaveLength(index + 1);
      context.clock.advanceMs(1);
    }
    const timedOut = (await attemptsOf(id))[3];
    expect(timedOut?.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    await runDueJobs();
    expect(stub.requests).toHaveLength(5);
    expect(await notificationRow(id)).toMatchObject({ status: 'delivered', attempt_count: 5 });
    expect((await attemptsOf(id)).map((attempt) => attempt.is_success)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    const stub = await startStub((request) =>
      request.url === '/result'
        ? { status: 302, headers: { location: '/elsewhere' }, body: '' }
        : { body: 'OK123' },
    );
    const id = await enqueue(newNotification(stub));
    await runDueJobs();
    expect(stub.requests.map((request) => request.url)).toEqual(['/result']);
    expect((await attemptsOf(id))[0]).toMatchObject({
      response_status: 302,
      is_success: false,
      error: 'redirects are not followed (302 to /elsewhere)',
    });
    expect((await notificationRow(id)).status).toBe('pending');
  });

  it('reads at most 64 KiB of an answer and keeps a 500-character excerpt', async () => {
    const stub = await startStub(() => ({ status: 200, body: 'я'.repeat(1_000_000) }));
    const id = await enqueue(newNotification(stub));
    await runDueJobs();
    const [attempt] = await attemptsOf(id);
    expect(attempt?.response_excerpt).toBe('я'.repeat(500));
    expect(attempt?.is_success).toBe(false);
  });

  it('records an unusable URL as a failed attempt instead of failing the job', async () => {
    const id = await enqueue(newNotification({ origin: 'ftp://example.ru' }));
    const otherId = await enqueue(newNotification({ origin: 'not a url' }));
    await runDueJobs();
    expect((await attemptsOf(id))[0]).toMatchObject({
      request_line: 'POST ftp://example.ru/result',
      error: 'only http and https URLs are called, not ftp:',
      is_success: false,
    });
    expect((await attemptsOf(otherId))[0]).toMatchObject({ error: 'the URL is not valid' });
    const failedJobs = await context.deps.db
      .selectFrom('jobs')
      .select('id')
      .where('queue', '=', NOTIFICATION_QUEUE)
      .where('last_error', 'is not', null)
      .execute();
    expect(failedJobs).toEqual([]);
  });

  it('merchant down, then up: delivered exactly once, at the first attempt after it came back', async () => {
    const port = await findFreePort();
    const id = await enqueue(newNotification({ origin: `http://127.0.0.1:${port}` }));
    await runDueJobs();
    context.clock.advanceMs(MINUTE_MS);
    await runDueJobs();
    const refused = await attemptsOf(id);
    expect(refused).toHaveLength(2);
    for (const attempt of refused) {
      expect(attempt).toMatchObject({ response_status: null, is_success: false });
      expect(attempt.error).toMatch(/ECONNREFUSED/);
    }

    const stub = await startStub(() => ({ body: 'OK123' }), port);
    context.clock.advanceMs(5 * MINUTE_MS);
    await runDueJobs();
    expect(await notificationRow(id)).toMatchObject({ status: 'delivered', attempt_count: 3 });
    for (let hour = 0; hour < 80; hour += 1) {
      context.clock.advanceMs(HOUR_MS);
      await runDueJobs();
    }
    expect(stub.requests).toHaveLength(1);
    expect(await attemptsOf(id)).toHaveLength(3);
  });

  it('gives up after the 72-hour schedule: ten attempts, then failed', async () => {
    const stub = await startStub(() => ({ status: 500, body: 'down' }));
    const id = await enqueue(newNotification(stub));
    const createdAt = context.clock.now().getTime();
    for (let round = 0; round < 20; round += 1) {
      await runDueJobs();
      const row = await notificationRow(id);
      if (row.status !== 'pending' || !row.next_attempt_at) break;
      context.clock.set(row.next_attempt_at);
    }
    const attempts = await attemptsOf(id);
    expect(attempts.map((attempt) => (attempt.started_at.getTime() - createdAt) / MINUTE_MS)).toEqual([
      0, 1, 6, 21, 81, 261, 621, 1341, 2781, 4221,
    ]);
    expect(await notificationRow(id)).toMatchObject({
      status: 'failed',
      attempt_count: 10,
      next_attempt_at: null,
    });
    expect(await pendingJobsOf(id)).toEqual([]);
    context.clock.advanceMs(100 * HOUR_MS);
    await runDueJobs();
    expect(stub.requests).toHaveLength(10);
  });
});

describe('the wire format', () => {
  const fields: [string, string][] = [
    ['OutSum', '100.50'],
    ['InvId', '7'],
    ['Shp_note', 'Привет, мир & a=b'],
    ['EMail', 'a+b@example.ru'],
    ['Shp_extra', "x~!*()'y"],
  ];
  const encoded =
    'OutSum=100.50&InvId=7' +
    '&Shp_note=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%2C+%D0%BC%D0%B8%D1%80+%26+a%3Db' +
    '&EMail=a%2Bb%40example.ru' +
    "&Shp_extra=x~!*()'y";

  it('POST sends the fields form-encoded in order, keeping the URL and its query', async () => {
    const stub = await startStub(() => ({ body: 'OK7' }));
    const id = await enqueue(
      newNotification(stub, {
        url: `${stub.origin}/robokassa/result?shop=books#fragment`,
        fields,
        expectedBody: 'OK7',
      }),
    );
    await runDueJobs();
    const [request] = stub.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/robokassa/result?shop=books');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['user-agent']).toBe('Kopek-Notifications/1');
    expect(request?.body.toString('latin1')).toBe(encoded);
    expect([...new URLSearchParams(request?.body.toString('utf8'))]).toEqual(fields);
    expect((await attemptsOf(id))[0]?.request_line).toBe(`POST ${stub.origin}/robokassa/result?shop=books`);
    expect((await notificationRow(id)).status).toBe('delivered');
  });

  it("GET appends the fields to the URL's own query and sends no body", async () => {
    const stub = await startStub(() => ({ body: 'OK7' }));
    const id = await enqueue(
      newNotification(stub, {
        url: `${stub.origin}/robokassa/result?shop=books`,
        method: 'GET',
        fields,
        expectedBody: 'OK7',
      }),
    );
    await runDueJobs();
    const [request] = stub.requests;
    expect(request?.method).toBe('GET');
    // The WHATWG URL parser escapes an apostrophe in a query; servers decode both spellings alike.
    expect(request?.url).toBe(`/robokassa/result?shop=books&${encoded.replace("'", '%27')}`);
    expect(request?.headers['content-type']).toBeUndefined();
    expect(request?.headers['user-agent']).toBe('Kopek-Notifications/1');
    expect(request?.body.length).toBe(0);
    const query = new URL(request?.url ?? '', stub.origin).searchParams;
    expect([...query]).toEqual([['shop', 'books'], ...fields]);
    // The attempt log never shows the fields: they carry the signature and the buyer's e-mail.
    expect((await attemptsOf(id))[0]?.request_line).toBe(`GET ${stub.origin}/robokassa/result?shop=books`);
  });

  it('GET on a URL without a query starts one', async () => {
    const stub = await startStub(() => ({ body: 'OK123' }));
    await enqueue(newNotification(stub, { method: 'GET', url: `${stub.origin}/result?` }));
    await runDueJobs();
    expect(stub.requests[0]?.url).toBe('/result?OutSum=100.00&InvId=123&SignatureValue=ABCDEF');
  });
});

describe('the transactional outbox', () => {
  it('a rollback of the enclosing transaction leaves no notification and no job', async () => {
    const stub = await startStub(() => ({ body: 'OK123' }));
    let enqueuedId = '';
    await expect(
      context.deps.db.transaction().execute(async (trx) => {
        enqueuedId = await enqueueNotification(trx, context.clock, newNotification(stub));
        throw new Error('the payment could not be saved');
      }),
    ).rejects.toThrow('the payment could not be saved');
    expect(enqueuedId).toMatch(/^ntf_/);
    const row = await context.deps.db
      .selectFrom('notifications')
      .select('id')
      .where('id', '=', enqueuedId)
      .executeTakeFirst();
    expect(row).toBeUndefined();
    expect(await pendingJobsOf(enqueuedId)).toEqual([]);
    await runDueJobs();
    expect(stub.requests).toEqual([]);
  });

  it('the job carries the notification id and its schedule slot', async () => {
    const stub = await startStub();
    const id = await enqueue(newNotification(stub));
    const [job] = await pendingJobsOf(id);
    expect(job).toMatchObject({
      payload: { notificationId: id, scheduledFor: context.clock.now().toISOString() },
      run_at: context.clock.now(),
    });
  });
});

describe('crashes and restarts', () => {
  it('a restart in the middle of retries loses nothing', async () => {
    const stub = await startStub();
    stub.respondInTurn({ status: 502, body: 'Bad Gateway' }, { body: 'OK123' });
    const id = await enqueue(newNotification(stub));
    await context.worker.runDueJobs();
    expect((await notificationRow(id)).status).toBe('pending');
    await context.worker.stop();

    const worker = new JobWorker({
      db: context.deps.db,
      clock: context.clock,
      logger: createLogger('silent'),
    });
    worker.register(
      NOTIFICATION_QUEUE,
      createNotificationDeliveryHandler(context.deps, { timeoutMs: TIMEOUT_MS }),
    );
    expect(await worker.runDueJobs()).toBe(0);
    context.clock.advanceMs(MINUTE_MS);
    expect(await worker.runDueJobs()).toBe(1);
    expect(await notificationRow(id)).toMatchObject({ status: 'delivered', attempt_count: 2 });
    expect(stub.requests).toHaveLength(2);
  });

  it('a worker that died after claiming an attempt: the job, claimed again after its lease, delivers', async () => {
    const stub = await startStub(() => ({ body: 'OK123' }));
    const id = await enqueue(newNotification(stub));
    // The state a worker leaves when it dies between claiming the slot and recording the attempt.
    const [job] = await pendingJobsOf(id);
    await context.deps.db
      .updateTable('notifications')
      .set({ next_attempt_at: null })
      .where('id', '=', id)
      .execute();
    await context.deps.db
      .updateTable('jobs')
      .set({ state: 'running', attempts: 1, locked_until: new Date(context.clock.now().getTime() + 300_000) })
      .where('id', '=', job?.id ?? 0n)
      .execute();
    await runDueJobs();
    expect(stub.requests).toHaveLength(0);
    context.clock.advanceMs(300_001);
    await runDueJobs();
    expect(stub.requests).toHaveLength(1);
    expect(await notificationRow(id)).toMatchObject({ status: 'delivered', attempt_count: 1 });
  });

  it('two workers running the same job at once make one call', async () => {
    const stub = await startStub(() => ({ body: 'OK123' }));
    const id = await enqueue(newNotification(stub));
    const [job] = await pendingJobsOf(id);
    const handler = createNotificationDeliveryHandler(context.deps, { timeoutMs: TIMEOUT_MS });
    const jobContext = { jobId: job?.id ?? 0n, attempt: 1, logger: createLogger('silent') };
    await Promise.all([handler(job?.payload, jobContext), handler(job?.payload, jobContext)]);
    expect(stub.requests).toHaveLength(1);
    expect(await attemptsOf(id)).toHaveLength(1);
  });

  it('a malformed job payload is a job error, not a merchant failure', async () => {
    const handler = createNotificationDeliveryHandler(context.deps);
    const jobContext = { jobId: 1n, attempt: 1, logger: createLogger('silent') };
    await expect(handler({ notificationId: 42 }, jobContext)).rejects.toThrow(/notificationId/);
    await expect(handler({ notificationId: 'ntf_x', scheduledFor: 'soon' }, jobContext)).rejects.toThrow(
      /scheduledFor/,
    );
  });
});

describe('send again', () => {
  it('a failed notification is sent again and delivered', async () => {
    const stub = await startStub(() => ({ status: 500 }));
    const id = await enqueue(newNotification(stub));
    await runDueJobs();
    await context.deps.db
      .updateTable('notifications')
      .set({ status: 'failed', next_attempt_at: null })
      .where('id', '=', id)
      .execute();
    stub.respondWith(() => ({ body: 'OK123' }));
    context.clock.advanceMs(100 * HOUR_MS);

    const view = await resendNotification(context.deps, ACCOUNT_ID, id);
    expect(view).toMatchObject({
      id,
      status: 'pending',
      attemptCount: 1,
      nextAttemptAt: context.clock.now().toISOString(),
      attempts: [{ responseStatus: 500, isSuccess: false }],
    });
    await runDueJobs();
    expect(await notificationRow(id)).toMatchObject({ status: 'delivered', attempt_count: 2 });
  });

  it('a delivered notification may be sent again', async () => {
    const stub = await startStub(() => ({ body: 'OK123' }));
    const notification = newNotification(stub);
    const id = await enqueue(notification);
    await runDueJobs();
    context.clock.advanceMs(HOUR_MS);
    expect((await resendNotification(context.deps, ACCOUNT_ID, id)).status).toBe('pending');
    await runDueJobs();
    expect(stub.requests).toHaveLength(2);
    expect(await notificationRow(id)).toMatchObject({
      status: 'delivered',
      attempt_count: 2,
      delivered_at: context.clock.now(),
    });
    expect(await isSubjectNotified(context.deps.db, notification.subjectId, 'result_url')).toBe(true);
  });

  it('the job of a replaced schedule slot does nothing: one attempt per slot', async () => {
    const stub = await startStub(() => ({ status: 500, body: 'down' }));
    const id = await enqueue(newNotification(stub));
    await runDueJobs();
    // Slot +1 min is scheduled; the merchant presses "send again" before it comes.
    context.clock.advanceMs(20_000);
    await resendNotification(context.deps, ACCOUNT_ID, id);
    await runDueJobs();
    expect(stub.requests).toHaveLength(2);
    const resentAt = context.clock.now().getTime();
    expect((await notificationRow(id)).next_attempt_at).toEqual(new Date(resentAt + 5 * MINUTE_MS));

    // The old +1 min job comes due and is ignored.
    context.clock.advanceMs(40_000);
    await runDueJobs();
    expect(stub.requests).toHaveLength(2);
    context.clock.set(new Date(resentAt + 5 * MINUTE_MS));
    await runDueJobs();
    expect(stub.requests).toHaveLength(3);
    expect(await notificationRow(id)).toMatchObject({ status: 'pending', attempt_count: 3 });
    expect(await pendingJobsOf(id)).toHaveLength(1);
  });

  it("is scoped to the account: another account's notification is not found", async () => {
    const stub = await startStub(() => ({ status: 500 }));
    const id = await enqueue(newNotification(stub));
    await runDueJobs();
    const before = await notificationRow(id);
    await expect(resendNotification(context.deps, 'acc_other', id)).rejects.toMatchObject({
      code: 'notification_not_found',
      statusCode: 404,
    });
    await expect(resendNotification(context.deps, ACCOUNT_ID, 'ntf_missing')).rejects.toMatchObject({
      code: 'notification_not_found',
    });
    expect(await notificationRow(id)).toEqual(before);
    expect(await pendingJobsOf(id)).toHaveLength(1);
  });
});
