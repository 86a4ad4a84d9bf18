-- Platform foundation: job queue, outgoing mail, rate limits, audit log.

create table jobs (
  id bigserial primary key,
  queue text not null,
  payload jsonb not null,
  state text not null default 'pending' check (state in ('pending', 'running', 'done', 'failed')),
  run_at timestamptz not null,
  attempts integer not null default 0,
  max_attempts integer not null default 10 check (max_attempts > 0),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null,
  finished_at timestamptz
);
-- The poller only looks at unfinished jobs; this partial index keeps that cheap as done jobs pile up.
create index jobs_due_idx on jobs (run_at, id) where state in ('pending', 'running');

create table mail_messages (
  id bigserial primary key,
  account_id text,
  kind text not null,
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  status text not null check (status in ('queued', 'sent')),
  transport text,
  created_at timestamptz not null,
  sent_at timestamptz
);
create index mail_messages_account_idx on mail_messages (account_id, created_at desc);
create index mail_messages_to_idx on mail_messages (lower(to_address), created_at desc);

-- Fixed-window counters shared by all nodes (registration per IP, sign-in per IP).
create table rate_limit_windows (
  key text not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (key, window_start)
);

create table audit_log (
  id bigserial primary key,
  account_id text,
  actor_user_id text,
  action text not null,
  target text,
  details jsonb not null default '{}',
  ip text,
  created_at timestamptz not null
);
create index audit_log_account_idx on audit_log (account_id, created_at desc);
