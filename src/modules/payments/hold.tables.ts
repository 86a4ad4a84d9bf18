/**
 * Table types of holds (migration 0012_holds.sql), added to the shared Database type only inside the
 * payments module through Kysely's withTables, as the balances and payouts modules do. (Type aliases, not
 * interfaces: withTables wants types with index signatures.)
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

/**
 * held → capturing → captured, or held → releasing → released. 'capturing' and 'releasing' are recorded
 * before the acquirer is called; a capture the acquirer refuses because the authorization is gone ends in
 * 'released' too.
 */
export type HoldStatus = 'held' | 'capturing' | 'captured' | 'releasing' | 'released';
export type HoldReleaseReason = 'cancelled' | 'expired' | 'acquirer';

export type PaymentHoldsTable = {
  payment_id: string;
  shop_id: string;
  amount_minor: bigint;
  currency: Currency;
  acquirer_reference: string;
  status: HoldStatus;
  capture_amount_minor: bigint | null;
  capture_out_sum_text: string | null;
  capture_receipt: string | null;
  release_reason: HoldReleaseReason | null;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
  captured_at: Date | null;
  released_at: Date | null;
};

export type HoldRow = Selectable<PaymentHoldsTable>;

export type HoldTables = { payment_holds: PaymentHoldsTable };
export type HoldDatabase = Database & HoldTables;

export function withHoldTables(db: Kysely<Database>): Kysely<HoldDatabase> {
  return db.withTables<HoldTables>();
}

export function withHoldTablesInTransaction(trx: Transaction<Database>): Transaction<HoldDatabase> {
  return trx.withTables<HoldTables>();
}
