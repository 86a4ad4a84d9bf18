/**
 * Table types of the payouts module (migrations 0010_payouts.sql and 0015_payout_schedule.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as the balances module does: no other module reads
 * these tables. (Type aliases, not interfaces: withTables wants types with index signatures.)
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

export type PayoutStatus = 'created' | 'sent' | 'executed' | 'returned' | 'failed';
export type PayoutFrequency = 'off' | 'daily' | 'weekly';
export type ScheduledRunOutcome = 'created' | 'below_minimum' | 'no_bank_details';

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
  /** 'daily:2026-03-02' or 'weekly:2026-W10' for a scheduled payout; null for one ordered by a person. */
  schedule_period: string | null;
  send_attempts: number;
  last_send_attempt_at: Date | null;
  last_send_error: string | null;
  send_exhausted_at: Date | null;
  reconcile_started_at: Date | null;
  failed_at: Date | null;
  failure_reason: string | null;
};

export type PayoutSettingsTable = {
  shop_id: string;
  account_id: string;
  frequency: PayoutFrequency;
  /** ISO weekday: 1 Monday ... 7 Sunday. */
  weekday: number | null;
  time_of_day_minutes: number;
  minimum_minor: bigint | null;
  next_run_at: Date | null;
  updated_by: string | null;
  updated_at: Date;
};

export type ScheduledPayoutRunsTable = {
  shop_id: string;
  period: string;
  slot_at: Date;
  outcome: ScheduledRunOutcome;
  payout_id: string | null;
  currency: Currency;
  available_minor: bigint;
  minimum_minor: bigint;
  ran_at: Date;
};

export type SandboxBankPayoutsTable = {
  payout_id: string;
  reference: string;
  amount_minor: bigint;
  currency: Currency;
  recipient_account: string;
  outcome: 'accepted' | 'rejected';
  times_received: number;
  received_at: Date;
};

export type PayoutRow = Selectable<PayoutsTable>;
export type PayoutSettingsRow = Selectable<PayoutSettingsTable>;
export type ScheduledPayoutRunRow = Selectable<ScheduledPayoutRunsTable>;

export type PayoutTables = {
  bank_details: BankDetailsTable;
  payouts: PayoutsTable;
  payout_settings: PayoutSettingsTable;
  scheduled_payout_runs: ScheduledPayoutRunsTable;
  sandbox_bank_payouts: SandboxBankPayoutsTable;
};
export type PayoutDatabase = Database & PayoutTables;

export function withPayoutTables(db: Kysely<Database>): Kysely<PayoutDatabase> {
  return db.withTables<PayoutTables>();
}

export function withPayoutTablesInTransaction(trx: Transaction<Database>): Transaction<PayoutDatabase> {
  return trx.withTables<PayoutTables>();
}
