-- Refunds: money of a paid payment returned to the buyer, requested from the cabinet or through
-- Robokassa's Refund API. The sandbox acquirer refunds at once ('finished'); 'processing' and 'canceled'
-- are for acquirers that answer later. The sum of a payment's refunds that are not canceled never
-- exceeds its amount: refunds of one payment are serialised by locking the payment row.
create table refunds (
  id text primary key,
  payment_id text not null references payments (id),
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency in ('RUB', 'KZT', 'USD', 'EUR')),
  status text not null check (status in ('processing', 'finished', 'canceled')),
  source text not null check (source in ('cabinet', 'refund_api')),
  -- The Refund API's requestId (GetState?id=...); every refund has one, so any refund can be asked about.
  request_id uuid not null unique,
  requested_by text references users (id),
  -- InvoiceItems exactly as the Refund API received them (for the refund receipt); null when none were sent.
  items jsonb,
  created_at timestamptz not null,
  finished_at timestamptz,
  check ((status = 'finished') = (finished_at is not null))
);
create index refunds_payment_idx on refunds (payment_id, created_at, id);
