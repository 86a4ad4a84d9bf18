-- Payment methods beyond the bank card (issue 5): which methods each shop may take, the buyer's
-- attempts with a method's provider, the providers' callbacks (for deduplication and the record), and
-- the sandbox providers' own side (what a real SBP bank, wallet or terminal network would keep).

-- The operator's switch per shop and method (catalog label). A shop without a row for a label takes the
-- catalog's default for it (the bank card on, the rest off).
create table shop_payment_methods (
  shop_id text not null references shops (id),
  method_label text not null,
  is_enabled boolean not null,
  changed_by text references users (id),
  changed_at timestamptz not null,
  primary key (shop_id, method_label)
);

-- One buyer's try at paying with a method: an SBP QR, a wallet redirect, a terminal code, a phone
-- confirmation. At most one is pending per payment; the payment's state machine decides what it causes.
create table method_attempts (
  id text primary key,
  payment_id text not null references payments (id),
  method_label text not null,
  kind text not null,
  provider text not null,
  -- The provider's id for the operation, known once the provider accepted the request.
  provider_reference text,
  status text not null check (status in ('starting', 'pending', 'paid', 'declined', 'expired')),
  -- What the buyer owes (the payment's amount plus the buyer's fee, if any) and what arrived so far
  -- (cash terminals take part payments).
  amount_minor bigint not null check (amount_minor > 0),
  received_minor bigint not null default 0 check (received_minor >= 0),
  -- Cash paid beyond what was owed, and what became of it (credited to a phone or kept as overpayment).
  overpaid_minor bigint not null default 0 check (overpaid_minor >= 0),
  -- Method-specific facts shown to the buyer: the QR link, the terminal code, the masked phone, ...
  details jsonb not null default '{}'::jsonb,
  decline_reason text,
  expires_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz
);
create unique index method_attempts_one_pending on method_attempts (payment_id)
  where status in ('starting', 'pending');
create unique index method_attempts_reference on method_attempts (provider, provider_reference);
create index method_attempts_payment on method_attempts (payment_id, created_at);
-- The expiry sweep reads pending attempts by deadline.
create index method_attempts_expiry on method_attempts (expires_at) where status = 'pending';

-- Every callback a provider sent, authenticated or not: the same event twice is processed once.
create table provider_callbacks (
  id bigserial primary key,
  provider text not null,
  event_id text not null,
  attempt_id text references method_attempts (id),
  outcome text not null,
  payload jsonb not null,
  received_at timestamptz not null,
  unique (provider, event_id)
);

-- The sandbox providers' side: their operations and the SMS messages the sandbox operators "sent".
create table sandbox_method_operations (
  provider text not null,
  reference text not null,
  kind text not null,
  amount_minor bigint not null,
  received_minor bigint not null default 0,
  status text not null,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (provider, reference)
);

create table sandbox_sms (
  id bigserial primary key,
  phone text not null,
  sender text not null,
  body text not null,
  created_at timestamptz not null
);
create index sandbox_sms_phone on sandbox_sms (phone, created_at desc);

-- A refund of a payment made with another method goes back through that method's provider.
alter table refunds add column provider_reference text;
