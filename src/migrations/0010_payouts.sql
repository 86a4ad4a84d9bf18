-- Payouts (src/modules/payouts): the account's bank details and payouts of a shop's available money to
-- them. The money itself moves in the ledger: `payout:<id>:created` (available → in_payout),
-- `payout:<id>:executed` (in_payout → platform acquirer_clearing: the money has left the platform) or
-- `payout:<id>:returned` (in_payout → available: the bank gave it back).

-- One set of bank details per merchant account; validated by the application (BIK, account keys, INN
-- check digits, KPP). The database checks only the shapes, as a last guard.
create table bank_details (
  account_id text primary key references accounts (id),
  bik text not null check (bik ~ '^\d{9}$'),
  settlement_account text not null check (settlement_account ~ '^\d{20}$'),
  correspondent_account text not null check (correspondent_account ~ '^\d{20}$'),
  inn text not null check (inn ~ '^(\d{10}|\d{12})$'),
  kpp text check (kpp ~ '^\d{4}[0-9A-Z]{2}\d{3}$'),
  recipient_name text not null check (length(recipient_name) between 1 and 160),
  updated_by text references users (id),
  updated_at timestamptz not null
);

-- A payout keeps the bank details it was sent to (a snapshot): later edits never change where money went.
create table payouts (
  id text primary key,
  account_id text not null references accounts (id),
  shop_id text not null references shops (id),
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null,
  status text not null check (status in ('created', 'sent', 'executed', 'returned')),
  bank_details jsonb not null,
  provider_reference text,
  requested_by text references users (id),
  created_at timestamptz not null,
  sent_at timestamptz,
  executed_at timestamptz,
  returned_at timestamptz,
  return_reason text,
  check ((status = 'executed') = (executed_at is not null)),
  check ((status = 'returned') = (returned_at is not null and return_reason is not null)),
  check (status = 'created' or status = 'returned' or sent_at is not null)
);

create index payouts_account_created_idx on payouts (account_id, created_at desc, id desc);
-- What the status check scans: payouts the bank has not answered about yet.
create index payouts_sent_idx on payouts (sent_at, id) where status = 'sent';
