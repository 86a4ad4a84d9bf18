-- Support (src/modules/support): tickets with their threads (merchant posts, operator replies and
-- internal notes), attachments, and the merchants' feedback with the status the operator gave it.

-- revision grows with every change the merchant can see (a post, a status): the cabinet polls it to
-- refresh an open ticket page. Internal notes do not touch it. first_replied_at is the first operator
-- reply (not a note); resolved_at the last resolution (cleared when the ticket is reopened).
create table support_tickets (
  id text primary key,
  account_id text not null references accounts (id),
  author_user_id text not null references users (id),
  shop_id text references shops (id),
  payment_id text references payments (id),
  topic text not null check (topic in ('payments', 'refunds', 'payouts', 'integration', 'moderation',
    'documents', 'account', 'other')),
  subject text not null check (length(subject) between 1 and 200),
  status text not null check (status in ('open', 'waiting_for_merchant', 'resolved')),
  revision integer not null default 1 check (revision > 0),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  first_replied_at timestamptz,
  resolved_at timestamptz,
  check ((status = 'resolved') = (resolved_at is not null))
);
create index support_tickets_account_updated_idx on support_tickets (account_id, updated_at desc, id desc);
create index support_tickets_status_updated_idx on support_tickets (status, updated_at, id);

-- The thread, in the order posts were written (position: a clock may repeat a timestamp).
create table support_posts (
  id text primary key,
  position bigint generated always as identity,
  ticket_id text not null references support_tickets (id),
  account_id text not null references accounts (id),
  author_user_id text not null references users (id),
  author_kind text not null check (author_kind in ('merchant', 'operator')),
  -- An operator's internal note: never shown to the merchant.
  is_internal boolean not null default false check (not is_internal or author_kind = 'operator'),
  body text not null check (length(body) between 1 and 10000),
  created_at timestamptz not null
);
create index support_posts_ticket_idx on support_posts (ticket_id, position);

-- Files are kept in the database (bytea), in the transaction of their post: a refused or rolled-back
-- post leaves no file behind, every node sees every file, and a backup of the database is complete.
-- content_type is what Kopek detected from the bytes, never what the client claimed.
create table support_attachments (
  id text primary key,
  post_id text not null references support_posts (id),
  ticket_id text not null references support_tickets (id),
  account_id text not null references accounts (id),
  -- The file's place among its post's files, as the merchant chose them.
  position smallint not null check (position between 0 and 4),
  file_name text not null check (length(file_name) between 1 and 200),
  content_type text not null check (content_type in ('image/png', 'image/jpeg', 'application/pdf',
    'text/plain')),
  size_bytes integer not null check (size_bytes between 1 and 5242880),
  sha256 text not null,
  content bytea not null,
  created_at timestamptz not null
);
create unique index support_attachments_post_idx on support_attachments (post_id, position);
create index support_attachments_ticket_idx on support_attachments (ticket_id);

create table support_feedback (
  id text primary key,
  account_id text not null references accounts (id),
  author_user_id text not null references users (id),
  category text not null check (category in ('idea', 'problem', 'praise', 'other')),
  body text not null check (length(body) between 1 and 5000),
  rating smallint check (rating between 1 and 5),
  status text not null check (status in ('received', 'planned', 'done', 'declined')),
  -- The operator's last answer, also posted to the author's messages.
  answer text check (length(answer) <= 5000),
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index support_feedback_account_created_idx on support_feedback (account_id, created_at desc, id desc);
create index support_feedback_status_created_idx on support_feedback (status, created_at, id);
