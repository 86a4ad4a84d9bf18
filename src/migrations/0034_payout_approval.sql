-- Payouts in the operator's back-office (src/modules/payouts, issue 8): a payout above
-- KOPEK_PAYOUT_APPROVAL_THRESHOLD waits for finance ('awaiting_approval'); finance approves it for the
-- automatic bank (it becomes 'created' and is sent as before) or for a bank file ('approved'), or rejects
-- it ('rejected': `payout:<id>:rejected`, in_payout → available). Approved payouts are exported as payment
-- orders in the 1C client-bank format ('exported'); finance then records their execution or return.

-- One exported file, kept as the bytes that were downloaded (windows-1251), so the same file can be
-- fetched again; re-exporting a payout makes a new file.
create table payout_export_files (
  id text primary key,
  number bigint generated always as identity unique,
  created_by text not null references users (id),
  created_at timestamptz not null,
  is_reexport boolean not null,
  payout_count integer not null check (payout_count > 0),
  total_minor bigint not null check (total_minor > 0),
  content bytea not null
);

-- The payment order's number (Номер), drawn at a payout's first export and kept on re-export, so the bank
-- sees the same document again rather than a second payment.
create sequence payout_order_numbers;

alter table payouts
  add column delivery text not null default 'provider' check (delivery in ('provider', 'bank_file')),
  add column approval_required boolean not null default false,
  add column decided_by text references users (id),
  add column decided_at timestamptz,
  add column reject_reason text,
  add column order_number bigint unique,
  add column export_file_id text references payout_export_files (id),
  add column exported_at timestamptz,
  add column bank_reference text,
  add column executed_on date,
  add column returned_on date,
  add column outcome_recorded_by text references users (id);

alter table payouts drop constraint payouts_status_check;
alter table payouts add constraint payouts_status_check
  check (status in ('awaiting_approval', 'approved', 'rejected', 'exported', 'created', 'sent', 'executed',
                    'returned', 'failed'));
-- A payout sent by bank file may be returned after it was executed (the recipient's bank sends the money
-- back): it keeps its executed_at.
alter table payouts drop constraint payouts_check;
alter table payouts add constraint payouts_executed_check
  check ((status <> 'executed' or executed_at is not null)
         and (executed_at is null or status in ('executed', 'returned')));
alter table payouts drop constraint payouts_sent_at_check;
alter table payouts add constraint payouts_sent_at_check
  check (status in ('awaiting_approval', 'approved', 'rejected', 'created', 'returned', 'failed')
         or sent_at is not null);
alter table payouts add constraint payouts_rejected_check
  check ((status = 'rejected') = (reject_reason is not null and decided_at is not null));
alter table payouts add constraint payouts_exported_check
  check (status <> 'exported' or (export_file_id is not null and delivery = 'bank_file'));

-- The back-office queue: payouts waiting for finance, oldest first.
create index payouts_finance_queue_idx on payouts (status, created_at, id)
  where status in ('awaiting_approval', 'approved', 'exported');
