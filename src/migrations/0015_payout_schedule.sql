-- Scheduled payouts, a per-shop minimum, and payouts that never reached the bank (src/modules/payouts).
-- The money still moves only in the ledger: a scheduled payout is an ordinary payout
-- (`payout:<id>:created`), and a payout the bank never received is given back by `payout:<id>:failed`
-- (in_payout → available).

-- A shop's payout settings: the schedule (in Moscow time) and its own minimum. No row: schedule off and
-- the installation's minimum (KOPEK_PAYOUT_MINIMUM). Balances are per shop, so the schedule is too.
create table payout_settings (
  shop_id text primary key references shops (id),
  account_id text not null references accounts (id),
  frequency text not null check (frequency in ('off', 'daily', 'weekly')),
  -- ISO weekday, 1 = Monday ... 7 = Sunday; kept while the schedule is off or daily, so it comes back.
  weekday smallint check (weekday between 1 and 7),
  -- Minutes after 00:00 Moscow time.
  time_of_day_minutes smallint not null check (time_of_day_minutes between 0 and 1439),
  -- Null: the installation's minimum. The application refuses values below it; a later, higher
  -- installation minimum wins over a stored lower one.
  minimum_minor bigint check (minimum_minor > 0),
  -- The next slot the schedule task will act on; null while the schedule is off. Moved forward in the
  -- same transaction that acts on the slot.
  next_run_at timestamptz,
  updated_by text references users (id),
  updated_at timestamptz not null,
  check (frequency <> 'weekly' or weekday is not null),
  check ((frequency = 'off') = (next_run_at is null))
);

-- What the schedule task scans every minute: schedules whose slot has come.
create index payout_settings_due_idx on payout_settings (next_run_at) where next_run_at is not null;

-- One row per shop and schedule period ('daily:2026-03-02', 'weekly:2026-W10'), written in the
-- transaction that creates the period's payout or decides to skip it. The primary key is what makes a
-- period pay out at most once, whatever number of worker nodes run the task at the same time.
create table scheduled_payout_runs (
  shop_id text not null references shops (id),
  period text not null,
  slot_at timestamptz not null,
  outcome text not null check (outcome in ('created', 'below_minimum', 'no_bank_details')),
  payout_id text unique references payouts (id),
  currency text not null,
  available_minor bigint not null,
  minimum_minor bigint not null,
  ran_at timestamptz not null,
  primary key (shop_id, period),
  check ((outcome = 'created') = (payout_id is not null))
);

-- The cabinet shows each shop's latest run.
create index scheduled_payout_runs_latest_idx on scheduled_payout_runs (shop_id, slot_at desc);

-- A scheduled payout names its period; a second guard against two payouts for one period.
alter table payouts add column schedule_period text;
create unique index payouts_one_per_schedule_period on payouts (shop_id, schedule_period)
  where schedule_period is not null;

-- Sending: every attempt is recorded (committed) before the bank is called. After the attempts run out,
-- reconciliation sets reconcile_started_at (under the row lock, and only when no attempt is recent), and
-- from then on no send job calls the bank for this payout; it asks the bank by payout id instead.
alter table payouts
  add column send_attempts integer not null default 0,
  add column last_send_attempt_at timestamptz,
  add column last_send_error text,
  add column send_exhausted_at timestamptz,
  add column reconcile_started_at timestamptz,
  add column failed_at timestamptz,
  add column failure_reason text;

-- 'failed': the bank never received the payout; the money went back to available.
alter table payouts drop constraint payouts_status_check;
alter table payouts add constraint payouts_status_check
  check (status in ('created', 'sent', 'executed', 'returned', 'failed'));
alter table payouts drop constraint payouts_check2;
alter table payouts add constraint payouts_sent_at_check
  check (status in ('created', 'returned', 'failed') or sent_at is not null);
alter table payouts add constraint payouts_failed_check
  check ((status = 'failed') = (failed_at is not null and failure_reason is not null));

-- What reconciliation scans: payouts not yet accepted by the bank.
create index payouts_created_idx on payouts (created_at, id) where status = 'created';

-- The sandbox bank's own records, as a real bank keeps them on its side: one row per payout id it has
-- received (its idempotency key), so a repeated send gets the same reference and never pays twice, and
-- "do you know this payout?" has a true answer across nodes and restarts. No foreign key: the bank is
-- another party.
create table sandbox_bank_payouts (
  payout_id text primary key,
  reference text not null unique,
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null,
  recipient_account text not null,
  outcome text not null check (outcome in ('accepted', 'rejected')),
  times_received integer not null check (times_received >= 1),
  received_at timestamptz not null
);
