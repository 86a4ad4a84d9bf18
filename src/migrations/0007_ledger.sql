-- The ledger: double-entry and append-only. Every movement of money is one transfer whose entries sum to
-- zero per currency (checked at commit by a deferred constraint trigger); nothing is updated or deleted
-- (refused by triggers); a mistake is corrected by a reversing transfer. Balances are sums of entries, so
-- no single balance row is updated by every payment.

create table ledger_accounts (
  id text primary key,
  owner_kind text not null check (owner_kind in ('shop', 'platform')),
  owner_id text,
  purpose text not null check (purpose in (
    'pending', 'available', 'on_hold', 'in_payout',
    'acquirer_clearing', 'fee_revenue', 'refunds', 'escrow')),
  currency text not null check (currency in ('RUB', 'KZT', 'USD', 'EUR')),
  created_at timestamptz not null,
  check ((owner_kind = 'platform') = (owner_id is null))
);

create table ledger_transfers (
  id text primary key,
  idempotency_key text not null unique,
  kind text not null,
  reference text,
  currency text not null,
  created_at timestamptz not null
);
create index ledger_transfers_reference_idx on ledger_transfers (reference);

create table ledger_entries (
  id bigserial primary key,
  transfer_id text not null references ledger_transfers (id),
  account_id text not null references ledger_accounts (id),
  -- Debit positive, credit negative.
  amount_minor bigint not null check (amount_minor <> 0),
  currency text not null,
  created_at timestamptz not null
);
create index ledger_entries_account_idx on ledger_entries (account_id, id);
create index ledger_entries_transfer_idx on ledger_entries (transfer_id);

create function ledger_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'the ledger is append-only: correct a transfer with a reversing transfer';
end;
$$;

create trigger ledger_entries_append_only before update or delete on ledger_entries
  for each row execute function ledger_refuse_change();
create trigger ledger_transfers_append_only before update or delete on ledger_transfers
  for each row execute function ledger_refuse_change();

create function ledger_check_balanced() returns trigger language plpgsql as $$
begin
  if exists (
    select 1 from ledger_entries where transfer_id = new.transfer_id
    group by currency having sum(amount_minor) <> 0
  ) then
    raise exception 'ledger transfer % does not balance', new.transfer_id;
  end if;
  return null;
end;
$$;

create constraint trigger ledger_entries_balanced after insert on ledger_entries
  deferrable initially deferred for each row execute function ledger_check_balanced();

-- Tariffs: what the platform takes per payment-method group. A shop's own tariff overrides the default
-- (shop_id null). Fee = percent of the amount (basis points, rounded half away from zero) + fixed, at
-- least the minimum.
create table tariffs (
  id text primary key,
  shop_id text references shops (id),
  method_group text not null,
  percent_basis_points integer not null check (percent_basis_points between 0 and 10000),
  fixed_minor bigint not null default 0 check (fixed_minor >= 0),
  minimum_minor bigint not null default 0 check (minimum_minor >= 0),
  created_at timestamptz not null
);
create unique index tariffs_scope_key on tariffs (coalesce(shop_id, ''), method_group);

insert into tariffs (id, shop_id, method_group, percent_basis_points, fixed_minor, minimum_minor, created_at)
values ('tar_default_bankcard', null, 'BankCard', 290, 0, 0, now());
