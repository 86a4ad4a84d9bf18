/**
 * Table types of the fiscal module (migration 0016_fiscal.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as the payouts module does: no other module reads
 * these tables. (Type aliases, not interfaces: withTables wants types with index signatures.)
 */
import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../schema.js';

export type FiscalProviderKind = 'none' | 'atol';
export type FiscalReceiptKind = 'sell' | 'sell_refund';
export type FiscalReceiptStatus = 'pending' | 'wait' | 'done' | 'fail';

/** jsonb: written as JSON text, read as the parsed value. */
type Json<T> = ColumnType<T, string, string>;

export type FiscalSettingsTable = {
  shop_id: string;
  account_id: string;
  provider: FiscalProviderKind;
  base_url: string;
  login: string | null;
  password_sealed: string | null;
  group_code: string | null;
  company_inn: string | null;
  payment_address: string | null;
  sno: string | null;
  company_email: string | null;
  updated_by: string | null;
  updated_at: Date;
};

export interface FailedGeneration {
  readonly generation: number;
  readonly externalId: string;
  readonly uuid: string | null;
  readonly error: string;
  readonly failedAt: string;
}

export type FiscalReceiptsTable = {
  id: string;
  account_id: string;
  shop_id: string;
  payment_id: string;
  refund_id: string | null;
  kind: FiscalReceiptKind;
  source_key: string;
  generation: number;
  external_id: string;
  base_url: string;
  group_code: string;
  draft: Json<unknown>;
  request: ColumnType<unknown, string | null, string | null>;
  total_minor: bigint;
  status: FiscalReceiptStatus;
  uuid: string | null;
  attempts: Generated<number>;
  attempt_limit: number;
  polls: Generated<number>;
  poll_limit: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  error: string | null;
  failure_history: ColumnType<FailedGeneration[], string | undefined, string>;
  fn_number: string | null;
  fiscal_document_number: bigint | null;
  fiscal_document_attribute: bigint | null;
  fiscal_receipt_number: number | null;
  shift_number: number | null;
  receipt_datetime: string | null;
  registered_at: Date | null;
  fiscal_total_minor: bigint | null;
  ecr_registration_number: string | null;
  ofd_inn: string | null;
  ofd_receipt_url: string | null;
  fns_site: string | null;
  qr: string | null;
  report: ColumnType<unknown, string | null, string | null>;
  created_at: Date;
  updated_at: Date;
  done_at: Date | null;
  failed_at: Date | null;
  /** Receipt/Attach's `id` for a second (final) receipt; null otherwise (0021). */
  second_receipt_id: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  /** When the buyer's e-mail with the fiscal data was enqueued (0021). */
  buyer_mailed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

export type FiscalReportSlotsTable = {
  group_key: string;
  next_slot_at: Date;
};

export type AtolSandboxGroupsTable = {
  group_code: string;
  login: string;
  password: string;
  inn: string;
  behaviour: ColumnType<Record<string, unknown>, string | undefined, string>;
  fn_number: string;
  ecr_registration_number: string;
  last_document_number: Generated<number>;
  shift_number: Generated<number>;
  shift_date: string | null;
  receipts_in_shift: Generated<number>;
  created_at: Date;
};

export type AtolSandboxTokensTable = {
  token: string;
  login: string;
  issued_at: Date;
  expires_at: Date;
};

export type AtolSandboxDocumentsTable = {
  uuid: string;
  group_code: string;
  external_id: string;
  operation: string;
  body: Json<unknown>;
  status: 'wait' | 'done' | 'fail';
  planned_error: ColumnType<unknown, string | null, string | null>;
  error: ColumnType<unknown, string | null, string | null>;
  payload: ColumnType<unknown, string | null, string | null>;
  polls: Generated<number>;
  wait_polls: number;
  ready_at: Date;
  callback_url: string | null;
  callback_warning: string | null;
  callback_result: string | null;
  callback_at: Date | null;
  times_received: Generated<number>;
  created_at: Date;
  finished_at: Date | null;
};

export type FiscalImportEndpointsTable = {
  shop_id: string;
  account_id: string;
  token_hash: string;
  created_at: Date;
};

export type ImportedReceiptOperation = 'sell' | 'sell_refund' | 'buy' | 'buy_refund';

export type ImportedReceiptsTable = {
  id: string;
  account_id: string;
  shop_id: string;
  source: 'callback' | 'file' | 'pull';
  fn_number: string;
  fiscal_document_number: bigint;
  fiscal_document_attribute: bigint | null;
  operation: ImportedReceiptOperation | null;
  receipt_at: Date;
  total_minor: bigint;
  cash_minor: bigint | null;
  electronic_minor: bigint | null;
  /** The receipt's lines when the export had them (0037): name, quantityThousandths, sumMinor. */
  items: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Date;
};

export type FiscalSettingsRow = Selectable<FiscalSettingsTable>;
export type FiscalReceiptRow = Selectable<FiscalReceiptsTable>;
export type AtolSandboxGroupRow = Selectable<AtolSandboxGroupsTable>;
export type AtolSandboxDocumentRow = Selectable<AtolSandboxDocumentsTable>;

export type FiscalTables = {
  fiscal_settings: FiscalSettingsTable;
  fiscal_receipts: FiscalReceiptsTable;
  fiscal_report_slots: FiscalReportSlotsTable;
  atol_sandbox_groups: AtolSandboxGroupsTable;
  atol_sandbox_tokens: AtolSandboxTokensTable;
  atol_sandbox_documents: AtolSandboxDocumentsTable;
  fiscal_import_endpoints: FiscalImportEndpointsTable;
  imported_receipts: ImportedReceiptsTable;
};
export type FiscalDatabase = Database & FiscalTables;

export function withFiscalTables(db: Kysely<Database>): Kysely<FiscalDatabase> {
  return db.withTables<FiscalTables>();
}

export function withFiscalTablesInTransaction(trx: Transaction<Database>): Transaction<FiscalDatabase> {
  return trx.withTables<FiscalTables>();
}
