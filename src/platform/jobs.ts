/**
 * The job queue: a PostgreSQL table polled with FOR UPDATE SKIP LOCKED, so any number of worker nodes can
 * share it. Jobs are enqueued with the same executor (transaction) as the state change that causes them:
 * a rollback drops the job too, and a commit can never lose it (transactional outbox).
 * A job that throws is retried with exponential backoff up to its attempt limit, then marked failed.
 */
import { hostname } from 'node:os';
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** Anything that can run a query: a Kysely instance or a transaction. */
export type Executor = QueryExecutorProvider;

export interface JobContext {
  readonly jobId: bigint;
  readonly attempt: number;
  readonly logger: Logger;
}

export type JobHandler = (payload: unknown, context: JobContext) => Promise<void>;

export interface NewJob {
  readonly queue: string;
  readonly payload: unknown;
  readonly runAt?: Date;
  readonly maxAttempts?: number;
}

export async function enqueueJob(executor: Executor, clock: Clock, job: NewJob): Promise<bigint> {
  const runAt = job.runAt ?? clock.now();
  const result = await sql<{ id: bigint }>`
    insert into jobs (queue, payload, run_at, max_attempts, created_at)
    values (${job.queue}, ${JSON.stringify(job.payload)}::jsonb, ${runAt}, ${job.maxAttempts ?? 10}, ${clock.now()})
    returning id`.execute(executor);
  const row = result.rows[0];
  if (!row) throw new Error('enqueueJob: insert returned no id');
  return row.id;
}

interface ClaimedJob {
  id: bigint;
  queue: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

export interface JobWorkerOptions {
  readonly db: QueryExecutorProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pause after a poll that found less than a full batch (default 200 ms). */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** Claimed jobs run this many at a time (default 4): jobs wait mostly on the network and the database. */
  readonly concurrency?: number;
  readonly leaseMs?: number;
  /** Recorded in jobs.locked_by when claiming (default host:pid:n), to tell which node ran a job. */
  readonly workerId?: string;
}

export function retryDelayMs(attempt: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/** Numbers the workers of one process, so that two workers in one node have different ids. */
let workerSequence = 0;

export class JobWorker {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly periodicTasks: {
    name: string;
    intervalMs: number;
    run: () => Promise<void>;
    timer?: NodeJS.Timeout;
  }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  private readonly workerId: string;

  constructor(private readonly options: JobWorkerOptions) {
    workerSequence += 1;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${workerSequence}`;
  }

  register(queue: string, handler: JobHandler): void {
    this.handlers.set(queue, handler);
  }

  /**
   * Housekeeping that every worker node may run (it must be idempotent, e.g. deleting expired rows):
   * simpler than a distributed scheduler, and harmless when two nodes do it.
   */
  every(name: string, intervalMs: number, run: () => Promise<void>): void {
    this.periodicTasks.push({ name, intervalMs, run });
  }

  /** Claims the due jobs of known queues and runs them; returns how many ran. Tests call it directly. */
  async runDueJobs(): Promise<number> {
    const jobs = await this.claimDueJobs();
    let next = 0;
    const runNext = async (): Promise<void> => {
      for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
        // runJob records a handler's failure itself; this catches a failure to record it, so one broken
        // job never stops the others of the batch (nor lets the next poll start while they still run).
        const jobId = String(job.id);
        await this.runJob(job).catch((error: unknown) =>
          this.options.logger.error({ err: error, jobId }, 'job bookkeeping failed'),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 4, jobs.length) }, runNext));
    return jobs.length;
  }

  /** Runs due jobs until none is left (jobs may enqueue jobs). For tests and the seed command. */
  async drain(maxRounds = 100): Promise<void> {
    for (let round = 0; round < maxRounds; round += 1) {
      if ((await this.runDueJobs()) === 0) return;
    }
  }

  start(): void {
    this.stopped = false;
    const batchSize = this.options.batchSize ?? 20;
    const tick = () => {
      let ran = 0;
      this.running = this.runDueJobs()
        .then((count) => (ran = count))
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'job polling failed'))
        .finally(() => {
          // A full batch means more work is waiting: take it at once instead of sleeping.
          const delayMs = ran >= batchSize ? 0 : (this.options.pollIntervalMs ?? 200);
          if (!this.stopped) this.timer = setTimeout(tick, delayMs);
        });
    };
    tick();
    for (const task of this.periodicTasks) {
      task.timer = setInterval(() => {
        task
          .run()
          .catch((error: unknown) =>
            this.options.logger.error({ err: error, task: task.name }, 'periodic task failed'),
          );
      }, task.intervalMs);
      task.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const task of this.periodicTasks) clearInterval(task.timer);
    await this.running;
  }

  private async claimDueJobs(): Promise<ClaimedJob[]> {
    const queues = [...this.handlers.keys()];
    if (queues.length === 0) return [];
    const now = this.options.clock.now();
    const leaseUntil = new Date(now.getTime() + (this.options.leaseMs ?? 300_000));
    // A running job whose lease expired belonged to a node that died: it is claimed again.
    const result = await sql<ClaimedJob>`
      update jobs set state = 'running', attempts = attempts + 1, locked_until = ${leaseUntil},
        locked_by = ${this.workerId}
      where id in (
        select id from jobs
        where queue = any(${queues}::text[])
          and ((state = 'pending' and run_at <= ${now}) or (state = 'running' and locked_until < ${now}))
        order by run_at, id
        limit ${this.options.batchSize ?? 20}
        for update skip locked)
      returning id, queue, payload, attempts, max_attempts`.execute(this.options.db);
    return result.rows;
  }

  private async runJob(job: ClaimedJob): Promise<void> {
    const handler = this.handlers.get(job.queue);
    const logger = this.options.logger.child({ jobId: String(job.id), queue: job.queue });
    try {
      // Claims count as attempts, so a job whose worker keeps dying mid-run also reaches its limit.
      if (job.attempts > job.max_attempts)
        throw new Error('attempt limit reached (worker lost the job repeatedly)');
      if (!handler) throw new Error(`no handler for queue ${job.queue}`);
      await handler(job.payload, { jobId: job.id, attempt: job.attempts, logger });
      await sql`update jobs set state = 'done', finished_at = ${this.options.clock.now()}, last_error = null,
        locked_until = null where id = ${job.id}`.execute(this.options.db);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const isFinal = job.attempts >= job.max_attempts;
      logger.warn({ err: error, attempt: job.attempts, isFinal }, 'job failed');
      const runAt = new Date(this.options.clock.now().getTime() + retryDelayMs(job.attempts));
      await sql`update jobs set state = ${isFinal ? 'failed' : 'pending'}, run_at = ${runAt},
        last_error = ${message.slice(0, 2000)}, locked_until = null,
        finished_at = ${isFinal ? this.options.clock.now() : null}
        where id = ${job.id}`.execute(this.options.db);
    }
  }
}

/** Finished jobs are kept a while for inspection, then deleted. */
export async function deleteFinishedJobs(executor: Executor, before: Date): Promise<void> {
  await sql`delete from jobs where state = 'done' and finished_at < ${before}`.execute(executor);
}
