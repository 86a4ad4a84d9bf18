/**
 * Table types of the deals module (migration 0019_deals.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as the invoices module does: no other module reads
 * this table. (Type aliases, not interfaces: withTables wants types with index signatures.)
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Language } from '../../platform/i18n.js';
import type { Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

export const DEAL_STATUSES = ['created', 'paid', 'disputed', 'released', 'refunded', 'cancelled'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

export type DealResolution =
  'buyer_confirmed' | 'deadline' | 'cancelled_by_merchant' | 'decided_for_seller' | 'decided_for_buyer';

export type DealSource = 'api' | 'cabinet';

export type DealsTable = {
  id: string;
  shop_id: string;
  account_id: string;
  source: DealSource;
  is_test: boolean;
  status: DealStatus;
  amount_minor: bigint;
  currency: Currency;
  description: string;
  buyer_email: string;
  language: Language;
  deadline_days: number;
  secret_hash: string;
  payment_id: string | null;
  paid_at: Date | null;
  release_at: Date | null;
  dispute_text: string | null;
  disputed_at: Date | null;
  resolution: DealResolution | null;
  resolved_by: string | null;
  resolution_note: string | null;
  resolved_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

export type DealRow = Selectable<DealsTable>;

export type DealTables = { deals: DealsTable };
export type DealDatabase = Database & DealTables;

export function withDealTables(db: Kysely<Database>): Kysely<DealDatabase> {
  return db.withTables<DealTables>();
}

export function withDealTablesInTransaction(trx: Transaction<Database>): Transaction<DealDatabase> {
  return trx.withTables<DealTables>();
}
