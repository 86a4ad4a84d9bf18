/**
 * Table types of the invoices module (migration 0013_invoices.sql), added to the shared Database type
 * only inside this module through Kysely's withTables, as the payouts module does: no other module reads
 * these tables. (Type aliases, not interfaces: withTables wants types with index signatures.)
 */
import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';
import type { Currency } from '../../platform/money.js';
import type { Database, HttpMethod } from '../../schema.js';

export type InvoiceType = 'OneTime' | 'Reusable';
export type InvoiceSource = 'api' | 'cabinet';

export type InvoicesTable = {
  id: string;
  encoded_id: string;
  shop_id: string;
  account_id: string;
  inv_id: bigint | null;
  invoice_type: InvoiceType;
  source: InvoiceSource;
  is_test: boolean;
  amount_minor: bigint;
  currency: Currency;
  description: string;
  merchant_comments: string | null;
  culture: 'ru' | 'en' | null;
  email: string | null;
  /** [name, value] pairs of shp_* parameters; written as JSON text. */
  user_fields: ColumnType<[string, string][], string, string>;
  receipt: string | null;
  result_url2: string | null;
  success_url2: string | null;
  success_url2_method: HttpMethod | null;
  fail_url2: string | null;
  fail_url2_method: HttpMethod | null;
  expires_at: Date | null;
  deactivated_at: Date | null;
  created_by: string | null;
  created_at: Date;
};

export type InvoicePaymentsTable = {
  payment_id: string;
  invoice_id: string;
  created_at: Date;
};

export type InvoiceRow = Selectable<InvoicesTable>;

export type InvoiceTables = { invoices: InvoicesTable; invoice_payments: InvoicePaymentsTable };
export type InvoiceDatabase = Database & InvoiceTables;

export function withInvoiceTables(db: Kysely<Database>): Kysely<InvoiceDatabase> {
  return db.withTables<InvoiceTables>();
}

export function withInvoiceTablesInTransaction(trx: Transaction<Database>): Transaction<InvoiceDatabase> {
  return trx.withTables<InvoiceTables>();
}
