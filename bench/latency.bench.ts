/**
 * Open-loop latency sweep (`npm run bench:latency`): how latency grows with load, and where the knee is.
 *
 *   npx tsx bench/latency.bench.ts [--steps=10,25,50,75,100,125] [--step-seconds=20] [--max-seconds=20]
 *       [--concurrency=8] [--warmup=60] [--cabinet-every=5] [--report-step=50] [--notify-timeout=30]
 *       [--server=built|tsx]
 *
 * 1. Starts Kopek in a child process (bench/kopek-server.ts, the shipped worker) on a fresh database, with
 *    the demo shop's ResultURL pointing at a local merchant stub, and signs the demo merchant into the
 *    cabinet over HTTP.
 * 2. Closed loop, as bench/payments.bench.ts: C buyers each run the mix below back to back for
 *    --max-seconds; the maximum rate is the payments paid and acknowledged by ResultURL per second of wall
 *    time (from the first request to the last acknowledgement).
 * 3. Open loop: for each step (a percentage of that maximum) the mix arrives at a FIXED rate for S seconds,
 *    on a schedule that does not wait for answers. Every latency of an arrival is measured from its
 *    scheduled time, not from when it was sent, so a slow answer cannot hide the requests it delays
 *    (no coordinated omission). Between steps the bench waits for the step's ResultURLs.
 * 4. Samples the Kopek process's resident memory (VmRSS) throughout.
 *
 * --server=built (default) runs Kopek as compiled JavaScript on plain node, as `npm start` does (see
 * buildServer in bench/load-support.ts); --server=tsx runs it under tsx like the other benchmarks, which
 * adds the TypeScript loader's memory to the RSS.
 *
 * The mix, per payment arrival: one card payment (Index.aspx → checkout page → card POST → paid page,
 * each request sent when the previous answer is in), one OpStateExt (signed with Password #2) of an
 * earlier paid payment half an interval later, and every Nth arrival the cabinet's operations list
 * (GET /api/cabinet/operations, signed-in merchant).
 *
 * Prints tables, writes bench/results/latency.json and the chart bench/results/latency-sweep.svg.
 * Exits non-zero only when the benchmark itself failed (it could not start, the closed loop failed);
 * errors under overload are figures, reported per step.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFaultDatabase, ResultUrlStub, type FaultDatabase } from '../test/faults/fault-support.js';
import {
  CpuWindow,
  fixed,
  listOperations,
  opStateExt,
  payByCard,
  prepareShops,
  quantiles,
  renderSweepChart,
  RequestError,
  RssSampler,
  signInToCabinet,
  sleep,
  startKopekServer,
  waitForNotifications,
  type KopekServer,
  type PaymentTiming,
  type Quantiles,
  type ServerMode,
  type SweepPoint,
} from './load-support.js';

const RESULTS_DIRECTORY = 'bench/results';
const RSS_GOAL_MB = 300;

interface Options {
  readonly steps: number[];
  readonly stepSeconds: number;
  readonly maxSeconds: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly cabinetEvery: number;
  readonly reportStep: number;
  readonly notifyTimeoutS: number;
  readonly server: ServerMode;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '10,25,50,75,100,125' },
      'step-seconds': { type: 'string', default: '20' },
      'max-seconds': { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '60' },
      'cabinet-every': { type: 'string', default: '5' },
      'report-step': { type: 'string', default: '50' },
      'notify-timeout': { type: 'string', default: '30' },
      server: { type: 'string', default: 'built' },
    },
    strict: true,
  });
  const whole = (name: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be a whole number >= ${min}`);
    return value;
  };
  const steps = (values.steps ?? '').split(',').map((text) => whole('steps', text.trim(), 1));
  const reportStep = whole('report-step', values['report-step'], 1);
  if (!steps.includes(reportStep)) throw new Error('--report-step must be one of --steps');
  if (values.server !== 'built' && values.server !== 'tsx') throw new Error('--server must be built or tsx');
  return {
    steps,
    stepSeconds: whole('step-seconds', values['step-seconds'], 1),
    maxSeconds: whole('max-seconds', values['max-seconds'], 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    warmup: whole('warmup', values.warmup, 0),
    cabinetEvery: whole('cabinet-every', values['cabinet-every'], 1),
    reportStep,
    notifyTimeoutS: whole('notify-timeout', values['notify-timeout'], 1),
    server: values.server,
  };
}

/* ---------------------------------------------------------------------------------------------- */
/* The mix                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

interface Target {
  readonly baseUrl: string;
  readonly cabinetCookie: string;
  /** Paid payments OpStateExt asks about; grows as payments are paid. */
  readonly paidInvIds: string[];
  nextInvId: number;
}

/** Latencies (ms) of one phase, by request. */
class Recorder {
  readonly init: number[] = [];
  readonly page: number[] = [];
  readonly card: number[] = [];
  readonly paidPage: number[] = [];
  readonly payment: number[] = [];
  readonly opState: number[] = [];
  readonly cabinet: number[] = [];
  /** How late the generator sent a scheduled arrival: large values mean the bench itself fell behind. */
  readonly sendLag: number[] = [];
  readonly errors = new Map<string, number>();
  readonly paidIds: string[] = [];
  lastDoneAt = 0;

  recordPayment(timing: PaymentTiming): void {
    this.init.push(timing.initDoneAt - timing.dueAt);
    this.page.push(timing.pageDoneAt - timing.initDoneAt);
    this.card.push(timing.cardDoneAt - timing.pageDoneAt);
    this.paidPage.push(timing.paidPageDoneAt - timing.cardDoneAt);
    this.payment.push(timing.paidPageDoneAt - timing.dueAt);
    this.paidIds.push(timing.invId);
    this.lastDoneAt = Math.max(this.lastDoneAt, timing.paidPageDoneAt);
  }

  recordError(kind: string, error: unknown): void {
    const text = error instanceof RequestError ? error.message : String(error);
    const key = `${kind}: ${text.slice(0, 120)}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  get errorCount(): number {
    return [...this.errors.values()].reduce((sum, count) => sum + count, 0);
  }
}

async function payment(target: Target, recorder: Recorder, dueAt: number): Promise<void> {
  const invId = String(target.nextInvId);
  target.nextInvId += 1;
  const outSum = `${100 + (target.nextInvId % 900)}.00`;
  try {
    const timing = await payByCard(target.baseUrl, 'demo', invId, outSum, dueAt);
    recorder.recordPayment(timing);
    target.paidInvIds.push(invId);
  } catch (error) {
    recorder.recordError('payment', error);
  }
}

async function stateQuery(target: Target, recorder: Recorder, dueAt: number): Promise<void> {
  const invId = target.paidInvIds[Math.floor(Math.random() * target.paidInvIds.length)];
  if (invId === undefined) return;
  try {
    await opStateExt(target.baseUrl, invId);
    recorder.opState.push(performance.now() - dueAt);
  } catch (error) {
    recorder.recordError('OpStateExt', error);
  }
}

async function cabinetList(target: Target, recorder: Recorder, dueAt: number): Promise<void> {
  try {
    await listOperations(target.baseUrl, target.cabinetCookie);
    recorder.cabinet.push(performance.now() - dueAt);
  } catch (error) {
    recorder.recordError('operations list', error);
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* Closed loop: the maximum                                                                         */
/* ---------------------------------------------------------------------------------------------- */

/**
 * C buyers, each running the mix back to back until `limit.payments` have started or, with
 * `limit.seconds`, until that time is up (so a run's length does not depend on the machine's speed).
 */
async function closedLoop(
  target: Target,
  limit: { payments?: number; seconds?: number },
  concurrency: number,
  cabinetEvery: number,
): Promise<Recorder> {
  const recorder = new Recorder();
  const deadline = limit.seconds === undefined ? Infinity : performance.now() + limit.seconds * 1000;
  const payments = limit.payments ?? Infinity;
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < payments && performance.now() < deadline) {
        started += 1;
        const index = started;
        await payment(target, recorder, performance.now());
        await stateQuery(target, recorder, performance.now());
        if (index % cabinetEvery === 0) await cabinetList(target, recorder, performance.now());
      }
    }),
  );
  return recorder;
}

/* ---------------------------------------------------------------------------------------------- */
/* Open loop: a fixed arrival rate                                                                  */
/* ---------------------------------------------------------------------------------------------- */

interface Arrival {
  readonly dueAt: number;
  readonly run: (dueAt: number) => Promise<void>;
}

/**
 * The schedule of one step: payments every 1/rate seconds, an OpStateExt half an interval after each,
 * the operations list a quarter of an interval after every Nth payment. Each arrival is started at its
 * time (or at once if the generator is late) and never waits for an earlier one.
 */
async function openLoop(
  target: Target,
  ratePerSecond: number,
  seconds: number,
  cabinetEvery: number,
): Promise<{ recorder: Recorder; startAt: number }> {
  const recorder = new Recorder();
  const intervalMs = 1000 / ratePerSecond;
  const count = Math.max(1, Math.round(ratePerSecond * seconds));
  const startAt = performance.now() + 50;
  const arrivals: Arrival[] = [];
  for (let index = 0; index < count; index += 1) {
    const dueAt = startAt + index * intervalMs;
    arrivals.push({ dueAt, run: (due) => payment(target, recorder, due) });
    arrivals.push({ dueAt: dueAt + intervalMs / 2, run: (due) => stateQuery(target, recorder, due) });
    if ((index + 1) % cabinetEvery === 0)
      arrivals.push({ dueAt: dueAt + intervalMs / 4, run: (due) => cabinetList(target, recorder, due) });
  }
  arrivals.sort((a, b) => a.dueAt - b.dueAt);
  const inFlight: Promise<void>[] = [];
  for (const arrival of arrivals) {
    const wait = arrival.dueAt - performance.now();
    if (wait >= 1) await sleep(wait);
    recorder.sendLag.push(Math.max(0, performance.now() - arrival.dueAt));
    inFlight.push(arrival.run(arrival.dueAt));
  }
  await Promise.all(inFlight);
  return { recorder, startAt };
}

/* ---------------------------------------------------------------------------------------------- */
/* Report                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

interface StepReport {
  readonly percentOfMax: number;
  readonly offeredPerSecond: number;
  readonly achievedPerSecond: number;
  readonly payments: number;
  readonly errors: number;
  readonly errorKinds: Record<string, number>;
  readonly missingNotifications: number;
  readonly maxRssMb: number;
  /** Cores the Kopek process used during the step, and how busy the whole machine was (0..1). */
  readonly kopekCores: number;
  readonly machineBusy: number;
  readonly sendLagP99Ms: number;
  readonly latencyMs: Record<string, Quantiles>;
}

function latencies(recorder: Recorder): Record<string, Quantiles> {
  return {
    'Index.aspx': quantiles(recorder.init),
    'checkout page': quantiles(recorder.page),
    'card submit': quantiles(recorder.card),
    'paid page': quantiles(recorder.paidPage),
    'whole payment': quantiles(recorder.payment),
    OpStateExt: quantiles(recorder.opState),
    'operations list': quantiles(recorder.cabinet),
  };
}

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

function sweepTable(steps: readonly StepReport[]): string[] {
  const header =
    `${pad('load', 5)} ${pad('offered/s', 9)} ${pad('done/s', 7)} ${pad('errors', 6)}  ` +
    `${pad('payment p50/p95/p99 ms', 24)}  ${pad('Index.aspx p50/p99', 19)}  ${pad('card p50/p99', 14)}  ` +
    `${pad('OpState p50/p99', 16)}  ${pad('ops list p50/p99', 17)}  ${pad('RSS MB', 6)}  ${pad('Kopek CPU', 9)}  ${pad('machine', 7)}`;
  const pair = (q: Quantiles | undefined) => `${fixed(q?.p50 ?? NaN, 0)}/${fixed(q?.p99 ?? NaN, 0)}`;
  const rows = steps.map((step) => {
    const l = step.latencyMs;
    const whole = l['whole payment'];
    return (
      `${pad(`${step.percentOfMax}%`, 5)} ${pad(fixed(step.offeredPerSecond), 9)} ${pad(fixed(step.achievedPerSecond), 7)} ` +
      `${pad(String(step.errors), 6)}  ` +
      `${pad(`${fixed(whole?.p50 ?? NaN, 0)}/${fixed(whole?.p95 ?? NaN, 0)}/${fixed(whole?.p99 ?? NaN, 0)}`, 24)}  ` +
      `${pad(pair(l['Index.aspx']), 19)}  ${pad(pair(l['card submit']), 14)}  ${pad(pair(l.OpStateExt), 16)}  ` +
      `${pad(pair(l['operations list']), 17)}  ${pad(fixed(step.maxRssMb, 0), 6)}  ` +
      `${pad(`${fixed(100 * step.kopekCores, 0)}%`, 9)}  ${pad(`${fixed(100 * step.machineBusy, 0)}%`, 7)}`
    );
  });
  return [header, ...rows];
}

function detailTable(step: StepReport): string[] {
  const lines = [
    `${pad('request', 18, true)} ${pad('count', 6)} ${pad('p50', 8)} ${pad('p95', 8)} ${pad('p99', 8)} ${pad('max', 8)}`,
  ];
  for (const [name, q] of Object.entries(step.latencyMs)) {
    lines.push(
      `${pad(name, 18, true)} ${pad(String(q.count), 6)} ${pad(fixed(q.p50), 8)} ${pad(fixed(q.p95), 8)} ${pad(fixed(q.p99), 8)} ${pad(fixed(q.max), 8)}`,
    );
  }
  return lines;
}

/* ---------------------------------------------------------------------------------------------- */
/* Main                                                                                             */
/* ---------------------------------------------------------------------------------------------- */

const cleanups: (() => Promise<void>)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    await step?.().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const loadBefore = loadavg()[0] ?? NaN;
  const stub = new ResultUrlStub();
  await stub.start();
  cleanups.push(() => stub.stop());
  const database: FaultDatabase = await createFaultDatabase();
  cleanups.push(() => database.drop());
  const kopek: KopekServer = await startKopekServer(database.url, options.server);
  cleanups.push(() => kopek.stop());
  const rss = new RssSampler(kopek.pid);
  rss.start();
  cleanups.push(async () => rss.stop());
  const postgresVersion =
    (await database.pool.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]?.v ??
    'unknown';
  await prepareShops(database.pool, stub.url, 0);
  const target: Target = {
    baseUrl: kopek.baseUrl,
    cabinetCookie: await signInToCabinet(kopek.baseUrl),
    paidInvIds: [],
    nextInvId: 1_000_000,
  };
  const startRssMb = rss.window();
  console.log(
    `Kopek pid ${kopek.pid} at ${kopek.baseUrl}; ${kopek.workerDescription}; RSS after start ${fixed(startRssMb, 0)} MB`,
  );

  // Warm-up (JIT, pools, keep-alive connections) and some paid payments for OpStateExt to ask about.
  if (options.warmup > 0) {
    const warm = await closedLoop(
      target,
      { payments: options.warmup },
      options.concurrency,
      options.cabinetEvery,
    );
    if (warm.errorCount > 0) throw new Error(`warm-up failed: ${[...warm.errors.keys()].join('; ')}`);
    await waitForNotifications(stub.received, warm.paidIds, options.notifyTimeoutS * 1000);
  }

  // The maximum, closed loop, ResultURLs included.
  console.log(`closed loop: ${options.maxSeconds} s, ${options.concurrency} buyers…`);
  const closedStartedAt = performance.now();
  const closed = await closedLoop(
    target,
    { seconds: options.maxSeconds },
    options.concurrency,
    options.cabinetEvery,
  );
  const closedMissing = await waitForNotifications(
    stub.received,
    closed.paidIds,
    options.notifyTimeoutS * 1000,
  );
  const closedWallMs = performance.now() - closedStartedAt;
  const closedRssMb = rss.window();
  if (closed.errorCount > 0 || closedMissing > 0)
    throw new Error(
      `closed loop failed: ${closed.errorCount} errors (${[...closed.errors.keys()].slice(0, 3).join('; ')}), ` +
        `${closedMissing} ResultURLs missing`,
    );
  const maxPerSecond = closed.paidIds.length / (closedWallMs / 1000);
  const checkoutPerSecond = closed.paidIds.length / ((closed.lastDoneAt - closedStartedAt) / 1000);
  console.log(
    `  max ${fixed(maxPerSecond)} payments/s end to end (checkout only ${fixed(checkoutPerSecond)}/s), RSS max ${fixed(closedRssMb, 0)} MB`,
  );

  // The sweep.
  const steps: StepReport[] = [];
  for (const percent of options.steps) {
    const offered = (maxPerSecond * percent) / 100;
    console.log(`open loop: ${percent}% = ${fixed(offered)} payments/s for ${options.stepSeconds} s…`);
    const cpu = new CpuWindow(kopek.pid);
    const { recorder, startAt } = await openLoop(target, offered, options.stepSeconds, options.cabinetEvery);
    const spanMs = Math.max(options.stepSeconds * 1000, recorder.lastDoneAt - startAt);
    const usage = cpu.take();
    const missing = await waitForNotifications(
      stub.received,
      recorder.paidIds,
      options.notifyTimeoutS * 1000,
    );
    const step: StepReport = {
      percentOfMax: percent,
      offeredPerSecond: offered,
      achievedPerSecond: recorder.paidIds.length / (spanMs / 1000),
      payments: recorder.paidIds.length,
      errors: recorder.errorCount,
      errorKinds: Object.fromEntries(recorder.errors),
      missingNotifications: missing,
      maxRssMb: rss.window(),
      kopekCores: usage.processCores,
      machineBusy: usage.machineBusy,
      sendLagP99Ms: quantiles(recorder.sendLag).p99,
      latencyMs: latencies(recorder),
    };
    steps.push(step);
    const whole = step.latencyMs['whole payment'];
    console.log(
      `  done ${fixed(step.achievedPerSecond)}/s, payment p50 ${fixed(whole?.p50 ?? NaN, 0)} p99 ${fixed(whole?.p99 ?? NaN, 0)} ms, ` +
        `errors ${step.errors}, ResultURL missing ${missing}, RSS max ${fixed(step.maxRssMb, 0)} MB`,
    );
    await sleep(1000); // let the server settle before the next step
  }
  rss.stop();
  const maxRssMb = rss.overallMax;

  /* ------------------------------------------------------------ report */
  const machine =
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${platform()} ${arch()}, Node ${process.version}, ` +
    `PostgreSQL ${postgresVersion}; load average ${fixed(loadBefore, 2)} before the run`;
  const report = steps.find((step) => step.percentOfMax === options.reportStep);
  const out: string[] = [
    '',
    'Kopek open-loop latency sweep',
    `  machine      ${machine}`,
    `  Kopek        one child process (${options.server === 'built' ? 'compiled JavaScript on node, as npm start' : 'under tsx'}), ${kopek.workerDescription}`,
    `  mix          per payment arrival: card payment (4 requests), OpStateExt; operations list every ${options.cabinetEvery}th arrival`,
    `  closed loop  ${options.maxSeconds} s, ${options.concurrency} buyers, ${closed.paidIds.length} payments: ${fixed(maxPerSecond)} payments/s end to end ` +
      `(paid and ResultURL acknowledged; checkout only ${fixed(checkoutPerSecond)}/s)`,
    `  open loop    ${options.stepSeconds} s per step; latency from the scheduled time (Index.aspx, OpStateExt, operations list, whole payment)`,
    '               or from the previous answer (checkout page, card submit, paid page)',
    '',
    'Sweep (latencies in ms; Kopek CPU: share of one core; machine: busy share of all cores, everything on it)',
    ...sweepTable(steps).map((line) => `  ${line}`),
    '',
  ];
  if (report) {
    out.push(
      `At ${report.percentOfMax}% of the maximum (${fixed(report.offeredPerSecond)} payments/s offered, ${fixed(report.achievedPerSecond)}/s done, ${report.errors} errors):`,
      ...detailTable(report).map((line) => `  ${line}`),
      '',
    );
  }
  const stepErrors = steps.filter((step) => step.errors > 0);
  for (const step of stepErrors) {
    out.push(
      `Errors at ${step.percentOfMax}%: ${Object.entries(step.errorKinds)
        .map(([kind, n]) => `${n} × ${kind}`)
        .join('; ')}`,
    );
  }
  const lateSteps = steps.filter((step) => step.sendLagP99Ms > 5);
  for (const step of lateSteps)
    out.push(
      `Note: at ${step.percentOfMax}% the generator sent 1% of arrivals more than ${fixed(step.sendLagP99Ms, 0)} ms late (counted in the latencies).`,
    );
  out.push(
    `Resident memory of the Kopek process: ${fixed(startRssMb, 0)} MB after start, max ${fixed(maxRssMb, 0)} MB under load ` +
      `(${rss.samples} samples of /proc/${kopek.pid}/status VmRSS; goal ≤ ${RSS_GOAL_MB} MB: ${maxRssMb <= RSS_GOAL_MB ? 'met' : 'not met'})`,
  );
  console.log(out.join('\n'));

  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  const points: SweepPoint[] = steps.map((step) => ({
    offeredPerSecond: step.offeredPerSecond,
    percentOfMax: step.percentOfMax,
    achievedPerSecond: step.achievedPerSecond,
    p50: step.latencyMs['whole payment']?.p50 ?? NaN,
    p95: step.latencyMs['whole payment']?.p95 ?? NaN,
    p99: step.latencyMs['whole payment']?.p99 ?? NaN,
  }));
  const caption =
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, PostgreSQL ${postgresVersion.split(' ')[0]}, one Kopek process; ` +
    `${options.stepSeconds} s per step; RSS max ${fixed(maxRssMb, 0)} MB`;
  writeFileSync(`${RESULTS_DIRECTORY}/latency-sweep.svg`, renderSweepChart(points, maxPerSecond, caption));
  writeFileSync(
    `${RESULTS_DIRECTORY}/latency.json`,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        machine,
        options,
        closedLoop: {
          paymentsPerSecond: maxPerSecond,
          checkoutPerSecond,
          payments: closed.paidIds.length,
          latencyMs: latencies(closed),
        },
        steps,
        reportStep: options.reportStep,
        rssMb: { afterStart: startRssMb, closedLoopMax: closedRssMb, max: maxRssMb, goal: RSS_GOAL_MB },
      },
      null,
      2,
    ),
  );
  console.log(`wrote ${RESULTS_DIRECTORY}/latency.json and ${RESULTS_DIRECTORY}/latency-sweep.svg`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(async () => {
    await cleanUp();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    await cleanUp();
    process.exit(1);
  });
