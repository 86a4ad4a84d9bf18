-- The cabinet's operations list at a million payments: each filter that picks few rows out of many has
-- an index that starts with the account (or the shop) and ends in the list's order, so a page reads
-- about a page of rows. Dense filters (status, method, test flag, period) ride on the
-- (account_id, created_at desc, id) index the list already has. Status and method get no index of their
-- own on purpose: they change while a payment is paid, and every index on a changing column makes that
-- update rewrite all indexes instead of a cheap in-page (HOT) update.
create index payments_shop_created_idx on payments (shop_id, created_at desc, id);
create index payments_account_inv_id_idx on payments (account_id, inv_id, created_at desc, id);
create index payments_account_email_idx on payments (account_id, lower(email), created_at desc, id)
  where email is not null;
create index payments_account_card_last4_idx on payments (account_id, right(card_mask, 4), created_at desc, id)
  where card_mask is not null;
create index payments_account_amount_idx on payments (account_id, amount_minor desc, id);
-- Analytics sums paid payments by the time they were paid.
create index payments_account_paid_idx on payments (account_id, paid_at) where paid_at is not null;
-- The search box looks for words of the description or the buyer's e-mail anywhere in them: a trigram
-- index answers "%word%" without reading every payment (pg_trgm is in PostgreSQL's contrib, trusted
-- since 13, and loaded by the embedded database too). The list's query uses this very expression.
create extension if not exists pg_trgm;
create index payments_search_trgm_idx on payments
  using gin ((description || ' ' || coalesce(email, '')) gin_trgm_ops);

-- A person's saved filters: a name and the list's query string, exactly as the address bar shows it.
create table operation_saved_filters (
  id text primary key,
  account_id text not null references accounts (id),
  user_id text not null references users (id),
  name text not null check (char_length(name) between 1 and 60),
  query text not null check (char_length(query) <= 2000),
  created_at timestamptz not null,
  unique (user_id, account_id, name)
);

-- Exports of a filtered list (CSV or XLSX), made by a job and kept for a day. The file is stored in
-- chunks of about a megabyte, so any node can serve the download and no process holds it in memory.
create table operation_exports (
  id text primary key,
  account_id text not null references accounts (id),
  user_id text not null references users (id),
  format text not null check (format in ('csv', 'xlsx')),
  language text not null check (language in ('ru', 'en')),
  filter jsonb not null,
  status text not null check (status in ('queued', 'running', 'done', 'failed')),
  rows_total bigint,
  rows_written bigint not null default 0,
  bytes bigint not null default 0,
  error text,
  created_at timestamptz not null,
  finished_at timestamptz,
  expires_at timestamptz not null
);
create index operation_exports_account_idx on operation_exports (account_id, created_at desc);
create index operation_exports_expires_idx on operation_exports (expires_at);

create table operation_export_chunks (
  export_id text not null references operation_exports (id) on delete cascade,
  seq integer not null,
  data bytea not null,
  primary key (export_id, seq)
);
