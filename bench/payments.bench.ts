/**
 * Payment benchmark: end-to-end card payments through Kopek over real HTTP, compared with what the same
 * PostgreSQL server does under `pgbench -N`. See bench/README.md.
 *
 *   npx tsx bench/payments.bench.ts [--payments=N] [--concurrency=C] [--warmup=W]
 *       [--worker=fast|runtime] [--poll-ms=10] [--workers=1] [--no-email]
 *       [--pgbench-seconds=20] [--pgbench-scale=10] [--notify-timeout=30] [--profile] [--sql-detail]
 *
 * Exits non-zero only when the benchmark itself failed (an error, a payment not paid, a ResultURL
 * notification missing at the deadline, pgbench failing), never because of the figures.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, platform, arch, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashHex } from '../src/modules/protocol/index.js';
import type { ChildMessage, ParentMessage } from './kopek-server.js';

const BENCH_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.dirname(BENCH_DIRECTORY);
const ADMIN_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

const MERCHANT_LOGIN = 'demo';
const PASSWORD_1 = 'demo_pass1';
const PASSWORD_2 = 'demo_pass2';
const CARD_NUMBER = '4111 1111 1111 1111'; // sandbox: approved, no 3-D Secure
const REQUEST_TIMEOUT_MS = 30_000;
/** However steadily notifications trickle in, the wait for them ends after this. */
const MAX_NOTIFICATION_WAIT_MS = 15 * 60_000;

/* ------------------------------------------------------------------------------------------------
 * Options
 * ---------------------------------------------------------------------------------------------- */

interface Options {
  readonly payments: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly worker: 'fast' | 'runtime';
  readonly pollMs: number;
  readonly workers: number;
  readonly email: boolean;
  readonly pgbenchSeconds: number;
  readonly pgbenchScale: number;
  readonly notifyTimeoutS: number;
  readonly profile: boolean;
  readonly sqlDetail: boolean;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      payments: { type: 'string', default: '1500' },
      concurrency: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '50' },
      worker: { type: 'string', default: 'runtime' },
      'poll-ms': { type: 'string', default: '10' },
      workers: { type: 'string', default: '1' },
      'no-email': { type: 'boolean', default: false },
      'pgbench-seconds': { type: 'string', default: '20' },
      'pgbench-scale': { type: 'string', default: '10' },
      'notify-timeout': { type: 'string', default: '30' },
      profile: { type: 'boolean', default: false },
      'sql-detail': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const whole = (name: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be a whole number >= ${min}`);
    return value;
  };
  if (values.worker !== 'fast' && values.worker !== 'runtime')
    throw new Error('--worker must be fast or runtime');
  return {
    payments: whole('payments', values.payments, 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    warmup: whole('warmup', values.warmup, 0),
    worker: values.worker,
    pollMs: whole('poll-ms', values['poll-ms'], 1),
    workers: whole('workers', values.workers, 1),
    email: !values['no-email'],
    pgbenchSeconds: whole('pgbench-seconds', values['pgbench-seconds'], 0),
    pgbenchScale: whole('pgbench-scale', values['pgbench-scale'], 1),
    notifyTimeoutS: whole('notify-timeout', values['notify-timeout'], 1),
    profile: values.profile ?? false,
    sqlDetail: values['sql-detail'] ?? false,
  };
}

/* ------------------------------------------------------------------------------------------------
 * Cleanup: everything started is registered here and undone in reverse order, on success, on failure
 * and on Ctrl-C.
 * ---------------------------------------------------------------------------------------------- */

const cleanups: { name: string; run: () => Promise<void> }[] = [];
function onCleanup(name: string, run: () => Promise<void>): void {
  cleanups.push({ name, run });
}
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop();
      if (!step) break;
      try {
        await step.run();
      } catch (error) {
        console.error(`cleanup (${step.name}) failed: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}

/* ------------------------------------------------------------------------------------------------
 * Databases
 * ---------------------------------------------------------------------------------------------- */

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createDatabase(prefix: string): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  onCleanup(`drop database ${name}`, () =>
    withAdmin(async (client) => {
      // Let the pools' connections close first (see test/support/database.ts), then force the rest.
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const result = await client.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        if ((result.rows[0]?.n ?? 0) === 0) break;
        await sleep(20);
      }
      await client.query(`drop database if exists ${name} with (force)`);
    }),
  );
  return { name, url: databaseUrl(name) };
}

/* ------------------------------------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------------------------------- */

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/**
 * CPU seconds used so far by the PostgreSQL server (Linux /proc, clock ticks of 10 ms): every postgres
 * process's own time, plus the postmaster's reaped children (cutime, cstime), so that backends which exit
 * in between (the pool closes idle connections after 10 s) are still counted.
 */
function readPostgresCpu(): number {
  const processes: { pid: number; ppid: number; own: number; children: number }[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return NaN;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      if (name !== 'postgres' && name !== 'postmaster') continue;
      // After "pid (comm) ": state [0], ppid [1], ..., utime [11], stime [12], cutime [13], cstime [14].
      const fields = stat
        .slice(close + 2)
        .split(' ')
        .map(Number);
      processes.push({
        pid: Number(pid),
        ppid: fields[1] ?? 0,
        own: ((fields[11] ?? 0) + (fields[12] ?? 0)) / 100,
        children: ((fields[13] ?? 0) + (fields[14] ?? 0)) / 100,
      });
    } catch {
      continue;
    }
  }
  const pids = new Set(processes.map((entry) => entry.pid));
  return processes.reduce((sum, entry) => sum + entry.own + (pids.has(entry.ppid) ? 0 : entry.children), 0);
}

/** CPU time of the whole machine from /proc/stat (Linux), to tell "CPU-bound" from "waiting". */
function readMachineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/* ------------------------------------------------------------------------------------------------
 * The merchant's server: answers ResultURL with OK<InvId> and records when each one arrived.
 * ---------------------------------------------------------------------------------------------- */

interface Receipt {
  readonly at: number;
  count: number;
}

class MerchantStub {
  readonly receipts = new Map<string, Receipt>();
  readonly problems: string[] = [];
  duplicates = 0;
  private waiters: (() => void)[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createHttpServer((request, response) => this.handle(request, response));
    this.server.keepAliveTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  get resultUrl(): string {
    return `http://127.0.0.1:${this.port}/result`;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const invId = fields.get('InvId') ?? '';
      const outSum = fields.get('OutSum') ?? '';
      const expected = hashHex('MD5', `${outSum}:${invId}:${PASSWORD_2}`);
      if (request.method !== 'POST' || request.url !== '/result') {
        this.problems.push(`unexpected ${request.method} ${request.url}`);
      } else if ((fields.get('SignatureValue') ?? '').toLowerCase() !== expected) {
        this.problems.push(`InvId ${invId}: ResultURL signature does not match Password #2`);
      }
      const known = this.receipts.get(invId);
      if (known) {
        known.count += 1;
        this.duplicates += 1;
      } else {
        this.receipts.set(invId, { at, count: 1 });
      }
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`OK${invId}`);
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }

  /**
   * Waits until every InvId has arrived; gives up when none has arrived for stallMs (or after the absolute
   * cap, so the wait is always bounded). Returns the missing ones.
   */
  async waitFor(invIds: readonly string[], stallMs: number): Promise<string[]> {
    const cap = performance.now() + Math.max(stallMs, MAX_NOTIFICATION_WAIT_MS);
    let lastProgress = performance.now();
    let lastMissing = Infinity;
    for (;;) {
      const missing = invIds.filter((invId) => !this.receipts.has(invId));
      const now = performance.now();
      if (missing.length < lastMissing) {
        lastMissing = missing.length;
        lastProgress = now;
      }
      const deadline = Math.min(cap, lastProgress + stallMs);
      if (missing.length === 0 || now >= deadline) return missing;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(250, Math.max(1, deadline - now)));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/* ------------------------------------------------------------------------------------------------
 * Kopek in a child process (bench/kopek-server.ts)
 * ---------------------------------------------------------------------------------------------- */

interface KopekProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly workerDescription: string;
  request(message: ParentMessage, answer?: ChildMessage['type']): Promise<ChildMessage | undefined>;
}

async function startKopek(
  options: Options,
  databaseUrlText: string,
  profileFile: string | undefined,
): Promise<KopekProcess> {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = fork(path.join(BENCH_DIRECTORY, 'kopek-server.ts'), [], {
    execArgv: process.execArgv,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrlText,
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      BENCH_WORKER: options.worker,
      BENCH_POLL_MS: String(options.pollMs),
      BENCH_WORKERS: String(options.workers),
      ...(profileFile ? { BENCH_PROFILE: profileFile } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  onCleanup('stop the Kopek process', async () => {
    if (exited) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exit;
    clearTimeout(timer);
  });
  const request = (message: ParentMessage, answer?: ChildMessage['type']) =>
    new Promise<ChildMessage | undefined>((resolve, reject) => {
      if (exited || !child.connected) {
        reject(new Error('the Kopek process is no longer running'));
        return;
      }
      if (!answer) {
        child.send(message);
        resolve(undefined);
        return;
      }
      const finish = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (reply: ChildMessage) => {
        if (reply.type !== answer && reply.type !== 'failed') return;
        finish();
        if (reply.type === 'failed') reject(new Error(`Kopek process failed: ${reply.message}`));
        else resolve(reply);
      };
      const onExit = () => {
        finish();
        reject(new Error(`the Kopek process exited while the bench waited for '${answer}'`));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`the Kopek process did not answer '${message.type}' within 60 s`));
      }, 60_000);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  const ready = await new Promise<ChildMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Kopek did not start within 60 s')), 60_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready' || message.type === 'failed') {
        clearTimeout(timer);
        if (message.type === 'failed') reject(new Error(`Kopek failed to start: ${message.message}`));
        else resolve(message);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Kopek process exited (code ${code}) before it was ready`));
    });
  });
  return {
    child,
    baseUrl,
    workerDescription: ready.type === 'ready' ? ready.workerDescription : '',
    request,
  };
}

/* ------------------------------------------------------------------------------------------------
 * One buyer's payment over HTTP
 * ---------------------------------------------------------------------------------------------- */

interface PaymentTiming {
  readonly invId: string;
  readonly initMs: number;
  readonly pageMs: number;
  readonly cardMs: number;
  readonly paidPageMs: number;
  /** performance.now() when the card POST's 303 arrived. */
  readonly cardAnsweredAt: number;
}

class PaymentError extends Error {}

function futureExpiry(): string {
  const year = (new Date().getUTCFullYear() + 3) % 100;
  return `12/${String(year).padStart(2, '0')}`;
}
const EXPIRY = futureExpiry();

async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; location: string | null; body: string }> {
  const response = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...init,
  });
  const body = await response.text();
  return { status: response.status, location: response.headers.get('location'), body };
}

function expectRedirect(
  step: string,
  answer: { status: number; location: string | null; body: string },
  baseUrl: string,
): string {
  if (answer.status !== 303 || !answer.location) {
    const excerpt = answer.body.replace(/\s+/g, ' ').slice(0, 200);
    throw new PaymentError(`${step}: expected 303, got ${answer.status} ${excerpt}`);
  }
  return new URL(answer.location, baseUrl).toString();
}

async function payOnce(
  baseUrl: string,
  invId: string,
  index: number,
  email: boolean,
): Promise<PaymentTiming> {
  const outSum = `${100 + (index % 900)}.00`;
  const signature = hashHex('MD5', `${MERCHANT_LOGIN}:${outSum}:${invId}:${PASSWORD_1}`);
  const query = new URLSearchParams({
    MerchantLogin: MERCHANT_LOGIN,
    OutSum: outSum,
    InvId: invId,
    Description: `Benchmark order ${invId}`,
    SignatureValue: signature,
    Culture: 'en',
  });
  const t0 = performance.now();
  const init = await call(`${baseUrl}/Merchant/Index.aspx?${query.toString()}`);
  const paymentUrl = expectRedirect('init', init, baseUrl);
  const t1 = performance.now();
  const page = await call(paymentUrl);
  const t2 = performance.now();
  if (page.status !== 200) throw new PaymentError(`checkout page: expected 200, got ${page.status}`);
  const submissionKey = /name="submissionKey" value="([^"]+)"/.exec(page.body)?.[1];
  const action = /<form method="post" action="([^"]+\/card)"/.exec(page.body)?.[1];
  if (!submissionKey || !action) throw new PaymentError('checkout page: no card form');
  const form = new URLSearchParams({
    submissionKey,
    cardNumber: CARD_NUMBER,
    expiry: EXPIRY,
    cvc: '123',
    email: email ? `buyer${invId}@example.test` : '',
  });
  const t3 = performance.now();
  const card = await call(new URL(action, baseUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const cardAnsweredAt = performance.now();
  const paidUrl = expectRedirect('card', card, baseUrl);
  const paid = await call(paidUrl);
  const t5 = performance.now();
  if (paid.status !== 200 || !paid.body.includes('Payment received')) {
    throw new PaymentError(`paid page: expected 200 "Payment received", got ${paid.status}`);
  }
  return {
    invId,
    initMs: t1 - t0,
    pageMs: t2 - t1,
    cardMs: cardAnsweredAt - t3,
    paidPageMs: t5 - cardAnsweredAt,
    cardAnsweredAt,
  };
}

interface PhaseResult {
  readonly timings: PaymentTiming[];
  readonly errors: string[];
  readonly startedAt: number;
  readonly clientsDoneAt: number;
}

async function runPayments(
  baseUrl: string,
  invIds: readonly string[],
  concurrency: number,
  email: boolean,
): Promise<PhaseResult> {
  const timings: PaymentTiming[] = [];
  const errors: string[] = [];
  let next = 0;
  const startedAt = performance.now();
  const client = async () => {
    for (;;) {
      const index = next;
      next += 1;
      const invId = invIds[index];
      if (invId === undefined) return;
      try {
        timings.push(await payOnce(baseUrl, invId, index, email));
      } catch (error) {
        errors.push(`InvId ${invId}: ${error instanceof PaymentError ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, invIds.length) }, () => client()));
  return { timings, errors, startedAt, clientsDoneAt: performance.now() };
}

/* ------------------------------------------------------------------------------------------------
 * pgbench
 * ---------------------------------------------------------------------------------------------- */

function pgbenchConnectionArguments(): { args: string[]; env: NodeJS.ProcessEnv } {
  const url = new URL(ADMIN_DATABASE_URL);
  const args = [
    '-h',
    url.hostname || '127.0.0.1',
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username || 'postgres'),
  ];
  const env = { ...process.env };
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  return { args, env };
}

function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(`${stdout}\n${stderr}`);
      },
    );
    onCleanup(`stop ${command}`, async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    });
  });
}

interface PgbenchResult {
  readonly tps: number;
  readonly command: string;
  readonly latencyAverageMs: number | undefined;
  readonly transactions: number | undefined;
}

async function runPgbench(options: Options, databaseName: string): Promise<PgbenchResult> {
  const { args, env } = pgbenchConnectionArguments();
  await runCommand(
    'pgbench',
    [...args, '-i', '-q', '-s', String(options.pgbenchScale), databaseName],
    env,
    600_000,
  );
  const clients = options.concurrency;
  const threads = Math.min(2, clients);
  const runArgs = ['-N', '-c', String(clients), '-j', String(threads), '-T', String(options.pgbenchSeconds)];
  const output = await runCommand(
    'pgbench',
    [...args, ...runArgs, databaseName],
    env,
    (options.pgbenchSeconds + 120) * 1000,
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
  if (!tps) throw new Error(`could not read the TPS from pgbench's output:\n${output}`);
  const latency = /latency average = ([\d.]+) ms/.exec(output)?.[1];
  const transactions = /number of transactions actually processed: (\d+)/.exec(output)?.[1];
  return {
    tps: Number(tps),
    command: `pgbench ${runArgs.join(' ')} (scale ${options.pgbenchScale})`,
    latencyAverageMs: latency ? Number(latency) : undefined,
    transactions: transactions ? Number(transactions) : undefined,
  };
}

/* ------------------------------------------------------------------------------------------------
 * Server-side look at the run: the job queue, from Kopek's own tables
 * ---------------------------------------------------------------------------------------------- */

async function readQueueStats(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{
      queue: string;
      state: string;
      n: number;
      p50: number | null;
      p95: number | null;
      max: number | null;
    }>(
      `select queue, state, count(*)::int as n,
              percentile_cont(0.5) within group (order by extract(epoch from finished_at - created_at) * 1000) as p50,
              percentile_cont(0.95) within group (order by extract(epoch from finished_at - created_at) * 1000) as p95,
              max(extract(epoch from finished_at - created_at) * 1000)::float8 as max
         from jobs group by queue, state order by queue, state`,
    );
    const attempts = await client.query<{ n: number; ok: number; p50: number | null; p95: number | null }>(
      `select count(*)::int as n, count(*) filter (where is_success)::int as ok,
              percentile_cont(0.5) within group (order by duration_ms) as p50,
              percentile_cont(0.95) within group (order by duration_ms) as p95
         from notification_attempts`,
    );
    const lines = result.rows.map(
      (row) =>
        `  ${row.queue.padEnd(24)} ${row.state.padEnd(8)} ${String(row.n).padStart(6)} jobs` +
        (row.p50 === null
          ? ''
          : `, enqueue → done p50 ${fixed(row.p50)} ms, p95 ${fixed(row.p95 ?? NaN)} ms, max ${fixed(row.max ?? NaN)} ms`),
    );
    const a = attempts.rows[0];
    if (a) {
      lines.push(
        `  notification attempts    ${a.n} (${a.ok} acknowledged), HTTP call p50 ${fixed(a.p50 ?? NaN, 0)} ms, p95 ${fixed(a.p95 ?? NaN, 0)} ms`,
      );
    }
    return lines;
  } finally {
    await client.end();
  }
}

/* ------------------------------------------------------------------------------------------------
 * SQL sent by Kopek during the measured run (counted in bench/kopek-server.ts)
 * ---------------------------------------------------------------------------------------------- */

function describeStatements(
  usage: Extract<ChildMessage, { type: 'usage' }>,
  payments: number,
  wallMs: number,
  isDetailed: boolean,
): string[] {
  const perPayment = (n: number) => fixed(n / Math.max(1, payments), 1);
  const all = usage.statements;
  const total = all.reduce((sum, entry) => sum + entry.count, 0);
  const totalMs = all.reduce((sum, entry) => sum + entry.totalMs, 0);
  const countOf = (test: (text: string) => boolean) =>
    all.filter((entry) => test(entry.text.trim().toLowerCase())).reduce((sum, entry) => sum + entry.count, 0);
  const begins = countOf((text) => text === 'begin');
  const claims = all.filter((entry) => entry.text.includes("update jobs set state = 'running'"));
  const claimCount = claims.reduce((sum, entry) => sum + entry.count, 0);
  const lines = [
    '',
    'SQL sent by Kopek during the measured run (client side: round trip including waits for locks)',
    `  statements            ${total} = ${perPayment(total)} per payment (${fixed(total / (wallMs / 1000), 0)}/s), of which ${perPayment(begins)} BEGIN per payment; ` +
      `job claims (incl. empty polls) ${claimCount}`,
    `  time in statements    ${fixed(totalMs / 1000, 1)} s summed, mean ${fixed(totalMs / Math.max(1, total), 2)} ms per statement`,
    `  pool (10 connections) ${usage.poolConnects} checkouts, waited ${fixed(usage.poolWaitMs / 1000, 2)} s summed (mean ${fixed(usage.poolWaitMs / Math.max(1, usage.poolConnects), 2)} ms)`,
    '  most time-consuming statements (per payment: count, ms summed):',
  ];
  const top = [...all].sort((a, b) => b.totalMs - a.totalMs).slice(0, isDetailed ? 200 : 14);
  for (const entry of top) {
    const text = entry.text.replace(/\s+/g, ' ').trim();
    lines.push(
      `    ${perPayment(entry.count).padStart(5)} x ${fixed(entry.totalMs / Math.max(1, payments), 2).padStart(6)} ms  ${text.length > 96 ? `${text.slice(0, 93)}...` : text}`,
    );
  }
  return lines;
}

/* ------------------------------------------------------------------------------------------------
 * CPU profile summary (--profile)
 * ---------------------------------------------------------------------------------------------- */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function summariseProfile(file: string): string[] {
  if (!existsSync(file)) return ['  (no profile was written)'];
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    total += delta;
    const url = frame.url.replace(/^file:\/\//, '');
    const isProjectFile = url.startsWith(PROJECT_ROOT) && !url.includes('/node_modules/');
    const where = isProjectFile
      ? path.relative(PROJECT_ROOT, url) // tsx-compiled: line numbers would not match the source
      : url === ''
        ? ''
        : `${url.replace(/^.*\/node_modules\//, 'node_modules/')}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    let area: string;
    if (frame.functionName === '(idle)') area = '(idle: waiting for I/O)';
    else if (frame.functionName === '(garbage collector)') area = '(garbage collector)';
    else if (frame.functionName === '(program)') area = '(program: native, e.g. crypto, parsing)';
    else if (url.includes('/node_modules/'))
      area = `node_modules/${url.split('/node_modules/')[1]?.split('/')[0] ?? ''}`;
    else if (url.includes('/src/'))
      area = `src/${url.split('/src/')[1]?.split('/').slice(0, -1).join('/') ?? ''}`;
    else if (url.startsWith('node:') || url === '') area = 'node core';
    else area = 'other';
    byArea.set(area, (byArea.get(area) ?? 0) + delta);
  });
  const top = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, time]) => `    ${fixed((100 * time) / total).padStart(5)}%  ${name}`);
  return [
    `  ${file} (${fixed(total / 1e6)} s sampled, self time; open it in Chrome DevTools)`,
    '  by area:',
    ...top(byArea, 12),
    '  by function:',
    ...top(byFunction, 20),
  ];
}

/* ------------------------------------------------------------------------------------------------
 * Main
 * ---------------------------------------------------------------------------------------------- */

async function main(): Promise<number> {
  const options = readOptions();
  const problems: string[] = [];
  const serverVersion = await withAdmin(async (client) => {
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  });
  const adminUrl = new URL(ADMIN_DATABASE_URL);

  const stub = new MerchantStub();
  await stub.start();
  onCleanup('stop the merchant stub', () => stub.stop());

  const kopekDatabase = await createDatabase('kopek_bench');
  const profileFile = options.profile
    ? path.join(tmpdir(), `kopek-bench-${randomBytes(4).toString('hex')}.cpuprofile`)
    : undefined;
  const kopek = await startKopek(options, kopekDatabase.url, profileFile);

  // The demo shop's ResultURL now points at the stub, answered by POST.
  await (async () => {
    const client = new pg.Client({ connectionString: kopekDatabase.url });
    await client.connect();
    try {
      const updated = await client.query(
        `update shops set result_url = $1, result_method = 'POST' where lower(merchant_login) = $2`,
        [stub.resultUrl, MERCHANT_LOGIN],
      );
      if (updated.rowCount !== 1) throw new Error('the demo shop was not found');
    } finally {
      await client.end();
    }
  })();

  // InvIds unique to this run, so a payment is never refused as already paid (error 40).
  const invBase = 1_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  const invIdsFrom = (first: number, count: number) =>
    Array.from({ length: count }, (_, index) => String(invBase + first + index));

  // Warm-up: JIT, connection pools, keep-alive connections. Not measured.
  if (options.warmup > 0) {
    const warmIds = invIdsFrom(0, options.warmup);
    const warm = await runPayments(kopek.baseUrl, warmIds, options.concurrency, options.email);
    if (warm.errors.length > 0) problems.push(...warm.errors.slice(0, 5).map((text) => `warm-up: ${text}`));
    const missing = await stub.waitFor(warmIds, options.notifyTimeoutS * 1000);
    if (missing.length > 0) problems.push(`warm-up: ${missing.length} ResultURL notifications never arrived`);
  }

  // The measured run.
  const measuredIds = invIdsFrom(options.warmup, options.payments);
  const machineBefore = readMachineCpu();
  const postgresBefore = readPostgresCpu();
  const benchCpuBefore = process.cpuUsage();
  await kopek.request({ type: 'mark' }, 'marked');
  const run = await runPayments(kopek.baseUrl, measuredIds, options.concurrency, options.email);
  const paidIds = run.timings.map((timing) => timing.invId);
  const missing = await stub.waitFor(paidIds, options.notifyTimeoutS * 1000);
  const acknowledged = paidIds.filter((invId) => stub.receipts.has(invId));
  const lastAck = Math.max(
    run.clientsDoneAt,
    ...acknowledged.map((invId) => stub.receipts.get(invId)?.at ?? 0),
  );
  const wallMs = lastAck - run.startedAt;
  const usage = await kopek.request({ type: 'usage' }, 'usage').catch((error: unknown) => {
    problems.push(String(error));
    return undefined;
  });
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const machineAfter = readMachineCpu();
  const postgresSeconds = readPostgresCpu() - postgresBefore;
  if (run.errors.length > 0) problems.push(...run.errors.slice(0, 10));
  if (run.errors.length > 10) problems.push(`... and ${run.errors.length - 10} more payment errors`);
  if (missing.length > 0) {
    problems.push(
      `${missing.length} ResultURL notifications missing (none arrived for ${options.notifyTimeoutS} s; e.g. InvId ${missing.slice(0, 5).join(', ')})`,
    );
  }
  problems.push(...stub.problems.slice(0, 5));

  const queueStats = await readQueueStats(kopekDatabase.url).catch((error: unknown) => [
    `  (could not read: ${String(error)})`,
  ]);

  // Kopek stops before pgbench, so that pgbench has the machine to itself.
  const stopKopek = cleanups.findIndex((step) => step.name === 'stop the Kopek process');
  if (stopKopek >= 0) {
    const [step] = cleanups.splice(stopKopek, 1);
    await step?.run();
  }
  const profileLines = profileFile ? summariseProfile(profileFile) : [];

  let pgbench: PgbenchResult | undefined;
  if (options.pgbenchSeconds > 0) {
    try {
      const pgbenchDatabase = await createDatabase('kopek_pgbench');
      pgbench = await runPgbench(options, pgbenchDatabase.name);
    } catch (error) {
      problems.push(`pgbench: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /* ---------------------------------------------- report */
  const sortedBy = (pick: (timing: PaymentTiming) => number) => run.timings.map(pick).sort((a, b) => a - b);
  const lags = acknowledged
    .map((invId) => {
      const timing = run.timings.find((t) => t.invId === invId);
      const receipt = stub.receipts.get(invId);
      return timing && receipt ? receipt.at - timing.cardAnsweredAt : NaN;
    })
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const rows: [string, number[]][] = [
    ['init (Index.aspx → 303)', sortedBy((t) => t.initMs)],
    ['checkout page GET', sortedBy((t) => t.pageMs)],
    ['card POST (→ 303)', sortedBy((t) => t.cardMs)],
    ['paid page GET', sortedBy((t) => t.paidPageMs)],
    ['paid → ResultURL ack', lags],
    ['buyer total (4 requests)', sortedBy((t) => t.initMs + t.pageMs + t.cardMs + t.paidPageMs)],
  ];
  const paymentsPerSecond = acknowledged.length / (wallMs / 1000);
  const httpPerSecond = run.timings.length / ((run.clientsDoneAt - run.startedAt) / 1000);
  const ratio = pgbench ? paymentsPerSecond / pgbench.tps : NaN;
  const cpuCount = cpus().length;
  const machineBusy =
    machineBefore && machineAfter
      ? (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)
      : NaN;
  const kopekUsage = usage?.type === 'usage' ? usage : undefined;

  const p50Lag = percentile(lags, 50);
  const diagnose = (): string[] => {
    const lines: string[] = [];
    const emailJobs = options.email ? 2 : 1;
    if (options.worker === 'runtime') {
      lines.push(
        `  - runtime.worker: it sleeps 1000 ms after every batch of at most 20 jobs (JobWorker.start, src/platform/jobs.ts;`,
        `    openRuntime passes no pollIntervalMs, src/runtime.ts), so it runs at most ~20 jobs/s = ~${20 / emailJobs} paid payments/s`,
        `    with ${emailJobs} job(s) per payment. Measured: ${fixed(paymentsPerSecond)} payments/s notified vs ${fixed(httpPerSecond)} through checkout;`,
        `    ResultURL lag p50 ${fixed(p50Lag / 1000, 1)} s.`,
      );
    } else if (paymentsPerSecond < 0.9 * httpPerSecond) {
      lines.push(
        `  - the job worker fell behind checkout (${fixed(paymentsPerSecond)} notified/s vs ${fixed(httpPerSecond)} paid/s; ResultURL lag p50 ${fixed(p50Lag)} ms):`,
        `    each JobWorker runs its claimed jobs one at a time (runDueJobs, src/platform/jobs.ts), ${emailJobs} job(s) per payment,`,
        '    every job a chain of sequential round trips to PostgreSQL.',
      );
    } else {
      lines.push(`  - the job worker kept up with checkout (ResultURL lag p50 ${fixed(p50Lag)} ms).`);
    }
    if (kopekUsage) {
      const cpuPerPayment =
        (kopekUsage.cpuUserMs + kopekUsage.cpuSystemMs) / Math.max(1, acknowledged.length);
      lines.push(
        `  - Kopek's one event loop (HTTP, SQL client and worker together) was busy ${fixed(100 * kopekUsage.eventLoopUtilization, 0)}% of the run and used`,
        `    ${fixed(cpuPerPayment)} ms of CPU per payment: one process cannot pass ~${fixed(1000 / cpuPerPayment, 0)} payments/s on one core` +
          (kopekUsage.eventLoopUtilization >= 0.75 ? '; it is near that limit.' : '.'),
        '    --profile shows where its time goes.',
      );
    }
    if (otherCores >= 0.4) {
      lines.push(
        `  - other work used about ${fixed(100 * otherCores, 0)}% of a core besides Kopek, PostgreSQL and the bench: the machine was`,
        '    not quiet (or kernel networking was heavy); these figures are pessimistic, run again on a quiet machine.',
      );
    }
    if (machineBusy >= 0.9) {
      lines.push(
        `  - the machine was ${fixed(100 * machineBusy, 0)}% busy: Kopek, PostgreSQL and the buyers share ${cpuCount} cores.`,
      );
    }
    if (kopekUsage) {
      const statementsPerPayment =
        kopekUsage.statements.reduce((sum, entry) => sum + entry.count, 0) / Math.max(1, acknowledged.length);
      if (pgbench) {
        lines.push(
          `  - SQL volume: ${fixed(statementsPerPayment)} statements per payment; a pgbench -N transaction is 5 (BEGIN, UPDATE, SELECT,`,
          `    INSERT, END), so at pgbench's statement rate this server would cap Kopek near ${fixed((5 * pgbench.tps) / statementsPerPayment, 0)} payments/s`,
          `    (ratio ${fixed(5 / statementsPerPayment, 3)}) even if Node cost nothing.`,
        );
      }
    }
    return lines;
  };

  const out: string[] = [];
  out.push('Kopek payment benchmark');
  out.push('');
  out.push('Parameters');
  out.push(`  payments N            ${options.payments} measured (+${options.warmup} warm-up, not measured)`);
  out.push(`  concurrency C         ${options.concurrency} buyers over keep-alive HTTP (fetch)`);
  out.push(
    `  card                  ${CARD_NUMBER} (sandbox: approved, no 3-D Secure); buyer e-mail ${options.email ? 'given (a mail job per payment too)' : 'not given'}`,
  );
  out.push(
    `  Node                  ${process.version} (${platform()} ${arch()}, ${cpuCount} CPUs: ${cpus()[0]?.model ?? '?'})`,
  );
  out.push(
    `  database              PostgreSQL ${serverVersion} at ${adminUrl.hostname}:${adminUrl.port || '5432'}, fresh database ${kopekDatabase.name}; Kopek pool 10 connections`,
  );
  out.push(
    `  Kopek                 child process: openRuntime + buildApp on 127.0.0.1, NODE_ENV=test, LOG_LEVEL=silent${options.profile ? ', V8 CPU profiler on during the measured run' : ''}`,
  );
  out.push(`  job worker            ${kopek.workerDescription}`);
  if (options.worker === 'fast') {
    out.push(
      '                        note: --worker=fast replaces the worker openRuntime builds with one polling every --poll-ms.',
    );
  }
  out.push('');
  out.push('End to end');
  out.push(
    `  completed payments    ${acknowledged.length} / ${options.payments} paid with ResultURL acknowledged (errors ${run.errors.length}, missing notifications ${missing.length}, duplicate notifications ${stub.duplicates})`,
  );
  out.push(
    `  wall time             ${fixed(wallMs / 1000, 2)} s (first request → last ResultURL acknowledged)`,
  );
  out.push(`  payments/s            ${fixed(paymentsPerSecond, 1)} end to end`);
  out.push(
    `  checkout flow only    ${fixed(httpPerSecond, 1)} payments/s (all 4 buyer requests done, before waiting for notifications)`,
  );
  out.push('');
  out.push('Latency per step (ms)            p50      p95      p99      max');
  for (const [label, values] of rows) {
    out.push(
      `  ${label.padEnd(28)} ${fixed(percentile(values, 50)).padStart(7)}  ${fixed(percentile(values, 95)).padStart(7)}  ${fixed(percentile(values, 99)).padStart(7)}  ${fixed(values[values.length - 1] ?? NaN).padStart(7)}`,
    );
  }
  out.push(
    '  ("paid → ResultURL ack": from the card POST\'s 303 reaching the buyer to the stub receiving ResultURL;',
  );
  out.push('   negative when the worker delivered before the buyer got the answer)');
  out.push('');
  out.push('PostgreSQL baseline (same server, after Kopek stopped)');
  if (pgbench) {
    out.push(
      `  ${pgbench.command}: ${fixed(pgbench.tps, 1)} TPS (without initial connection time)` +
        (pgbench.latencyAverageMs !== undefined ? `, latency average ${pgbench.latencyAverageMs} ms` : ''),
    );
  } else {
    out.push(
      options.pgbenchSeconds > 0 ? '  pgbench failed (see problems)' : '  skipped (--pgbench-seconds=0)',
    );
  }
  out.push('');
  out.push(
    `Ratio payments/s ÷ pgbench TPS = ${fixed(ratio, 4)} (goal ≥ 0.25: ${Number.isFinite(ratio) ? (ratio >= 0.25 ? 'met' : 'not met') : 'unknown'})`,
  );
  out.push('');
  out.push('Resources during the measured run');
  if (kopekUsage) {
    const cpuMs = kopekUsage.cpuUserMs + kopekUsage.cpuSystemMs;
    out.push(
      `  Kopek process         ${fixed((100 * cpuMs) / kopekUsage.wallMs, 0)}% of one core (user ${fixed(kopekUsage.cpuUserMs / 1000, 1)} s, system ${fixed(kopekUsage.cpuSystemMs / 1000, 1)} s), event-loop utilisation ${fixed(kopekUsage.eventLoopUtilization, 2)}`,
    );
  }
  out.push(
    `  bench process         ${fixed((100 * (benchCpu.user + benchCpu.system)) / 1000 / wallMs, 0)}% of one core (buyers' HTTP clients and the merchant stub)`,
  );
  out.push(
    `  PostgreSQL processes  ${fixed((100 * postgresSeconds) / (wallMs / 1000), 0)}% of one core (all postgres processes, from /proc)`,
  );
  const accountedCores =
    (kopekUsage ? (kopekUsage.cpuUserMs + kopekUsage.cpuSystemMs) / kopekUsage.wallMs : 0) +
    (benchCpu.user + benchCpu.system) / 1000 / wallMs +
    postgresSeconds / (wallMs / 1000);
  const otherCores = machineBusy * cpuCount - accountedCores;
  out.push(
    `  whole machine         ${fixed(100 * machineBusy, 0)}% busy of ${cpuCount} cores; not accounted above: ${fixed(100 * otherCores, 0)}% of one core` +
      ' (kernel networking, other processes)',
  );
  if (kopekUsage) out.push(...describeStatements(kopekUsage, acknowledged.length, wallMs, options.sqlDetail));
  out.push('');
  out.push("Job queue (Kopek's jobs table when the last ResultURL arrived, warm-up included)");
  out.push(...queueStats);
  out.push('');
  out.push('What limited this run (from the figures above)');
  out.push(...diagnose());
  if (profileLines.length > 0) {
    out.push('');
    out.push('CPU profile of the Kopek process (the measured run only)');
    out.push(...profileLines);
  }
  out.push('');
  if (problems.length > 0) {
    out.push('Problems (the benchmark failed)');
    out.push(...problems.map((text) => `  - ${text}`));
  } else {
    out.push('Result: OK (every payment paid and its ResultURL acknowledged)');
  }
  console.log(out.join('\n'));
  return problems.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    await cleanUp();
    process.exit(1);
  });
