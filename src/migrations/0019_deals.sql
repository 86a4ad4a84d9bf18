-- Safe deals (src/modules/deals): the buyer pays, the money waits in the platform's escrow account, and
-- it goes to the shop when the buyer confirms receipt or the deadline passes, or back to the buyer when
-- the deal is cancelled or an operator decides a dispute for the buyer.

create table deals (
  id text primary key,
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  source text not null check (source in ('api', 'cabinet')),
  is_test boolean not null,
  status text not null
    check (status in ('created', 'paid', 'released', 'cancelled', 'refunded', 'disputed')),
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency in ('RUB', 'KZT', 'USD', 'EUR')),
  description text not null,
  buyer_email text not null,
  -- The language of the buyer's page and e-mails.
  language text not null check (language in ('ru', 'en')),
  -- Days from payment to the automatic release.
  deadline_days integer not null check (deadline_days between 1 and 180),
  -- SHA-256 of the buyer's link secret. The link is mailed to the buyer only: whoever holds it may
  -- confirm receipt, which releases the money, so the seller must never learn it.
  secret_hash text not null unique,
  payment_id text unique references payments (id),
  paid_at timestamptz,
  release_at timestamptz,
  dispute_text text,
  disputed_at timestamptz,
  -- How a final status was reached.
  resolution text check (resolution in (
    'buyer_confirmed', 'deadline', 'cancelled_by_merchant', 'decided_for_seller', 'decided_for_buyer')),
  -- The operator who decided a dispute, or the cabinet user who cancelled.
  resolved_by text references users (id),
  resolution_note text,
  resolved_at timestamptz,
  created_by text references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- Only a deal that was never paid is 'created' or 'cancelled'; a paid one has its release time.
  check ((paid_at is null) = (status in ('created', 'cancelled'))),
  check (paid_at is null or release_at is not null)
);
create index deals_account_created_idx on deals (account_id, created_at desc, id);
create index deals_shop_created_idx on deals (shop_id, created_at desc, id);
-- The deadline sweep reads only paid deals that are due.
create index deals_release_due_idx on deals (release_at) where status = 'paid';
create index deals_disputed_idx on deals (disputed_at) where status = 'disputed';

-- A deal's payment is paid into escrow instead of the shop's pending account (payments/payment-completion).
alter table payments add column is_escrow boolean not null default false;
