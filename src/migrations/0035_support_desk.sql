-- The support desk, completed (issue 8): canned answers, tickets assigned to an agent, and the
-- "under review" status of merchants' feedback.

-- Canned answers: texts the desk inserts into a reply and edits before sending. A body in Russian, in
-- English or both; the desk picks the one in the ticket author's language. category is a ticket topic:
-- answers of the ticket's topic are offered first. Titles are unique (case-insensitive) so the picker
-- never shows two look-alikes.
create table support_canned_answers (
  id text primary key,
  title text not null check (length(title) between 1 and 200),
  body_ru text check (length(body_ru) between 1 and 10000),
  body_en text check (length(body_en) between 1 and 10000),
  category text check (category in ('payments', 'refunds', 'payouts', 'integration', 'moderation',
    'documents', 'account', 'other')),
  created_by text not null references users (id),
  updated_by text not null references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (body_ru is not null or body_en is not null)
);
create unique index support_canned_answers_title_key on support_canned_answers (lower(title));

-- The agent who handles a ticket (an operator's person); null while nobody took it. The merchant never
-- sees it, so assigning changes neither updated_at (the queue's waiting clock) nor the revision.
alter table support_tickets add column assignee_user_id text references users (id);
create index support_tickets_assignee_idx on support_tickets (assignee_user_id, status, updated_at, id)
  where assignee_user_id is not null;

alter table support_feedback drop constraint support_feedback_status_check;
alter table support_feedback add constraint support_feedback_status_check
  check (status in ('received', 'under_review', 'planned', 'done', 'declined'));
