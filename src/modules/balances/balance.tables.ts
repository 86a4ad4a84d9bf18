/**
 * Table types of the balances module (migration 0009_balances.sql). They extend the shared Database type
 * only inside this module, through Kysely's withTables: no other module reads these tables. (Type aliases,
 * not interfaces: withTables wants types with index signatures.)
 */
import type { Kysely, Transaction } from 'kysely';
import type { Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

export type PaymentSettlementsTable = {
  payment_id: string;
  shop_id: string;
  currency: Currency;
  due_minor: bigint;
  settled_minor: bigint;
  transfer_id: string | null;
  settled_at: Date;
};

export type SettlementProgressTable = {
  id: boolean;
  scanned_before: Date;
  updated_at: Date;
};

export type BalanceTables = {
  payment_settlements: PaymentSettlementsTable;
  settlement_progress: SettlementProgressTable;
};

export type BalanceDatabase = Database & BalanceTables;

export function withBalanceTables(db: Kysely<Database>): Kysely<BalanceDatabase> {
  return db.withTables<BalanceTables>();
}

export function withBalanceTablesInTransaction(trx: Transaction<Database>): Transaction<BalanceDatabase> {
  return trx.withTables<BalanceTables>();
}
