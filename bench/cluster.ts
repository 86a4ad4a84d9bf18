/**
 * `npm run bench:cluster`: the payment load of the fault drills' buyers (card payments without 3-D Secure,
 * the merchant's ResultURL answering OK) against a local cluster: two `--role=http` nodes and two
 * `--role=worker` nodes on one fresh PostgreSQL database behind the round-robin balancer of
 * bench/cluster-support.ts. For comparison the same load runs against one `--role=all` node first.
 *
 * Settings (environment): CLUSTER_BENCH_PAYMENTS (default 600), CLUSTER_BENCH_CONCURRENCY (16),
 * CLUSTER_BENCH_BASELINE=0 skips the single-node run; FAULTS_DATABASE_URL or TEST_DATABASE_URL
 * (postgres://postgres@127.0.0.1:5432/postgres), as the drills.
 * Figures: payments per second (a payment is 5 HTTP requests: init, page, card form, page, paid page),
 * payment latency p50/p95/max, and how long after the last payment the last ResultURL was delivered.
 * All processes share this machine's cores, so the cluster shows how the roles split the work, not
 * the gain of more machines.
 */
import { performance } from 'node:perf_hooks';
import {
  Buyer,
  createFaultDatabase,
  KopekNode,
  pointResultUrlAt,
  ResultUrlStub,
  sleep,
} from '../test/faults/fault-support.js';
import { startCluster } from './cluster-support.js';

const PAYMENTS = Number(process.env.CLUSTER_BENCH_PAYMENTS ?? '600');
const CONCURRENCY = Number(process.env.CLUSTER_BENCH_CONCURRENCY ?? '16');
const BASELINE = process.env.CLUSTER_BENCH_BASELINE !== '0';

interface Figures {
  readonly label: string;
  readonly paymentsPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly failed: number;
  readonly notifyLagMs: number;
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? NaN;
}

/** Drives PAYMENTS payments with CONCURRENCY buyers at baseUrl and waits for their ResultURLs. */
async function drive(
  label: string,
  baseUrl: string,
  pool: { query: (text: string) => Promise<{ rows: { n: string }[] }> },
): Promise<Figures> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const index = next;
        next += 1;
        if (index >= PAYMENTS) return;
        const paymentStartedAt = performance.now();
        const outcome = await new Buyer(() => baseUrl, 30_000).pay(
          String(300_000 + index),
          `${100 + (index % 900)}.00`,
        );
        latencies.push(performance.now() - paymentStartedAt);
        if (outcome.kind !== 'paid') failed += 1;
      }
    }),
  );
  const wallMs = performance.now() - startedAt;
  const lastPaymentAt = performance.now();
  for (;;) {
    const pending = await pool.query(
      `select count(*) as n from payments p where p.status = 'paid' and not exists (select 1 from notifications n
         where n.subject_id = p.id and n.kind = 'result_url' and n.status = 'delivered')`,
    );
    if (Number(pending.rows[0]?.n ?? 0) === 0 || performance.now() - lastPaymentAt > 120_000) break;
    await sleep(100);
  }
  const sorted = latencies.sort((left, right) => left - right);
  return {
    label,
    paymentsPerSecond: (PAYMENTS * 1000) / wallMs,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    maxMs: sorted.at(-1) ?? NaN,
    failed,
    notifyLagMs: performance.now() - lastPaymentAt,
  };
}

async function singleNode(stub: ResultUrlStub): Promise<Figures> {
  const database = await createFaultDatabase();
  const node = await KopekNode.start(database.url, 'all');
  try {
    await pointResultUrlAt(database, stub.url);
    return await drive('1 node (--role=all)', node.baseUrl, database.pool);
  } finally {
    await node.stop();
    await database.drop();
  }
}

async function cluster(stub: ResultUrlStub): Promise<Figures> {
  const started = await startCluster();
  try {
    await pointResultUrlAt(started.database, stub.url);
    return await drive('2 http + 2 worker nodes, balancer', started.balancer.url, started.database.pool);
  } finally {
    await started.stop();
  }
}

async function main(): Promise<void> {
  const stub = new ResultUrlStub();
  await stub.start();
  const results: Figures[] = [];
  try {
    if (BASELINE) results.push(await singleNode(stub));
    results.push(await cluster(stub));
  } finally {
    await stub.stop();
  }
  console.log(`\nPayments: ${PAYMENTS} card payments (no 3-D Secure), ${CONCURRENCY} concurrent buyers\n`);
  console.log(
    `  ${'setup'.padEnd(36)} ${'pay/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'failed'.padStart(7)} ${'notify lag ms'.padStart(14)}`,
  );
  for (const row of results)
    console.log(
      `  ${row.label.padEnd(36)} ${row.paymentsPerSecond.toFixed(1).padStart(7)} ${row.p50Ms.toFixed(0).padStart(8)} ` +
        `${row.p95Ms.toFixed(0).padStart(8)} ${row.maxMs.toFixed(0).padStart(8)} ${String(row.failed).padStart(7)} ` +
        `${row.notifyLagMs.toFixed(0).padStart(14)}`,
    );
  if (results.some((row) => row.failed > 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
