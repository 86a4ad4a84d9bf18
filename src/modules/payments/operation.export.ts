/**
 * Exports of the operations list (CSV or XLSX) for the current filter, at any size.
 *
 * The cabinet asks for an export; the export row and its job are written in one transaction. The job
 * counts the rows once (for the progress bar), then reads the list by keyset in batches and streams
 * each batch through the file writer into ~1 MB chunks in the database, updating the progress with each
 * chunk. Memory stays flat whatever the size: at most one batch of rows and one chunk are held. Any node
 * can serve the download, which streams the chunks back in order. A retried job starts the file over.
 * Exports are kept for a day (housekeeping deletes them).
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql, type Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import { CSV_BYTE_ORDER_MARK, csvField, csvLine, csvText, formatMoscowTime } from '../../platform/csv.js';
import { defineErrors } from '../../platform/http/errors.js';
import type { Language } from '../../platform/i18n.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob, type JobHandler } from '../../platform/jobs.js';
import { formatMinor, type Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import {
  filterFromJson,
  filterToJson,
  type OperationCursor,
  type OperationFilter,
} from './operation.filter.js';
import {
  countOperationRows,
  cursorAfter,
  readOperationRows,
  type OperationListRow,
} from './operation.queries.js';

export const OPERATION_EXPORT_QUEUE = 'operations.export';
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type ExportStatus = 'queued' | 'running' | 'done' | 'failed';

const EXPORT_BATCH_ROWS = 2_000;
const CHUNK_BYTES = 1024 * 1024;
const EXPORT_RETENTION_MS = 24 * 3_600_000;

export const exportErrors = defineErrors({
  exportNotFound: { status: 404, ru: 'Выгрузка не найдена.', en: 'Export not found.' },
  exportNotReady: {
    status: 409,
    ru: 'Выгрузка ещё готовится: скачать её можно, когда она будет готова.',
    en: 'The export is still being prepared: download it once it is ready.',
  },
});

const COLUMNS: Record<Language, readonly string[]> = {
  ru: [
    'Создан (МСК)',
    'Оплачен (МСК)',
    'Магазин',
    'InvId',
    'Сумма',
    'Валюта',
    'Статус',
    'Способ оплаты',
    'Карта',
    'E-mail покупателя',
    'Описание',
    'Тестовый',
  ],
  en: [
    'Created (Moscow)',
    'Paid (Moscow)',
    'Shop',
    'InvId',
    'Amount',
    'Currency',
    'Status',
    'Payment method',
    'Card',
    'Buyer e-mail',
    'Description',
    'Test',
  ],
};

const STATUS_NAMES: Record<string, Record<Language, string>> = {
  created: { ru: 'Создан', en: 'Created' },
  processing: { ru: 'Обрабатывается', en: 'Processing' },
  awaiting_3ds: { ru: 'Ждёт 3-D Secure', en: 'Awaiting 3-D Secure' },
  paid: { ru: 'Оплачен', en: 'Paid' },
  failed: { ru: 'Отклонён', en: 'Declined' },
  expired: { ru: 'Истёк', en: 'Expired' },
  held: { ru: 'Захолдирован', en: 'On hold' },
  released: { ru: 'Холд снят', en: 'Hold released' },
};

const YES_NO: Record<Language, [string, string]> = { ru: ['да', 'нет'], en: ['yes', 'no'] };

export interface ExportView {
  readonly id: string;
  readonly format: ExportFormat;
  readonly status: ExportStatus;
  readonly rowsTotal: number | null;
  readonly rowsWritten: number;
  readonly bytes: number;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly expiresAt: string;
  readonly fileName: string;
}

interface ExportRow {
  id: string;
  account_id: string;
  format: ExportFormat;
  language: Language;
  filter: Record<string, unknown>;
  status: ExportStatus;
  rows_total: string | null;
  rows_written: string;
  bytes: string;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
  expires_at: Date;
}

function fileNameOf(row: Pick<ExportRow, 'created_at' | 'format'>): string {
  const stamp = formatMoscowTime(row.created_at).replaceAll(/[-: ]/g, '').slice(0, 12);
  return `kopek-operations-${stamp}.${row.format}`;
}

function toView(row: ExportRow): ExportView {
  return {
    id: row.id,
    format: row.format,
    status: row.status,
    rowsTotal: row.rows_total === null ? null : Number(row.rows_total),
    rowsWritten: Number(row.rows_written),
    bytes: Number(row.bytes),
    error: row.error,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    expiresAt: row.expires_at.toISOString(),
    fileName: fileNameOf(row),
  };
}

const EXPORT_COLUMNS = sql`id, account_id, format, language, filter, status, rows_total::text, rows_written::text,
  bytes::text, error, created_at, finished_at, expires_at`;

async function findExport(db: Kysely<Database>, accountId: string, exportId: string): Promise<ExportRow> {
  const result = await sql<ExportRow>`
    select ${EXPORT_COLUMNS} from operation_exports
    where id = ${exportId} and account_id = ${accountId}`.execute(db);
  const row = result.rows[0];
  if (!row) throw exportErrors.exportNotFound();
  return row;
}

export async function createOperationExport(
  deps: Deps,
  actor: { accountId: string; userId: string },
  request: { filter: OperationFilter; format: ExportFormat; language: Language },
): Promise<ExportView> {
  const now = deps.clock.now();
  const id = createId('exp');
  await deps.db.transaction().execute(async (trx) => {
    await sql`
      insert into operation_exports (id, account_id, user_id, format, language, filter, status, created_at, expires_at)
      values (${id}, ${actor.accountId}, ${actor.userId}, ${request.format}, ${request.language},
        ${JSON.stringify(filterToJson(request.filter))}::jsonb, 'queued', ${now},
        ${new Date(now.getTime() + EXPORT_RETENTION_MS)})`.execute(trx);
    await enqueueJob(trx, deps.clock, {
      queue: OPERATION_EXPORT_QUEUE,
      payload: { exportId: id },
      maxAttempts: EXPORT_MAX_ATTEMPTS,
    });
  });
  return toView(await findExport(deps.db, actor.accountId, id));
}

export async function getOperationExport(
  db: Kysely<Database>,
  accountId: string,
  exportId: string,
): Promise<ExportView> {
  return toView(await findExport(db, accountId, exportId));
}

/** The file, streamed chunk by chunk: one chunk in memory at a time. */
export async function openExportDownload(
  db: Kysely<Database>,
  accountId: string,
  exportId: string,
): Promise<{ view: ExportView; body: Readable }> {
  const row = await findExport(db, accountId, exportId);
  if (row.status !== 'done') throw exportErrors.exportNotReady();
  async function* chunks() {
    for (let seq = 0; ; seq += 1) {
      const result = await sql<{ data: Buffer }>`
        select data from operation_export_chunks where export_id = ${exportId} and seq = ${seq}`.execute(db);
      const chunk = result.rows[0];
      if (!chunk) return;
      yield chunk.data;
    }
  }
  return { view: toView(row), body: Readable.from(chunks()) };
}

export async function deleteExpiredExports(db: Kysely<Database>, now: Date): Promise<void> {
  await sql`delete from operation_exports where expires_at < ${now}`.execute(db);
}

/** Collects the file's bytes and stores them in chunks of CHUNK_BYTES, with the progress, in one transaction. */
class ChunkStore {
  private parts: Buffer[] = [];
  private size = 0;
  private seq = 0;
  private bytes = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly exportId: string,
  ) {}

  push(data: Buffer | string): void {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.parts.push(buffer);
    this.size += buffer.length;
  }

  /** Writes every full chunk (and the rest when `isLast`), then the progress. */
  async flush(rowsWritten: number, isLast = false): Promise<void> {
    const pending = Buffer.concat(this.parts);
    let offset = 0;
    const chunks: Buffer[] = [];
    while (pending.length - offset >= CHUNK_BYTES || (isLast && offset < pending.length)) {
      chunks.push(pending.subarray(offset, offset + CHUNK_BYTES));
      offset += Math.min(CHUNK_BYTES, pending.length - offset);
    }
    this.parts = offset < pending.length ? [pending.subarray(offset)] : [];
    this.size = pending.length - offset;
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunks) {
        await sql`insert into operation_export_chunks (export_id, seq, data)
          values (${this.exportId}, ${this.seq}, ${chunk})`.execute(trx);
        this.seq += 1;
        this.bytes += chunk.length;
      }
      await sql`update operation_exports set rows_written = ${rowsWritten}, bytes = ${this.bytes}
        where id = ${this.exportId}`.execute(trx);
    });
  }
}

/** One row of the file, as text cells (amounts stay exact decimals). */
function exportCells(row: OperationListRow, language: Language) {
  return {
    createdAt: row.created_at,
    paidAt: row.paid_at,
    shop: row.shop_name,
    invId: String(row.inv_id),
    amount: formatMinor(row.amount_minor, row.currency as Currency),
    currency: row.currency,
    status: STATUS_NAMES[row.status]?.[language] ?? row.status,
    method: row.payment_method ?? '',
    card: row.card_mask ?? '',
    email: row.email ?? '',
    description: row.description,
    test: YES_NO[language][row.is_test ? 0 : 1],
  };
}

interface FileWriter {
  writeRow(row: OperationListRow): void;
  /** Lets the writer's own streams run, so their output reaches the store before a flush. */
  drain(): Promise<void>;
  finish(): Promise<void>;
}

function csvWriter(store: ChunkStore, language: Language): FileWriter {
  store.push(CSV_BYTE_ORDER_MARK + csvLine(COLUMNS[language].map(csvField)));
  return {
    writeRow(row) {
      const cells = exportCells(row, language);
      store.push(
        csvLine([
          formatMoscowTime(cells.createdAt),
          cells.paidAt ? formatMoscowTime(cells.paidAt) : '',
          csvText(cells.shop),
          cells.invId,
          cells.amount,
          cells.currency,
          csvText(cells.status),
          csvText(cells.method),
          csvText(cells.card),
          csvText(cells.email),
          csvText(cells.description),
          cells.test,
        ]),
      );
    },
    drain: async () => undefined,
    finish: async () => undefined,
  };
}

/** XLSX through exceljs's streaming writer: rows are committed as they come and never kept. */
function xlsxWriter(store: ChunkStore, language: Language): FileWriter {
  const output = new PassThrough();
  output.on('data', (data: Buffer) => store.push(data));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(language === 'ru' ? 'Операции' : 'Operations');
  const widths = [19, 19, 24, 12, 14, 8, 16, 16, 20, 28, 40, 9];
  sheet.columns = COLUMNS[language].map((header, index) => ({ header, width: widths[index] ?? 14 }));
  sheet.getRow(1).font = { bold: true };
  return {
    writeRow(row) {
      const cells = exportCells(row, language);
      const excelRow = sheet.addRow([
        formatMoscowTime(cells.createdAt),
        cells.paidAt ? formatMoscowTime(cells.paidAt) : '',
        cells.shop,
        Number(cells.invId),
        // A number to sum in the spreadsheet; two decimals are exact in a double up to 10^13.
        Number(cells.amount),
        cells.currency,
        cells.status,
        cells.method,
        cells.card,
        cells.email,
        cells.description,
        cells.test,
      ]);
      excelRow.getCell(5).numFmt = '0.00';
      excelRow.commit();
    },
    drain: () => new Promise((resolve) => setImmediate(resolve)),
    async finish() {
      const ended = new Promise<void>((resolve) => output.on('end', resolve));
      await workbook.commit();
      await ended;
    },
  };
}

async function writeExport(deps: Deps, row: ExportRow): Promise<void> {
  const filter = filterFromJson(row.filter);
  const store = new ChunkStore(deps.db, row.id);
  const writer = row.format === 'csv' ? csvWriter(store, row.language) : xlsxWriter(store, row.language);
  let cursor: OperationCursor | undefined;
  let written = 0;
  for (;;) {
    const batch = await readOperationRows(deps.db, row.account_id, filter, cursor, EXPORT_BATCH_ROWS);
    for (const item of batch) writer.writeRow(item);
    written += batch.length;
    await writer.drain();
    const last = batch.at(-1);
    if (batch.length < EXPORT_BATCH_ROWS || !last) break;
    await store.flush(written);
    cursor = cursorAfter(last, filter.sort);
  }
  await writer.finish();
  await store.flush(written, true);
}

const EXPORT_MAX_ATTEMPTS = 3;

export function createOperationExportHandler(deps: Deps): JobHandler {
  return async (payload, context) => {
    const exportId = (payload as { exportId?: unknown }).exportId;
    if (typeof exportId !== 'string') throw new Error('operations.export: payload without exportId');
    const claimed = await sql<ExportRow>`
      update operation_exports set status = 'running', rows_written = 0, bytes = 0, error = null
      where id = ${exportId} and status in ('queued', 'running')
      returning ${EXPORT_COLUMNS}`.execute(deps.db);
    const row = claimed.rows[0];
    if (!row) return;
    // A retry starts the file over.
    await sql`delete from operation_export_chunks where export_id = ${exportId}`.execute(deps.db);
    try {
      // The one count of an export, for its progress bar; the list itself never counts.
      const total = await countOperationRows(deps.db, row.account_id, filterFromJson(row.filter));
      await sql`update operation_exports set rows_total = ${total} where id = ${exportId}`.execute(deps.db);
      await writeExport(deps, row);
      await sql`update operation_exports set status = 'done', finished_at = ${deps.clock.now()}
        where id = ${exportId}`.execute(deps.db);
    } catch (error) {
      // The job queue retries it; the cabinet shows "failed" only when no attempt is left.
      const isLastAttempt = context.attempt >= EXPORT_MAX_ATTEMPTS;
      await sql`update operation_exports set status = ${isLastAttempt ? 'failed' : 'queued'},
        finished_at = ${isLastAttempt ? deps.clock.now() : null},
        error = ${error instanceof Error ? error.message.slice(0, 500) : 'export failed'}
        where id = ${exportId}`.execute(deps.db);
      throw error;
    }
  };
}
