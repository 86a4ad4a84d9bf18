-- Broadcasts: news and announcements from the operator to all merchants or selected ones. The row is
-- the operator's record; a job posts one message per account (idempotent per broadcast and account), and
-- the messages module mails the people subscribed to the category.
create table broadcasts (
  id text primary key,
  category text not null check (category in ('news', 'payment_changes')),
  title_ru text not null,
  title_en text not null,
  body_ru text not null,
  body_en text not null,
  -- null: every account; otherwise the chosen accounts' ids.
  account_ids text[],
  status text not null check (status in ('sending', 'sent')),
  accounts_total integer not null,
  accounts_done integer not null default 0,
  mails_enqueued integer not null default 0,
  created_by text not null references users (id),
  created_at timestamptz not null,
  finished_at timestamptz
);
create index broadcasts_created_idx on broadcasts (created_at desc);
