-- Merchant accounts, their people, sessions and e-mailed links; promo codes from registration.

create table promo_codes (
  code text primary key,
  description text not null,
  fee_discount_percent integer not null default 0 check (fee_discount_percent between 0 and 100),
  discount_days integer not null default 0 check (discount_days >= 0),
  valid_until timestamptz,
  created_at timestamptz not null
);

create table accounts (
  id text primary key,
  login text not null,
  country text not null check (country in ('RU', 'KZ')),
  currency text not null check (currency in ('RUB', 'KZT', 'USD', 'EUR')),
  document_flow text not null check (document_flow in ('edo', 'paper')),
  legal_form text not null check (legal_form in ('legal_entity', 'sole_proprietor', 'individual')),
  status text not null check (status in ('awaiting_confirmation', 'active', 'blocked')),
  promo_code text references promo_codes (code),
  language text not null check (language in ('ru', 'en')),
  created_at timestamptz not null,
  confirmed_at timestamptz
);
create unique index accounts_login_key on accounts (lower(login));

-- Operator staff are users without an account (role 'operator'); merchant people belong to one account.
create table users (
  id text primary key,
  account_id text references accounts (id),
  login text not null,
  email text not null,
  role text not null check (role in ('administrator', 'accountant', 'developer', 'viewer', 'operator')),
  status text not null check (status in ('invited', 'active', 'disabled')),
  password_hash text,
  language text not null check (language in ('ru', 'en')),
  failed_sign_ins integer not null default 0,
  locked_until timestamptz,
  totp_secret_sealed text,
  totp_enabled_at timestamptz,
  created_at timestamptz not null,
  password_changed_at timestamptz,
  check ((role = 'operator') = (account_id is null))
);
create unique index users_email_key on users (lower(email));
create unique index users_account_login_key on users (account_id, lower(login)) where account_id is not null;
create unique index users_operator_login_key on users (lower(login)) where account_id is null;

create table recovery_codes (
  user_id text not null references users (id),
  code_hash text not null,
  used_at timestamptz,
  primary key (user_id, code_hash)
);

-- Single-use links sent by e-mail; only the hash of the token is stored.
create table email_links (
  token_hash text primary key,
  user_id text not null references users (id),
  purpose text not null check (purpose in ('confirm_registration', 'reset_password', 'accept_invitation')),
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null
);
create index email_links_user_idx on email_links (user_id, purpose);

create table sessions (
  id_hash text primary key,
  user_id text not null references users (id),
  ip text,
  user_agent text,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_user_idx on sessions (user_id) where revoked_at is null;
