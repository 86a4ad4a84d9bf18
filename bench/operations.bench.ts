/**
 * Operations page benchmark: the cabinet's list (GET /api/cabinet/operations, over Fastify's inject, with a
 * signed-in session) on an account with 10,000 operations, then the same account grown to 1,000,000, in
 * one run on one database. Issue goal: a filtered page at 1,000,000 within 2x of the same page at 10,000.
 *
 *   npx tsx bench/operations.bench.ts [--small=10000] [--large=1000000] [--requests=60]
 *
 * Prints a table (p50 and p95 per query, both sizes, the ratio of the p50s) and writes
 * bench/results/operations.json. Exits non-zero only when the benchmark itself failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { encodeOperationCursor } from '../src/modules/payments/operation.filter.js';
import { openRuntime } from '../src/runtime.js';
import { seedDemoData } from '../src/seed.js';
import { TestBrowser } from '../test/support/client.js';

const ADMIN_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const INSERT_CHUNK = 100_000;

const { values } = parseArgs({
  options: {
    small: { type: 'string', default: '10000' },
    large: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '60' },
  },
});
const SMALL = Number(values.small);
const LARGE = Number(values.large);
const REQUESTS = Number(values.requests);

/** The queries a merchant runs most, each a first page of 50. */
function queries(context: { deepCursor: string; email: string; card: string }): Record<string, string> {
  return {
    'newest first': '',
    'status=failed': 'status=failed',
    'one day (period)': 'from=2026-06-15&to=2026-06-15',
    'amount 5000..5100': 'amountMin=5000&amountMax=5100',
    'buyer e-mail': `email=${encodeURIComponent(context.email)}`,
    'card last four': `cardLast4=${context.card}`,
    'largest first': 'sort=amount_desc',
    'page in the middle': `before=${context.deepCursor}`,
    'search "сертификат"': `q=${encodeURIComponent('сертификат')}`,
    'search, no match': `q=${encodeURIComponent('несуществующее')}`,
  };
}

/**
 * Grows the account's payments to `total` rows: a year of history, 80% paid, about 50,000 buyers,
 * random amounts and cards; one in a thousand descriptions is a gift certificate.
 */
async function growPayments(
  client: pg.Client,
  shop: { id: string; account_id: string },
  from: number,
  total: number,
) {
  for (let start = from; start < total; start += INSERT_CHUNK) {
    const end = Math.min(total, start + INSERT_CHUNK);
    await client.query(
      `insert into payments (id, shop_id, account_id, inv_id, is_inv_id_assigned, is_test, status, out_sum_text,
         amount_minor, currency, fee_minor, description, email, payment_method, card_mask, shp, created_at,
         updated_at, paid_at)
       select 'pay_b' || n, $1, $2, 1000000 + n, false, n % 50 = 0,
         case when n % 10 < 8 then 'paid' when n % 10 = 8 then 'failed' else 'expired' end,
         '100.00', amount, 'RUB', 0,
         case when n % 1000 = 0 then 'Подарочный сертификат №' || n else 'Заказ №' || n end,
         'buyer' || (n % 50000) || '@example.ru',
         case when n % 10 < 8 then 'BankCard' end,
         case when n % 10 < 8 then '411111******' || lpad(((n / 10) * 7919 % 10000)::text, 4, '0') end,
         '[]', at, at, case when n % 10 < 8 then at end
       from (select n, (100 + (n * 104729) % 1000000)::bigint as amount,
               timestamptz '2026-01-01 00:00:00+03' + (n::double precision / $4) * interval '365 days' as at
             from generate_series($3::bigint, $5::bigint) as n) as rows`,
      [shop.id, shop.account_id, start + 1, total, end],
    );
  }
  await client.query('analyze payments');
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function main(): Promise<void> {
  const name = `kopek_bench_ops_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    KOPEK_MASTER_KEY: '43'.repeat(32),
    PUBLIC_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
  });
  const runtime = await openRuntime(config, { signInFailureDelayMs: 0 });
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await seedDemoData(runtime.deps);
    const app = await buildApp(runtime.deps);
    // The cabinet's own client: CSRF token and session cookie, as the SPA sends them.
    const browser = new TestBrowser(app);
    const signIn = await browser.post('/api/cabinet/sessions', {
      email: 'demo@kopek.local',
      password: 'demo-password-1',
    });
    if (signIn.statusCode !== 200) throw new Error(`sign-in: ${signIn.statusCode} ${signIn.body}`);
    const shop = (
      await client.query<{ id: string; account_id: string }>(
        `select id, account_id from shops where merchant_login = 'demo'`,
      )
    ).rows[0];
    if (!shop) throw new Error('no demo shop');

    async function measure(size: number) {
      const middle = (
        await client.query<{ at: string; id: string }>(
          `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id from payments
         where account_id = $1 order by created_at desc, id offset $2 limit 1`,
          [shop?.account_id, Math.floor(size / 2)],
        )
      ).rows[0];
      const deepCursor = encodeOperationCursor({
        sort: 'created_desc',
        key: middle?.at ?? '',
        id: middle?.id ?? '',
      });
      const results: Record<string, { p50: number; p95: number; rows: number }> = {};
      const card =
        (
          await client.query<{ last4: string }>(
            `select right(card_mask, 4) as last4 from payments where card_mask is not null order by id limit 1`,
          )
        ).rows[0]?.last4 ?? '0000';
      const context = { deepCursor, email: 'buyer777@example.ru', card };
      for (const [label, query] of Object.entries(queries(context))) {
        const timings: number[] = [];
        let rows = 0;
        for (let index = 0; index < REQUESTS + 5; index += 1) {
          const started = performance.now();
          const response = await browser.get(`/api/cabinet/operations?${query}`);
          const elapsed = performance.now() - started;
          if (response.statusCode !== 200)
            throw new Error(`${label}: ${response.statusCode} ${response.body}`);
          rows = (response.json() as { items: unknown[] }).items.length;
          if (index >= 5) timings.push(elapsed); // the first five warm the caches
        }
        timings.sort((x, y) => x - y);
        results[label] = { p50: percentile(timings, 0.5), p95: percentile(timings, 0.95), rows };
      }
      return results;
    }

    console.log(`growing to ${SMALL} operations…`);
    await growPayments(client, shop, 0, SMALL);
    const small = await measure(SMALL);
    console.log(`growing to ${LARGE} operations…`);
    const growStarted = performance.now();
    await growPayments(client, shop, SMALL, LARGE);
    console.log(`(inserted in ${((performance.now() - growStarted) / 1000).toFixed(0)} s)`);
    const large = await measure(LARGE);

    const table = Object.keys(small).map((label) => {
      const a = small[label];
      const b = large[label];
      return {
        query: label,
        [`p50 @${SMALL}`]: a?.p50.toFixed(2),
        [`p95 @${SMALL}`]: a?.p95.toFixed(2),
        [`p50 @${LARGE}`]: b?.p50.toFixed(2),
        [`p95 @${LARGE}`]: b?.p95.toFixed(2),
        rows: `${a?.rows}/${b?.rows}`,
        ratio: a && b ? (b.p50 / a.p50).toFixed(2) : '?',
      };
    });
    console.log(
      `\nGET /api/cabinet/operations (ms; ${REQUESTS} requests each, after 5 warm-up; ${cpus().length} cores)`,
    );
    console.table(table);
    const worst = Math.max(...table.map((row) => Number(row.ratio)));
    console.log(`worst ratio (p50 at ${LARGE} / p50 at ${SMALL}): ${worst.toFixed(2)} (goal: at most 2)`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/operations.json',
      JSON.stringify(
        { at: new Date().toISOString(), small: SMALL, large: LARGE, requests: REQUESTS, table, worst },
        null,
        2,
      ),
    );
    await app.close();
  } finally {
    await client.end();
    await runtime.close();
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
