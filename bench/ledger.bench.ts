/**
 * Ledger contention benchmark: payment-like ledger transfers (and paid payments) all on ONE shop against
 * the same load spread over many shops, in one run. See bench/README.md ("Ledger contention benchmark").
 *
 *   npx tsx bench/ledger.bench.ts [--transfers=20000] [--concurrency=16] [--shops=1000] [--payments=4000]
 *
 * Goal of the issue: one-shop transfers/s ≥ 0.8 × spread transfers/s. Exits non-zero only when the
 * benchmark itself failed (an error, a count that does not add up), never because of the figures.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import type { Deps } from '../src/deps.js';
import {
  platformAccount,
  postTransfer,
  readShopBalances,
  runLedgerCheckpoint,
  shopAccount,
  type TransferLeg,
} from '../src/modules/ledger/index.js';
import { markPaymentPaid } from '../src/modules/payments/payment-completion.js';
import { systemClock } from '../src/platform/clock.js';
import { openPostgresDatabase, type Kysely } from '../src/platform/db.js';
import { openRuntime } from '../src/runtime.js';
import type { Database } from '../src/schema.js';
import { seedDemoData } from '../src/seed.js';

const ADMIN_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const MASTER_KEY = '42'.repeat(32);
const CURRENCY = 'RUB' as const;
const AMOUNT_MINOR = 10_000n; // 100.00 RUB
const FEE_MINOR = 290n; // the default BankCard tariff, 2.90 %

/* ------------------------------------------------------------------------------------------------
 * Options
 * ---------------------------------------------------------------------------------------------- */

interface Options {
  readonly transfers: number;
  readonly concurrency: number;
  readonly shops: number;
  readonly payments: number;
  readonly sampleMs: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      transfers: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '16' },
      shops: { type: 'string', default: '1000' },
      payments: { type: 'string', default: '4000' },
      'sample-ms': { type: 'string', default: '20' },
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
  return {
    transfers: whole('transfers', values.transfers, 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    shops: whole('shops', values.shops, 2),
    payments: whole('payments', values.payments, 0),
    sampleMs: whole('sample-ms', values['sample-ms'], 1),
  };
}

/* ------------------------------------------------------------------------------------------------
 * Cleanup, in reverse order, on success, on failure and on Ctrl-C
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

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function createDatabase(): Promise<{ name: string; url: string }> {
  const name = `kopek_bench_ledger_${randomBytes(5).toString('hex')}`;
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
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
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

/* ------------------------------------------------------------------------------------------------
 * Wait sampling: what the phase's backends were doing, from pg_stat_activity every few ms, and how
 * many MultiXact ids the phase consumed (several transactions holding FOR KEY SHARE on one row).
 * ---------------------------------------------------------------------------------------------- */

class WaitSampler {
  readonly counts = new Map<string, number>();
  readonly statements = new Map<string, number>();
  samples = 0;
  backendSamples = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly databaseName: string,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        // 'idle in transaction': the transaction is open while its next statement is on its way from Node.
        const result = await this.client.query<{ wait: string; query: string }>(
          `select case when state = 'active'
                       then coalesce(wait_event_type || ':' || wait_event, 'CPU / running')
                       else state end as wait, query
             from pg_stat_activity
            where datname = $1 and state <> 'idle' and pid <> pg_backend_pid()`,
          [this.databaseName],
        );
        this.samples += 1;
        for (const row of result.rows) {
          this.backendSamples += 1;
          this.counts.set(row.wait, (this.counts.get(row.wait) ?? 0) + 1);
          if (
            row.wait !== 'CPU / running' &&
            row.wait !== 'Client:ClientRead' &&
            !row.wait.startsWith('idle')
          ) {
            const key = `${row.wait}  ${row.query.replace(/\s+/g, ' ').slice(0, 90)}`;
            this.statements.set(key, (this.statements.get(key) ?? 0) + 1);
          }
        }
        await sleep(this.intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  report(concurrency: number): string[] {
    const lines: string[] = [];
    const average = this.backendSamples / Math.max(1, this.samples);
    lines.push(
      `    ${this.samples} samples of pg_stat_activity: on average ${fixed(average, 1)} of ${concurrency} connections in a transaction or statement`,
    );
    const top = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [wait, count] of top) {
      lines.push(
        `      ${wait.padEnd(34)} ${fixed((100 * count) / Math.max(1, this.backendSamples), 1).padStart(5)}% of those samples`,
      );
    }
    const topStatements = [...this.statements.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    if (topStatements.length > 0) {
      lines.push('    waits (not CPU, not ClientRead) by statement:');
      for (const [key, count] of topStatements) lines.push(`      ${String(count).padStart(6)}  ${key}`);
    }
    return lines;
  }
}

/** Busy and total CPU ticks of the whole machine (Linux /proc/stat), to tell "CPU-bound" from "waiting". */
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

async function multixactAge(client: pg.Client, databaseName: string): Promise<number> {
  const result = await client.query<{ age: number }>(
    'select mxid_age(datminmxid)::int as age from pg_database where datname = $1',
    [databaseName],
  );
  return result.rows[0]?.age ?? NaN;
}

/* ------------------------------------------------------------------------------------------------
 * Phases
 * ---------------------------------------------------------------------------------------------- */

interface PhaseResult {
  readonly label: string;
  readonly count: number;
  readonly wallMs: number;
  readonly latencies: number[];
  readonly errors: string[];
  readonly waits: string[];
  readonly multixacts: number;
  readonly nodeCpuMs: number;
  readonly machineBusy: number;
}

/** Runs `count` jobs with `concurrency` workers, each job its own transaction, timing each one. */
async function runPhase(
  label: string,
  count: number,
  concurrency: number,
  job: (index: number) => Promise<void>,
  sampler: WaitSampler,
  monitor: pg.Client,
  databaseName: string,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const multixactsBefore = await multixactAge(monitor, databaseName);
  sampler.start();
  const cpuBefore = process.cpuUsage();
  const machineBefore = readMachineCpu();
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const index = next;
        next += 1;
        if (index >= count) return;
        const began = performance.now();
        try {
          await job(index);
          latencies.push(performance.now() - began);
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  const wallMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = readMachineCpu();
  await sampler.stop();
  const multixacts = (await multixactAge(monitor, databaseName)) - multixactsBefore;
  latencies.sort((a, b) => a - b);
  return {
    label,
    count: latencies.length,
    wallMs,
    latencies,
    errors,
    waits: sampler.report(concurrency),
    multixacts,
    nodeCpuMs: (cpu.user + cpu.system) / 1000,
    machineBusy:
      machineBefore && machineAfter
        ? (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)
        : NaN,
  };
}

function paymentLegs(shopId: string): TransferLeg[] {
  return [
    { account: platformAccount('acquirer_clearing', CURRENCY), amountMinor: AMOUNT_MINOR },
    { account: shopAccount(shopId, 'pending', CURRENCY), amountMinor: -(AMOUNT_MINOR - FEE_MINOR) },
    { account: platformAccount('fee_revenue', CURRENCY), amountMinor: -FEE_MINOR },
  ];
}

async function postOne(db: Kysely<Database>, key: string, shopId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await postTransfer(trx, systemClock, {
      idempotencyKey: key,
      kind: 'payment',
      reference: key,
      currency: CURRENCY,
      legs: paymentLegs(shopId),
    });
    if (!result.isNew) throw new Error(`transfer ${key} was not new`);
  });
}

async function timeMedian(times: number, work: () => Promise<unknown>): Promise<number> {
  const values: number[] = [];
  for (let index = 0; index < times; index += 1) {
    const began = performance.now();
    await work();
    values.push(performance.now() - began);
  }
  values.sort((a, b) => a - b);
  return percentile(values, 50);
}

/* ------------------------------------------------------------------------------------------------
 * Payments: the real markPaymentPaid (src/modules/payments/payment-completion.ts) on payments inserted
 * straight into the table, on the demo shop alone or spread over clones of it.
 * ---------------------------------------------------------------------------------------------- */

async function preparePaymentShops(
  db: Kysely<Database>,
  demoShopId: string,
  shops: number,
): Promise<string[]> {
  // Clones of the demo shop (same account, passwords, result_url), differing in id and merchant login.
  await sql`
    insert into shops (id, account_id, name, site_url, description, merchant_login, status,
           rejection_reason, hash_algorithm, password1_sealed, password2_sealed, password3_sealed,
           test_password1_sealed, test_password2_sealed, result_url, result_method, success_url,
           success_method, fail_url, fail_method, created_at, updated_at, submitted_at, reviewed_at)
    select 'shp_bench_' || g, account_id, name || ' ' || g, site_url, description, 'bench' || g, status,
           rejection_reason, hash_algorithm, password1_sealed, password2_sealed, password3_sealed,
           test_password1_sealed, test_password2_sealed, result_url, result_method, success_url,
           success_method, fail_url, fail_method, created_at, updated_at, submitted_at, reviewed_at
      from shops, generate_series(1, ${shops - 1}) as g
     where id = ${demoShopId}`.execute(db);
  return [demoShopId, ...Array.from({ length: shops - 1 }, (_, index) => `shp_bench_${index + 1}`)];
}

async function insertPayments(
  db: Kysely<Database>,
  prefix: string,
  count: number,
  firstInvId: number,
  shopIdOf: (index: number) => string,
): Promise<void> {
  const now = new Date();
  const shopRows = await db.selectFrom('shops').select(['id', 'account_id']).execute();
  const accountOf = new Map(shopRows.map((row) => [row.id, row.account_id]));
  for (let start = 0; start < count; start += 1000) {
    const rows = [];
    for (let index = start; index < Math.min(count, start + 1000); index += 1) {
      const shopId = shopIdOf(index);
      rows.push({
        id: `${prefix}_${index}`,
        shop_id: shopId,
        account_id: accountOf.get(shopId) ?? '',
        inv_id: BigInt(firstInvId + index),
        is_inv_id_assigned: false,
        is_test: false,
        status: 'processing' as const,
        out_sum_text: '100.00',
        amount_minor: AMOUNT_MINOR,
        currency: CURRENCY,
        description: 'bench',
        email: null,
        culture: 'ru' as const,
        inc_curr_label: null,
        payment_method: null,
        shp: '[]',
        receipt: null,
        user_ip: null,
        out_sum_currency: null,
        result_url2: null,
        success_url2: null,
        success_url2_method: null,
        fail_url2: null,
        fail_url2_method: null,
        expires_at: null,
        op_key: null,
        card_mask: null,
        created_at: now,
        updated_at: now,
        paid_at: null,
      });
    }
    await db.insertInto('payments').values(rows).execute();
  }
}

async function payOne(deps: Deps, paymentId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const payment = await trx
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paymentId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await markPaymentPaid(trx, deps, payment, {
      opKey: `op_${paymentId}`,
      cardMask: '411111******1111',
      acquirerReference: `acq_${paymentId}`,
      rrn: paymentId.slice(-12),
    });
  });
}

/* ------------------------------------------------------------------------------------------------
 * Main
 * ---------------------------------------------------------------------------------------------- */

function phaseLines(result: PhaseResult, unit: string): string[] {
  const perSecond = result.count / (result.wallMs / 1000);
  const l = result.latencies;
  return [
    `  ${result.label}`,
    `    ${result.count} ${unit} in ${fixed(result.wallMs / 1000, 2)} s = ${fixed(perSecond, 1)} ${unit}/s (errors ${result.errors.length})`,
    `    latency ms  p50 ${fixed(percentile(l, 50), 2)}  p95 ${fixed(percentile(l, 95), 2)}  p99 ${fixed(percentile(l, 99), 2)}  max ${fixed(l[l.length - 1] ?? NaN, 2)}`,
    `    MultiXact ids consumed ${result.multixacts}; this Node process used ${fixed((100 * result.nodeCpuMs) / result.wallMs, 0)}% of one core (${fixed((1000 * result.nodeCpuMs) / Math.max(1, result.count), 0)} µs per ${unit.replace(/s$/, '')}); whole machine ${fixed(100 * result.machineBusy, 0)}% busy of ${cpus().length} cores`,
    ...result.waits,
  ];
}

function rate(result: PhaseResult): number {
  return result.count / (result.wallMs / 1000);
}

async function main(): Promise<number> {
  const options = readOptions();
  const problems: string[] = [];
  const database = await createDatabase();

  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    KOPEK_MASTER_KEY: MASTER_KEY,
    PUBLIC_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
  });
  // openRuntime migrates the fresh database (and gives the Deps markPaymentPaid needs); the load itself runs
  // on a pool of C connections, one per concurrent transaction.
  const runtime = await openRuntime(config, { signInFailureDelayMs: 0 });
  onCleanup('close the runtime', () => runtime.close());
  const pool = openPostgresDatabase<Database>(database.url, options.concurrency);
  onCleanup('close the pool', () => pool.close());
  const db = pool.db;
  const monitor = new pg.Client({ connectionString: database.url });
  await monitor.connect();
  onCleanup('close the monitor', () => monitor.end());
  const sampler = () => new WaitSampler(monitor, database.name, options.sampleMs);
  const serverVersion =
    (await monitor.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';

  const hotShop = 'shp_bench_hot';
  const spreadShop = (index: number) => `shp_bench_${String(index % options.shops).padStart(4, '0')}`;

  // Warm-up (not measured): every account both phases touch exists, pools and JIT are warm.
  const warm = await runPhase(
    'warm-up',
    options.shops + 200,
    options.concurrency,
    (index) => postOne(db, `warm:${index}`, index < options.shops ? spreadShop(index) : hotShop),
    sampler(),
    monitor,
    database.name,
  );
  problems.push(...warm.errors.slice(0, 3).map((text) => `warm-up: ${text}`));

  const oneShop = await runPhase(
    `(1) one shop: ${options.transfers} transfers, all crediting ${shopAccount(hotShop, 'pending', CURRENCY).id}`,
    options.transfers,
    options.concurrency,
    (index) => postOne(db, `one:${index}`, hotShop),
    sampler(),
    monitor,
    database.name,
  );
  problems.push(...oneShop.errors.slice(0, 5).map((text) => `one shop: ${text}`));

  // The known cost of having no balance row: the busy shop's balances are sums over all its entries.
  await sql`analyze ledger_entries`.execute(db);
  const hotEntries = options.transfers + 200;
  const hotBalanceMs = await timeMedian(7, () => readShopBalances(db, hotShop, CURRENCY));
  const quietBalanceMs = await timeMedian(7, () => readShopBalances(db, spreadShop(1), CURRENCY));
  // The same read after a balance checkpoint (the periodic task, src/modules/ledger/ledger.checkpoints.ts).
  await runLedgerCheckpoint(db, systemClock);
  const checkpointedBalanceMs = await timeMedian(7, () => readShopBalances(db, hotShop, CURRENCY));
  const balances = await readShopBalances(db, hotShop, CURRENCY);
  const expectedPending = BigInt(hotEntries) * (AMOUNT_MINOR - FEE_MINOR);
  if (oneShop.errors.length === 0 && warm.errors.length === 0 && balances.pendingMinor !== expectedPending) {
    problems.push(`busy shop pending ${balances.pendingMinor}, expected ${expectedPending}`);
  }
  const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers)
    select sum(amount_minor) from ledger_entries
     where account_id = ${shopAccount(hotShop, 'pending', CURRENCY).id}`.execute(db);
  const planLines = plan.rows.map((row) => row['QUERY PLAN']);

  const spread = await runPhase(
    `(2) spread: ${options.transfers} transfers over ${options.shops} shops (platform accounts shared)`,
    options.transfers,
    options.concurrency,
    (index) => postOne(db, `spread:${index}`, spreadShop(index)),
    sampler(),
    monitor,
    database.name,
  );
  problems.push(...spread.errors.slice(0, 5).map((text) => `spread: ${text}`));

  // Payments through markPaymentPaid, one shop against the same count spread.
  let paymentsOne: PhaseResult | undefined;
  let paymentsSpread: PhaseResult | undefined;
  let demoResultUrl: string | null = null;
  if (options.payments > 0) {
    await seedDemoData(runtime.deps);
    const demo = await db
      .selectFrom('shops')
      .select(['id', 'result_url'])
      .where('merchant_login', '=', 'demo')
      .executeTakeFirstOrThrow();
    demoResultUrl = demo.result_url;
    const shopIds = await preparePaymentShops(db, demo.id, options.shops);
    await insertPayments(db, 'pay_one', options.payments, 1, () => demo.id);
    // inv_id is unique per shop: the spread payments continue the demo shop's numbering.
    await insertPayments(
      db,
      'pay_spread',
      options.payments,
      options.payments + 1,
      (index) => shopIds[index % shopIds.length] ?? demo.id,
    );
    await sql`analyze`.execute(db);
    const deps: Deps = { ...runtime.deps, db };
    paymentsOne = await runPhase(
      `(3a) payments, one shop: ${options.payments} × markPaymentPaid on the demo shop`,
      options.payments,
      options.concurrency,
      (index) => payOne(deps, `pay_one_${index}`),
      sampler(),
      monitor,
      database.name,
    );
    paymentsSpread = await runPhase(
      `(3b) payments, spread: ${options.payments} × markPaymentPaid over ${options.shops} shops`,
      options.payments,
      options.concurrency,
      (index) => payOne(deps, `pay_spread_${index}`),
      sampler(),
      monitor,
      database.name,
    );
    problems.push(...paymentsOne.errors.slice(0, 5).map((text) => `payments one shop: ${text}`));
    problems.push(...paymentsSpread.errors.slice(0, 5).map((text) => `payments spread: ${text}`));
  }

  /* ---------------------------------------------- report */
  const ratio = rate(oneShop) / rate(spread);
  const out: string[] = [];
  out.push('Kopek ledger contention benchmark');
  out.push('');
  out.push('Parameters');
  out.push(
    `  transfers T           ${options.transfers} per phase (+${options.shops + 200} warm-up, not measured)`,
  );
  out.push(
    `  concurrency C         ${options.concurrency} concurrent transactions, pool of ${options.concurrency} connections`,
  );
  out.push(
    `  transfer              postTransfer in its own transaction: acquirer_clearing +${AMOUNT_MINOR}, shop pending -${AMOUNT_MINOR - FEE_MINOR}, fee_revenue -${FEE_MINOR} (${CURRENCY} minor units)`,
  );
  out.push(
    `  Node                  ${process.version} (${platform()} ${arch()}, ${cpus().length} CPUs: ${cpus()[0]?.model ?? '?'})`,
  );
  out.push(`  database              PostgreSQL ${serverVersion}, fresh database ${database.name}`);
  out.push('');
  out.push('Transfers');
  out.push(...phaseLines(oneShop, 'transfers'));
  out.push(...phaseLines(spread, 'transfers'));
  out.push('');
  out.push(
    `Ratio one shop ÷ spread = ${fixed(ratio, 3)} (goal ≥ 0.8: ${Number.isFinite(ratio) ? (ratio >= 0.8 ? 'met' : 'not met') : 'unknown'})`,
  );
  out.push('');
  out.push('Balances of the busy shop after phase 1 (sums of entries, no balance row)');
  out.push(
    `  readShopBalances      ${fixed(hotBalanceMs, 2)} ms median of 7 for the busy shop (${hotEntries} pending entries); ${fixed(quietBalanceMs, 2)} ms for a spread shop (1 entry)`,
  );
  out.push(
    `  after a checkpoint    ${fixed(checkpointedBalanceMs, 2)} ms for the busy shop (its checkpoint plus the entries after it)`,
  );
  out.push(`  pending              ${balances.pendingMinor} minor units (expected ${expectedPending})`);
  out.push('  plan of its pending sum:');
  out.push(...planLines.map((line) => `    ${line}`));
  if (paymentsOne && paymentsSpread) {
    out.push('');
    out.push(
      `Payments (markPaymentPaid as the card flow calls it: payment update, event, ledger transfer, ResultURL job${demoResultUrl ? '' : ' — demo shop has no result_url: an event instead'})`,
    );
    out.push(...phaseLines(paymentsOne, 'payments'));
    out.push(...phaseLines(paymentsSpread, 'payments'));
    const paymentRatio = rate(paymentsOne) / rate(paymentsSpread);
    out.push(
      `  ratio one shop ÷ spread = ${fixed(paymentRatio, 3)} (goal ≥ 0.8: ${paymentRatio >= 0.8 ? 'met' : 'not met'})`,
    );
  } else {
    out.push('');
    out.push('Payments: skipped (--payments=0)');
  }
  out.push('');
  if (problems.length > 0) {
    out.push('Problems (the benchmark failed)');
    out.push(...problems.map((text) => `  - ${text}`));
  } else {
    out.push('Result: OK (every transfer posted, balances add up)');
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
