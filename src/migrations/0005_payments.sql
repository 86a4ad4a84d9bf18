-- Payments through the Robokassa-compatible protocol: payments and their timeline, card attempts, the card
-- vault, the sandbox acquirer's own records, and merchant notifications with every delivery attempt.

-- InvIds that Kopek assigns when the merchant sends none: one sequence, so they are unique per shop too.
create sequence assigned_inv_id_seq start 1000000000;

create table payments (
  id text primary key,
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  inv_id bigint not null check (inv_id > 0),
  is_inv_id_assigned boolean not null,
  is_test boolean not null,
  status text not null check (status in ('created', 'processing', 'awaiting_3ds', 'paid', 'failed', 'expired')),
  -- The amount exactly as the merchant sent it: signatures are computed over this string.
  out_sum_text text not null,
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency in ('RUB', 'KZT', 'USD', 'EUR')),
  fee_minor bigint not null default 0 check (fee_minor >= 0),
  description text not null,
  email text,
  culture text check (culture in ('ru', 'en')),
  inc_curr_label text,
  payment_method text,
  shp jsonb not null default '[]',
  receipt text,
  user_ip text,
  out_sum_currency text,
  result_url2 text,
  success_url2 text,
  success_url2_method text check (success_url2_method in ('GET', 'POST')),
  fail_url2 text,
  fail_url2_method text check (fail_url2_method in ('GET', 'POST')),
  expires_at timestamptz,
  op_key text unique,
  card_mask text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  paid_at timestamptz
);
-- A live InvId belongs to one payment of its shop; test payments may reuse numbers (Robokassa's rule).
create unique index payments_live_inv_id_key on payments (shop_id, inv_id) where not is_test;
create index payments_shop_inv_id_idx on payments (shop_id, inv_id, created_at desc);
create index payments_account_created_idx on payments (account_id, created_at desc, id);

create table payment_events (
  id bigserial primary key,
  payment_id text not null references payments (id),
  kind text not null,
  details jsonb not null default '{}',
  created_at timestamptz not null
);
create index payment_events_payment_idx on payment_events (payment_id, id);

-- Cards live only here: the number sealed with the master key, referenced elsewhere by token and mask.
-- The CVC is never stored.
create table card_vault (
  token text primary key,
  pan_sealed text not null,
  first6 text not null,
  last4 text not null,
  brand text not null,
  expiry_month integer not null check (expiry_month between 1 and 12),
  expiry_year integer not null,
  created_at timestamptz not null
);

create table card_attempts (
  id text primary key,
  payment_id text not null references payments (id),
  -- Sent with the checkout form: a double click or a reload resubmits the same key and gets the same attempt.
  submission_key text not null,
  -- The amount sent to the acquirer: the payment is settled with it, whatever happens to the payment row.
  amount_minor bigint not null check (amount_minor > 0),
  status text not null check (status in ('processing', 'challenge', 'approved', 'declined', 'unknown')),
  card_token text not null references card_vault (token),
  card_mask text not null,
  acquirer_reference text,
  decline_reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (payment_id, submission_key)
);
-- At most one attempt in flight per payment: two concurrent submissions can never both charge.
create unique index card_attempts_one_open_key on card_attempts (payment_id)
  where status in ('processing', 'challenge', 'unknown');

-- The sandbox acquirer keeps its own operations, as a real acquirer would on its side.
create table sandbox_acquirer_operations (
  reference text primary key,
  amount_minor bigint not null,
  currency text not null,
  card_last4 text not null,
  scenario text not null,
  status text not null check (status in ('approved', 'declined', 'challenge', 'no_answer')),
  challenge_failures integer not null default 0,
  decline_reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- Notifications to merchants' servers (ResultURL), kept with every delivery attempt.
create table notifications (
  id text primary key,
  account_id text not null,
  subject_id text not null,
  kind text not null,
  url text not null,
  method text not null check (method in ('GET', 'POST')),
  fields jsonb not null,
  expected_body text not null,
  status text not null check (status in ('pending', 'delivered', 'failed')),
  attempt_count integer not null default 0,
  next_attempt_at timestamptz,
  created_at timestamptz not null,
  delivered_at timestamptz
);
create index notifications_subject_idx on notifications (subject_id, created_at);

create table notification_attempts (
  id bigserial primary key,
  notification_id text not null references notifications (id),
  started_at timestamptz not null,
  duration_ms integer not null,
  request_line text not null,
  response_status integer,
  response_excerpt text,
  error text,
  is_success boolean not null
);
create index notification_attempts_notification_idx on notification_attempts (notification_id, id);
