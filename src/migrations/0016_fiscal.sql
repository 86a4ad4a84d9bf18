-- Fiscal receipts under 54-FZ (src/modules/fiscal): a shop's fiscal settings (none, or its own ATOL
-- Online account), the receipts Kopek registers for payments and refunds, a per-group pacing row for
-- report polls, and the ATOL-protocol sandbox's own state (development and tests only).

-- One row per shop that has ever saved fiscal settings; no row means no fiscalisation through Kopek.
-- The ATOL fields are kept while the provider is 'none', so switching back restores them. The password
-- is sealed with the master key (it must be sent to ATOL, so it is encrypted, not hashed). The
-- application validates every field (INN check digits, e-mail, URL); the database checks shapes only.
create table fiscal_settings (
  shop_id text primary key references shops (id),
  account_id text not null references accounts (id),
  provider text not null check (provider in ('none', 'atol')),
  base_url text not null check (base_url ~ '^https?://' and length(base_url) <= 500),
  login text check (length(login) between 1 and 100),
  password_sealed text,
  group_code text check (group_code ~ '^[A-Za-z0-9_.-]{1,100}$'),
  company_inn text check (company_inn ~ '^(\d{10}|\d{12})$'),
  payment_address text check (length(payment_address) between 1 and 256),
  sno text check (sno in ('osn', 'usn_income', 'usn_income_outcome', 'envd', 'esn', 'patent')),
  company_email text check (length(company_email) between 3 and 64),
  updated_by text references users (id),
  updated_at timestamptz not null,
  check (provider = 'none' or (login is not null and password_sealed is not null and group_code is not null
    and company_inn is not null and payment_address is not null and sno is not null
    and company_email is not null))
);

create index fiscal_settings_account_idx on fiscal_settings (account_id);

-- A receipt: written in the transaction of the payment or refund that causes it (enqueueFiscalReceipt),
-- then registered and followed by the 'fiscal.register' job. The draft is the neutral description the
-- caller gave; request is the ATOL document built from it for the current generation and resent
-- unchanged under the same external_id after a timeout or a network error, so ATOL registers it once
-- (a repeated external_id answers error 33 with the first uuid). Only a retry of a failed receipt starts
-- a new generation, with a new external_id ('<id>.<generation>'): the failed document was not fiscalised.
create table fiscal_receipts (
  id text primary key,
  account_id text not null references accounts (id),
  shop_id text not null references shops (id),
  payment_id text not null references payments (id),
  refund_id text references refunds (id),
  kind text not null check (kind in ('sell', 'sell_refund')),
  -- 'payment:<id>:sell' or 'refund:<id>:sell_refund': one receipt per payment or refund, whatever the
  -- number of calls.
  source_key text not null unique,
  generation integer not null check (generation >= 1),
  external_id text not null unique check (length(external_id) <= 128),
  -- Where the current generation is registered: external ids are unique per group, so a resend must
  -- go to the same group even if the shop's settings change meanwhile.
  base_url text not null,
  group_code text not null,
  draft jsonb not null,
  -- Null when the draft could not be made into a document (the problem is in error).
  request jsonb,
  total_minor bigint not null check (total_minor >= 0),
  status text not null check (status in ('pending', 'wait', 'done', 'fail')),
  uuid text,
  -- Registration calls made (all generations) and the count at which automatic calls stop; a retry
  -- from the cabinet raises the limit. The same for report polls of the current uuid.
  attempts integer not null default 0,
  attempt_limit integer not null,
  polls integer not null default 0,
  poll_limit integer not null,
  -- The schedule slot of the next job run; null while a run is in progress or none is due. A job whose
  -- slot was replaced (a callback, a retry) does nothing, so two runs never overlap.
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  error text,
  -- Earlier failed generations: [{generation, externalId, uuid, error, failedAt}], newest last.
  failure_history jsonb not null default '[]',
  fn_number text,
  fiscal_document_number bigint,
  fiscal_document_attribute bigint,
  fiscal_receipt_number integer,
  shift_number integer,
  -- receipt_datetime as the register printed it (Moscow time) and as a moment.
  receipt_datetime text,
  registered_at timestamptz,
  fiscal_total_minor bigint,
  ecr_registration_number text,
  ofd_inn text,
  ofd_receipt_url text,
  fns_site text,
  -- The fiscal QR code's text: t=YYYYMMDDTHHMM&s=SUM&fn=...&i=...&fp=...&n=1|2.
  qr text,
  -- The whole 'done' report as ATOL sent it: Kopek's own fiscal ledger (ATOL keeps reports 32 days).
  report jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  done_at timestamptz,
  failed_at timestamptz,
  check ((kind = 'sell') = (refund_id is null)),
  check (status in ('pending', 'fail') or uuid is not null),
  check ((status = 'done') = (done_at is not null)),
  check (status <> 'done' or (fn_number is not null and fiscal_document_number is not null
    and fiscal_document_attribute is not null and qr is not null and report is not null)),
  check ((status = 'fail') = (failed_at is not null and error is not null))
);

create index fiscal_receipts_account_idx on fiscal_receipts (account_id, created_at desc, id desc);
create index fiscal_receipts_payment_idx on fiscal_receipts (payment_id);

-- ATOL allows at most one report request per second per register of a group. Every poll reserves the
-- next free second of its group here (one short statement), across all worker nodes.
create table fiscal_report_slots (
  group_key text primary key,
  next_slot_at timestamptz not null
);

-- The ATOL-protocol sandbox (mounted outside production only). It keeps its state like ATOL does on its
-- side: accounts with their group, tokens, and registered documents. Passwords are plain here: they are
-- test credentials of a fake service, never a merchant's.
create table atol_sandbox_groups (
  group_code text primary key,
  login text not null unique,
  password text not null,
  inn text not null,
  -- Test controls: outcome, waits, delays, failures (see providers/atol-sandbox.service.ts).
  behaviour jsonb not null default '{}',
  fn_number text not null,
  ecr_registration_number text not null,
  last_document_number integer not null default 0,
  shift_number integer not null default 1,
  -- The Moscow date of the open shift, YYYY-MM-DD: a new date opens a new shift.
  shift_date text,
  receipts_in_shift integer not null default 0,
  created_at timestamptz not null
);

create table atol_sandbox_tokens (
  token text primary key,
  login text not null,
  issued_at timestamptz not null,
  expires_at timestamptz not null
);

create index atol_sandbox_tokens_login_idx on atol_sandbox_tokens (login);

create table atol_sandbox_documents (
  uuid text primary key,
  group_code text not null references atol_sandbox_groups (group_code),
  external_id text not null,
  operation text not null,
  body jsonb not null,
  status text not null check (status in ('wait', 'done', 'fail')),
  -- What the register will answer once the document is ready: null for done, else the error.
  planned_error jsonb,
  error jsonb,
  payload jsonb,
  polls integer not null default 0,
  wait_polls integer not null default 0,
  ready_at timestamptz not null,
  callback_url text,
  callback_warning text,
  callback_result text,
  callback_at timestamptz,
  times_received integer not null default 1,
  created_at timestamptz not null,
  finished_at timestamptz,
  unique (group_code, external_id)
);
