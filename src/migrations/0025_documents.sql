-- Closing documents for the tax authorities: per account and Moscow calendar month, an agent's report,
-- an act of services rendered (the commission), a reconciliation statement and an invoice for the
-- commission. The files are generated once and kept (bytea), so what the merchant downloads later is
-- exactly what was issued; a period's set is unique per account and kind, so the monthly task and an
-- on-demand request can both run without issuing a document twice.
create table documents (
  id text primary key,
  account_id text not null references accounts (id),
  kind text not null check (kind in ('agent_report', 'act', 'reconciliation', 'invoice')),
  period_start date not null,
  period_end date not null check (period_end >= period_start),
  number text not null unique,
  -- edo: made downloadable and marked sent at once; paper: the operator records the postal dispatch.
  delivery text not null check (delivery in ('electronic', 'paper')),
  status text not null check (status in ('sent', 'awaiting_dispatch', 'dispatched')),
  figures jsonb not null,
  pdf bytea not null,
  xlsx bytea,
  dispatched_at date,
  tracking_number text,
  dispatched_by text references users (id),
  created_at timestamptz not null,
  check ((status = 'dispatched') = (dispatched_at is not null and tracking_number is not null)),
  unique (account_id, kind, period_start, period_end)
);
create index documents_account_idx on documents (account_id, period_start desc);

-- Document numbers: one sequence for all kinds, so a number never repeats (a gap after a skipped
-- duplicate is harmless).
create sequence document_numbers;
