-- Tariffs get a schedule (issue 8): every change is a new row with the moment it takes effect; rows are
-- never overwritten, so the table is the tariff history. The fee of a payment comes from the row of its
-- scope (the shop's own, else the default) with the latest effective_from at or before the payment time.
-- A change that has not started yet may be cancelled (cancelled_at); a cancelled row never applies.
-- The rows that existed before apply since always.
alter table tariffs add column effective_from timestamptz not null default '1970-01-01 00:00:00+00';
alter table tariffs alter column effective_from drop default;
alter table tariffs add column created_by text references users (id);
alter table tariffs add column cancelled_at timestamptz;
alter table tariffs add column cancelled_by text references users (id);
-- How many accounts the change was announced to (the notice job counts them as it posts).
alter table tariffs add column accounts_notified integer not null default 0;
alter table tariffs add column notified_at timestamptz;

-- One row per scope, group and start. The same index serves findTariff on the payment path: the scope
-- and group by equality, then a backward scan on effective_from from the payment time, one row.
drop index tariffs_scope_key;
create unique index tariffs_schedule_key on tariffs (coalesce(shop_id, ''), method_group, effective_from)
  where cancelled_at is null;

-- Promo codes get a usage limit (accounts registered with the code) and can be deactivated; both are
-- checked at registration. Deactivation keeps the discount of accounts that already have it.
alter table promo_codes add column usage_limit integer check (usage_limit is null or usage_limit > 0);
alter table promo_codes add column deactivated_at timestamptz;
alter table promo_codes add column created_by text references users (id);
-- Usage is counted from accounts, which the registration locks the code's row to insert.
create index accounts_promo_code_idx on accounts (promo_code) where promo_code is not null;
