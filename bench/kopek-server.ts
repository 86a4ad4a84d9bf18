/**
 * The Kopek side of the payment benchmark, run as a child process of payments.bench.ts so that the load
 * generator does not share Kopek's event loop (as in production, where buyers are other machines).
 *
 * It starts Kopek as `kopek start --role=all` does: openRuntime on the given database, the demo data, the
 * HTTP app listening on 127.0.0.1:PORT, and the job worker. Everything comes from the environment:
 *   DATABASE_URL, PORT, PUBLIC_URL              where Kopek lives
 *   BENCH_WORKER = runtime | fast               runtime.worker as openRuntime builds it (1 s poll), or
 *   BENCH_POLL_MS, BENCH_WORKERS                 bench-built JobWorkers polling every BENCH_POLL_MS
 *   BENCH_LEASE_MS, BENCH_NOTIFY_TIMEOUT_MS      (fast mode) a job's lease and the ResultURL call's deadline;
 *                                               the fault drills (test/faults) shorten both, so a job held
 *                                               by a killed node is taken again in seconds, not minutes
 *   BENCH_PROFILE = <file>                      V8 CPU profile of the measured window ('mark' to 'usage')
 *   BENCH_ROLE = all | http | worker            as `kopek start --role`: http serves requests and runs no
 *                                               jobs, worker runs jobs and does not listen (bench/cluster.ts)
 * It talks to the parent over IPC: 'ready' once listening, 'usage' on request (CPU time and event-loop
 * utilisation since the last 'mark'), and it stops cleanly on 'stop' or when the parent goes away.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createNotificationDeliveryHandler, NOTIFICATION_QUEUE } from '../src/modules/notifications/index.js';
import { createReconcileHandler, RECONCILE_QUEUE } from '../src/modules/payments/index.js';
import { JobWorker } from '../src/platform/jobs.js';
import { createDevMailboxTransport, createMailDeliveryHandler, MAIL_QUEUE } from '../src/platform/mail.js';
import { openRuntime } from '../src/runtime.js';
import { seedDemoData } from '../src/seed.js';

export interface SqlStatementStats {
  readonly text: string;
  readonly count: number;
  readonly totalMs: number;
}

export type ParentMessage = { type: 'mark' } | { type: 'usage' } | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; workerDescription: string }
  | { type: 'marked' }
  | {
      type: 'usage';
      cpuUserMs: number;
      cpuSystemMs: number;
      wallMs: number;
      eventLoopUtilization: number;
      /** Every statement Kopek sent since 'mark', by SQL text, with its client-side time (round trip). */
      statements: SqlStatementStats[];
      /** Time spent waiting for a connection from the pool (10 connections), summed, and how many waits. */
      poolWaitMs: number;
      poolConnects: number;
      /** Where the CPU profile of the window was written (BENCH_PROFILE). */
      profileFile?: string;
    }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

/** Fixed, so that the database and the sealed shop passwords of one run are consistent. */
export const BENCH_MASTER_KEY = '42'.repeat(32);

/*
 * Measurement only: counts and times the statements Kopek sends and the waits for a pooled connection,
 * by wrapping pg's Client.query and Pool.connect (the ones src/platform/db.ts uses through Kysely).
 */
const statements = new Map<string, { count: number; totalMs: number }>();
let poolWaitMs = 0;
let poolConnects = 0;

function instrumentPg(): void {
  const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const first = args[0];
    const text =
      typeof first === 'string' ? first : String((first as { text?: unknown } | undefined)?.text ?? '?');
    const startedAt = performance.now();
    const result = originalQuery.apply(this, args);
    if (result instanceof Promise) {
      const record = () => {
        const entry = statements.get(text) ?? { count: 0, totalMs: 0 };
        entry.count += 1;
        entry.totalMs += performance.now() - startedAt;
        statements.set(text, entry);
      };
      result.then(record, record);
    }
    return result;
  };
  const originalConnect = pg.Pool.prototype.connect as (...args: unknown[]) => unknown;
  (pg.Pool.prototype as unknown as { connect: (...args: unknown[]) => unknown }).connect = function (
    this: pg.Pool,
    ...args: unknown[]
  ) {
    const startedAt = performance.now();
    const result = originalConnect.apply(this, args);
    if (result instanceof Promise) {
      result.then(
        () => {
          poolWaitMs += performance.now() - startedAt;
          poolConnects += 1;
        },
        () => undefined,
      );
    }
    return result;
  };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`kopek-server: ${name} is required`);
  return value;
}

async function main(): Promise<void> {
  instrumentPg();
  const port = Number(required('PORT'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: required('DATABASE_URL'),
    KOPEK_MASTER_KEY: BENCH_MASTER_KEY,
    PUBLIC_URL: required('PUBLIC_URL'),
    PORT: String(port),
    LOG_LEVEL: 'silent',
  });
  const runtime = await openRuntime(config, { signInFailureDelayMs: 0 });
  await seedDemoData(runtime.deps);
  const role = process.env.BENCH_ROLE ?? 'all';
  const app = await buildApp(runtime.deps);
  if (role !== 'worker') await app.listen({ port, host: '127.0.0.1' });

  // openRuntime builds its JobWorker with the default 1 s poll interval and offers no option to change it,
  // so the "fast" mode builds its own workers with the same handlers openRuntime registers.
  const mode = process.env.BENCH_WORKER === 'runtime' ? 'runtime' : 'fast';
  const pollIntervalMs = Number(process.env.BENCH_POLL_MS ?? '10');
  const workerCount = role === 'http' ? 0 : Math.max(1, Number(process.env.BENCH_WORKERS ?? '1'));
  const leaseMs = process.env.BENCH_LEASE_MS ? Number(process.env.BENCH_LEASE_MS) : undefined;
  const notifyTimeoutMs = process.env.BENCH_NOTIFY_TIMEOUT_MS
    ? Number(process.env.BENCH_NOTIFY_TIMEOUT_MS)
    : undefined;
  const workers: JobWorker[] = [];
  let workerDescription: string;
  if (mode === 'runtime') {
    if (role !== 'http') workers.push(runtime.worker);
    workerDescription = 'runtime.worker as openRuntime builds it (poll 1000 ms, batch 20, jobs one by one)';
  } else {
    const { deps } = runtime;
    const transport = createDevMailboxTransport(deps.logger);
    for (let index = 0; index < workerCount; index += 1) {
      const worker = new JobWorker({
        db: deps.db,
        clock: deps.clock,
        logger: deps.logger,
        pollIntervalMs,
        ...(leaseMs !== undefined ? { leaseMs } : {}),
      });
      worker.register(
        MAIL_QUEUE,
        createMailDeliveryHandler({ db: deps.db, clock: deps.clock, transport, from: config.mailFrom }),
      );
      worker.register(
        NOTIFICATION_QUEUE,
        createNotificationDeliveryHandler(
          deps,
          notifyTimeoutMs !== undefined ? { timeoutMs: notifyTimeoutMs } : {},
        ),
      );
      worker.register(RECONCILE_QUEUE, createReconcileHandler(deps, deps.providers.cardAcquirer));
      workers.push(worker);
    }
    workerDescription =
      `bench-built JobWorker x${workerCount} (poll ${pollIntervalMs} ms, batch 20, jobs one by one, ` +
      `same handlers as openRuntime${leaseMs !== undefined ? `, lease ${leaseMs} ms` : ''})`;
  }
  for (const worker of workers) worker.start();

  const profileFile = process.env.BENCH_PROFILE;
  const inspector = profileFile ? new Session() : undefined;
  inspector?.connect();
  let profiling = false;

  let markedAt = performance.now();
  let markedCpu = process.cpuUsage();
  let markedLoop: EventLoopUtilization = performance.eventLoopUtilization();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await app.close();
      // runtime.close() stops runtime.worker (started or not) and closes the pool.
      await Promise.all(workers.filter((worker) => worker !== runtime.worker).map((worker) => worker.stop()));
      await runtime.close();
    })();
    return stopping;
  };

  process.on('message', (message: ParentMessage) => {
    void handle(message).catch((error: unknown) => send({ type: 'failed', message: String(error) }));
  });
  const handle = async (message: ParentMessage) => {
    if (message.type === 'mark') {
      if (inspector && !profiling) {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.start');
        profiling = true;
      }
      markedAt = performance.now();
      markedCpu = process.cpuUsage();
      markedLoop = performance.eventLoopUtilization();
      statements.clear();
      poolWaitMs = 0;
      poolConnects = 0;
      send({ type: 'marked' });
    } else if (message.type === 'usage') {
      const cpu = process.cpuUsage(markedCpu);
      const loop = performance.eventLoopUtilization(markedLoop).utilization;
      const wallMs = performance.now() - markedAt;
      if (inspector && profileFile && profiling) {
        const { profile } = await inspector.post('Profiler.stop');
        profiling = false;
        writeFileSync(profileFile, JSON.stringify(profile));
      }
      send({
        type: 'usage',
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        wallMs,
        eventLoopUtilization: loop,
        statements: [...statements.entries()].map(([text, entry]) => ({ text, ...entry })),
        poolWaitMs,
        poolConnects,
        ...(profileFile ? { profileFile } : {}),
      });
    } else if (message.type === 'stop') {
      void stop().then(
        () => {
          send({ type: 'stopped' });
          process.disconnect?.();
          // A normal exit, so that --cpu-prof writes its profile.
          process.exit(0);
        },
        (error: unknown) => {
          send({ type: 'failed', message: String(error) });
          process.exit(1);
        },
      );
    }
  };
  // The parent died or let go of us: never linger.
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
  send({ type: 'ready', workerDescription });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
