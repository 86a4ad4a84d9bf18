-- Messages (src/modules/messages): what the platform told an account, read state per user, e-mail
-- subscriptions per user and category, and the days whose payment digest is done. Also extra headers on
-- outgoing mail (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058).

alter table mail_messages add column headers jsonb;

-- Title and body are kept in both languages, so every person reads a message in the language they have
-- chosen, even when it changes later. search_text is the lower-cased text of all four (ё folded to е),
-- searched with LIKE '%...%': substrings of numbers and logins match, and it does not depend on the
-- database's locale (a C-locale database would not fold Cyrillic case in ILIKE).
create table messages (
  id text primary key,
  account_id text not null references accounts (id),
  -- null: for every person of the account whose role may see the category; else for this person only.
  user_id text references users (id),
  category text not null check (category in ('payments', 'refunds', 'payouts', 'documents',
    'payment_changes', 'news', 'security', 'moderation', 'support')),
  title_ru text not null check (length(title_ru) between 1 and 200),
  title_en text not null check (length(title_en) between 1 and 200),
  body_ru text not null check (length(body_ru) <= 10000),
  body_en text not null check (length(body_en) <= 10000),
  -- A path inside the cabinet (an operation, a shop); never an outside address.
  link text check (link like '/cabinet/%'),
  search_text text not null,
  -- Callers that may run twice (jobs, the digest) pass a key; the second insert is a no-op.
  dedup_key text unique,
  created_at timestamptz not null
);
create index messages_account_created_idx on messages (account_id, created_at desc, id desc);

create table message_reads (
  user_id text not null references users (id),
  message_id text not null references messages (id),
  read_at timestamptz not null,
  primary key (user_id, message_id)
);

-- A missing row means the category's default (src/modules/messages/message.categories.ts).
create table message_subscriptions (
  user_id text not null references users (id),
  category text not null check (category in ('payments', 'refunds', 'payouts', 'documents',
    'payment_changes', 'news', 'security', 'moderation', 'support')),
  delivery text not null check (delivery in ('immediate', 'digest', 'off')),
  updated_at timestamptz not null,
  primary key (user_id, category),
  check (delivery <> 'digest' or category = 'payments'),
  check (category <> 'security' or delivery = 'immediate')
);

-- A Moscow day whose payment digest reached every account; later runs skip it.
create table message_digest_days (
  day date primary key,
  finished_at timestamptz not null
);
