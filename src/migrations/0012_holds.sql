-- Holds (Robokassa's StepByStep=true, reference §6) and ResultUrl2 notifications signed as JWS (§2.1).

-- A hold is a payment whose money is reserved on the card, not charged: 'held' until the shop confirms
-- it (then it is 'paid', as any paid payment) or the hold ends without a capture ('released': cancelled
-- by the shop, expired, or gone at the acquirer).
alter table payments drop constraint payments_status_check;
alter table payments add constraint payments_status_check check (status in (
  'created', 'processing', 'awaiting_3ds', 'paid', 'failed', 'expired', 'held', 'released'));
alter table payments add column is_step_by_step boolean not null default false;

-- One row per hold, with its own steps: 'capturing' and 'releasing' record the intent before the
-- acquirer is called (outside any transaction), so a reconcile job can finish what a crash interrupted.
create table payment_holds (
  payment_id text primary key references payments (id),
  shop_id text not null references shops (id),
  -- The amount reserved on the card; a capture takes at most this and releases the rest.
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency in ('RUB', 'KZT', 'USD', 'EUR')),
  acquirer_reference text not null,
  status text not null check (status in ('held', 'capturing', 'captured', 'releasing', 'released')),
  capture_amount_minor bigint check (capture_amount_minor > 0 and capture_amount_minor <= amount_minor),
  -- OutSum exactly as the shop sent it to Confirm: the ResultURL notification is signed over it.
  capture_out_sum_text text,
  -- The reduced cart the shop may send to Confirm, kept as received for the fiscal receipt.
  capture_receipt text,
  release_reason text check (release_reason in ('cancelled', 'expired', 'acquirer')),
  -- After this the hold is released automatically (KOPEK_HOLD_RELEASE_DAYS after it was taken).
  expires_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  captured_at timestamptz,
  released_at timestamptz,
  check ((capture_amount_minor is null) = (capture_out_sum_text is null))
);
create index payment_holds_expiry_idx on payment_holds (expires_at) where status = 'held';

-- The sandbox acquirer's side of a hold: an approved operation with a deferred capture is an
-- authorization until it is captured (all or part) or voided.
alter table sandbox_acquirer_operations add column is_capture_deferred boolean not null default false;
alter table sandbox_acquirer_operations add column captured_minor bigint check (captured_minor > 0);
alter table sandbox_acquirer_operations add column capture_key text;
alter table sandbox_acquirer_operations add column captured_at timestamptz;
alter table sandbox_acquirer_operations add column voided_at timestamptz;

-- Notifications with a body of their own (a JWS for ResultUrl2) instead of form fields, acknowledged by
-- any 2xx answer (expected_body null), with an attempt limit of their own (ResultUrl2: 1 + 5 retries).
alter table notifications add column body text;
alter table notifications add column content_type text;
alter table notifications add column max_attempts integer check (max_attempts > 0);
alter table notifications alter column expected_body drop not null;
alter table notifications add constraint notifications_body_is_posted
  check (body is null or (method = 'POST' and content_type is not null));

-- Kopek's own key pair for signing notifications (RS256). The private key is sealed with the master key;
-- the public key is published as JWKS at /.well-known/jwks.json under its kid (RFC 7638 thumbprint).
-- One key is active; retired keys stay published so that notifications they signed still verify.
create table notification_signing_keys (
  kid text primary key,
  algorithm text not null check (algorithm = 'RS256'),
  public_jwk jsonb not null,
  private_key_sealed text not null,
  created_at timestamptz not null,
  retired_at timestamptz
);
create unique index notification_signing_keys_one_active on notification_signing_keys ((true))
  where retired_at is null;
