-- Balances: settlement of paid money from a shop's pending account to its available account
-- (src/modules/balances). The money itself moves in the ledger (transfer `payment:<id>:settled`); these
-- tables record which payments settlement has dealt with and how far it has looked.

-- One row per live payment that settlement has dealt with, written in the settlement's own transaction.
-- due_minor is what the payment's paid transfer credited to the shop's pending account; settled_minor is
-- what was moved: less when refunds had already taken the shop's pending below it, zero (and no transfer)
-- when pending held nothing. The row is what stops a payment from being looked at again, including a
-- payment with nothing left to move, which must never take a later payment's money early.
create table payment_settlements (
  payment_id text primary key references payments (id),
  shop_id text not null references shops (id),
  currency text not null,
  due_minor bigint not null check (due_minor >= 0),
  settled_minor bigint not null check (settled_minor >= 0 and settled_minor <= due_minor),
  transfer_id text references ledger_transfers (id),
  settled_at timestamptz not null,
  check ((transfer_id is null) = (settled_minor = 0))
);

-- How far settlement has looked: every live payment paid before scanned_before has its settlement row,
-- except one whose transaction was still open then (each run looks back a margin for those). One row,
-- moved forward at most once per run, so a run reads recent payments instead of the whole history.
create table settlement_progress (
  id boolean primary key default true check (id),
  scanned_before timestamptz not null,
  updated_at timestamptz not null
);

-- Live paid payments by the time they were paid: what settlement scans. Partial, so test and unpaid
-- payments cost it nothing.
create index payments_live_paid_at_idx on payments (paid_at, id) where not is_test and paid_at is not null;
