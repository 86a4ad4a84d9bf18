-- Balance checkpoints: a balance is still derived from the entries, but from a checkpoint onwards
-- instead of from the first entry, so reading a busy shop's balance stays fast however long its history.
-- A checkpoint says "the entries of this account with id <= up_to_entry_id sum to balance_minor"; it is
-- written only by the checkpoint task (never by a payment), so it is no hot row.
--
-- The checkpoint must never miss an entry. Entry ids come from a sequence at insert time, but
-- transactions commit in any order: an entry with id 50 may still be uncommitted when id 51 is visible.
-- So every statement that inserts entries first takes a shared advisory lock (held to its commit), and
-- the checkpoint task reads its boundary (max(id)) under the exclusive lock: by then every transaction
-- that drew an id at or below the boundary has finished, and any later one draws a higher id.
create table ledger_checkpoints (
  account_id text primary key references ledger_accounts (id),
  up_to_entry_id bigint not null,
  balance_minor bigint not null,
  updated_at timestamptz not null
);

create function ledger_entries_take_writer_lock() returns trigger language plpgsql as $$
begin
  -- 7340002: the ledger writers' lock (7340001 is the migrations' lock).
  perform pg_advisory_xact_lock_shared(7340002);
  return null;
end;
$$;

create trigger ledger_entries_writer_lock before insert on ledger_entries
  for each statement execute function ledger_entries_take_writer_lock();

-- The sum (debit positive) of an account's entries with id <= p_entry_id: the checkpoint plus the
-- entries after it, or less the entries between the bound and the checkpoint when the bound is older.
create function ledger_balance_up_to(p_account_id text, p_entry_id bigint) returns bigint
language sql stable as $$
  with checkpoint as (
    select coalesce(max(up_to_entry_id), 0) as up_to, coalesce(max(balance_minor), 0) as balance
    from ledger_checkpoints where account_id = p_account_id
  )
  select (checkpoint.balance + case
    when p_entry_id >= checkpoint.up_to then coalesce((
      select sum(amount_minor) from ledger_entries
      where account_id = p_account_id and id > checkpoint.up_to and id <= p_entry_id), 0)
    else -coalesce((
      select sum(amount_minor) from ledger_entries
      where account_id = p_account_id and id > p_entry_id and id <= checkpoint.up_to), 0)
  end)::bigint
  from checkpoint
$$;

create function ledger_balance(p_account_id text) returns bigint
language sql stable as $$
  select ledger_balance_up_to(p_account_id, 9223372036854775807)
$$;
