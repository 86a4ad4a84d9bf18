/**
 * Reading an export of a shop's own ATOL registers for sales analytics, CSV or JSON, pure. Every line is
 * checked and every problem reported with its line number and column, so a bad file changes nothing and
 * says what to fix. Choices (no standard export format exists; atol-online.md §5):
 * - columns (CSV header, JSON keys): `fn` (FN serial, 16 digits), `fd` (document number), `fp` (fiscal
 *   sign, optional), `datetime` (`dd.mm.yyyy HH:MM:SS` as printed, Moscow time, or ISO 8601 with an
 *   offset), `operation` (sell, sell_refund, buy, buy_refund), `total`, `cash` and `electronic`
 *   (optional; when both are given they add up to the total), `items` (optional: the receipt's lines as a
 *   JSON array of { name, quantity, sum }, in CSV a quoted JSON field; their sums add up to the total;
 *   they feed the revenue by item);
 * - CSV: comma or semicolon (the header decides), fields may be double-quoted, amounts with a dot or a
 *   comma; the first line is the header, so data lines are numbered from 2; JSON: an array of objects,
 *   numbered from 1;
 * - a document repeated in the file with the same data is a duplicate (kept once); with other data it
 *   is an error, since one of the two is wrong.
 */
import type { LocalizedText } from '../../platform/i18n.js';
import { parseDecimalToMinor } from '../../platform/money.js';
import { parseIsoDateTime } from '../protocol/index.js';
import type { ImportedReceiptOperation } from './fiscal.tables.js';
import { parseAtolTimestamp } from './providers/atol.document.js';

export const MAX_IMPORT_LINES = 10_000;
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
export const IMPORT_COLUMNS = [
  'fn',
  'fd',
  'fp',
  'datetime',
  'operation',
  'total',
  'cash',
  'electronic',
  'items',
];
const MAX_ITEMS = 100;
const OPERATIONS: readonly ImportedReceiptOperation[] = ['sell', 'sell_refund', 'buy', 'buy_refund'];
const REQUIRED = ['fn', 'fd', 'datetime', 'operation', 'total'];

export interface ImportedRow {
  readonly line: number;
  readonly fnNumber: string;
  readonly fiscalDocumentNumber: bigint;
  readonly fiscalDocumentAttribute: bigint | null;
  readonly operation: ImportedReceiptOperation;
  readonly receiptAt: Date;
  readonly totalMinor: bigint;
  readonly cashMinor: bigint | null;
  readonly electronicMinor: bigint | null;
  readonly items: readonly ImportedItem[];
}

/** One line of an imported receipt: what was sold, how much of it, for what sum. */
export interface ImportedItem {
  readonly name: string;
  readonly quantityThousandths: bigint;
  readonly sumMinor: bigint;
}

export interface ImportLineProblem {
  /** 0 for the file as a whole. */
  readonly line: number;
  readonly field?: string;
  readonly text: LocalizedText;
}

export interface ImportParseResult {
  readonly rows: readonly ImportedRow[];
  /** Lines repeating an earlier line of the file exactly. */
  readonly duplicateLines: readonly number[];
  readonly problems: readonly ImportLineProblem[];
}

type Fields = Readonly<Record<string, string | undefined>>;

const text = (ru: string, en: string): LocalizedText => ({ ru, en });

const FIELD_PROBLEMS: Record<string, LocalizedText> = {
  fn: text('номер ФН: 16 цифр.', 'FN serial: 16 digits.'),
  fd: text('номер ФД: целое число больше нуля.', 'document number: a whole number above zero.'),
  fp: text('ФПД: до 10 цифр.', 'fiscal sign: up to 10 digits.'),
  datetime: text(
    'дата и время: дд.мм.гггг ЧЧ:ММ:СС или ISO 8601 с часовым поясом.',
    'date and time: dd.mm.yyyy HH:MM:SS or ISO 8601 with an offset.',
  ),
  operation: text(
    'операция: sell, sell_refund, buy или buy_refund.',
    'operation: sell, sell_refund, buy or buy_refund.',
  ),
  total: text('сумма: число с двумя знаками после точки.', 'amount: a number with up to two decimals.'),
};
const MISSING = text('поле обязательно.', 'this field is required.');
const BAD_ITEMS = text(
  `позиции: JSON-массив до ${MAX_ITEMS} объектов { name (до 128 символов), quantity (до 3 знаков после точки), sum }.`,
  `items: a JSON array of up to ${MAX_ITEMS} objects { name (up to 128 characters), quantity (up to 3 decimals), sum }.`,
);
const ITEMS_MISMATCH = text('суммы позиций не равны сумме чека.', 'the items do not add up to the total.');
const PAYMENTS_MISMATCH = text(
  'наличные и безналичные вместе не равны сумме чека.',
  'cash and electronic do not add up to the total.',
);
const CONFLICT = text(
  'этот документ (ФН и ФД) уже есть в файле с другими данными.',
  'this document (FN and FD) is already in the file with other data.',
);

function readMoney(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  return parseDecimalToMinor(value.trim().replace(',', '.'), 'RUB');
}

/** ATOL's printed form (Moscow time), or ISO 8601 with its offset: a moment without a zone is refused. */
function readMoment(value: string): Date | undefined {
  const trimmed = value.trim();
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  return parseAtolTimestamp(trimmed) ?? (hasZone ? parseIsoDateTime(trimmed) : undefined);
}

/** One line's fields as a row, or its problems. */
function readRow(line: number, fields: Fields, problems: ImportLineProblem[]): ImportedRow | undefined {
  const before = problems.length;
  const problem = (field: string, problemText: LocalizedText) => {
    problems.push({ line, field, text: problemText });
    return undefined;
  };
  const value = (field: string) => {
    const raw = fields[field]?.trim();
    return raw === '' ? undefined : raw;
  };
  for (const field of REQUIRED) if (value(field) === undefined) problem(field, MISSING);
  const fn = value('fn');
  const fnNumber = fn === undefined || /^\d{16}$/.test(fn) ? fn : problem('fn', FIELD_PROBLEMS.fn!);
  const fd = value('fd');
  const fdNumber = fd !== undefined && /^[1-9]\d{0,17}$/.test(fd) ? BigInt(fd) : undefined;
  if (fd !== undefined && fdNumber === undefined) problem('fd', FIELD_PROBLEMS.fd!);
  const fp = value('fp');
  const fpNumber = fp !== undefined && /^\d{1,10}$/.test(fp) ? BigInt(fp) : null;
  if (fp !== undefined && fpNumber === null) problem('fp', FIELD_PROBLEMS.fp!);
  const datetime = value('datetime');
  const receiptAt = datetime === undefined ? undefined : readMoment(datetime);
  if (datetime !== undefined && receiptAt === undefined) problem('datetime', FIELD_PROBLEMS.datetime!);
  const operationText = value('operation')?.toLowerCase();
  const operation = OPERATIONS.find((candidate) => candidate === operationText);
  if (operationText !== undefined && operation === undefined) problem('operation', FIELD_PROBLEMS.operation!);
  const amounts = (['total', 'cash', 'electronic'] as const).map((field) => {
    const raw = value(field);
    const minor = readMoney(raw);
    if (raw !== undefined && minor === undefined) problem(field, FIELD_PROBLEMS.total!);
    return minor ?? null;
  });
  const [totalMinor, cashMinor, electronicMinor] = amounts as [bigint | null, bigint | null, bigint | null];
  if (totalMinor !== null && cashMinor !== null && electronicMinor !== null)
    if (cashMinor + electronicMinor !== totalMinor) problem('cash', PAYMENTS_MISMATCH);
  const itemsText = value('items');
  const items = itemsText === undefined ? [] : readItems(itemsText);
  if (items === undefined) problem('items', BAD_ITEMS);
  else if (items.length > 0 && totalMinor !== null && sumOf(items) !== totalMinor)
    problem('items', ITEMS_MISMATCH);
  if (problems.length > before || !fnNumber || fdNumber === undefined || !receiptAt) return undefined;
  if (!operation || totalMinor === null || !items) return undefined;
  return {
    line,
    fnNumber,
    fiscalDocumentNumber: fdNumber,
    fiscalDocumentAttribute: fpNumber,
    operation,
    receiptAt,
    totalMinor,
    cashMinor,
    electronicMinor,
    items,
  };
}

const sumOf = (items: readonly ImportedItem[]) => items.reduce((sum, item) => sum + item.sumMinor, 0n);

/** The `items` field (a JSON array) as lines, or undefined when it is not what the header describes. */
function readItems(textValue: string): ImportedItem[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(textValue);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_ITEMS) return undefined;
  const items: ImportedItem[] = [];
  for (const entry of parsed) {
    const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    const name = typeof fields.name === 'string' ? fields.name.trim() : '';
    const quantity =
      typeof fields.quantity === 'number' || typeof fields.quantity === 'string'
        ? String(fields.quantity)
        : '';
    const sum =
      typeof fields.sum === 'number' || typeof fields.sum === 'string'
        ? readMoney(String(fields.sum))
        : undefined;
    const match = /^(\d{1,9})(?:[.,](\d{1,3}))?$/.exec(quantity.trim());
    if (name === '' || name.length > 128 || !match || sum === undefined || sum < 0n) return undefined;
    const quantityThousandths = BigInt(match[1] ?? '0') * 1000n + BigInt((match[2] ?? '').padEnd(3, '0'));
    if (quantityThousandths === 0n) return undefined;
    items.push({ name, quantityThousandths, sumMinor: sum });
  }
  return items;
}

/** CSV fields of one line: comma or semicolon, double quotes around a field, "" for a quote inside. */
function splitCsvLine(lineText: string, delimiter: string): string[] {
  const fields: string[] = [];
  let current = '';
  let isQuoted = false;
  for (let index = 0; index < lineText.length; index += 1) {
    const character = lineText[index];
    if (isQuoted && character === '"' && lineText[index + 1] === '"') {
      current += '"';
      index += 1;
    } else if (character === '"') isQuoted = !isQuoted;
    else if (character === delimiter && !isQuoted) {
      fields.push(current);
      current = '';
    } else current += character;
  }
  fields.push(current);
  return fields;
}

function readCsv(content: string, problems: ImportLineProblem[]): [number, Fields][] {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0] ?? '';
  const delimiter = header.includes(';') ? ';' : ',';
  const columns = splitCsvLine(header, delimiter).map((column) => column.trim().toLowerCase());
  const missing = REQUIRED.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    const list = missing.join(', ');
    problems.push({
      line: 1,
      text: text(`в заголовке нет колонок: ${list}.`, `the header lacks the columns: ${list}.`),
    });
    return [];
  }
  return lines.flatMap((lineText, index): [number, Fields][] => {
    if (index === 0 || lineText.trim() === '') return [];
    const values = splitCsvLine(lineText, delimiter);
    return [[index + 1, Object.fromEntries(columns.map((column, at) => [column, values[at]]))]];
  });
}

function readJson(content: string, problems: ImportLineProblem[]): [number, Fields][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    problems.push({ line: 0, text: text('файл не является JSON.', 'the file is not JSON.') });
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push({ line: 0, text: text('нужен массив чеков.', 'an array of receipts is expected.') });
    return [];
  }
  return parsed.map((entry: unknown, index): [number, Fields] => {
    const object = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    const fields = Object.fromEntries(
      IMPORT_COLUMNS.map((column) => {
        const raw = object[column];
        if (column === 'items' && Array.isArray(raw)) return [column, JSON.stringify(raw)];
        return [column, typeof raw === 'number' || typeof raw === 'string' ? String(raw) : undefined];
      }),
    );
    return [index + 1, fields];
  });
}

function sameRow(left: ImportedRow, right: ImportedRow): boolean {
  return (
    left.fiscalDocumentAttribute === right.fiscalDocumentAttribute &&
    left.operation === right.operation &&
    left.receiptAt.getTime() === right.receiptAt.getTime() &&
    left.totalMinor === right.totalMinor &&
    left.cashMinor === right.cashMinor &&
    left.electronicMinor === right.electronicMinor &&
    left.items.length === right.items.length &&
    left.items.every(
      (item, index) =>
        item.name === right.items[index]?.name &&
        item.quantityThousandths === right.items[index]?.quantityThousandths &&
        item.sumMinor === right.items[index]?.sumMinor,
    )
  );
}

/** Reads a whole export: rows, exact repeats, and every problem (none means the file can be imported). */
export function parseImportFile(format: 'csv' | 'json', content: string): ImportParseResult {
  const problems: ImportLineProblem[] = [];
  const lines = format === 'csv' ? readCsv(content, problems) : readJson(content, problems);
  if (lines.length > MAX_IMPORT_LINES)
    return {
      rows: [],
      duplicateLines: [],
      problems: [
        {
          line: 0,
          text: text(
            `не больше ${MAX_IMPORT_LINES} чеков в файле.`,
            `at most ${MAX_IMPORT_LINES} receipts a file.`,
          ),
        },
      ],
    };
  if (lines.length === 0 && problems.length === 0)
    problems.push({ line: 0, text: text('в файле нет чеков.', 'the file has no receipts.') });
  const rows: ImportedRow[] = [];
  const duplicateLines: number[] = [];
  const seen = new Map<string, ImportedRow>();
  for (const [line, fields] of lines) {
    const row = readRow(line, fields, problems);
    if (!row) continue;
    const key = `${row.fnNumber}:${row.fiscalDocumentNumber}`;
    const earlier = seen.get(key);
    if (earlier && sameRow(earlier, row)) duplicateLines.push(line);
    else if (earlier) problems.push({ line, field: 'fd', text: CONFLICT });
    else {
      seen.set(key, row);
      rows.push(row);
    }
  }
  return { rows, duplicateLines, problems };
}
