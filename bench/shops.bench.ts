/**
 * One busy shop against the same payments spread over 1,000 shops, end to end over HTTP
 * (`npm run bench:shops`). bench/ledger.bench.ts asks the same question of the ledger alone; this one
 * pays through Index.aspx, the card form and the ResultURL. Issue goal: one-shop rate ÷ spread rate ≥ 0.8.
 *
 *   npx tsx bench/shops.bench.ts [--phase-seconds=15] [--concurrency=8] [--shops=1000] [--rounds=2]
 *       [--notify-timeout=30] [--server=built|tsx]
 *
 * 1. Starts Kopek in a child process (bench/kopek-server.ts, the shipped worker) on a fresh database,
 *    points the demo shop's ResultURL at a local merchant stub and adds shops-1 clones of the demo shop
 *    (same account, passwords and ResultURL; merchant logins bench1…).
 * 2. Warm-up: one payment on every shop, so no measured payment is a shop's first (its ledger accounts
 *    are created then), and the caches and connections are warm.
 * 3. Phases, alternating `rounds` times: S seconds of payments all on the demo shop, then S seconds of
 *    payments round robin over the shops (continuing across phases, so every shop gets one payment in
 *    turn). Each phase is closed loop with C buyers (as bench/payments.bench.ts) who start payments until
 *    the S seconds are up; it ends when every ResultURL has been acknowledged, and its rate is payments
 *    paid and acknowledged per second of wall time (first request to last acknowledgement).
 *
 * Prints a table and writes bench/results/shops.json. Exits non-zero only when the benchmark failed (a
 * payment error, a missing ResultURL).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFaultDatabase, ResultUrlStub } from '../test/faults/fault-support.js';
import {
  CpuWindow,
  fixed,
  payByCard,
  prepareShops,
  quantiles,
  RequestError,
  RssSampler,
  startKopekServer,
  waitForNotifications,
  type Quantiles,
  type ServerMode,
} from './load-support.js';

const RESULTS_DIRECTORY = 'bench/results';
const GOAL = 0.8;

const { values } = parseArgs({
  options: {
    'phase-seconds': { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '8' },
    shops: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    'notify-timeout': { type: 'string', default: '30' },
    server: { type: 'string', default: 'built' },
  },
  strict: true,
});
const PHASE_SECONDS = Number(values['phase-seconds']);
const CONCURRENCY = Number(values.concurrency);
const SHOPS = Number(values.shops);
const ROUNDS = Number(values.rounds);
const NOTIFY_TIMEOUT_MS = Number(values['notify-timeout']) * 1000;
const SERVER: ServerMode = values.server === 'tsx' ? 'tsx' : 'built';
for (const [name, value] of Object.entries({ PHASE_SECONDS, CONCURRENCY, SHOPS, ROUNDS }))
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name.toLowerCase()} must be a whole number >= 1`);

interface Phase {
  readonly label: 'one shop' | 'spread';
  readonly round: number;
  readonly paymentsPerSecond: number;
  readonly payment: Quantiles;
  readonly cardSubmit: Quantiles;
  /** Cores the Kopek process used, and how busy the whole machine was (0..1). */
  readonly kopekCores: number;
  readonly machineBusy: number;
}

let nextInvId = 2_000_000;

/**
 * C buyers paying until `limit.count` payments have started or `limit.seconds` are up; `shopOf()` picks
 * each payment's shop. Returns the acknowledged rate and the latencies.
 */
async function runPhase(
  baseUrl: string,
  received: ReadonlyMap<string, number>,
  limit: { count?: number; seconds?: number },
  shopOf: () => string,
): Promise<{ paymentsPerSecond: number; payment: Quantiles; cardSubmit: Quantiles }> {
  const paymentMs: number[] = [];
  const cardMs: number[] = [];
  const paidIds: string[] = [];
  const errors: string[] = [];
  let next = 0;
  const startedAt = performance.now();
  const count = limit.count ?? Infinity;
  const deadline = limit.seconds === undefined ? Infinity : startedAt + limit.seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count && performance.now() < deadline) {
        const index = next;
        next += 1;
        const invId = String(nextInvId);
        nextInvId += 1;
        try {
          const timing = await payByCard(baseUrl, shopOf(), invId, `${100 + (index % 900)}.00`);
          paymentMs.push(timing.paidPageDoneAt - timing.dueAt);
          cardMs.push(timing.cardDoneAt - timing.pageDoneAt);
          paidIds.push(invId);
        } catch (error) {
          errors.push(`InvId ${invId}: ${error instanceof RequestError ? error.message : String(error)}`);
        }
      }
    }),
  );
  const missing = await waitForNotifications(received, paidIds, NOTIFY_TIMEOUT_MS);
  const wallMs = performance.now() - startedAt;
  if (errors.length > 0 || missing > 0)
    throw new Error(
      `${errors.length} payment errors (${errors.slice(0, 3).join('; ')}), ${missing} ResultURLs missing`,
    );
  return {
    paymentsPerSecond: paidIds.length / (wallMs / 1000),
    payment: quantiles(paymentMs),
    cardSubmit: quantiles(cardMs),
  };
}

function mean(numbers: readonly number[]): number {
  return numbers.reduce((sum, value) => sum + value, 0) / Math.max(1, numbers.length);
}

/** Everything started, undone in reverse order on success, failure and Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    await step?.().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  }
}

async function main(): Promise<number> {
  const stub = new ResultUrlStub();
  await stub.start();
  cleanups.push(() => stub.stop());
  const database = await createFaultDatabase();
  cleanups.push(() => database.drop());
  const kopek = await startKopekServer(database.url, SERVER);
  cleanups.push(() => kopek.stop());
  const rss = new RssSampler(kopek.pid);
  rss.start();
  cleanups.push(async () => rss.stop());
  const postgresVersion =
    (await database.pool.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]?.v ??
    'unknown';
  const logins = await prepareShops(database.pool, stub.url, SHOPS - 1);
  const one = logins[0] ?? 'demo';
  let spreadNext = 0;
  const spread = () => {
    spreadNext += 1;
    return logins[(spreadNext - 1) % logins.length] ?? one;
  };

  console.log(`warm-up: one payment on each of ${logins.length} shops…`);
  await runPhase(kopek.baseUrl, stub.received, { count: logins.length }, spread);

  const phases: Phase[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const label of ['one shop', 'spread'] as const) {
      const cpu = new CpuWindow(kopek.pid);
      const result = await runPhase(
        kopek.baseUrl,
        stub.received,
        { seconds: PHASE_SECONDS },
        label === 'one shop' ? () => one : spread,
      );
      const usage = cpu.take();
      phases.push({
        label,
        round,
        ...result,
        kopekCores: usage.processCores,
        machineBusy: usage.machineBusy,
      });
      console.log(
        `  round ${round} ${label.padEnd(8)} ${fixed(result.paymentsPerSecond)} payments/s, payment p50 ${fixed(result.payment.p50, 0)} ms, p99 ${fixed(result.payment.p99, 0)} ms, ` +
          `Kopek ${fixed(100 * usage.processCores, 0)}% of a core, machine ${fixed(100 * usage.machineBusy, 0)}% busy`,
      );
    }
  }
  rss.stop();

  const rateOf = (label: Phase['label']) =>
    mean(phases.filter((phase) => phase.label === label).map((phase) => phase.paymentsPerSecond));
  const ratio = rateOf('one shop') / rateOf('spread');
  const merged = (label: Phase['label'], pick: (phase: Phase) => number) =>
    mean(phases.filter((phase) => phase.label === label).map(pick));
  console.log(
    `\nOne shop vs ${logins.length} shops, end to end over HTTP (${PHASE_SECONDS} s per phase, ${CONCURRENCY} buyers, ` +
      `${ROUNDS} rounds; ${cpus().length} cores, PostgreSQL ${postgresVersion}; Kopek max RSS ${fixed(rss.overallMax, 0)} MB)`,
  );
  console.log(
    `  ${'phase'.padEnd(26)} ${'payments/s'.padStart(10)} ${'payment p50/p95/p99 ms'.padStart(24)} ${'card p50/p99 ms'.padStart(16)} ${'Kopek CPU'.padStart(10)} ${'machine'.padStart(8)}`,
  );
  for (const phase of phases) {
    console.log(
      `  ${`round ${phase.round}, ${phase.label}`.padEnd(26)} ${fixed(phase.paymentsPerSecond).padStart(10)} ` +
        `${`${fixed(phase.payment.p50, 0)}/${fixed(phase.payment.p95, 0)}/${fixed(phase.payment.p99, 0)}`.padStart(24)} ` +
        `${`${fixed(phase.cardSubmit.p50, 0)}/${fixed(phase.cardSubmit.p99, 0)}`.padStart(16)} ` +
        `${`${fixed(100 * phase.kopekCores, 0)}%`.padStart(10)} ${`${fixed(100 * phase.machineBusy, 0)}%`.padStart(8)}`,
    );
  }
  console.log(
    `  mean: one shop ${fixed(rateOf('one shop'))} payments/s (card p50 ${fixed(
      merged('one shop', (p) => p.cardSubmit.p50),
      0,
    )} ms), ` +
      `spread ${fixed(rateOf('spread'))} payments/s (card p50 ${fixed(
        merged('spread', (p) => p.cardSubmit.p50),
        0,
      )} ms)`,
  );
  console.log(
    `  ratio one shop ÷ spread = ${fixed(ratio, 3)} (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'not met'})`,
  );

  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  writeFileSync(
    `${RESULTS_DIRECTORY}/shops.json`,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        cores: cpus().length,
        postgres: postgresVersion,
        phaseSeconds: PHASE_SECONDS,
        concurrency: CONCURRENCY,
        shops: logins.length,
        rounds: ROUNDS,
        phases,
        oneShopPerSecond: rateOf('one shop'),
        spreadPerSecond: rateOf('spread'),
        ratio,
        maxRssMb: rss.overallMax,
      },
      null,
      2,
    ),
  );
  console.log(`wrote ${RESULTS_DIRECTORY}/shops.json`);
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main().then(
  async (code) => {
    await cleanUp();
    process.exit(code);
  },
  async (error: unknown) => {
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    await cleanUp();
    process.exit(1);
  },
);
