/**
 * Table types of the payouts module (migrations 0010_payouts.sql, 0015_payout_schedule.sql and
 * 0034_payout_approval.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as the balances module does: no other module reads
 * these tables. (Type aliases, not interfaces: withTables wants types with index signatures.)
 */
import type { ColumnType, Generated, GeneratedAlways, Kysely, Selectable, Transaction } from 'kysely';
import type { Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

/**
 * awaiting_approval → approved (bank file) → exported → executed | returned; awaiting_approval → created
 * (the automatic bank) or rejected; created → sent → executed | returned; created → failed.
 */
export type PayoutStatus =
  | 'awaiting_approval'
  | 'approved'
  | 'rejected'
  | 'exported'
  | 'created'
  | 'sent'
  | 'executed'
  | 'returned'
  | 'failed';
/** provider: the PayoutProvider sends it; bank_file: finance exports it as a 1C payment order. */
export type PayoutDelivery = 'provider' | 'bank_file';
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
  delivery: Generated<PayoutDelivery>;
  /** Above the approval threshold when made: finance had to decide. */
  approval_required: Generated<boolean>;
  /** The finance person who approved or rejected it, and when. */
  decided_by: string | null;
  decided_at: Date | null;
  reject_reason: string | null;
  /** The payment order's number (Номер), drawn at the first export. */
  order_number: bigint | null;
  /** The latest file the payout was exported in. */
  export_file_id: string | null;
  exported_at: Date | null;
  /** What the bank's statement shows for a bank-file payout: its reference and dates (YYYY-MM-DD). */
  bank_reference: string | null;
  /** Dates (PostgreSQL date): read them as text (`executed_on::text`), never through selectAll. */
  executed_on: ColumnType<unknown, string | null, string | null>;
  returned_on: ColumnType<unknown, string | null, string | null>;
  outcome_recorded_by: string | null;
};

export type PayoutExportFilesTable = {
  id: string;
  number: GeneratedAlways<bigint>;
  created_by: string;
  created_at: Date;
  is_reexport: boolean;
  payout_count: number;
  total_minor: bigint;
  /** The file's bytes as downloaded: windows-1251, CRLF. */
  content: Buffer;
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
export type PayoutExportFileRow = Selectable<PayoutExportFilesTable>;

export type PayoutTables = {
  bank_details: BankDetailsTable;
  payouts: PayoutsTable;
  payout_settings: PayoutSettingsTable;
  scheduled_payout_runs: ScheduledPayoutRunsTable;
  sandbox_bank_payouts: SandboxBankPayoutsTable;
  payout_export_files: PayoutExportFilesTable;
};
export type PayoutDatabase = Database & PayoutTables;

export function withPayoutTables(db: Kysely<Database>): Kysely<PayoutDatabase> {
  return db.withTables<PayoutTables>();
}

export function withPayoutTablesInTransaction(trx: Transaction<Database>): Transaction<PayoutDatabase> {
  return trx.withTables<PayoutTables>();
}
