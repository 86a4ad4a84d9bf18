/**
 * Closing documents on a real PostgreSQL: the figures of a seeded Moscow month (payments, refunds,
 * payouts, balances owed), the PDF's text as extracted from the file, the XLSX, the idempotent monthly
 * task under the injected clock, paper dispatch by the operator, and one account never seeing another's.
 */
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateDocumentSet,
  listDocuments,
  readDocumentFile,
  readPeriodFigures,
  recordDispatch,
  runMonthlyDocuments,
} from '../../src/modules/documents/index.js';
import { platformAccount, postTransfer, shopAccount } from '../../src/modules/ledger/index.js';
import { createId } from '../../src/platform/ids.js';
import type { TestBrowser } from '../support/client.js';
import { createOperator, createShopVia, registerMerchant, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
const a = {} as { accountId: string; shopId: string; email: string; browser: TestBrowser };
const b = {} as { accountId: string; shopId: string };
const OCTOBER = { start: '2026-10-01', end: '2026-10-31' };

let invId = 1;
async function paid(
  accountId: string,
  shopId: string,
  paidAt: string,
  amountMinor: bigint,
  feeMinor: bigint,
) {
  const id = createId('pay');
  await context.deps.db
    .insertInto('payments')
    .values({
      id,
      shop_id: shopId,
      account_id: accountId,
      inv_id: BigInt(invId++),
      is_inv_id_assigned: false,
      is_test: false,
      status: 'paid',
      out_sum_text: '1',
      amount_minor: amountMinor,
      currency: 'RUB',
      fee_minor: feeMinor,
      description: 'x',
      payment_method: 'BankCard',
      shp: '[]',
      created_at: new Date(paidAt),
      updated_at: new Date(paidAt),
      paid_at: new Date(paidAt),
    })
    .execute();
  return id;
}

async function refunded(
  accountId: string,
  shopId: string,
  paymentId: string,
  at: string,
  amountMinor: bigint,
) {
  await context.deps.db
    .insertInto('refunds')
    .values({
      id: createId('rfd'),
      payment_id: paymentId,
      shop_id: shopId,
      account_id: accountId,
      amount_minor: amountMinor,
      currency: 'RUB',
      status: 'finished',
      source: 'cabinet',
      request_id: crypto.randomUUID(),
      created_at: new Date(at),
      finished_at: new Date(at),
    })
    .execute();
}

async function executedPayout(accountId: string, shopId: string, at: string, amountMinor: bigint) {
  await sql`
    insert into payouts (id, account_id, shop_id, amount_minor, currency, status, bank_details, created_at,
      sent_at, executed_at)
    values (${createId('pout')}, ${accountId}, ${shopId}, ${amountMinor}, 'RUB', 'executed', '{}'::jsonb,
      ${new Date(at)}, ${new Date(at)}, ${new Date(at)})`.execute(context.deps.db);
}

let transfers = 0;
/** Money owed to the shop, posted at a given moment (the ledger stamps entries with the clock). */
async function owe(shopId: string, at: string, amountMinor: bigint) {
  transfers += 1;
  context.clock.set(at);
  await context.deps.db.transaction().execute((trx) =>
    postTransfer(trx, context.deps.clock, {
      idempotencyKey: `documents-test-${transfers}`,
      kind: 'payment',
      currency: 'RUB',
      legs: [
        { account: platformAccount('acquirer_clearing', 'RUB'), amountMinor },
        { account: shopAccount(shopId, 'available', 'RUB'), amountMinor: -amountMinor },
      ],
    }),
  );
}

async function pdfText(content: Uint8Array): Promise<string> {
  const parsed = await pdfParse(Buffer.from(content));
  return parsed.text.replace(/\u00a0/g, ' ');
}

beforeAll(async () => {
  context = await createTestContext();
  const merchantA = await registerMerchant(context);
  a.accountId = merchantA.me.account.id;
  a.email = merchantA.form.email as string;
  a.shopId = (await createShopVia(merchantA.browser, { name: 'Книжная лавка' })).id;
  const merchantB = await registerMerchant(context);
  b.accountId = merchantB.me.account.id;
  b.shopId = (await createShopVia(merchantB.browser, { name: 'Чужой' })).id;
  await sql`update accounts set document_flow = 'paper' where id = ${b.accountId}`.execute(context.deps.db);

  // September (before the period): 500.00 owed. October: 1 490.00 and 100.00 paid (fees 41.72 and 2.80);
  // 23:30 Moscow on 31 October (20:30 UTC) still counts; 00:30 Moscow on 1 November does not.
  await owe(a.shopId, '2026-09-20T10:00:00Z', 50_000n);
  const big = await paid(a.accountId, a.shopId, '2026-10-05T10:00:00Z', 149_000n, 4_172n);
  await paid(a.accountId, a.shopId, '2026-10-31T20:30:00Z', 10_000n, 280n);
  await paid(a.accountId, a.shopId, '2026-10-31T21:30:00Z', 99_900n, 1_000n);
  await paid(a.accountId, a.shopId, '2026-09-30T20:59:00Z', 7_700n, 100n);
  await refunded(a.accountId, a.shopId, big, '2026-10-10T09:00:00Z', 9_000n);
  await executedPayout(a.accountId, a.shopId, '2026-10-20T09:00:00Z', 30_000n);
  await owe(a.shopId, '2026-10-05T10:00:00Z', 144_828n);
  await owe(a.shopId, '2026-11-01T09:00:00Z', 1_000n);
  // Another account's October payment must not leak into A's figures.
  await paid(b.accountId, b.shopId, '2026-10-06T10:00:00Z', 55_500n, 555n);
});
afterAll(async () => context?.close());

describe('figures of a Moscow month', () => {
  it('counts the period by Moscow midnights, exactly', async () => {
    const figures = await readPeriodFigures(context.deps.db, a.accountId, OCTOBER);
    expect(figures).toEqual({
      acceptedMinor: 159_000n,
      acceptedCount: 2,
      commissionMinor: 4_452n,
      refundedMinor: 9_000n,
      refundCount: 1,
      paidOutMinor: 30_000n,
      payoutCount: 1,
      openingBalanceMinor: 50_000n,
      closingBalanceMinor: 194_828n,
    });
  });
});

describe('issuing a set', () => {
  it('issues four documents whose PDF text carries the figures and the parties', async () => {
    context.clock.set('2026-11-02T09:00:00Z');
    expect(await generateDocumentSet(context.deps, a.accountId, OCTOBER)).toBe(4);
    const documents = await listDocuments(context.deps.db, a.accountId);
    expect(documents.map((document) => document.kind).sort()).toEqual([
      'act',
      'agent_report',
      'invoice',
      'reconciliation',
    ]);
    expect(
      documents.every((document) => document.status === 'sent' && document.delivery === 'electronic'),
    ).toBe(true);
    const act = documents.find((document) => document.kind === 'act')!;
    const file = await readDocumentFile(context.deps.db, a.accountId, act.id, 'pdf');
    const text = await pdfText(file.content);
    // Text extraction normalises № (NFKC) to "No".
    expect(text).toMatch(new RegExp(`Акт (№|No) ${act.number} от 02\\.11\\.2026`));
    expect(text).toContain('с 01.10.2026 по 31.10.2026');
    expect(text).toContain('44,52 ₽');
    expect(text).toContain('Сорок четыре рубля 52 копейки');
    expect(text).toContain('Без НДС');
    expect(text).toContain('«Копек»');

    const report = documents.find((document) => document.kind === 'agent_report')!;
    const reportText = await pdfText(
      (await readDocumentFile(context.deps.db, a.accountId, report.id, 'pdf')).content,
    );
    expect(reportText).toContain('1 590,00 ₽');
    expect(reportText).toContain('300,00 ₽');
  });

  it('gives the reconciliation statement an XLSX with the balances', async () => {
    const documents = await listDocuments(context.deps.db, a.accountId);
    const statement = documents.find((document) => document.kind === 'reconciliation')!;
    expect(statement.hasXlsx).toBe(true);
    const file = await readDocumentFile(context.deps.db, a.accountId, statement.id, 'xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(file.content) as unknown as ArrayBuffer);
    const values = workbook.worksheets[0]!.getColumn(2).values;
    expect(values).toContain(500);
    expect(values).toContain(1948.28);
    const act = documents.find((document) => document.kind === 'act')!;
    await expect(readDocumentFile(context.deps.db, a.accountId, act.id, 'xlsx')).rejects.toMatchObject({
      code: 'no_spreadsheet',
    });
  });

  it('posts one message about the set to the account', async () => {
    const result = await sql<{ count: number }>`
      select count(*)::int as count from messages where account_id = ${a.accountId} and category = 'documents'`.execute(
      context.deps.db,
    );
    expect(result.rows[0]!.count).toBe(1);
  });
});

describe('the monthly task', () => {
  it("issues last month's set once per account, however often it runs", async () => {
    context.clock.set('2026-11-01T00:30:00+03:00');
    const first = await runMonthlyDocuments(context.deps);
    expect(first).toBeGreaterThanOrEqual(4);
    expect(await runMonthlyDocuments(context.deps)).toBe(0);
    const mine = await listDocuments(context.deps.db, a.accountId);
    expect(mine.filter((document) => document.periodStart === '2026-10-01')).toHaveLength(4);
    const theirs = await listDocuments(context.deps.db, b.accountId);
    expect(theirs).toHaveLength(4);
    expect(theirs.every((document) => document.status === 'awaiting_dispatch')).toBe(true);
  });
});

describe('paper dispatch', () => {
  it('records the date and tracking number, audited, once', async () => {
    const operator = await createOperator(context);
    const [document] = await listDocuments(context.deps.db, b.accountId);
    await recordDispatch(context.deps, {
      documentId: document!.id,
      operatorUserId: operator.id,
      dispatchedOn: '2026-11-03',
      trackingNumber: '80085612345678',
    });
    const [after] = (await listDocuments(context.deps.db, b.accountId)).filter(
      (row) => row.id === document!.id,
    );
    expect(after).toMatchObject({
      status: 'dispatched',
      dispatchedAt: '2026-11-03',
      trackingNumber: '80085612345678',
    });
    const audit = await sql<{ count: number }>`
      select count(*)::int as count from audit_log where action = 'documents.dispatched' and target = ${document!.id}`.execute(
      context.deps.db,
    );
    expect(audit.rows[0]!.count).toBe(1);
    await expect(
      recordDispatch(context.deps, {
        documentId: document!.id,
        operatorUserId: operator.id,
        dispatchedOn: '2026-11-04',
        trackingNumber: 'X',
      }),
    ).rejects.toMatchObject({ code: 'not_awaiting_dispatch' });
  });
});

describe('tenant isolation', () => {
  it("never hands one account another's document", async () => {
    const [theirs] = await listDocuments(context.deps.db, b.accountId);
    await expect(readDocumentFile(context.deps.db, a.accountId, theirs!.id, 'pdf')).rejects.toMatchObject({
      code: 'document_not_found',
    });
    const figures = await readPeriodFigures(context.deps.db, b.accountId, OCTOBER);
    expect(figures.acceptedMinor).toBe(55_500n);
  });
});

describe('the cabinet API', () => {
  it('lists, downloads its own files, and refuses a bad period field by field', async () => {
    // Signed in now: the clock moved months since registration, past any session's life.
    context.clock.set('2026-11-15T09:00:00Z');
    a.browser = await signInBrowser(context, a.email);
    const list = await a.browser.get('/api/cabinet/documents');
    expect(list.statusCode).toBe(200);
    const items = (list.json() as { items: { id: string; kind: string }[] }).items;
    const act = items.find((item) => item.kind === 'act')!;
    const pdf = await a.browser.get(`/api/cabinet/documents/${act.id}/file.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const [theirs] = await listDocuments(context.deps.db, b.accountId);
    expect((await a.browser.get(`/api/cabinet/documents/${theirs!.id}/file.pdf`)).statusCode).toBe(404);

    const bad = await a.browser.post('/api/cabinet/documents', {
      periodStart: '2026-02-30',
      periodEnd: '2026-12-01',
    });
    expect(bad.statusCode).toBe(422);
    expect(Object.keys((bad.json() as { error: { fields: object } }).error.fields).sort()).toEqual([
      'periodEnd',
      'periodStart',
    ]);
    const jobsBefore = await sql<{ count: number }>`
      select count(*)::int as count from jobs where queue = 'documents.generate'`.execute(context.deps.db);
    const accepted = await a.browser.post('/api/cabinet/documents', {
      periodStart: '2026-11-01',
      periodEnd: '2026-11-14',
    });
    expect(accepted.statusCode, accepted.body).toBe(202);
    const jobsAfter = await sql<{ count: number }>`
      select count(*)::int as count from jobs where queue = 'documents.generate'`.execute(context.deps.db);
    expect(jobsAfter.rows[0]!.count).toBe(jobsBefore.rows[0]!.count + 1);
  });
});
