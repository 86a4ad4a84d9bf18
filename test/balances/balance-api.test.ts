/**
 * The cabinet's balance section over HTTP: balances per shop and in total, roles, scoping to the account
 * (another account's shop is 404), ledger entries with running balances across keyset pages, and the
 * CSV export. Money comes from real payments through the checkout and real settlement runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleDuePayments } from '../../src/modules/balances/index.js';
import { DEMO } from '../../src/seed.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, createShopVia, registerMerchant, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { MerchantStub, prepareDemoShop } from '../support/payments.js';
import { demoShopId, moscow, payDemo } from './helpers.js';

interface BalanceAnswer {
  currency: string;
  currencies: string[];
  shops: {
    shopId: string;
    shopName: string;
    merchantLogin: string;
    pending: string;
    available: string;
    onHold: string;
    inPayout: string;
    hasEntries: boolean;
  }[];
  totals: { pending: string; available: string; onHold: string; inPayout: string };
  settlement: { businessDays: number; timeZone: string };
}

interface EntriesAnswer {
  shopId: string;
  account: string;
  currency: string;
  balance: string;
  items: {
    id: string;
    at: string;
    kind: string;
    reference: string | null;
    invId: string | null;
    amount: string;
    balanceAfter: string;
  }[];
  nextCursor: string | null;
}

let context: TestContext;
const stub = new MerchantStub();
let shopId: string;
let emptyShopId: string;
let admin: TestBrowser;
let viewer: TestBrowser;
let accountant: TestBrowser;
let developer: TestBrowser;
let stranger: TestBrowser;
let strangerShopId: string;
const payments: string[] = [];

/** Kopecks as the API writes them. */
const decimal = (minor: bigint) =>
  `${minor < 0n ? '-' : ''}${(minor < 0n ? -minor : minor) / 100n}.${String((minor < 0n ? -minor : minor) % 100n).padStart(2, '0')}`;
const toMinor = (text: string) => BigInt(text.replace('.', ''));

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
  shopId = await demoShopId(context);
  // Monday: seven payments (one of them a test payment); Tuesday 00:00 the first five settle, then two
  // more payments arrive and stay pending.
  context.clock.set(moscow('2026-03-02T10:00:00'));
  for (const outSum of ['250.00', '100.00', '10.00', '20.00', '30.00'])
    payments.push(await payDemo(context, outSum));
  await payDemo(context, '999.00', { isTest: true });
  context.clock.set(moscow('2026-03-03T00:00:00'));
  await settleDuePayments(context.deps, context.clock.now());
  context.clock.set(moscow('2026-03-03T09:00:00'));
  for (const outSum of ['40.00', '1490.50']) payments.push(await payDemo(context, outSum));
  // Sessions idle out after 12 hours: people sign in once the clock has reached the day of the checks.
  admin = await signInBrowser(context, DEMO.administrator.email, DEMO.administrator.password);
  emptyShopId = (await createShopVia(admin, { name: 'Пустой магазин' })).id;
  viewer = (await addEmployee(context, admin, 'viewer')).browser;
  accountant = (await addEmployee(context, admin, 'accountant')).browser;
  developer = (await addEmployee(context, admin, 'developer')).browser;
  const other = await registerMerchant(context);
  stranger = other.browser;
  strangerShopId = (await createShopVia(stranger, { name: 'Чужой магазин' })).id;
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

// 250.00 − 7.25, 100.00 − 2.90, 10.00 − 0.29, 20.00 − 0.58, 30.00 − 0.87 (2.9%, rounded half away from zero)
const SETTLED_MINOR = 24_275n + 9_710n + 971n + 1_942n + 2_913n;
// 40.00 − 1.16, 1490.50 − 43.22 (43.2245 rounds to 43.22)
const PENDING_MINOR = 3_884n + 144_728n;

describe('GET /api/cabinet/balance', () => {
  it("shows each shop's pending and available money, and the totals, as decimal strings", async () => {
    const response = await admin.get('/api/cabinet/balance');
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json() as BalanceAnswer;
    expect(answer.currency).toBe('RUB');
    expect(answer.currencies).toEqual(['RUB']);
    expect(answer.settlement).toEqual({ businessDays: 1, timeZone: 'Europe/Moscow' });
    expect(answer.shops).toEqual([
      {
        shopId,
        shopName: DEMO.shop.name,
        merchantLogin: DEMO.shop.merchantLogin,
        pending: decimal(PENDING_MINOR),
        available: decimal(SETTLED_MINOR),
        onHold: '0.00',
        inPayout: '0.00',
        hasEntries: true,
      },
      expect.objectContaining({
        shopId: emptyShopId,
        pending: '0.00',
        available: '0.00',
        onHold: '0.00',
        inPayout: '0.00',
        hasEntries: false,
      }),
    ]);
    expect(answer.totals).toEqual({
      pending: '1486.12',
      available: '398.11',
      onHold: '0.00',
      inPayout: '0.00',
    });
  });

  it('is open to administrators, accountants and viewers, not to developers', async () => {
    for (const browser of [viewer, accountant])
      expect((await browser.get('/api/cabinet/balance')).statusCode).toBe(200);
    const refused = await developer.get('/api/cabinet/balance');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(
      (await developer.get(`/api/cabinet/balance/entries?shopId=${shopId}&account=pending`)).statusCode,
    ).toBe(403);
  });

  it('needs a session', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/cabinet/balance' });
    expect(response.statusCode).toBe(401);
  });

  it("shows another account only its own shops, with nothing of this account's money", async () => {
    const answer = (await stranger.get('/api/cabinet/balance')).json() as BalanceAnswer;
    expect(answer.shops.map((shop) => shop.shopId)).toEqual([strangerShopId]);
    expect(answer.totals).toEqual({ pending: '0.00', available: '0.00', onHold: '0.00', inPayout: '0.00' });
  });

  it('refuses an unknown currency', async () => {
    expect((await admin.get('/api/cabinet/balance?currency=XYZ')).statusCode).toBe(422);
  });
});

describe('GET /api/cabinet/balance/entries', () => {
  async function walk(browser: TestBrowser, account: string, limit: number) {
    const pages: EntriesAnswer[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ shopId, account, limit: String(limit) });
      if (cursor) query.set('before', cursor);
      const response = await browser.get(`/api/cabinet/balance/entries?${query.toString()}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as EntriesAnswer;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 50);
    return pages;
  }

  /** The account's entries oldest first, straight from the ledger, with shop-facing amounts. */
  async function ledgerEntries(account: string) {
    const rows = await context.deps.db
      .selectFrom('ledger_entries')
      .select(['id', 'amount_minor'])
      .where('account_id', '=', `shop:${shopId}:${account}:RUB`)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ id: String(row.id), amountMinor: -row.amount_minor }));
  }

  it.each([
    ['pending', 1],
    ['pending', 2],
    ['pending', 3],
    ['available', 2],
    ['available', 200],
  ])(
    'pages the %s account (%i per page) newest first, with exact running balances',
    async (account, limit) => {
      const pages = await walk(viewer, account, limit);
      const items = pages.flatMap((page) => page.items);
      const ledger = await ledgerEntries(account);
      expect(items.map((item) => item.id)).toEqual(ledger.map((entry) => entry.id).reverse());
      let running = 0n;
      const expectedAfter = new Map<string, string>();
      for (const entry of ledger) {
        running += entry.amountMinor;
        expectedAfter.set(entry.id, decimal(running));
      }
      for (const item of items) expect(item.balanceAfter, item.id).toBe(expectedAfter.get(item.id));
      const expectedBalance = decimal(account === 'pending' ? PENDING_MINOR : SETTLED_MINOR);
      for (const page of pages) expect(page.balance).toBe(expectedBalance);
      expect(items[0]?.balanceAfter).toBe(expectedBalance);
      expect(pages.at(-1)?.nextCursor).toBeNull();
    },
  );

  it('says what each entry is: kind, payment, InvId, signed amount, time', async () => {
    const [page] = await walk(admin, 'pending', 200);
    const items = page?.items ?? [];
    // Seven payments credited pending; five settlements took their money out again.
    expect(items.filter((item) => item.kind === 'payment')).toHaveLength(7);
    expect(items.filter((item) => item.kind === 'settlement')).toHaveLength(5);
    const newest = items[0];
    expect(newest).toMatchObject({ kind: 'payment', reference: payments[6], amount: '1447.28' });
    expect(newest?.invId).toMatch(/^\d+$/);
    expect(newest?.at).toBe(moscow('2026-03-03T09:00:00').toISOString());
    const settlement = items.find((item) => item.kind === 'settlement' && item.reference === payments[0]);
    expect(settlement?.amount).toBe('-242.75');
    expect(toMinor(items.at(-1)?.balanceAfter ?? '')).toBe(toMinor(items.at(-1)?.amount ?? 'x'));
  });

  it('answers an empty account with its zero balance', async () => {
    const response = await admin.get(`/api/cabinet/balance/entries?shopId=${emptyShopId}&account=in_payout`);
    expect(response.json()).toEqual({
      shopId: emptyShopId,
      account: 'in_payout',
      currency: 'RUB',
      balance: '0.00',
      items: [],
      nextCursor: null,
    });
  });

  it("answers 404 for another account's shop and for an unknown one, whoever asks", async () => {
    for (const [browser, id] of [
      [admin, strangerShopId],
      [stranger, shopId],
      [viewer, 'shp_unknown'],
    ] as const) {
      const response = await browser.get(`/api/cabinet/balance/entries?shopId=${id}&account=pending`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'shop_not_found' } });
      const csv = await browser.get(`/api/cabinet/balance/entries.csv?shopId=${id}&account=pending`);
      expect(csv.statusCode).toBe(404);
    }
  });

  it('validates the account, the cursor and the page size', async () => {
    const base = `/api/cabinet/balance/entries?shopId=${shopId}`;
    expect((await admin.get(`${base}&account=fee_revenue`)).statusCode).toBe(422);
    expect((await admin.get(base)).statusCode).toBe(422);
    const bad = await admin.get(`${base}&account=pending&before=abc&limit=0`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({
      error: {
        code: 'validation_failed',
        fields: { before: { code: 'invalid_cursor' }, limit: { code: 'out_of_range' } },
      },
    });
    expect((await admin.get(`${base}&account=pending&limit=201`)).statusCode).toBe(422);
  });
});

describe('GET /api/cabinet/balance/entries.csv', () => {
  function parseCsv(body: string) {
    expect(body.startsWith('\uFEFF')).toBe(true);
    expect(body.endsWith('\r\n')).toBe(true);
    return body
      .slice(1, -2)
      .split('\r\n')
      .map((line) => line.split(';'));
  }

  it('exports every entry with a BOM, a Russian header, semicolons and dot decimals', async () => {
    const response = await viewer.get(`/api/cabinet/balance/entries.csv?shopId=${shopId}&account=pending`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="kopek-demo-pending-2026-03-03.csv"`,
    );
    const [header, ...rows] = parseCsv(response.body);
    expect(header).toEqual([
      'Дата и время (МСК)',
      'Операция',
      'Платёж',
      'InvId',
      'Сумма',
      'Остаток после',
      'Валюта',
    ]);
    const json = (
      await viewer.get(`/api/cabinet/balance/entries?shopId=${shopId}&account=pending&limit=200`)
    ).json() as EntriesAnswer;
    expect(rows).toHaveLength(json.items.length);
    expect(rows[0]).toEqual([
      '2026-03-03 09:00:00',
      'Оплата покупателя',
      payments[6],
      json.items[0]?.invId,
      '1447.28',
      decimal(PENDING_MINOR),
      'RUB',
    ]);
    expect(rows.map((row) => [row[2], row[4], row[5]])).toEqual(
      json.items.map((item) => [item.reference, item.amount, item.balanceAfter]),
    );
    expect(rows.find((row) => row[1] === 'Зачисление в доступные к выплате')?.[4]).toMatch(/^-\d+\.\d{2}$/);
  });

  it('writes the header in English when asked, by parameter or by the browser language', async () => {
    const english = [
      'Date and time (Moscow)',
      'Operation',
      'Payment',
      'InvId',
      'Amount',
      'Balance after',
      'Currency',
    ];
    const byParameter = await admin.get(
      `/api/cabinet/balance/entries.csv?shopId=${shopId}&account=available&lang=en`,
    );
    const [header, first] = parseCsv(byParameter.body);
    expect(header).toEqual(english);
    expect(first?.[1]).toBe('Settlement to available');
    const byHeader = await admin.get(`/api/cabinet/balance/entries.csv?shopId=${shopId}&account=available`, {
      'accept-language': 'en-GB,en;q=0.9',
    });
    expect(parseCsv(byHeader.body)[0]).toEqual(english);
  });

  it('exports only the header for an account without entries', async () => {
    const response = await admin.get(
      `/api/cabinet/balance/entries.csv?shopId=${emptyShopId}&account=pending`,
    );
    expect(parseCsv(response.body)).toHaveLength(1);
  });
});
