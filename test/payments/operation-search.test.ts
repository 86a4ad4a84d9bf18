/**
 * The operations list's filters, sorts and keyset pages, saved filters and exports (CSV and XLSX) over
 * HTTP on a real PostgreSQL. Payments are inserted as rows (generate_series for the large export).
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createId } from '../../src/platform/ids.js';
import type { PaymentStatus } from '../../src/schema.js';
import { TestBrowser } from '../support/client.js';
import { addEmployee, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
// 2026-03-10 12:00 UTC = 15:00 in Moscow.
const T0 = Date.parse('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;

interface Seed {
  readonly shopId: string;
  readonly invId: number;
  readonly createdAt: Date;
  readonly amountMinor: bigint;
  readonly status: PaymentStatus;
  readonly email: string | null;
  readonly cardMask: string | null;
  readonly description: string;
  readonly isTest: boolean;
}

interface Row extends Seed {
  readonly id: string;
}

const a = {} as { browser: TestBrowser; accountId: string; shop1: string; shop2: string; rows: Row[] };
const b = {} as { browser: TestBrowser; accountId: string; shop: string };

async function insertPayment(accountId: string, seed: Seed): Promise<Row> {
  const id = createId('pay');
  const isPaid = seed.status === 'paid';
  await context.deps.db
    .insertInto('payments')
    .values({
      id,
      shop_id: seed.shopId,
      account_id: accountId,
      inv_id: BigInt(seed.invId),
      is_inv_id_assigned: false,
      is_test: seed.isTest,
      status: seed.status,
      out_sum_text: String(seed.amountMinor / 100n),
      amount_minor: seed.amountMinor,
      currency: 'RUB',
      fee_minor: 0n,
      description: seed.description,
      email: seed.email,
      payment_method: isPaid ? 'BankCard' : null,
      card_mask: seed.cardMask,
      shp: '[]',
      created_at: seed.createdAt,
      updated_at: seed.createdAt,
      paid_at: isPaid ? new Date(seed.createdAt.getTime() + 60_000) : null,
    })
    .execute();
  return { ...seed, id };
}

interface Listed {
  id: string;
  invId: string;
  amount: string;
}
interface ListAnswer {
  items: Listed[];
  nextCursor: string | null;
}

async function listAll(browser: TestBrowser, query: string, limit = 7): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor) params.set('before', cursor);
    const response = await browser.get(`/api/cabinet/operations?${params.toString()}`);
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json() as ListAnswer;
    seen.push(...answer.items.map((item) => item.id));
    cursor = answer.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('too many pages');
}

const CARDS = ['220000******0004', '411111******1111', '555555******4444', null];
const EMAILS = ['Anna@Example.ru', 'boris@example.ru', null];
const WORDS = ['Книга', 'Чай', 'Подписка 100% годовая'];

beforeAll(async () => {
  context = await createTestContext();
  const merchantA = await registerMerchant(context);
  a.browser = merchantA.browser;
  a.accountId = merchantA.me.account.id;
  a.shop1 = (await createShopVia(a.browser, { name: 'Книжная лавка' })).id;
  a.shop2 = (await createShopVia(a.browser, { name: 'Чайный дом' })).id;
  const merchantB = await registerMerchant(context);
  b.browser = merchantB.browser;
  b.accountId = merchantB.me.account.id;
  b.shop = (await createShopVia(b.browser, { name: 'Чужой магазин' })).id;

  // 48 payments over four Moscow days with every kind of value, several sharing a time or an amount.
  a.rows = [];
  for (let index = 0; index < 48; index += 1) {
    a.rows.push(
      await insertPayment(a.accountId, {
        shopId: index % 3 === 0 ? a.shop2 : a.shop1,
        invId: 1000 + index,
        createdAt: new Date(T0 + Math.floor(index / 2) * 4 * HOUR),
        amountMinor: BigInt(((index * 7919) % 13) * 10_000 + 100),
        status: index % 4 === 0 ? 'failed' : 'paid',
        email: EMAILS[index % 3] ?? null,
        cardMask: CARDS[index % 4] ?? null,
        description: `${WORDS[index % 3]} №${index}`,
        isTest: index % 5 === 0,
      }),
    );
  }
  await insertPayment(b.accountId, {
    shopId: b.shop,
    invId: 1000,
    createdAt: new Date(T0),
    amountMinor: 100n,
    status: 'paid',
    email: 'anna@example.ru',
    cardMask: '220000******0004',
    description: 'Книга чужая',
    isTest: false,
  });
});
afterAll(async () => context?.close());

/** What the list must show for a filter, computed the long way. */
function expected(
  predicate: (row: Row) => boolean,
  sort: 'created_desc' | 'created_asc' | 'amount_desc' | 'amount_asc' = 'created_desc',
): string[] {
  const compareIds = (x: Row, y: Row) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const key = (row: Row) => (sort.startsWith('created') ? BigInt(row.createdAt.getTime()) : row.amountMinor);
  const descending = sort.endsWith('desc');
  return a.rows
    .filter(predicate)
    .sort((x, y) => {
      const difference = key(x) === key(y) ? 0 : key(x) < key(y) ? -1 : 1;
      if (difference !== 0) return descending ? -difference : difference;
      // Ties: id ascending under a descending key, descending under an ascending one.
      return descending ? compareIds(x, y) : -compareIds(x, y);
    })
    .map((row) => row.id);
}

describe('filters', () => {
  it('filters by Moscow days, both ends inclusive', async () => {
    // Day 2 in Moscow: 2026-03-11 00:00 MSK = 2026-03-10T21:00Z.
    const from = Date.parse('2026-03-10T21:00:00Z');
    const until = from + 24 * HOUR;
    expect(await listAll(a.browser, 'from=2026-03-11&to=2026-03-11')).toEqual(
      expected((row) => row.createdAt.getTime() >= from && row.createdAt.getTime() < until),
    );
  });

  it('filters by amount range, InvId, e-mail (any case), card last four, method and search', async () => {
    expect(await listAll(a.browser, 'amountMin=30001&amountMax=60001')).toEqual(
      expected((row) => row.amountMinor >= 3_000_100n && row.amountMinor <= 6_000_100n),
    );
    expect(await listAll(a.browser, 'invId=1007')).toEqual(expected((row) => row.invId === 1007));
    expect(await listAll(a.browser, 'email=anna@example.RU')).toEqual(
      expected((row) => row.email === 'Anna@Example.ru'),
    );
    expect(await listAll(a.browser, 'cardLast4=4444')).toEqual(
      expected((row) => row.cardMask?.endsWith('4444') ?? false),
    );
    expect(await listAll(a.browser, 'method=BankCard')).toEqual(expected((row) => row.status === 'paid'));
    // "%" is a character to search for, not a wildcard.
    expect(await listAll(a.browser, `q=${encodeURIComponent('100%')}`)).toEqual(
      expected((row) => row.description.includes('100%')),
    );
    expect(await listAll(a.browser, `q=${encodeURIComponent('чай')}`)).toEqual(
      expected((row) => row.description.toLowerCase().includes('чай')),
    );
    expect(await listAll(a.browser, 'q=1012')).toEqual(expected((row) => row.invId === 1012));
  });

  it("never shows another account's operations, whatever the filter", async () => {
    const theirs = await listAll(b.browser, 'email=anna@example.ru');
    expect(theirs).toHaveLength(1);
    expect(a.rows.map((row) => row.id)).not.toContain(theirs[0]);
    expect(await listAll(a.browser, `shopId=${b.shop}`)).toEqual([]);
  });

  it('walks any filter in any order once, page by page (property)', async () => {
    const filterArbitrary = fc.record(
      {
        shop: fc.constantFrom('shop1', 'shop2'),
        status: fc.constantFrom<PaymentStatus>('paid', 'failed'),
        isTest: fc.boolean(),
        amountMin: fc.integer({ min: 0, max: 130_000 }),
        card: fc.constantFrom('0004', '1111', '4444'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        filterArbitrary,
        fc.constantFrom('created_desc', 'created_asc', 'amount_desc', 'amount_asc' as const),
        fc.integer({ min: 1, max: 20 }),
        async (filter, sort, limit) => {
          const params = new URLSearchParams({ sort });
          if (filter.shop) params.set('shopId', filter.shop === 'shop1' ? a.shop1 : a.shop2);
          if (filter.status) params.set('status', filter.status);
          if (filter.isTest !== undefined) params.set('isTest', String(filter.isTest));
          if (filter.amountMin !== undefined) params.set('amountMin', (filter.amountMin / 100).toFixed(2));
          if (filter.card) params.set('cardLast4', filter.card);
          const want = expected(
            (row) =>
              (!filter.shop || row.shopId === (filter.shop === 'shop1' ? a.shop1 : a.shop2)) &&
              (!filter.status || row.status === filter.status) &&
              (filter.isTest === undefined || row.isTest === filter.isTest) &&
              (filter.amountMin === undefined || row.amountMinor >= BigInt(filter.amountMin)) &&
              (!filter.card || (row.cardMask?.endsWith(filter.card) ?? false)),
            sort,
          );
          expect(await listAll(a.browser, params.toString(), limit)).toEqual(want);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('names every bad value in one answer and changes nothing', async () => {
    const response = await a.browser.get(
      '/api/cabinet/operations?from=2026-02-30&to=yesterday&amountMin=10.999&amountMax=-1&invId=0' +
        '&email=nobody&cardLast4=12a4&sort=random&limit=0',
    );
    expect(response.statusCode).toBe(422);
    const fields = response.json().error.fields as Record<string, { code: string; message: string }>;
    expect(Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.code]))).toEqual({
      from: 'invalid_date',
      to: 'invalid_date',
      amountMin: 'invalid_amount',
      amountMax: 'invalid_amount',
      invId: 'invalid_inv_id',
      email: 'invalid_email',
      cardLast4: 'invalid_card_last4',
      sort: 'invalid',
      limit: 'out_of_range',
    });
    const reversed = await a.browser.get(
      '/api/cabinet/operations?from=2026-03-12&to=2026-03-11&amountMin=5&amountMax=1',
    );
    expect(Object.keys(reversed.json().error.fields).sort()).toEqual(['amountMax', 'to']);
    // A cursor of one sort is no cursor for another.
    const page = (await a.browser.get('/api/cabinet/operations?limit=2')).json() as ListAnswer;
    const mixed = await a.browser.get(`/api/cabinet/operations?sort=amount_desc&before=${page.nextCursor}`);
    expect(mixed.json().error.fields.before.code).toBe('invalid_cursor');
  });
});

describe('saved filters', () => {
  it("saves, replaces by name, lists and deletes a person's own filters only", async () => {
    const save = (browser: TestBrowser, name: string, query: string) =>
      browser.post('/api/cabinet/operation-filters', { name, query });
    const first = await save(a.browser, 'Карты 4444', '?card=4444&status=paid');
    expect(first.statusCode, first.body).toBe(201);
    expect((await save(a.browser, 'Карты 4444', 'card=4444&sort=amount_desc')).statusCode).toBe(201);
    const listed = (await a.browser.get('/api/cabinet/operation-filters')).json().items as {
      id: string;
      name: string;
      query: string;
    }[];
    expect(listed.map((item) => [item.name, item.query])).toEqual([
      ['Карты 4444', 'card=4444&sort=amount_desc'],
    ]);

    const colleague = (await addEmployee(context, a.browser, 'viewer')).browser;
    expect((await colleague.get('/api/cabinet/operation-filters')).json().items).toEqual([]);
    expect((await colleague.delete(`/api/cabinet/operation-filters/${listed[0]?.id}`)).statusCode).toBe(404);
    expect((await b.browser.delete(`/api/cabinet/operation-filters/${listed[0]?.id}`)).statusCode).toBe(404);
    expect((await a.browser.delete(`/api/cabinet/operation-filters/${listed[0]?.id}`)).statusCode).toBe(204);
    expect((await a.browser.get('/api/cabinet/operation-filters')).json().items).toEqual([]);
  });

  it('refuses a filter the list would refuse, and an empty name', async () => {
    const bad = await a.browser.post('/api/cabinet/operation-filters', { name: 'x', query: 'amountMin=abc' });
    expect(bad.json().error.fields.amountMin.code).toBe('invalid_amount');
    const unknown = await a.browser.post('/api/cabinet/operation-filters', { name: 'x', query: 'drop=1' });
    expect(unknown.json().error.fields.query.code).toBe('unknown_parameter');
    const unnamed = await a.browser.post('/api/cabinet/operation-filters', { name: '  ', query: '' });
    expect(unnamed.json().error.fields.name.code).toBe('invalid_length');
    expect((await a.browser.get('/api/cabinet/operation-filters')).json().items).toEqual([]);
  });
});

interface ExportView {
  id: string;
  status: string;
  rowsTotal: number | null;
  rowsWritten: number;
  fileName: string;
}

async function runExport(browser: TestBrowser, body: Record<string, string>): Promise<ExportView> {
  const created = await browser.post('/api/cabinet/operation-exports', body);
  expect(created.statusCode, created.body).toBe(202);
  expect((created.json() as ExportView).status).toBe('queued');
  await context.worker.drain();
  return (await browser.get(`/api/cabinet/operation-exports/${created.json().id}`)).json() as ExportView;
}

describe('exports', () => {
  it('exports the filtered list as CSV, in its order, with Russian headings', async () => {
    const view = await runExport(a.browser, { format: 'csv', cardLast4: '1111', sort: 'amount_asc' });
    const want = expected((row) => row.cardMask?.endsWith('1111') ?? false, 'amount_asc');
    expect(view).toMatchObject({ status: 'done', rowsTotal: want.length, rowsWritten: want.length });
    expect(view.fileName).toMatch(/^kopek-operations-\d{12}\.csv$/);
    const download = await a.browser.get(`/api/cabinet/operation-exports/${view.id}/download`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${view.fileName}"`);
    const lines = download.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Создан (МСК);Оплачен (МСК);Магазин;InvId;Сумма;Валюта;Статус;Способ оплаты;Карта;E-mail покупателя;Описание;Тестовый',
    );
    const byId = new Map(a.rows.map((row) => [row.id, row]));
    expect(lines.slice(1).map((line) => line.split(';')[3])).toEqual(
      want.map((id) => String(byId.get(id)?.invId)),
    );
    expect(lines[1]?.split(';')[8]).toBe('411111******1111');
  });

  it('exports XLSX that a spreadsheet reads, with amounts as numbers', async () => {
    const view = await runExport(a.browser, { format: 'xlsx', status: 'failed' });
    const want = expected((row) => row.status === 'failed');
    expect(view).toMatchObject({ status: 'done', rowsWritten: want.length });
    const download = await a.browser.get(`/api/cabinet/operation-exports/${view.id}/download`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(download.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.name).toBe('Операции');
    expect(sheet?.getRow(1).getCell(4).value).toBe('InvId');
    const firstRow = a.rows.find((row) => row.id === want[0]);
    expect(sheet?.getRow(2).getCell(4).value).toBe(firstRow?.invId);
    expect(sheet?.getRow(2).getCell(5).value).toBe(Number(firstRow?.amountMinor) / 100);
    expect(sheet?.getRow(2).getCell(7).value).toBe('Отклонён');
    expect(sheet?.rowCount).toBe(want.length + 1);
  });

  it('keeps exports to their account and refuses a download that is not ready', async () => {
    const created = await a.browser.post('/api/cabinet/operation-exports', { format: 'csv' });
    const id = created.json().id as string;
    expect((await a.browser.get(`/api/cabinet/operation-exports/${id}/download`)).statusCode).toBe(409);
    expect((await b.browser.get(`/api/cabinet/operation-exports/${id}`)).statusCode).toBe(404);
    expect((await b.browser.get(`/api/cabinet/operation-exports/${id}/download`)).statusCode).toBe(404);
    const refused = await a.browser.post('/api/cabinet/operation-exports', { format: 'pdf' });
    expect(refused.statusCode).toBe(422);
    const badFilter = await a.browser.post('/api/cabinet/operation-exports', {
      format: 'csv',
      from: '2026-13-01',
    });
    expect(badFilter.json().error.fields.from.code).toBe('invalid_date');
    await context.worker.drain();
  });

  it('streams a large export with flat memory: the heap grows far less than the file', async () => {
    await sql`
      insert into payments (id, shop_id, account_id, inv_id, is_inv_id_assigned, is_test, status, out_sum_text,
        amount_minor, currency, fee_minor, description, email, shp, created_at, updated_at)
      select 'pay_bulk_' || n, ${a.shop1}, ${a.accountId}, 100000 + n, false, false, 'created', '99.00',
        9900, 'RUB', 0, 'Массовый заказ с длинным описанием, чтобы файл был заметным №' || n,
        'bulk' || n || '@example.ru', '[]', ${new Date(T0 - 48 * HOUR)}::timestamptz - n * interval '1 second',
        ${new Date(T0)}
      from generate_series(1, 50000) as n`.execute(context.deps.db);
    const created = await a.browser.post('/api/cabinet/operation-exports', { format: 'csv', q: 'Массовый' });
    // Live memory: collected before each reading (vitest.config.ts exposes gc), so garbage the export
    // leaves behind does not count, only what it holds.
    const collect = globalThis.gc;
    if (!collect) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
    const liveHeap = () => {
      collect();
      return process.memoryUsage().heapUsed;
    };
    const baseline = liveHeap();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, liveHeap());
    }, 500);
    await context.worker.drain();
    clearInterval(sampler);
    const view = (await a.browser.get(`/api/cabinet/operation-exports/${created.json().id}`)).json() as {
      status: string;
      rowsWritten: number;
      bytes: number;
    };
    expect(view).toMatchObject({ status: 'done', rowsWritten: 50_000 });
    expect(view.bytes).toBeGreaterThan(8_000_000);
    // Holding the file would need at least its size; a batch of rows and a chunk need a few MB.
    expect(peak - baseline).toBeLessThan(view.bytes / 3);
  }, 120_000);
});

describe('without a session', () => {
  it('answers 401 for every route', async () => {
    const anonymous = new TestBrowser(context.app);
    expect((await anonymous.get('/api/cabinet/operation-filters')).statusCode).toBe(401);
    expect((await anonymous.post('/api/cabinet/operation-exports', { format: 'csv' })).statusCode).toBe(401);
  });
});
