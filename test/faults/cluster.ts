/**
 * The multi-node drill (`npm run test:cluster`): two HTTP nodes and two worker nodes on one PostgreSQL
 * database behind a round-robin balancer (bench/cluster-support.ts). Under load it checks that
 *  - no payment is charged twice: each InvId paid once, one 'paid' ledger transfer per paid payment, one
 *    approved card attempt, and the ledger sums to zero with every transfer balanced;
 *  - no notification is lost: every paid payment's ResultURL is delivered and the merchant saw its InvId;
 *  - jobs are spread over both worker nodes (jobs.locked_by, migration 0027) and none ran elsewhere;
 *  - no payout is made twice: concurrent on-demand payouts of one shop's whole available balance, sent
 *    through both HTTP nodes at once, yield exactly one payout.
 *
 * Settings (environment): CLUSTER_PAYMENTS (default 300), CLUSTER_CONCURRENCY (8), CLUSTER_PAYOUT_REQUESTS
 * (8), FAULTS_DATABASE_URL or TEST_DATABASE_URL. Prints a summary; exits 1 when an invariant is broken.
 */
import { performance } from 'node:perf_hooks';
import { startCluster, type Cluster } from '../../bench/cluster-support.js';
import { platformAccount, postTransfer, shopAccount } from '../../src/modules/ledger/index.js';
import { systemClock } from '../../src/platform/clock.js';
import { openPostgresDatabase } from '../../src/platform/db.js';
import type { Database } from '../../src/schema.js';
import { DEMO } from '../../src/seed.js';
import { Buyer, pointResultUrlAt, ResultUrlStub, sleep, type BuyerOutcome } from './fault-support.js';

function readWhole(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1`);
  return value;
}

const SETTINGS = {
  payments: readWhole('CLUSTER_PAYMENTS', 300),
  concurrency: readWhole('CLUSTER_CONCURRENCY', 8),
  payoutRequests: readWhole('CLUSTER_PAYOUT_REQUESTS', 8),
};

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

async function scalar(cluster: Cluster, text: string, values: unknown[] = []): Promise<number> {
  const result = await cluster.database.pool.query<{ n: string }>(text, values);
  return Number(result.rows[0]?.n ?? NaN);
}

/* ---------------------------------------------------------------------------------------------- */
/* Payments through the balancer                                                                    */
/* ---------------------------------------------------------------------------------------------- */

async function runPayments(cluster: Cluster): Promise<Map<string, BuyerOutcome>> {
  const outcomes = new Map<string, BuyerOutcome>();
  let next = 0;
  const buyer = async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= SETTINGS.payments) return;
      const invId = String(100_000 + index);
      const outSum = `${100 + (index % 900)}.00`;
      outcomes.set(invId, await new Buyer(() => cluster.balancer.url, 20_000).pay(invId, outSum));
    }
  };
  await Promise.all(Array.from({ length: SETTINGS.concurrency }, () => buyer()));
  return outcomes;
}

/** Waits until every paid payment's ResultURL is delivered. */
async function waitForNotifications(cluster: Cluster, timeoutMs: number): Promise<number> {
  const startedAt = performance.now();
  for (;;) {
    const pending = await scalar(
      cluster,
      `select count(*) as n from payments p where p.status = 'paid' and not exists (
         select 1 from notifications n where n.subject_id = p.id and n.kind = 'result_url'
         and n.status = 'delivered')`,
    );
    if (pending === 0 || performance.now() - startedAt > timeoutMs) return performance.now() - startedAt;
    await sleep(200);
  }
}

async function checkPayments(
  cluster: Cluster,
  stub: ResultUrlStub,
  outcomes: Map<string, BuyerOutcome>,
): Promise<void> {
  const refused = [...outcomes.values()].filter((outcome) => outcome.kind !== 'paid');
  check(
    'every payment paid',
    refused.length === 0,
    `${outcomes.size - refused.length}/${outcomes.size} paid`,
  );

  const perInvId = await cluster.database.pool.query<{ inv_id: string; n: string; paid: string }>(
    `select inv_id::text, count(*) as n, count(*) filter (where status = 'paid') as paid from payments
      group by inv_id having count(*) > 1 or count(*) filter (where status = 'paid') > 1`,
  );
  check(
    'each InvId paid once',
    perInvId.rows.length === 0,
    `${perInvId.rows.length} InvIds with several payments`,
  );

  const wrongTransfers = await scalar(
    cluster,
    `select count(*) as n from payments p where p.status = 'paid' and (select count(*) from ledger_transfers t
       where t.idempotency_key like 'payment:%:paid' and t.reference = p.id) <> 1`,
  );
  const doubleApproved = await scalar(
    cluster,
    `select count(*) as n from (select payment_id from card_attempts where status = 'approved'
       group by payment_id having count(*) > 1) as doubled`,
  );
  check(
    'no double charge',
    wrongTransfers === 0 && doubleApproved === 0,
    `paid payments without exactly one 'paid' transfer: ${wrongTransfers}; with two approved attempts: ${doubleApproved}`,
  );

  const undelivered = await scalar(
    cluster,
    `select count(*) as n from payments p where p.status = 'paid' and not exists (select 1 from notifications n
       where n.subject_id = p.id and n.kind = 'result_url' and n.status = 'delivered')`,
  );
  const unseen = [...outcomes.keys()].filter(
    (invId) => outcomes.get(invId)?.kind === 'paid' && !stub.received.has(invId),
  );
  check(
    'no notification lost',
    undelivered === 0 && unseen.length === 0 && stub.problems.length === 0,
    `undelivered ${undelivered}; merchant did not see ${unseen.length}; signature problems ${stub.problems.length}`,
  );
}

async function checkJobSpread(cluster: Cluster): Promise<void> {
  const rows = await cluster.database.pool.query<{ locked_by: string | null; n: string }>(
    `select locked_by, count(*) as n from jobs where state = 'done' group by locked_by order by locked_by`,
  );
  const counts = rows.rows.map((row) => `${row.locked_by ?? 'nobody'}: ${row.n}`).join(', ');
  const byWorker = rows.rows.filter((row) => row.locked_by !== null).map((row) => Number(row.n));
  const total = byWorker.reduce((sum, n) => sum + n, 0);
  // Both workers poll the same table: each should get a fair part; 10 % is far below a fair share but
  // far above "one worker did nothing".
  check(
    'jobs spread over both workers',
    byWorker.length === 2 && byWorker.every((n) => n >= total * 0.1),
    counts || 'no finished jobs',
  );
}

/* ---------------------------------------------------------------------------------------------- */
/* Concurrent payouts through both HTTP nodes                                                       */
/* ---------------------------------------------------------------------------------------------- */

const BANK_DETAILS = {
  bik: '044525225',
  settlementAccount: '40702810500000001234', // control key fits the BIK (as test/payouts/helpers fitAccount)
  correspondentAccount: '30101810400000000225',
  inn: '7707083893',
  kpp: '773601001',
  recipientName: 'ООО «Книжная лавка»',
};

/** A signed-in cabinet session: the session cookie and the CSRF double-submit token. */
async function signIn(baseUrl: string): Promise<{ cookie: string; csrf: string }> {
  const first = await fetch(`${baseUrl}/api/cabinet/csrf`);
  const csrf = ((await first.json()) as { csrfToken: string }).csrfToken;
  const answer = await fetch(`${baseUrl}/api/cabinet/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, cookie: `kopek_csrf=${csrf}` },
    body: JSON.stringify({ email: DEMO.administrator.email, password: DEMO.administrator.password }),
  });
  if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${await answer.text()}`);
  const cookies = answer.headers.getSetCookie().map((line) => line.split(';')[0] ?? '');
  const token = cookies.find((line) => line.startsWith('kopek_csrf='))?.slice('kopek_csrf='.length) ?? csrf;
  const others = cookies.filter((line) => !line.startsWith('kopek_csrf='));
  return { cookie: [...others, `kopek_csrf=${token}`].join('; '), csrf: token };
}

/** Money as settlement leaves it (as test/payouts/helpers fund does): into pending, then available. */
async function fundAvailable(cluster: Cluster, shopId: string, amountMinor: bigint): Promise<void> {
  const handle = openPostgresDatabase<Database>(cluster.database.url, 2);
  try {
    const pending = shopAccount(shopId, 'pending', 'RUB');
    await handle.db.transaction().execute(async (trx) => {
      await postTransfer(trx, systemClock, {
        idempotencyKey: `cluster-drill-paid:${shopId}`,
        kind: 'payment',
        currency: 'RUB',
        legs: [
          { account: platformAccount('acquirer_clearing', 'RUB'), amountMinor },
          { account: pending, amountMinor: -amountMinor },
        ],
      });
      await postTransfer(trx, systemClock, {
        idempotencyKey: `cluster-drill-settled:${shopId}`,
        kind: 'settlement',
        currency: 'RUB',
        legs: [
          { account: pending, amountMinor },
          { account: shopAccount(shopId, 'available', 'RUB'), amountMinor: -amountMinor },
        ],
      });
    });
  } finally {
    await handle.close();
  }
}

async function checkPayouts(cluster: Cluster): Promise<void> {
  const shopId = (
    await cluster.database.pool.query<{ id: string }>(`select id from shops where merchant_login = $1`, [
      DEMO.shop.merchantLogin,
    ])
  ).rows[0]?.id;
  if (!shopId) throw new Error('demo shop not found');
  await fundAvailable(cluster, shopId, 5_000_000n); // 50 000.00 RUB
  const available = await scalar(
    cluster,
    `select coalesce(-sum(e.amount_minor), 0) as n from ledger_entries e join ledger_accounts a on a.id = e.account_id
      where a.owner_id = $1 and a.purpose = 'available' and a.currency = 'RUB'`,
    [shopId],
  );
  const nodes = cluster.httpNodes.map((node) => node.baseUrl);
  const sessions = await Promise.all(nodes.map((baseUrl) => signIn(baseUrl)));
  const first = sessions[0];
  if (!first) throw new Error('no HTTP node');
  const details = await fetch(`${nodes[0]}/api/cabinet/bank-details`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-csrf-token': first.csrf, cookie: first.cookie },
    body: JSON.stringify(BANK_DETAILS),
  });
  if (details.status !== 200)
    throw new Error(`bank details answered ${details.status}: ${await details.text()}`);

  // The whole available balance, asked for at once through both nodes: only one request can have it.
  const amount = (available / 100).toFixed(2);
  const answers = await Promise.all(
    Array.from({ length: SETTINGS.payoutRequests }, async (_, index) => {
      const session = sessions[index % sessions.length] ?? first;
      const response = await fetch(`${nodes[index % nodes.length]}/api/cabinet/payouts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf, cookie: session.cookie },
        body: JSON.stringify({ shopId, amount }),
      });
      return { status: response.status, body: await response.text() };
    }),
  );
  const created = answers.filter((answer) => answer.status === 201).length;
  const refusals = answers.filter((answer) => answer.status !== 201).map((answer) => answer.status);
  const payoutRows = await scalar(cluster, `select count(*) as n from payouts where shop_id = $1`, [shopId]);
  const availableAfter = await scalar(
    cluster,
    `select coalesce(-sum(e.amount_minor), 0) as n from ledger_entries e join ledger_accounts a on a.id = e.account_id
      where a.owner_id = $1 and a.purpose = 'available' and a.currency = 'RUB'`,
    [shopId],
  );
  check(
    'no double payout',
    created === 1 &&
      payoutRows === 1 &&
      availableAfter === 0 &&
      refusals.every((status) => status >= 400 && status < 500),
    `${SETTINGS.payoutRequests} requests for ${amount} RUB over ${nodes.length} nodes: ${created} created, ` +
      `refused with ${[...new Set(refusals)].join('/') || '-'}; payouts rows ${payoutRows}; available after ${availableAfter}` +
      (created === 0 ? `; first answer: ${answers[0]?.body.slice(0, 200)}` : ''),
  );
}

/* ---------------------------------------------------------------------------------------------- */

async function main(): Promise<void> {
  const startedAt = performance.now();
  const stub = new ResultUrlStub();
  await stub.start();
  const cluster = await startCluster();
  try {
    figures.push([
      'cluster start (4 nodes, migrations, demo data)',
      `${(cluster.startMs / 1000).toFixed(1)} s`,
    ]);
    await pointResultUrlAt(cluster.database, stub.url);
    const paymentsStartedAt = performance.now();
    const outcomes = await runPayments(cluster);
    const paymentsMs = performance.now() - paymentsStartedAt;
    figures.push([
      `payments (${SETTINGS.payments}, ${SETTINGS.concurrency} buyers, via balancer)`,
      `${(paymentsMs / 1000).toFixed(1)} s, ${((SETTINGS.payments * 1000) / paymentsMs).toFixed(0)} payments/s`,
    ]);
    figures.push(['requests per HTTP node', [...cluster.balancer.requestsByUpstream.values()].join(' / ')]);
    const settleMs = await waitForNotifications(cluster, 60_000);
    figures.push(['notifications delivered after the last payment', `${(settleMs / 1000).toFixed(1)} s`]);
    await checkPayments(cluster, stub, outcomes);
    await checkJobSpread(cluster);
    await checkPayouts(cluster);
  } finally {
    await cluster.stop();
    await stub.stop();
  }
  figures.push(['drill runtime', `${((performance.now() - startedAt) / 1000).toFixed(1)} s`]);

  console.log('\nMulti-node drill: 2 HTTP nodes + 2 worker nodes, one PostgreSQL database\n');
  for (const [name, value] of figures) console.log(`  ${name.padEnd(52)} ${value}`);
  console.log('');
  for (const item of checks)
    console.log(`  ${item.passed ? 'PASS' : 'FAIL'}  ${item.name.padEnd(32)} ${item.detail}`);
  if (checks.some((item) => !item.passed)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
