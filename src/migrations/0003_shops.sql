-- Shops and their technical settings. Passwords #1-#3 and the test passwords must be recoverable to
-- compute signatures, so they are sealed with the master key (AES-256-GCM), never hashed.

create table shops (
  id text primary key,
  account_id text not null references accounts (id),
  name text not null,
  site_url text not null,
  description text not null default '',
  merchant_login text not null,
  status text not null check (status in ('test', 'moderation', 'active', 'rejected')),
  rejection_reason text,
  hash_algorithm text not null check (hash_algorithm in ('MD5', 'RIPEMD160', 'SHA1', 'SHA256', 'SHA384', 'SHA512')),
  password1_sealed text not null,
  password2_sealed text not null,
  password3_sealed text not null,
  test_password1_sealed text not null,
  test_password2_sealed text not null,
  result_url text,
  result_method text not null check (result_method in ('GET', 'POST')),
  success_url text,
  success_method text not null check (success_method in ('GET', 'POST')),
  fail_url text,
  fail_method text not null check (fail_method in ('GET', 'POST')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  submitted_at timestamptz,
  reviewed_at timestamptz
);
create unique index shops_merchant_login_key on shops (lower(merchant_login));
create index shops_account_idx on shops (account_id, created_at);
create index shops_status_idx on shops (status, submitted_at);
