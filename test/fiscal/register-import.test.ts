/**
 * ATOL register data for sales analytics: the export reader (every rule, with line numbers), and through
 * HTTP the per-shop secret callback URL, CSV and JSON uploads, duplicates recognised whichever way a
 * document came first, and a bad file refused whole with every line's problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImportFile } from '../../src/modules/fiscal/index.js';
import { withFiscalTables } from '../../src/modules/fiscal/fiscal.tables.js';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let merchant: TestBrowser;
let shopId: string;

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
  shopId = (await createShopVia(merchant)).id;
});
afterAll(async () => context?.close());

const FN = '9999078900004312';
const HEADER = 'fn;fd;fp;datetime;operation;total;cash;electronic';

describe('the export reader', () => {
  it('reads CSV with semicolons, quotes and decimal commas, and JSON; exact repeats are duplicates', () => {
    const csv = [
      HEADER,
      `${FN};1;123456;01.03.2026 12:00:00;sell;"1 500,00";500,00;1000,00`.replace('"1 500,00"', '"1500,00"'),
      `${FN};2;;2026-03-01T13:00:00+03:00;sell_refund;99.90;;`,
      `${FN};1;123456;01.03.2026 12:00:00;sell;1500.00;500.00;1000.00`,
      '',
    ].join('\r\n');
    const parsed = parseImportFile('csv', csv);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      expect.objectContaining({
        line: 2,
        fiscalDocumentNumber: 1n,
        fiscalDocumentAttribute: 123456n,
        totalMinor: 150_000n,
        cashMinor: 50_000n,
        electronicMinor: 100_000n,
        receiptAt: new Date('2026-03-01T09:00:00Z'),
      }),
      expect.objectContaining({ line: 3, operation: 'sell_refund', totalMinor: 9_990n, cashMinor: null }),
    ]);
    expect(parsed.duplicateLines).toEqual([4]);
    const json = parseImportFile(
      'json',
      JSON.stringify([{ fn: FN, fd: 5, datetime: '02.03.2026 10:00:00', operation: 'buy', total: 12.5 }]),
    );
    expect(json.rows).toEqual([expect.objectContaining({ line: 1, operation: 'buy', totalMinor: 1_250n })]);
  });

  it('reads the receipt lines of an `items` column (JSON, quoted in CSV) that add up to the total', () => {
    const items = JSON.stringify([
      { name: 'Кофе; зерно', quantity: '1.5', sum: '300.00' },
      { name: 'Пакет', quantity: 1, sum: 5 },
    ]);
    const csv = `${HEADER};items\n${FN};7;;01.03.2026 12:00:00;sell;305.00;;;"${items.replace(/"/g, '""')}"`;
    const parsed = parseImportFile('csv', csv);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows[0]?.items).toEqual([
      { name: 'Кофе; зерно', quantityThousandths: 1_500n, sumMinor: 30_000n },
      { name: 'Пакет', quantityThousandths: 1_000n, sumMinor: 500n },
    ]);
    const json = parseImportFile(
      'json',
      JSON.stringify([
        {
          fn: FN,
          fd: 8,
          datetime: '02.03.2026 10:00:00',
          operation: 'sell',
          total: 10,
          items: [{ name: 'Чай', quantity: 1, sum: 9 }],
        },
        {
          fn: FN,
          fd: 9,
          datetime: '02.03.2026 10:00:00',
          operation: 'sell',
          total: 10,
          items: [{ name: '', quantity: 1, sum: 10 }],
        },
      ]),
    );
    expect(json.problems).toEqual([
      expect.objectContaining({ line: 1, field: 'items' }),
      expect.objectContaining({ line: 2, field: 'items' }),
    ]);
  });

  it.each([
    ['a short FN', `123;1;;01.03.2026 12:00:00;sell;1.00;;`, 'fn'],
    ['a zero document number', `${FN};0;;01.03.2026 12:00:00;sell;1.00;;`, 'fd'],
    ['a long fiscal sign', `${FN};1;12345678901;01.03.2026 12:00:00;sell;1.00;;`, 'fp'],
    ['a date without a zone', `${FN};1;;2026-03-01T12:00:00;sell;1.00;;`, 'datetime'],
    ['an unknown operation', `${FN};1;;01.03.2026 12:00:00;sale;1.00;;`, 'operation'],
    ['three decimals', `${FN};1;;01.03.2026 12:00:00;sell;1.001;;`, 'total'],
    ['a missing total', `${FN};1;;01.03.2026 12:00:00;sell;;;`, 'total'],
    ['payments that do not add up', `${FN};1;;01.03.2026 12:00:00;sell;10.00;1.00;2.00`, 'cash'],
  ])('reports %s with its line and column', (_name, line, field) => {
    const parsed = parseImportFile('csv', `${HEADER}\n${FN};9;;01.03.2026 12:00:00;sell;1.00;;\n${line}`);
    expect(parsed.problems).toEqual([expect.objectContaining({ line: 3, field })]);
  });

  it('refuses a header without the needed columns, a conflicting repeat, non-JSON and an empty file', () => {
    expect(parseImportFile('csv', 'fn,fd,total\n1,2,3').problems).toEqual([
      expect.objectContaining({
        line: 1,
        text: expect.objectContaining({ en: expect.stringContaining('datetime') }),
      }),
    ]);
    const conflict = [
      HEADER,
      `${FN};1;;01.03.2026 12:00:00;sell;1.00;;`,
      `${FN};1;;01.03.2026 12:00:00;sell;2.00;;`,
    ];
    expect(parseImportFile('csv', conflict.join('\n')).problems).toEqual([
      expect.objectContaining({ line: 3, field: 'fd' }),
    ]);
    expect(parseImportFile('json', '{').problems).toEqual([expect.objectContaining({ line: 0 })]);
    expect(parseImportFile('json', '{"fn":1}').problems).toEqual([expect.objectContaining({ line: 0 })]);
    expect(parseImportFile('json', '[]').problems).toEqual([expect.objectContaining({ line: 0 })]);
  });
});

const importedRows = () =>
  withFiscalTables(context.deps.db)
    .selectFrom('imported_receipts')
    .selectAll()
    .where('shop_id', '=', shopId)
    .orderBy('fiscal_document_number')
    .execute();

function atolReport(documentNumber: number, total: number) {
  return {
    uuid: `u-${documentNumber}`,
    status: 'done',
    error: null,
    timestamp: '01.03.2026 12:00:05',
    payload: {
      fiscal_receipt_number: 3,
      shift_number: 12,
      receipt_datetime: '01.03.2026 12:00:00',
      total,
      fn_number: FN,
      ecr_registration_number: '0000000001002292',
      fiscal_document_number: documentNumber,
      fiscal_document_attribute: 3826176048,
      fns_site: 'www.nalog.gov.ru',
    },
  };
}

describe('importing register data', () => {
  const url = () => `/api/cabinet/shops/${shopId}/fiscal-import`;

  it('takes receipts by the secret callback URL, shown once; an old or unknown URL stores nothing', async () => {
    expect((await merchant.get(url())).json()).toMatchObject({ hasCallbackUrl: false, importedCount: 0 });
    const first = (await merchant.post(`${url()}/callback-url`)).json() as { url: string };
    expect(first.url).toMatch(/^http.*\/fiscal\/atol\/import\/[\w-]{43}$/);
    const second = (await merchant.post(`${url()}/callback-url`)).json() as { url: string };
    expect(second.url).not.toBe(first.url);
    expect(
      await auditEntries(context, 'fiscal_import.callback_url_created', { target: shopId }),
    ).toHaveLength(2);
    const path = (address: string) => new URL(address).pathname;
    for (const address of [first.url, `${second.url}x`]) {
      const refused = await context.app.inject({
        method: 'POST',
        url: path(address),
        payload: atolReport(1, 10),
      });
      expect(refused.statusCode).toBe(200);
    }
    const accepted = await context.app.inject({
      method: 'POST',
      url: path(second.url),
      payload: atolReport(1, 10),
    });
    expect(accepted.json()).toEqual({ ok: true });
    // ATOL sends the same report again: kept once. A report that is not done is ignored.
    await context.app.inject({ method: 'POST', url: path(second.url), payload: atolReport(1, 10) });
    await context.app.inject({ method: 'POST', url: path(second.url), payload: { status: 'wait' } });
    expect(await importedRows()).toEqual([
      expect.objectContaining({
        source: 'callback',
        fn_number: FN,
        fiscal_document_number: 1n,
        total_minor: 1_000n,
        operation: null,
        receipt_at: new Date('2026-03-01T09:00:00Z'),
      }),
    ]);
    expect((await merchant.get(url())).json()).toMatchObject({ hasCallbackUrl: true, importedCount: 1 });
  });

  it('imports CSV and JSON files, counting documents it already has as duplicates', async () => {
    const csv = [
      HEADER,
      `${FN};1;;01.03.2026 12:00:00;sell;10.00;;`,
      `${FN};2;;01.03.2026 12:05:00;sell;20.00;20.00;0`,
    ];
    const first = await merchant.post(`${url()}/files`, { format: 'csv', content: csv.join('\n') });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ imported: 1, duplicates: 1 });
    const json = JSON.stringify([
      {
        fn: FN,
        fd: 2,
        datetime: '01.03.2026 12:05:00',
        operation: 'sell',
        total: '20.00',
        cash: '20.00',
        electronic: 0,
      },
      { fn: FN, fd: 3, datetime: '01.03.2026 12:10:00', operation: 'sell_refund', total: 5 },
    ]);
    expect((await merchant.post(`${url()}/files`, { format: 'json', content: json })).json()).toEqual({
      imported: 1,
      duplicates: 1,
    });
    expect(
      (await importedRows()).map((row) => [row.fiscal_document_number, row.source, row.operation]),
    ).toEqual([
      [1n, 'callback', null],
      [2n, 'file', 'sell'],
      [3n, 'file', 'sell_refund'],
    ]);
    const [entry] = await auditEntries(context, 'fiscal_import.file_imported', { target: shopId });
    expect(entry?.details).toMatchObject({ format: 'csv', imported: 1, duplicates: 1 });
  });

  it('refuses a file with bad lines whole, listing each line, and stores nothing', async () => {
    const before = (await importedRows()).length;
    const csv = [
      HEADER,
      `${FN};10;;01.03.2026 12:00:00;sell;10.00;;`,
      `${FN};11;;31.02.2026 12:00:00;sell;10.00;;`,
      `${FN};12;;01.03.2026 12:00:00;gift;10.00;;`,
    ];
    const refused = await merchant.post(`${url()}/files`, { format: 'csv', content: csv.join('\n') });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      error: {
        code: 'import_file_invalid',
        lines: [
          { line: 3, field: 'datetime', en: expect.stringContaining('dd.mm.yyyy') },
          { line: 4, field: 'operation', ru: expect.stringContaining('sell_refund') },
        ],
      },
    });
    expect(await importedRows()).toHaveLength(before);
  });
});
