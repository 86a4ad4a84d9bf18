/**
 * The cabinet's analytics on a real PostgreSQL: figures per Moscow day, week and month, by shop and by
 * method, the previous period, exact money, test payments and other accounts left out, and input checks.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketsOf } from '../../src/modules/analytics/index.js';
import { createId } from '../../src/platform/ids.js';
import type { TestBrowser } from '../support/client.js';
import { createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
const a = {} as { browser: TestBrowser; accountId: string; shop1: string; shop2: string };
const b = {} as { browser: TestBrowser; accountId: string; shop: string };

interface Seed {
  accountId: string;
  shopId: string;
  createdAt: string;
  paidAt?: string;
  amountMinor: bigint;
  isTest?: boolean;
  refundMinor?: bigint;
  refundAt?: string;
}

let invId = 1;
async function seed(item: Seed): Promise<void> {
  const id = createId('pay');
  await context.deps.db
    .insertInto('payments')
    .values({
      id,
      shop_id: item.shopId,
      account_id: item.accountId,
      inv_id: BigInt(invId++),
      is_inv_id_assigned: false,
      is_test: item.isTest ?? false,
      status: item.paidAt ? 'paid' : 'created',
      out_sum_text: '1',
      amount_minor: item.amountMinor,
      currency: 'RUB',
      fee_minor: 0n,
      description: 'x',
      payment_method: item.paidAt ? 'BankCard' : null,
      shp: '[]',
      created_at: new Date(item.createdAt),
      updated_at: new Date(item.createdAt),
      paid_at: item.paidAt ? new Date(item.paidAt) : null,
    })
    .execute();
  if (item.refundMinor) {
    await context.deps.db
      .insertInto('refunds')
      .values({
        id: createId('rfd'),
        payment_id: id,
        shop_id: item.shopId,
        account_id: item.accountId,
        amount_minor: item.refundMinor,
        currency: 'RUB',
        status: 'finished',
        source: 'cabinet',
        request_id: crypto.randomUUID(),
        created_at: new Date(item.refundAt ?? item.createdAt),
        finished_at: new Date(item.refundAt ?? item.createdAt),
      })
      .execute();
  }
}

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
  b.shop = (await createShopVia(b.browser, { name: 'Чужой' })).id;
  const inA = (shopId: string) => ({ accountId: a.accountId, shopId });

  // 1 March (Moscow): two paid (100.00 + 0.01), one unpaid; 23:30 MSK on 1 March is 20:30 UTC.
  await seed({
    ...inA(a.shop1),
    createdAt: '2026-03-01T07:00:00Z',
    paidAt: '2026-03-01T07:01:00Z',
    amountMinor: 10_000n,
  });
  await seed({
    ...inA(a.shop2),
    createdAt: '2026-03-01T20:30:00Z',
    paidAt: '2026-03-01T20:31:00Z',
    amountMinor: 1n,
  });
  await seed({ ...inA(a.shop1), createdAt: '2026-03-01T10:00:00Z', amountMinor: 5_000n });
  // 2 March 00:30 MSK (1 March 21:30 UTC): created and paid on the 2nd in Moscow; refunded 10.00 on the 3rd.
  await seed({
    ...inA(a.shop1),
    createdAt: '2026-03-01T21:30:00Z',
    paidAt: '2026-03-01T21:35:00Z',
    amountMinor: 20_000n,
    refundMinor: 1_000n,
    refundAt: '2026-03-03T09:00:00Z',
  });
  // Created on 28 February (previous period), paid on 1 March: turnover of the 1st, not its conversion.
  await seed({
    ...inA(a.shop2),
    createdAt: '2026-02-28T12:00:00Z',
    paidAt: '2026-03-01T12:00:00Z',
    amountMinor: 300n,
  });
  // Left out: a test payment, and another account's payment.
  await seed({
    ...inA(a.shop1),
    createdAt: '2026-03-01T08:00:00Z',
    paidAt: '2026-03-01T08:01:00Z',
    amountMinor: 99_900n,
    isTest: true,
  });
  await seed({
    accountId: b.accountId,
    shopId: b.shop,
    createdAt: '2026-03-01T08:00:00Z',
    paidAt: '2026-03-01T08:01:00Z',
    amountMinor: 77_700n,
  });
  // The previous period of 1–3 March is 26–28 February: one created, one paid.
  await seed({
    ...inA(a.shop1),
    createdAt: '2026-02-26T12:00:00Z',
    paidAt: '2026-02-26T12:00:00Z',
    amountMinor: 4_000n,
  });
});
afterAll(async () => context?.close());

async function report(browser: TestBrowser, query: string) {
  const response = await browser.get(`/api/cabinet/analytics?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe('analytics', () => {
  it('counts by Moscow day, with exact money, conversion and refunds, against the previous period', async () => {
    const answer = await report(a.browser, 'from=2026-03-01&to=2026-03-03');
    expect(answer.period).toEqual({ from: '2026-03-01', to: '2026-03-03' });
    expect(answer.previousPeriod).toEqual({ from: '2026-02-26', to: '2026-02-28' });
    expect(answer.granularity).toBe('day');
    expect(answer.totals).toEqual({
      turnover: '303.01',
      paidCount: 4,
      createdCount: 4,
      conversion: 0.75,
      averagePayment: '75.75',
      refunds: '10.00',
      refundCount: 1,
    });
    // The payment created on 28 February was paid on 1 March: converted in its period, turnover in this one.
    expect(answer.previousTotals).toMatchObject({
      turnover: '40.00',
      paidCount: 1,
      createdCount: 2,
      conversion: 1,
    });
    expect(
      answer.series.map((point: { bucket: string; turnover: string; createdCount: number }) => [
        point.bucket,
        point.turnover,
        point.createdCount,
      ]),
    ).toEqual([
      ['2026-03-01', '103.01', 3],
      ['2026-03-02', '200.00', 1],
      ['2026-03-03', '0.00', 0],
    ]);
    expect(answer.series[2].refunds).toBe('10.00');
    expect(answer.previousSeries).toHaveLength(3);
  });

  it('breaks the period down by shop and by method, largest first', async () => {
    const answer = await report(a.browser, 'from=2026-03-01&to=2026-03-03');
    expect(answer.byShop.map((row: { name: string; turnover: string }) => [row.name, row.turnover])).toEqual([
      ['Книжная лавка', '300.00'],
      ['Чайный дом', '3.01'],
    ]);
    expect(answer.byMethod.map((row: { key: string; turnover: string }) => [row.key, row.turnover])).toEqual([
      ['BankCard', '303.01'],
      ['', '0.00'],
    ]);
    const oneShop = await report(a.browser, `from=2026-03-01&to=2026-03-03&shopId=${a.shop2}`);
    expect(oneShop.totals.turnover).toBe('3.01');
  });

  it('groups by week (from Monday) and month', async () => {
    const weekly = await report(a.browser, 'from=2026-02-23&to=2026-03-08&granularity=week');
    expect(
      weekly.series.map((point: { bucket: string; turnover: string }) => [point.bucket, point.turnover]),
    ).toEqual([
      ['2026-02-23', '143.01'],
      ['2026-03-02', '200.00'],
    ]);
    const monthly = await report(a.browser, 'from=2026-02-01&to=2026-03-31&granularity=month');
    expect(monthly.series.map((point: { bucket: string }) => point.bucket)).toEqual([
      '2026-02-01',
      '2026-03-01',
    ]);
    expect(bucketsOf(new Date('2026-01-31T21:00:00Z'), new Date('2026-04-30T21:00:00Z'), 'month')).toEqual([
      '2026-02-01',
      '2026-03-01',
      '2026-04-01',
    ]);
  });

  it("reports sales through the shop's own registers beside the online figures", async () => {
    let documentNumber = 1;
    // Sales are paid half in cash, half by card at the register.
    const receipt = async (operation: string | null, at: string, totalMinor: bigint) =>
      sql`insert into imported_receipts (id, account_id, shop_id, source, fn_number, fiscal_document_number,
          operation, receipt_at, total_minor, cash_minor, electronic_minor, created_at)
        values (${createId('imr')}, ${a.accountId}, ${a.shop1}, 'file', '9999078900001234', ${documentNumber++},
          ${operation}, ${new Date(at)}, ${totalMinor}, ${totalMinor / 2n}, ${totalMinor / 2n}, now())`.execute(
        context.deps.db,
      );
    await receipt('sell', '2026-03-01T09:00:00Z', 50_000n);
    await receipt('sell_refund', '2026-03-02T09:00:00Z', 5_000n);
    await receipt('buy', '2026-03-02T10:00:00Z', 99_900n);
    await receipt(null, '2026-03-03T09:00:00Z', 10_000n);
    await receipt('sell', '2026-02-27T09:00:00Z', 7_000n);
    const answer = await report(a.browser, 'from=2026-03-01&to=2026-03-03');
    expect(answer.offline.totals).toEqual({
      sales: '600.00',
      refunds: '50.00',
      receiptCount: 3,
      cash: '300.00',
      electronic: '300.00',
      averageReceipt: '300.00',
    });
    expect(answer.offline.previousTotals).toMatchObject({ sales: '70.00', refunds: '0.00', receiptCount: 1 });
    expect(answer.offline.series.map((point: { sales: string }) => point.sales)).toEqual([
      '500.00',
      '0.00',
      '100.00',
    ]);
    // Offline money is reported beside the online turnover, never in it.
    expect(answer.totals.turnover).toBe('303.01');
    expect((await report(b.browser, 'from=2026-03-01&to=2026-03-03')).offline).toBeNull();
  });

  it('adds up revenue by item from paid payments’ Receipts and imported register receipts with lines', async () => {
    const line = (name: string, quantityThousandths: string, sumMinor: string) => ({
      name,
      quantityThousandths,
      sumMinor,
    });
    const receiptId = createId('pay');
    await context.deps.db
      .insertInto('payments')
      .values({
        id: receiptId,
        shop_id: a.shop1,
        account_id: a.accountId,
        inv_id: BigInt(invId++),
        is_inv_id_assigned: false,
        is_test: false,
        status: 'paid',
        out_sum_text: '450',
        amount_minor: 45_000n,
        currency: 'RUB',
        description: 'x',
        payment_method: 'SBP',
        shp: '[]',
        receipt_parsed: JSON.stringify({
          items: [line('Кофе', '2000', '30000'), line('Доставка', '1000', '15000')],
        }),
        created_at: new Date('2026-03-02T10:00:00Z'),
        updated_at: new Date('2026-03-02T10:00:00Z'),
        paid_at: new Date('2026-03-02T10:00:00Z'),
      })
      .execute();
    await sql`insert into imported_receipts (id, account_id, shop_id, source, fn_number, fiscal_document_number,
        operation, receipt_at, total_minor, items, created_at)
      values (${createId('imr')}, ${a.accountId}, ${a.shop1}, 'file', '9999078900009999', 1, 'sell',
        ${new Date('2026-03-02T12:00:00Z')}, 22500,
        ${JSON.stringify([line('Кофе', '1500', '22500')])}::jsonb, now())`.execute(context.deps.db);
    const answer = await report(a.browser, 'from=2026-03-01&to=2026-03-03');
    expect(answer.byItem).toEqual([
      { name: 'Кофе', online: '300.00', offline: '225.00', revenue: '525.00', quantity: '3.5' },
      { name: 'Доставка', online: '150.00', offline: '0.00', revenue: '150.00', quantity: '1' },
    ]);
    expect((await report(b.browser, 'from=2026-03-01&to=2026-03-03')).byItem).toEqual([]);
  });

  it("shows another account nothing of A's, even with A's shop id", async () => {
    const answer = await report(b.browser, `from=2026-03-01&to=2026-03-03&shopId=${a.shop1}`);
    expect(answer.totals.paidCount).toBe(0);
    const own = await report(b.browser, 'from=2026-03-01&to=2026-03-03');
    expect(own.totals.turnover).toBe('777.00');
  });

  it('names bad dates, periods and granularities', async () => {
    const bad = await b.browser.get('/api/cabinet/analytics?from=2026-02-30&granularity=year');
    expect(bad.statusCode).toBe(422);
    expect(Object.keys(bad.json().error.fields).sort()).toEqual(['from', 'granularity']);
    const reversed = await b.browser.get('/api/cabinet/analytics?from=2026-03-05&to=2026-03-01');
    expect(reversed.json().error.fields.to.code).toBe('invalid_period');
    const tooLong = await b.browser.get('/api/cabinet/analytics?from=2020-01-01&to=2026-03-01');
    expect(tooLong.json().error.fields.to.code).toBe('invalid_period');
  });
});
