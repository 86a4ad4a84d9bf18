import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { enqueueJob, JobWorker, retryDelayMs, type JobHandler } from '../../src/platform/jobs.js';
import { enqueueMail } from '../../src/platform/mail.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

let queues = 0;
/** A worker with one handler on a queue of its own, so tests never run each other's jobs. */
function workerFor(handler: JobHandler, options: { queue?: string; batchSize?: number } = {}) {
  queues += 1;
  const queue = options.queue ?? `test.queue-${queues}`;
  const worker = new JobWorker({
    db: context.deps.db,
    clock: context.clock,
    logger: createLogger('silent'),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
  worker.register(queue, handler);
  return { worker, queue };
}

async function jobsIn(queue: string) {
  return context.deps.db.selectFrom('jobs').selectAll().where('queue', '=', queue).orderBy('id').execute();
}

describe('enqueueing', () => {
  it('a job enqueued in a transaction that rolls back does not exist', async () => {
    const { queue } = workerFor(async () => {});
    const mailBefore = await context.deps.db
      .selectFrom('mail_messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    await expect(
      context.deps.db.transaction().execute(async (trx) => {
        await enqueueJob(trx, context.clock, { queue, payload: { n: 1 } });
        await enqueueMail(trx, context.clock, {
          to: 'someone@example.ru',
          subject: 's',
          text: 't',
          html: 'h',
          kind: 'test',
        });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await jobsIn(queue)).toEqual([]);
    const mailAfter = await context.deps.db
      .selectFrom('mail_messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(mailAfter.n).toBe(mailBefore.n);
  });

  it('a job enqueued in a committed transaction is pending and runs with its payload', async () => {
    const payloads: unknown[] = [];
    const { worker, queue } = workerFor(async (payload) => {
      payloads.push(payload);
    });
    const id = await context.deps.db
      .transaction()
      .execute((trx) => enqueueJob(trx, context.clock, { queue, payload: { order: 42, text: 'ok' } }));
    expect(await jobsIn(queue)).toMatchObject([{ id, state: 'pending', attempts: 0, max_attempts: 10 }]);
    expect(await worker.runDueJobs()).toBe(1);
    expect(payloads).toEqual([{ order: 42, text: 'ok' }]);
    expect(await jobsIn(queue)).toMatchObject([
      { id, state: 'done', attempts: 1, last_error: null, finished_at: context.clock.now() },
    ]);
    expect(await worker.runDueJobs()).toBe(0);
  });

  it('a job scheduled for later waits for its time', async () => {
    let runs = 0;
    const { worker, queue } = workerFor(async () => {
      runs += 1;
    });
    await enqueueJob(context.deps.db, context.clock, {
      queue,
      payload: {},
      runAt: new Date(context.clock.now().getTime() + 60_000),
    });
    expect(await worker.runDueJobs()).toBe(0);
    context.clock.advanceMs(60_000);
    expect(await worker.runDueJobs()).toBe(1);
    expect(runs).toBe(1);
  });
});

describe('failures', () => {
  it('retries a failing job with growing backoff and marks it failed after maxAttempts', async () => {
    const attempts: number[] = [];
    const { worker, queue } = workerFor(async (_payload, job) => {
      attempts.push(job.attempt);
      throw new Error(`boom ${job.attempt}`);
    });
    await enqueueJob(context.deps.db, context.clock, { queue, payload: {}, maxAttempts: 3 });

    expect(await worker.runDueJobs()).toBe(1);
    let [job] = await jobsIn(queue);
    expect(job).toMatchObject({ state: 'pending', attempts: 1, last_error: 'boom 1', finished_at: null });
    expect(job?.run_at.getTime()).toBe(context.clock.now().getTime() + 10_000);

    context.clock.advanceMs(9_999);
    expect(await worker.runDueJobs()).toBe(0);
    context.clock.advanceMs(1);
    expect(await worker.runDueJobs()).toBe(1);
    [job] = await jobsIn(queue);
    expect(job).toMatchObject({ state: 'pending', attempts: 2, last_error: 'boom 2' });
    expect(job?.run_at.getTime()).toBe(context.clock.now().getTime() + 20_000);

    context.clock.advanceMs(20_000);
    expect(await worker.runDueJobs()).toBe(1);
    [job] = await jobsIn(queue);
    expect(job).toMatchObject({
      state: 'failed',
      attempts: 3,
      last_error: 'boom 3',
      finished_at: context.clock.now(),
    });

    context.clock.advanceMs(24 * 3_600_000);
    expect(await worker.runDueJobs()).toBe(0);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('succeeds on a retry after failing once', async () => {
    let calls = 0;
    const { worker, queue } = workerFor(async () => {
      calls += 1;
      if (calls === 1) throw new Error('temporary');
    });
    await enqueueJob(context.deps.db, context.clock, { queue, payload: {} });
    await worker.runDueJobs();
    context.clock.advanceMs(retryDelayMs(1));
    expect(await worker.runDueJobs()).toBe(1);
    expect(await jobsIn(queue)).toMatchObject([{ state: 'done', attempts: 2, last_error: null }]);
  });

  it('backs off exponentially up to an hour', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });

  it('claims again a running job whose lease expired (its worker died)', async () => {
    let runs = 0;
    const { worker, queue } = workerFor(async () => {
      runs += 1;
    });
    const id = await enqueueJob(context.deps.db, context.clock, { queue, payload: {} });
    const leaseEnds = new Date(context.clock.now().getTime() + 300_000);
    await sql`update jobs set state = 'running', attempts = 1, locked_until = ${leaseEnds} where id = ${id}`.execute(
      context.deps.db,
    );
    expect(await worker.runDueJobs()).toBe(0);
    context.clock.advanceMs(300_001);
    expect(await worker.runDueJobs()).toBe(1);
    expect(runs).toBe(1);
    expect(await jobsIn(queue)).toMatchObject([{ state: 'done', attempts: 2 }]);
  });

  it('fails a job whose worker keeps dying once the claims reach its attempt limit', async () => {
    let runs = 0;
    const { worker, queue } = workerFor(async () => {
      runs += 1;
    });
    const id = await enqueueJob(context.deps.db, context.clock, { queue, payload: {}, maxAttempts: 3 });
    const expiredLease = new Date(context.clock.now().getTime() - 1);
    await sql`update jobs set state = 'running', attempts = 3, locked_until = ${expiredLease} where id = ${id}`.execute(
      context.deps.db,
    );
    expect(await worker.runDueJobs()).toBe(1);
    expect(runs).toBe(0);
    expect(await jobsIn(queue)).toMatchObject([{ state: 'failed', attempts: 4 }]);
  });
});

describe('several workers', () => {
  it('two workers draining the same queue at once never run a job twice', async () => {
    const runs = new Map<bigint, number>();
    const ranBy = { first: 0, second: 0 };
    const handlerFor = (name: keyof typeof ranBy): JobHandler => {
      return async (_payload, job) => {
        runs.set(job.jobId, (runs.get(job.jobId) ?? 0) + 1);
        ranBy[name] += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
      };
    };
    const { worker: first, queue } = workerFor(handlerFor('first'), { batchSize: 5 });
    const { worker: second } = workerFor(handlerFor('second'), { queue, batchSize: 5 });
    const count = 60;
    for (let index = 0; index < count; index += 1) {
      await enqueueJob(context.deps.db, context.clock, { queue, payload: { index } });
    }
    await Promise.all([first.drain(), second.drain(), first.drain(), second.drain()]);

    const jobs = await jobsIn(queue);
    expect(jobs).toHaveLength(count);
    expect(jobs.every((job) => job.state === 'done' && job.attempts === 1)).toBe(true);
    expect(runs.size).toBe(count);
    expect([...runs.values()].every((times) => times === 1)).toBe(true);
    expect(ranBy.first + ranBy.second).toBe(count);
    expect(ranBy.first).toBeGreaterThan(0);
    expect(ranBy.second).toBeGreaterThan(0);
  });
});
