-- KYC questionnaires (src/modules/kyc): one per account, the fields of its legal form as the
-- administrator entered them (jsonb: the set of fields differs by legal form and is checked by the
-- module before submission), the moderation status and the operator's reasons per field.
-- Status: draft -> submitted -> approved | rejected; a rejected questionnaire is edited and submitted again.
create table kyc_questionnaires (
  account_id text primary key references accounts (id),
  status text not null check (status in ('draft', 'submitted', 'approved', 'rejected')),
  fields jsonb not null default '{}'::jsonb,
  -- Field name -> the operator's reason; non-empty exactly when rejected.
  rejection_reasons jsonb not null default '{}'::jsonb,
  submitted_at timestamptz,
  decided_at timestamptz,
  decided_by_user_id text references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check ((status = 'rejected') = (rejection_reasons <> '{}'::jsonb)),
  check (status = 'draft' or submitted_at is not null)
);
create index kyc_questionnaires_queue_idx on kyc_questionnaires (status, submitted_at);

-- Scans of documents (passport, registration certificate...), kept in the database like support files:
-- type decided from the bytes (PDF, JPEG, PNG only), at most 5 MB each.
create table kyc_documents (
  id text primary key,
  account_id text not null references kyc_questionnaires (account_id),
  kind text not null check (kind in ('passport', 'registration_certificate', 'charter', 'other')),
  file_name text not null check (length(file_name) between 1 and 200),
  content_type text not null check (content_type in ('image/png', 'image/jpeg', 'application/pdf')),
  size_bytes integer not null check (size_bytes between 1 and 5242880),
  sha256 text not null,
  content bytea not null,
  created_at timestamptz not null
);
create index kyc_documents_account_idx on kyc_documents (account_id, created_at);
