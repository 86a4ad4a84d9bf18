/**
 * Fault drills (`npm run test:faults`), against the machine's PostgreSQL and a real Kopek node:
 *
 * 1. kill -9: N card payments (no 3-D Secure) by C concurrent buyers over HTTP while the node is killed
 *    with SIGKILL K times at random moments and started again. Afterwards: every payment a buyer saw as
 *    paid is paid in the database; each paid payment has exactly one ledger transfer and one approved
 *    card attempt; the ledger sums to zero and every transfer balances; every paid payment's ResultURL
 *    notification is acknowledged (delivered in the database, and the merchant's server saw its InvId:
 *    duplicates are allowed, the protocol says so).
 * 2. merchant faults: payments whose ResultURL answers 503 (down), nothing within the deadline (slow), or
 *    a page without OK<InvId> (garbage); the failures are recorded and the notifications stay pending
 *    with their next attempt scheduled (what the cabinet shows); then the merchant recovers, and every
 *    notification is delivered by Kopek's own retry schedule (first retry after 1 minute).
 *
 * Settings (environment): FAULTS_PAYMENTS (default 2000), FAULTS_KILLS (6), FAULTS_CONCURRENCY (6),
 * FAULTS_MERCHANT_PAYMENTS (12, 0 skips drill 2), FAULTS_SEED (random), FAULTS_DATABASE_URL or
 * TEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres). Prints a summary table; exits 1 when
 * an invariant is broken.
 */
import { performance } from 'node:perf_hooks';
import {
  Buyer,
  createFaultDatabase,
  DRILL_LEASE_MS,
  KopekNode,
  pointResultUrlAt,
  ResultUrlStub,
  sleep,
  type BuyerOutcome,
  type FaultDatabase,
  type MerchantMode,
} from './fault-support.js';

function readWhole(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number >= 0`);
  return value;
}

const SETTINGS = {
  payments: readWhole('FAULTS_PAYMENTS', 2000),
  kills: readWhole('FAULTS_KILLS', 6),
  concurrency: Math.max(1, readWhole('FAULTS_CONCURRENCY', 6)),
  merchantPayments: readWhole('FAULTS_MERCHANT_PAYMENTS', 12),
  seed: readWhole('FAULTS_SEED', Math.floor(Math.random() * 2 ** 31)),
};

/** A small seeded generator (mulberry32), so a failing drill can be replayed with FAULTS_SEED. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

const checks: Check[] = [];
const figures: [string, string][] = [];

function check(name: string, passed: boolean, detail: string): void {
  checks.push({ name, passed, detail });
}

async function scalar(database: FaultDatabase, text: string, values: unknown[] = []): Promise<number> {
  const result = await database.pool.query<{ n: string }>(text, values);
  return Number(result.rows[0]?.n ?? NaN);
}

/* ---------------------------------------------------------------------------------------------- */
/* Drill 1: kill -9 during payments                                                                 */
/* ---------------------------------------------------------------------------------------------- */

async function runPaymentsWithKills(
  node: KopekNode,
  random: () => number,
): Promise<{ outcomes: Map<string, BuyerOutcome>; killedAtCompleted: number[] }> {
  const outcomes = new Map<string, BuyerOutcome>();
  const killAt = Array.from({ length: SETTINGS.kills }, () =>
    Math.floor(SETTINGS.payments * (0.1 + 0.8 * random())),
  ).sort((left, right) => left - right);
  const killedAtCompleted: number[] = [];
  let next = 0;
  let killing: Promise<void> = Promise.resolve();
  const maybeKill = () => {
    while (killAt.length > 0 && outcomes.size >= (killAt[0] ?? Infinity)) {
      killAt.shift();
      const delayMs = Math.floor(random() * 300);
      killing = killing.then(async () => {
        // A random moment inside the next requests, not between them.
        await sleep(delayMs);
        killedAtCompleted.push(outcomes.size);
        await node.killHard();
        await node.boot();
      });
    }
  };
  const buyer = async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= SETTINGS.payments) return;
      const invId = String(100_000 + index);
      const outSum = `${100 + (index % 900)}.00`;
      outcomes.set(invId, await new Buyer(() => node.baseUrl, 20_000).pay(invId, outSum));
      maybeKill();
    }
  };
  await Promise.all(Array.from({ length: SETTINGS.concurrency }, () => buyer()));
  await killing;
  return { outcomes, killedAtCompleted };
}

/** Waits until every paid payment's ResultURL is delivered and no attempt with a bank reference is open. */
async function waitForSettling(database: FaultDatabase, timeoutMs: number): Promise<number> {
  const startedAt = performance.now();
  for (;;) {
    const pending = await scalar(
      database,
      `select (select count(*) from payments p where p.status = 'paid' and not exists (
                 select 1 from notifications n where n.subject_id = p.id and n.kind = 'result_url'
                 and n.status = 'delivered'))
            + (select count(*) from card_attempts where status in ('processing', 'unknown')
                 and acquirer_reference is not null) as n`,
    );
    if (pending === 0 || performance.now() - startedAt > timeoutMs) return performance.now() - startedAt;
    await sleep(250);
  }
}

async function checkPaymentInvariants(
  database: FaultDatabase,
  stub: ResultUrlStub,
  outcomes: Map<string, BuyerOutcome>,
): Promise<void> {
  const rows = await database.pool.query<{ inv_id: string; status: string; id: string }>(
    `select inv_id::text, status, id from payments where inv_id >= 100000 and inv_id < 200000`,
  );
  const statusByInvId = new Map(rows.rows.map((row) => [row.inv_id, row.status]));
  const seenPaid = [...outcomes].filter(([, outcome]) => outcome.kind === 'paid').map(([invId]) => invId);
  const lost = seenPaid.filter((invId) => statusByInvId.get(invId) !== 'paid');
  check(
    'no paid payment lost',
    lost.length === 0,
    `${seenPaid.length} seen paid; not paid in DB: ${lost.join(', ') || 'none'}`,
  );

  const paidIds = rows.rows.filter((row) => row.status === 'paid');
  const transfers = await database.pool.query<{ reference: string; n: string }>(
    `select reference, count(*) as n from ledger_transfers where idempotency_key like 'payment:%:paid'
      group by reference`,
  );
  const transferCount = new Map(transfers.rows.map((row) => [row.reference, Number(row.n)]));
  const wrongTransfers = paidIds.filter((row) => transferCount.get(row.id) !== 1);
  const strayTransfers = [...transferCount.keys()].filter((id) => !paidIds.some((row) => row.id === id));
  check(
    'one ledger transfer per paid payment',
    wrongTransfers.length === 0 && strayTransfers.length === 0,
    `${paidIds.length} paid, ${transfers.rows.length} payment transfers; wrong: ${wrongTransfers.length}, stray: ${strayTransfers.length}`,
  );
  const doubleApproved = await scalar(
    database,
    `select count(*) as n from (select payment_id from card_attempts where status = 'approved'
       group by payment_id having count(*) > 1) as doubled`,
  );
  check(
    'no payment charged twice',
    doubleApproved === 0,
    `${doubleApproved} payments with two approved attempts`,
  );
  const total = await scalar(database, `select coalesce(sum(amount_minor), 0) as n from ledger_entries`);
  const unbalanced = await scalar(
    database,
    `select count(*) as n from (select transfer_id from ledger_entries group by transfer_id, currency
       having sum(amount_minor) <> 0) as unbalanced`,
  );
  check(
    'ledger balances',
    total === 0 && unbalanced === 0,
    `sum of entries ${total}, unbalanced transfers ${unbalanced}`,
  );

  const undelivered = await scalar(
    database,
    `select count(*) as n from payments p where p.status = 'paid' and not exists (select 1 from notifications n
       where n.subject_id = p.id and n.kind = 'result_url' and n.status = 'delivered')`,
  );
  const paidInvIds = rows.rows.filter((row) => row.status === 'paid').map((row) => row.inv_id);
  const unseen = paidInvIds.filter((invId) => !stub.received.has(invId));
  const duplicates = [...stub.received.values()].reduce((sum, count) => sum + count - 1, 0);
  check(
    'every paid ResultURL acknowledged',
    undelivered === 0 && unseen.length === 0 && stub.problems.length === 0,
    `undelivered in DB ${undelivered}; InvIds the merchant never saw ${unseen.length}; duplicates ${duplicates}` +
      (stub.problems.length > 0 ? `; ${stub.problems[0]}` : ''),
  );
  figures.push(['ResultURL duplicates (allowed)', String(duplicates)]);
}

async function drillKills(database: FaultDatabase, node: KopekNode, stub: ResultUrlStub): Promise<void> {
  const startedAt = performance.now();
  const random = createRandom(SETTINGS.seed);
  const { outcomes, killedAtCompleted } = await runPaymentsWithKills(node, random);
  const buyersMs = performance.now() - startedAt;
  const settleMs = await waitForSettling(database, 60_000 + DRILL_LEASE_MS * 3);
  await checkPaymentInvariants(database, stub, outcomes);
  const count = (kind: BuyerOutcome['kind']) =>
    [...outcomes.values()].filter((item) => item.kind === kind).length;
  const retries = [...outcomes.values()].reduce((sum, item) => sum + item.retries, 0);
  const refused = [...outcomes.values()].filter((item) => item.kind === 'refused');
  check(
    'no payment refused',
    refused.length === 0,
    refused[0] && 'detail' in refused[0] ? refused[0].detail : 'none',
  );
  const restarts = node.startTimesMs.slice(1);
  figures.push(
    [
      'payments (paid as the buyer saw / unresolved)',
      `${SETTINGS.payments} (${count('paid')} / ${count('unresolved')})`,
    ],
    ['kills (after n payments)', `${node.kills} (${killedAtCompleted.join(', ') || '-'})`],
    ['buyer retries after connection errors', String(retries)],
    [
      'restart to ready, mean',
      restarts.length
        ? `${(restarts.reduce((a, b) => a + b, 0) / restarts.length / 1000).toFixed(1)} s`
        : '-',
    ],
    [
      'buyers done / ResultURLs settled after',
      `${(buyersMs / 1000).toFixed(1)} s / +${(settleMs / 1000).toFixed(1)} s`,
    ],
  );
  const unresolved = await scalar(
    database,
    `select count(*) as n from card_attempts where status in ('processing', 'unknown') and acquirer_reference is null`,
  );
  figures.push(['attempts left for an operator (no bank reference)', String(unresolved)]);
}

/* ---------------------------------------------------------------------------------------------- */
/* Drill 2: the merchant's server is down, slow, or answers garbage, then recovers                  */
/* ---------------------------------------------------------------------------------------------- */

async function drillMerchantFaults(
  database: FaultDatabase,
  node: KopekNode,
  stub: ResultUrlStub,
): Promise<void> {
  const modes: MerchantMode[] = ['down', 'slow', 'garbage'];
  const invIds = Array.from({ length: SETTINGS.merchantPayments }, (_, index) => String(200_000 + index));
  invIds.forEach((invId, index) => stub.modes.set(invId, modes[index % modes.length] ?? 'down'));
  const startedAt = performance.now();
  const outcomes = await Promise.all(
    invIds.map((invId) => new Buyer(() => node.baseUrl, 20_000).pay(invId, '50.00')),
  );
  check(
    'merchant drill: payments paid',
    outcomes.every((item) => item.kind === 'paid'),
    `${outcomes.filter((item) => item.kind === 'paid').length}/${invIds.length}`,
  );

  // Every first attempt fails and is recorded; the notification stays pending with its next attempt set.
  const failedFirst = async () =>
    scalar(
      database,
      `select count(*) as n from notifications n join payments p on p.id = n.subject_id
        where n.kind = 'result_url' and p.inv_id::text = any($1) and n.status = 'pending'
          and n.attempt_count >= 1 and n.next_attempt_at is not null`,
      [invIds],
    );
  const waitStart = performance.now();
  while ((await failedFirst()) < invIds.length && performance.now() - waitStart < 30_000) await sleep(250);
  const pendingWithRetry = await failedFirst();
  check(
    'merchant drill: failures recorded, retry scheduled',
    pendingWithRetry === invIds.length,
    `${pendingWithRetry}/${invIds.length} pending with a failed attempt and a next attempt`,
  );
  const reasons = await database.pool.query<{ reason: string; n: string }>(
    `select coalesce(case when a.error is not null then 'no answer / error' end,
                     'HTTP ' || a.response_status::text) as reason, count(*) as n
       from notification_attempts a join notifications n on n.id = a.notification_id
       join payments p on p.id = n.subject_id where p.inv_id::text = any($1) group by 1 order by 1`,
    [invIds],
  );
  figures.push([
    'merchant drill: failed attempts',
    reasons.rows.map((row) => `${row.reason} ×${row.n}`).join(', '),
  ]);

  // The merchant recovers; Kopek's schedule retries after 1 minute.
  for (const invId of invIds) stub.modes.set(invId, 'ok');
  const recoveredAt = performance.now();
  const deadline = recoveredAt + 150_000;
  let delivered = 0;
  while (performance.now() < deadline) {
    delivered = await scalar(
      database,
      `select count(*) as n from notifications n join payments p on p.id = n.subject_id
        where n.kind = 'result_url' and p.inv_id::text = any($1) and n.status = 'delivered'`,
      [invIds],
    );
    if (delivered === invIds.length && invIds.every((invId) => stub.received.has(invId))) break;
    await sleep(500);
  }
  check(
    'merchant drill: delivered after recovery',
    delivered === invIds.length && invIds.every((invId) => stub.received.has(invId)),
    `${delivered}/${invIds.length} delivered, ${((performance.now() - recoveredAt) / 1000).toFixed(1)} s after recovery`,
  );
  figures.push(['merchant drill: duration', `${((performance.now() - startedAt) / 1000).toFixed(1)} s`]);
}

/* ---------------------------------------------------------------------------------------------- */

function printSummary(totalMs: number): void {
  // The kill drill's lines first: the drills ran side by side and reported in between each other.
  const byDrill =
    <T>(name: (item: T) => string) =>
    (left: T, right: T) =>
      Number(name(left).startsWith('merchant')) - Number(name(right).startsWith('merchant'));
  checks.sort(byDrill((item: Check) => item.name));
  figures.sort(byDrill(([name]: [string, string]) => name));
  const rows: [string, string, string][] = [
    ...checks.map((item): [string, string, string] => [item.passed ? 'ok' : 'FAIL', item.name, item.detail]),
    ...figures.map(([name, value]): [string, string, string] => ['', name, value]),
    ['', 'total', `${(totalMs / 1000).toFixed(1)} s (seed ${SETTINGS.seed})`],
  ];
  const widths = [4, Math.max(...rows.map((row) => row[1].length))];
  console.log('\nKopek fault drills');
  for (const [status, name, detail] of rows) {
    console.log(`${status.padEnd(widths[0] ?? 4)}  ${name.padEnd(widths[1] ?? 20)}  ${detail}`);
  }
}

/** One drill against its own database, node and merchant server, torn down whatever happens. */
async function withDrillSetup(
  drill: (database: FaultDatabase, node: KopekNode, stub: ResultUrlStub) => Promise<void>,
): Promise<void> {
  const database = await createFaultDatabase();
  const stub = new ResultUrlStub();
  let node: KopekNode | undefined;
  try {
    await stub.start();
    node = await KopekNode.start(database.url);
    await pointResultUrlAt(database, stub.url);
    await drill(database, node, stub);
  } finally {
    await node?.stop();
    await stub.stop();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  console.log(
    `fault drills: ${SETTINGS.payments} payments, ${SETTINGS.kills} kills, ${SETTINGS.concurrency} buyers, ` +
      `${SETTINGS.merchantPayments} merchant-fault payments, seed ${SETTINGS.seed}`,
  );
  // The two drills are independent (each has its own database and node), so they run side by side: the
  // merchant drill mostly waits for Kopek's first retry, one minute after each failure.
  const results = await Promise.allSettled([
    SETTINGS.payments > 0 ? withDrillSetup(drillKills) : undefined,
    SETTINGS.merchantPayments > 0 ? withDrillSetup(drillMerchantFaults) : undefined,
  ]);
  for (const result of results) {
    if (result.status === 'rejected') {
      const reason: unknown = result.reason;
      check('drill ran to the end', false, reason instanceof Error ? reason.message : String(reason));
    }
  }
  printSummary(performance.now() - startedAt);
  if (checks.some((item) => !item.passed)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
