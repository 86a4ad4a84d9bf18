/**
 * ATOL register data for sales analytics: receipts of a shop's own registers, brought in by ATOL's
 * callback to a per-shop secret URL or by uploading an export (register-import.parse.ts). Every cabinet
 * call is scoped to the caller's account (another account's shop answers 404).
 *
 * - The callback URL holds 32 random bytes; only their SHA-256 is stored, so the URL is shown once, when
 *   made (a new one replaces the old). The callback answers 200 whatever it receives, telling a caller
 *   nothing; a `done` report with readable fiscal data is stored, anything else ignored.
 * - A file is all or nothing: any bad line refuses it with every line's problem; a good one is inserted
 *   in one transaction. A document already imported (same FN and document number) is a duplicate and
 *   kept once, whichever way it first came.
 */
import type { Insertable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { createSecretToken, hashToken } from '../../platform/crypto.js';
import { createId } from '../../platform/ids.js';
import type { Database } from '../../schema.js';
import type { MerchantActor } from '../accounts/index.js';
import { recordAudit } from '../audit/index.js';
import { validationError } from '../../platform/http/errors.js';
import { accountOf, findFiscalSettingsRow } from './fiscal-settings.service.js';
import { fiscalErrors } from './fiscal.errors.js';
import {
  describeFiscalError,
  FiscalProviderUnavailableError,
  type FiscalData,
  type FiscalProvider,
} from './fiscal.provider.js';
import {
  withFiscalTables,
  withFiscalTablesInTransaction,
  type ImportedReceiptsTable,
} from './fiscal.tables.js';
import { parseFiscalPayload } from './providers/atol.answers.js';
import { parseImportFile, type ImportedRow } from './register-import.parse.js';

export const IMPORT_CALLBACK_PATH = '/fiscal/atol/import';
/** How many line problems an answer lists; the count says how many there were. */
const MAX_LISTED_PROBLEMS = 200;
const INSERT_CHUNK = 500;

export interface ImportState {
  readonly shopId: string;
  readonly hasCallbackUrl: boolean;
  readonly callbackUrlCreatedAt: string | null;
  readonly importedCount: number;
  readonly lastReceiptAt: string | null;
}

export interface ImportResult {
  readonly imported: number;
  readonly duplicates: number;
}

async function requireOwnShop(
  executor: Deps['db'] | Transaction<Database>,
  accountId: string,
  shopId: string,
): Promise<void> {
  const shop = await executor
    .selectFrom('shops')
    .select('id')
    .where('id', '=', shopId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!shop) throw fiscalErrors.shopNotFound();
}

export async function readImportState(deps: Deps, accountId: string, shopId: string): Promise<ImportState> {
  await requireOwnShop(deps.db, accountId, shopId);
  const tables = withFiscalTables(deps.db);
  const endpoint = await tables
    .selectFrom('fiscal_import_endpoints')
    .select('created_at')
    .where('shop_id', '=', shopId)
    .executeTakeFirst();
  const stats = await tables
    .selectFrom('imported_receipts')
    .select([sql<string>`count(*)`.as('count'), sql<Date | null>`max(receipt_at)`.as('last')])
    .where('account_id', '=', accountId)
    .where('shop_id', '=', shopId)
    .executeTakeFirstOrThrow();
  return {
    shopId,
    hasCallbackUrl: endpoint !== undefined,
    callbackUrlCreatedAt: endpoint?.created_at.toISOString() ?? null,
    importedCount: Number(stats.count),
    lastReceiptAt: stats.last ? new Date(stats.last).toISOString() : null,
  };
}

/** Makes the shop's callback URL (replacing an earlier one) and answers it: the only time it is shown. */
export async function createImportCallbackUrl(
  deps: Deps,
  actor: MerchantActor,
  shopId: string,
  ip: string | null,
): Promise<{ readonly url: string }> {
  const token = createSecretToken();
  await deps.db.transaction().execute(async (trx) => {
    await requireOwnShop(trx, actor.accountId, shopId);
    const now = deps.clock.now();
    await withFiscalTablesInTransaction(trx)
      .insertInto('fiscal_import_endpoints')
      .values({ shop_id: shopId, account_id: actor.accountId, token_hash: hashToken(token), created_at: now })
      .onConflict((conflict) =>
        conflict.column('shop_id').doUpdateSet({ token_hash: hashToken(token), created_at: now }),
      )
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'fiscal_import.callback_url_created',
      target: shopId,
      ip,
    });
  });
  return { url: `${deps.config.publicUrl}${IMPORT_CALLBACK_PATH}/${token}` };
}

type NewImportedReceipt = Omit<Insertable<ImportedReceiptsTable>, 'id' | 'created_at'>;

/** Inserts receipts not yet known (by FN and document number); answers how many were new. */
async function insertNew(
  trx: Transaction<Database>,
  deps: Deps,
  receipts: readonly NewImportedReceipt[],
): Promise<number> {
  let inserted = 0;
  const now = deps.clock.now();
  for (let start = 0; start < receipts.length; start += INSERT_CHUNK) {
    const chunk = receipts.slice(start, start + INSERT_CHUNK);
    const rows = await withFiscalTablesInTransaction(trx)
      .insertInto('imported_receipts')
      .values(chunk.map((receipt) => ({ ...receipt, id: createId('irc'), created_at: now })))
      .onConflict((conflict) =>
        conflict.columns(['shop_id', 'fn_number', 'fiscal_document_number']).doNothing(),
      )
      .returning('id')
      .execute();
    inserted += rows.length;
  }
  return inserted;
}

function toNewReceipt(accountId: string, shopId: string, row: ImportedRow): NewImportedReceipt {
  return {
    account_id: accountId,
    shop_id: shopId,
    source: 'file',
    fn_number: row.fnNumber,
    fiscal_document_number: row.fiscalDocumentNumber,
    fiscal_document_attribute: row.fiscalDocumentAttribute,
    operation: row.operation,
    receipt_at: row.receiptAt,
    total_minor: row.totalMinor,
    cash_minor: row.cashMinor,
    electronic_minor: row.electronicMinor,
    items:
      row.items.length === 0
        ? null
        : JSON.stringify(
            row.items.map((item) => ({
              name: item.name,
              quantityThousandths: item.quantityThousandths.toString(),
              sumMinor: item.sumMinor.toString(),
            })),
          ),
  };
}

/** Imports a CSV or JSON export: all lines, or none with every line's problem (422). Audited. */
export async function importRegisterFile(
  deps: Deps,
  actor: MerchantActor,
  shopId: string,
  file: { readonly format: 'csv' | 'json'; readonly content: string },
  ip: string | null,
): Promise<ImportResult> {
  await requireOwnShop(deps.db, actor.accountId, shopId);
  const parsed = parseImportFile(file.format, file.content);
  if (parsed.problems.length > 0)
    throw fiscalErrors.importFileInvalid(
      { count: parsed.problems.length },
      {
        lines: parsed.problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => ({
          line: problem.line,
          field: problem.field ?? null,
          ru: problem.text.ru,
          en: problem.text.en,
        })),
      },
    );
  return deps.db.transaction().execute(async (trx) => {
    const receipts = parsed.rows.map((row) => toNewReceipt(actor.accountId, shopId, row));
    const imported = await insertNew(trx, deps, receipts);
    const result = { imported, duplicates: parsed.rows.length - imported + parsed.duplicateLines.length };
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'fiscal_import.file_imported',
      target: shopId,
      details: { format: file.format, ...result },
      ip,
    });
    return result;
  });
}

/** ATOL's callback to a shop's import URL: stores a done report's receipt; false when nothing was stored. */
export async function acceptImportCallback(deps: Deps, token: string, body: unknown): Promise<boolean> {
  const endpoint = await withFiscalTables(deps.db)
    .selectFrom('fiscal_import_endpoints')
    .select(['shop_id', 'account_id'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!endpoint || typeof body !== 'object' || body === null) return false;
  const report = body as { status?: unknown; payload?: unknown };
  const fiscal = report.status === 'done' ? parseFiscalPayload(report.payload) : undefined;
  if (!fiscal) return false;
  const receipt: NewImportedReceipt = {
    account_id: endpoint.account_id,
    shop_id: endpoint.shop_id,
    source: 'callback',
    fn_number: fiscal.fnNumber,
    fiscal_document_number: fiscal.fiscalDocumentNumber,
    fiscal_document_attribute: fiscal.fiscalDocumentAttribute,
    // ATOL's report does not say which operation the document was.
    operation: null,
    receipt_at: fiscal.registeredAt,
    total_minor: fiscal.totalMinor,
    cash_minor: null,
    electronic_minor: null,
  };
  return deps.db.transaction().execute(async (trx) => (await insertNew(trx, deps, [receipt])) > 0);
}

export const MAX_PULLED_DOCUMENTS = 100;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PullResult extends ImportResult {
  /** Documents ATOL has not processed yet: ask again later. */
  readonly pending: readonly string[];
  /** Documents ATOL refused or could not be asked about, with why. */
  readonly failed: readonly { readonly uuid: string; readonly problem: string }[];
}

/**
 * Pulls the reports of known documents (the uuids ATOL gave the merchant's own registers) with the shop's
 * ATOL account, and stores those that are done as register receipts. The calls run one by one outside any
 * transaction; the receipts found are stored together, duplicates recognised as for every source.
 */
export async function pullRegisterReports(
  deps: Deps,
  provider: Pick<FiscalProvider, 'fetchReport'>,
  actor: MerchantActor,
  shopId: string,
  uuids: readonly string[],
  ip: string | null,
): Promise<PullResult> {
  await requireOwnShop(deps.db, actor.accountId, shopId);
  const wanted = [...new Set(uuids.map((uuid) => uuid.trim().toLowerCase()))];
  const bad = wanted.filter((uuid) => !UUID_PATTERN.test(uuid));
  if (wanted.length === 0 || wanted.length > MAX_PULLED_DOCUMENTS || bad.length > 0) {
    throw validationError({
      uuids: {
        code: 'invalid_uuids',
        text: {
          ru: 'От 1 до {max} идентификаторов документов АТОЛ (uuid). Неверные: {bad}',
          en: 'From 1 to {max} ATOL document ids (uuids). Not valid: {bad}',
        },
        values: { max: MAX_PULLED_DOCUMENTS, bad: bad.slice(0, 5).join(', ') || '—' },
      },
    });
  }
  const row = await findFiscalSettingsRow(deps.db, shopId);
  const account =
    row && row.provider === 'atol'
      ? accountOf(row, deps.config.masterKey, { baseUrl: row.base_url, groupCode: row.group_code ?? '' })
      : null;
  if (!account) throw fiscalErrors.fiscalisationOff();
  const found: NewImportedReceipt[] = [];
  const pending: string[] = [];
  const failed: { uuid: string; problem: string }[] = [];
  for (const uuid of wanted) {
    try {
      const answer = await provider.fetchReport(account, uuid);
      if (answer.status === 'wait') pending.push(uuid);
      else if (answer.status === 'fail') failed.push({ uuid, problem: describeFiscalError(answer.error) });
      else found.push(pulledReceipt(actor.accountId, shopId, answer.fiscal));
    } catch (error) {
      if (!(error instanceof FiscalProviderUnavailableError)) throw error;
      failed.push({ uuid, problem: error.message });
    }
  }
  return deps.db.transaction().execute(async (trx) => {
    const imported = found.length === 0 ? 0 : await insertNew(trx, deps, found);
    const result = { imported, duplicates: found.length - imported, pending, failed };
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'fiscal_import.reports_pulled',
      target: shopId,
      details: { asked: wanted.length, imported, pending: pending.length, failed: failed.length },
      ip,
    });
    return result;
  });
}

function pulledReceipt(accountId: string, shopId: string, fiscal: FiscalData): NewImportedReceipt {
  return {
    account_id: accountId,
    shop_id: shopId,
    source: 'pull',
    fn_number: fiscal.fnNumber,
    fiscal_document_number: fiscal.fiscalDocumentNumber,
    fiscal_document_attribute: fiscal.fiscalDocumentAttribute,
    // ATOL's report does not say which operation the document was.
    operation: null,
    receipt_at: fiscal.registeredAt,
    total_minor: fiscal.totalMinor,
    cash_minor: null,
    electronic_minor: null,
  };
}
