/**
 * Table types of the payouts module (migration 0010_payouts.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as the balances module does: no other module reads
 * these tables. (Type aliases, not interfaces: withTables wants types with index signatures.)
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

export type PayoutStatus = 'created' | 'sent' | 'executed' | 'returned';

export type BankDetailsTable = {
  account_id: string;
  bik: string;
  settlement_account: string;
  correspondent_account: string;
  inn: string;
  kpp: string | null;
  recipient_name: string;
  updated_by: string | null;
  updated_at: Date;
};

export type PayoutsTable = {
  id: string;
  account_id: string;
  shop_id: string;
  amount_minor: bigint;
  currency: Currency;
  status: PayoutStatus;
  /** Written as JSON text, read as the object (jsonb). */
  bank_details: unknown;
  provider_reference: string | null;
  requested_by: string | null;
  created_at: Date;
  sent_at: Date | null;
  executed_at: Date | null;
  returned_at: Date | null;
  return_reason: string | null;
};

export type PayoutRow = Selectable<PayoutsTable>;

export type PayoutTables = { bank_details: BankDetailsTable; payouts: PayoutsTable };
export type PayoutDatabase = Database & PayoutTables;

export function withPayoutTables(db: Kysely<Database>): Kysely<PayoutDatabase> {
  return db.withTables<PayoutTables>();
}

export function withPayoutTablesInTransaction(trx: Transaction<Database>): Transaction<PayoutDatabase> {
  return trx.withTables<PayoutTables>();
}
