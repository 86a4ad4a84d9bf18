/**
 * Building blocks of the HTTP load benchmarks (bench/latency.bench.ts, bench/shops.bench.ts): Kopek in a
 * child process (bench/kopek-server.ts, the shipped job worker) whose resident memory can be sampled, one
 * buyer's card payment step by step, OpStateExt, the cabinet's operations list for a signed-in merchant,
 * clones of the demo shop, percentiles and a throughput/latency chart as hand-written SVG.
 *
 * The database and the merchant's ResultURL server are the fault drills' (test/faults/fault-support.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import ts from 'typescript';
import { hashHex } from '../src/modules/protocol/index.js';
import { DEMO } from '../src/seed.js';
import type { ChildMessage, ParentMessage } from './kopek-server.js';

const BENCH_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.dirname(BENCH_DIRECTORY);
const SERVER_ENTRY = path.join(BENCH_DIRECTORY, 'kopek-server.ts');
const CARD_NUMBER = '4111 1111 1111 1111'; // sandbox: approved, no 3-D Secure
const REQUEST_TIMEOUT_MS = 60_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Nearest-rank percentile of an ascending array (as bench/payments.bench.ts). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

export interface Quantiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function quantiles(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/* ---------------------------------------------------------------------------------------------- */
/* Kopek in a child process                                                                         */
/* ---------------------------------------------------------------------------------------------- */

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

/** How the Kopek process runs: compiled JavaScript on plain node, as `npm start` runs dist/, or under tsx. */
export type ServerMode = 'built' | 'tsx';

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')
      ? [file]
      : [];
  });
}

/**
 * Compiles src/ and bench/kopek-server.ts to JavaScript in a temporary directory laid out as the project
 * is after `npm run build:server` (dist/src/…), each file transpiled on its own (no type check: seconds,
 * not the minute tsc takes on this machine). package.json, node_modules, src (migrations, checkout
 * assets) and assets (fonts) are symlinks to the project's, so paths.ts and the asset lookups of the
 * built code find them as they do from dist/. Why: under tsx the process also carries the TypeScript
 * loader and every file's source map, about 100 MB of RSS a production node does not have.
 * Returns the compiled entry and a function removing the directory.
 */
export function buildServer(): { entry: string; remove: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'kopek-bench-build-'));
  const files = [...sourceFiles(path.join(PROJECT_ROOT, 'src')), SERVER_ENTRY];
  for (const file of files) {
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        verbatimModuleSyntax: false,
      },
    });
    const target = path.join(root, 'dist', path.relative(PROJECT_ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  for (const name of ['package.json', 'node_modules', 'src', 'assets'])
    symlinkSync(path.join(PROJECT_ROOT, name), path.join(root, name));
  return {
    entry: path.join(root, 'dist', 'bench', 'kopek-server.js'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface KopekServer {
  readonly baseUrl: string;
  /** The node process serving HTTP and running the jobs (forked with tsx's loader, no wrapper). */
  readonly pid: number;
  readonly workerDescription: string;
  stop(): Promise<void>;
}

/**
 * Kopek as `kopek start --role=all` with the worker exactly as openRuntime builds it (BENCH_WORKER=runtime),
 * as `npm run bench:payments` measures it by default.
 */
export async function startKopekServer(databaseUrl: string, mode: ServerMode = 'tsx'): Promise<KopekServer> {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const build = mode === 'built' ? buildServer() : undefined;
  const child: ChildProcess = fork(build?.entry ?? SERVER_ENTRY, [], {
    execArgv: build ? [] : process.execArgv,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      BENCH_WORKER: 'runtime',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<ChildMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Kopek did not start within 60 s')), 60_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready' && message.type !== 'failed') return;
      clearTimeout(timer);
      if (message.type === 'failed') reject(new Error(`Kopek failed to start: ${message.message}`));
      else resolve(message);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Kopek exited (code ${code}) before it was ready`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    build?.remove();
    throw error;
  });
  return {
    baseUrl,
    pid: child.pid ?? 0,
    workerDescription: ready.type === 'ready' ? ready.workerDescription : '',
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      build?.remove();
    },
  };
}

/* ---------------------------------------------------------------------------------------------- */
/* Resident memory of the Kopek process                                                             */
/* ---------------------------------------------------------------------------------------------- */

/** VmRSS of a process in MB (Linux /proc), NaN when it cannot be read. */
export function readRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kilobytes ? Number(kilobytes) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every intervalMs; `window()` gives the maximum since the last call. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private windowMax = 0;
  overallMax = 0;
  samples = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    const rss = readRssMb(this.pid);
    if (!Number.isFinite(rss)) return;
    this.samples += 1;
    this.windowMax = Math.max(this.windowMax, rss);
    this.overallMax = Math.max(this.overallMax, rss);
  }

  /** The largest RSS sampled since the previous call (MB). */
  window(): number {
    this.sample();
    const max = this.windowMax;
    this.windowMax = 0;
    return max;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** CPU seconds a process has used (Linux /proc/<pid>/stat utime + stime, 100 ticks per second). */
export function readProcessCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Busy and total CPU time of the whole machine (Linux /proc/stat), to see how loaded it was. */
export function readMachineCpu(): { busy: number; total: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Between two calls of `take()`: cores the process used and how busy the machine was (0..1). */
export class CpuWindow {
  private process: number;
  private machine: { busy: number; total: number };
  private at = performance.now();

  constructor(private readonly pid: number) {
    this.process = readProcessCpuSeconds(pid);
    this.machine = readMachineCpu();
  }

  take(): { processCores: number; machineBusy: number } {
    const process = readProcessCpuSeconds(this.pid);
    const machine = readMachineCpu();
    const now = performance.now();
    const result = {
      processCores: (process - this.process) / ((now - this.at) / 1000),
      machineBusy: (machine.busy - this.machine.busy) / Math.max(1, machine.total - this.machine.total),
    };
    this.process = process;
    this.machine = machine;
    this.at = now;
    return result;
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* HTTP                                                                                             */
/* ---------------------------------------------------------------------------------------------- */

export class RequestError extends Error {}

interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly body: string;
  readonly setCookies: string[];
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...init,
  });
  const body = await response.text();
  return {
    status: response.status,
    location: response.headers.get('location'),
    body,
    setCookies: response.headers.getSetCookie(),
  };
}

function expectRedirect(step: string, answer: Answer, baseUrl: string): string {
  if (answer.status !== 303 || !answer.location) {
    const excerpt = answer.body.replace(/\s+/g, ' ').slice(0, 200);
    throw new RequestError(`${step}: expected 303, got ${answer.status} ${excerpt}`);
  }
  return new URL(answer.location, baseUrl).toString();
}

function futureExpiry(): string {
  const year = (new Date().getUTCFullYear() + 3) % 100;
  return `12/${String(year).padStart(2, '0')}`;
}
const EXPIRY = futureExpiry();

/** When each request of one payment was due and answered (performance.now()). */
export interface PaymentTiming {
  readonly invId: string;
  /** When the payment was meant to start: the schedule's time in an open loop, the send time otherwise. */
  readonly dueAt: number;
  readonly initDoneAt: number;
  readonly pageDoneAt: number;
  readonly cardDoneAt: number;
  readonly paidPageDoneAt: number;
}

/**
 * One buyer's card payment as bench/payments.bench.ts makes it: Index.aspx → 303, the checkout page,
 * the card form POST → 303, the paid page ("Payment received"). Each request is sent as soon as the
 * previous answer is in, so a step's latency is measured from the previous step's answer.
 */
export async function payByCard(
  baseUrl: string,
  shopLogin: string,
  invId: string,
  outSum: string,
  dueAt = performance.now(),
): Promise<PaymentTiming> {
  const signature = hashHex('MD5', `${shopLogin}:${outSum}:${invId}:${DEMO.shop.password1}`);
  const query = new URLSearchParams({
    MerchantLogin: shopLogin,
    OutSum: outSum,
    InvId: invId,
    Description: `Benchmark order ${invId}`,
    SignatureValue: signature,
    Culture: 'en',
  });
  const init = await call(`${baseUrl}/Merchant/Index.aspx?${query.toString()}`);
  const initDoneAt = performance.now();
  const paymentUrl = expectRedirect('init', init, baseUrl);
  const page = await call(paymentUrl);
  const pageDoneAt = performance.now();
  if (page.status !== 200) throw new RequestError(`checkout page: expected 200, got ${page.status}`);
  const submissionKey = /name="submissionKey" value="([^"]+)"/.exec(page.body)?.[1];
  const action = /<form method="post" action="([^"]+\/card)"/.exec(page.body)?.[1];
  if (!submissionKey || !action) throw new RequestError('checkout page: no card form');
  const form = new URLSearchParams({
    submissionKey,
    cardNumber: CARD_NUMBER,
    expiry: EXPIRY,
    cvc: '123',
    email: `buyer${invId}@example.test`,
  });
  const card = await call(new URL(action, baseUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const cardDoneAt = performance.now();
  const paidUrl = expectRedirect('card', card, baseUrl);
  const paid = await call(paidUrl);
  const paidPageDoneAt = performance.now();
  if (paid.status !== 200 || !paid.body.includes('Payment received'))
    throw new RequestError(`paid page: expected 200 "Payment received", got ${paid.status}`);
  return { invId, dueAt, initDoneAt, pageDoneAt, cardDoneAt, paidPageDoneAt };
}

/** OpStateExt of the demo shop, signed with Password #2; the payment must be found (Result Code 0). */
export async function opStateExt(baseUrl: string, invId: string): Promise<void> {
  const login = DEMO.shop.merchantLogin;
  const query = new URLSearchParams({
    MerchantLogin: login,
    InvoiceID: invId,
    Signature: hashHex('MD5', `${login}:${invId}:${DEMO.shop.password2}`),
  });
  const answer = await call(`${baseUrl}/Merchant/WebService/Service.asmx/OpStateExt?${query.toString()}`);
  if (answer.status !== 200 || !/<Result>\s*<Code>0<\/Code>/.test(answer.body))
    throw new RequestError(`OpStateExt: ${answer.status} ${answer.body.replace(/\s+/g, ' ').slice(0, 200)}`);
}

function cookiePairs(setCookies: readonly string[]): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const header of setCookies) {
    const [pair] = header.split(';');
    const equals = pair?.indexOf('=') ?? -1;
    if (pair && equals > 0) pairs.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
  }
  return pairs;
}

/**
 * Signs the demo merchant's administrator in over HTTP as the cabinet does (CSRF cookie, then the JSON
 * sign-in with the token in x-csrf-token) and returns the Cookie header its later requests send.
 */
export async function signInToCabinet(baseUrl: string): Promise<string> {
  const csrf = cookiePairs((await call(`${baseUrl}/api/cabinet/csrf`)).setCookies);
  const token = csrf.get('kopek_csrf');
  if (!token) throw new RequestError('cabinet: no kopek_csrf cookie');
  const signIn = await call(`${baseUrl}/api/cabinet/sessions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-csrf-token': token,
      cookie: `kopek_csrf=${token}`,
    },
    body: JSON.stringify({ email: DEMO.administrator.email, password: DEMO.administrator.password }),
  });
  if (signIn.status !== 200) throw new RequestError(`cabinet sign-in: ${signIn.status} ${signIn.body}`);
  const cookies = new Map([...csrf, ...cookiePairs(signIn.setCookies)]);
  if (!cookies.has('kopek_session')) throw new RequestError('cabinet sign-in: no session cookie');
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** The cabinet's operations list, first page, newest first (what the Operations page loads). */
export async function listOperations(baseUrl: string, cookie: string): Promise<void> {
  const answer = await call(`${baseUrl}/api/cabinet/operations`, { headers: { cookie } });
  const items = answer.status === 200 ? (JSON.parse(answer.body) as { items?: unknown }).items : undefined;
  if (!Array.isArray(items) || items.length === 0)
    throw new RequestError(`operations list: ${answer.status} ${answer.body.slice(0, 200)}`);
}

/* ---------------------------------------------------------------------------------------------- */
/* Shops                                                                                            */
/* ---------------------------------------------------------------------------------------------- */

/**
 * Points the demo shop's ResultURL at the stub (POST) and adds `clones` copies of it: every column copied
 * (account, passwords, result_url, status…) but the id, name and merchant login `bench<N>`. Columns are
 * read from the catalog, so columns added later are copied too. Returns the merchant logins, demo first.
 */
export async function prepareShops(pool: pg.Pool, resultUrl: string, clones: number): Promise<string[]> {
  const demo = DEMO.shop.merchantLogin;
  const updated = await pool.query(
    `update shops set result_url = $1, result_method = 'POST' where merchant_login = $2`,
    [resultUrl, demo],
  );
  if (updated.rowCount !== 1) throw new Error('the demo shop was not found');
  if (clones > 0) {
    const columns = (
      await pool.query<{ name: string }>(
        `select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = 'shops'
            and column_name not in ('id', 'name', 'merchant_login') and is_generated = 'NEVER'
          order by ordinal_position`,
      )
    ).rows.map((row) => `"${row.name}"`);
    await pool.query(
      `insert into shops (id, name, merchant_login, ${columns.join(', ')})
       select 'shp_bench_' || g, name || ' ' || g, 'bench' || g, ${columns.join(', ')}
         from shops, generate_series(1, $2::int) as g
        where merchant_login = $1`,
      [demo, clones],
    );
  }
  return [demo, ...Array.from({ length: clones }, (_, index) => `bench${index + 1}`)];
}

/* ---------------------------------------------------------------------------------------------- */
/* ResultURL acknowledgements                                                                       */
/* ---------------------------------------------------------------------------------------------- */

/**
 * Waits until the stub has received every InvId's ResultURL; gives up when none has arrived for stallMs.
 * Returns how many are still missing.
 */
export async function waitForNotifications(
  received: ReadonlyMap<string, number>,
  invIds: readonly string[],
  stallMs: number,
): Promise<number> {
  let lastMissing = Infinity;
  let lastProgressAt = performance.now();
  for (;;) {
    const missing = invIds.reduce((count, invId) => count + (received.has(invId) ? 0 : 1), 0);
    if (missing < lastMissing) {
      lastMissing = missing;
      lastProgressAt = performance.now();
    }
    if (missing === 0 || performance.now() - lastProgressAt > stallMs) return missing;
    await sleep(50);
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* The chart                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

export interface SweepPoint {
  readonly offeredPerSecond: number;
  readonly percentOfMax: number;
  readonly achievedPerSecond: number;
  /** Payment latency (ms) from the scheduled start to the paid page. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Round steps (1, 2, 5 × 10^n) giving about `count` ticks up to max. */
function linearTicks(max: number, count: number): number[] {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((value) => value >= raw) ?? raw;
  const ticks: number[] = [];
  for (let value = 0; value <= max + step / 1000; value += step) ticks.push(Number(value.toFixed(6)));
  return ticks;
}

/**
 * Two panels over the same x axis (offered payments/s): achieved throughput beside the offered load (the
 * diagonal) and the closed-loop maximum; payment latency p50/p95/p99 on a log scale. Past the knee the
 * throughput flattens and the latency climbs by orders of magnitude.
 */
export function renderSweepChart(
  points: readonly SweepPoint[],
  maxPerSecond: number,
  caption: string,
): string {
  const width = 1000;
  const height = 470;
  const panelWidth = 400;
  const panelHeight = 300;
  const top = 70;
  const lefts = [80, 570];
  const xMax = Math.max(...points.map((point) => point.offeredPerSecond), maxPerSecond) * 1.05;
  const xTicks = linearTicks(xMax, 6).filter((tick) => tick <= xMax);
  const x = (left: number, value: number) => left + (value / xMax) * panelWidth;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Kopek open-loop load sweep: card payments end to end</text>`,
    `<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escapeXml(caption)}</text>`,
  );
  const frame = (left: number, title: string, yLabel: string) => {
    out.push(
      `<rect x="${left}" y="${top}" width="${panelWidth}" height="${panelHeight}" fill="none" stroke="#333"/>`,
      `<text x="${left + panelWidth / 2}" y="${top - 8}" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
      `<text transform="translate(${left - 52} ${top + panelHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
      `<text x="${left + panelWidth / 2}" y="${top + panelHeight + 38}" text-anchor="middle">offered load, payments/s (fixed arrival rate)</text>`,
    );
    for (const tick of xTicks) {
      const px = x(left, tick);
      out.push(
        `<line x1="${px}" y1="${top + panelHeight}" x2="${px}" y2="${top + panelHeight + 5}" stroke="#333"/>`,
        `<text x="${px}" y="${top + panelHeight + 18}" text-anchor="middle">${tick}</text>`,
      );
    }
    const maxX = x(left, maxPerSecond);
    out.push(
      `<line x1="${maxX}" y1="${top}" x2="${maxX}" y2="${top + panelHeight}" stroke="#999" stroke-dasharray="4 4"/>`,
      `<text x="${maxX - 4}" y="${top + 14}" text-anchor="end" fill="#777">closed-loop max ${fixed(maxPerSecond)}/s</text>`,
    );
  };
  const polyline = (coordinates: [number, number][], color: string, dashed = false) => {
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2.5"${dashed ? ' stroke-dasharray="6 4"' : ''} points="${coordinates.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`,
      ...coordinates.map(
        ([px, py]) => `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3.5" fill="${color}"/>`,
      ),
    );
  };

  // Throughput.
  const [left1 = 80, left2 = 570] = lefts;
  frame(left1, 'Throughput achieved', 'completed payments/s');
  const yMax1 = xMax;
  const y1 = (value: number) => top + panelHeight - (value / yMax1) * panelHeight;
  for (const tick of xTicks) {
    out.push(
      `<line x1="${left1}" y1="${y1(tick)}" x2="${left1 + panelWidth}" y2="${y1(tick)}" stroke="#eee"/>`,
      `<text x="${left1 - 6}" y="${y1(tick) + 4}" text-anchor="end">${tick}</text>`,
    );
  }
  const slope = (Math.atan2(panelHeight, panelWidth) * 180) / Math.PI;
  out.push(
    `<line x1="${left1}" y1="${y1(0)}" x2="${x(left1, xMax)}" y2="${y1(xMax)}" stroke="#bbb" stroke-dasharray="2 3"/>`,
    `<text transform="translate(${x(left1, xMax * 0.2)} ${y1(xMax * 0.2) - 6}) rotate(${-slope})" fill="#999">achieved = offered</text>`,
  );
  polyline(
    points.map((point) => [x(left1, point.offeredPerSecond), y1(point.achievedPerSecond)]),
    '#1f77b4',
  );

  // Latency, log scale.
  frame(left2, 'Payment latency (scheduled start → paid page)', 'ms (log scale)');
  const values = points.flatMap((point) => [point.p50, point.p95, point.p99]).filter(Number.isFinite);
  const low = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(low * 10, ...values)));
  const y2 = (value: number) =>
    top +
    panelHeight -
    ((Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * panelHeight;
  for (let decade = low; decade <= high; decade *= 10) {
    for (const factor of [1, 2, 5]) {
      const value = decade * factor;
      if (value > high) break;
      out.push(
        `<line x1="${left2}" y1="${y2(value)}" x2="${left2 + panelWidth}" y2="${y2(value)}" stroke="${factor === 1 ? '#ddd' : '#f3f3f3'}"/>`,
        `<text x="${left2 - 6}" y="${y2(value) + 4}" text-anchor="end">${value >= 1000 ? `${value / 1000}k` : value}</text>`,
      );
    }
  }
  const series: [keyof SweepPoint, string][] = [
    ['p50', '#2ca02c'],
    ['p95', '#ff7f0e'],
    ['p99', '#d62728'],
  ];
  series.forEach(([key, color], index) => {
    polyline(
      points.map((point) => [x(left2, point.offeredPerSecond), y2(Math.max(low, point[key]))]),
      color,
    );
    out.push(
      `<rect x="${left2 + 12}" y="${top + 12 + index * 18}" width="14" height="4" fill="${color}"/>`,
      `<text x="${left2 + 32}" y="${top + 18 + index * 18}">${key}</text>`,
    );
  });

  // Percent of the maximum under each point, on both panels.
  for (const left of [left1, left2]) {
    for (const point of points) {
      out.push(
        `<text x="${x(left, point.offeredPerSecond)}" y="${top + panelHeight + 54}" text-anchor="middle" fill="#777" font-size="10">${point.percentOfMax}%</text>`,
      );
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
