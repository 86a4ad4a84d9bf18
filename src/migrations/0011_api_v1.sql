-- JSON API v1 (src/modules/api-v1): per-shop API keys and the answers remembered for Idempotency-Key.

-- A key belongs to one shop. The secret ("kpk_live_<random>") is shown once, at creation; only its
-- SHA-256 is kept. `prefix` (its first 8 characters after "kpk_live_") lets people tell keys apart.
create table api_keys (
  id text primary key,
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  name text not null check (length(name) between 1 and 100),
  prefix text not null,
  secret_hash text not null unique,
  created_by text references users (id),
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);

create index api_keys_shop_idx on api_keys (shop_id, created_at);

-- One row per (shop, Idempotency-Key): inserted (status_code null) before the request executes, so a
-- concurrent request with the same key finds it taken; completed with the answer afterwards.
create table idempotency_records (
  shop_id text not null references shops (id),
  key text not null,
  request_hash text not null,
  status_code integer,
  response_body jsonb,
  created_at timestamptz not null,
  primary key (shop_id, key)
);

create index idempotency_records_created_idx on idempotency_records (created_at);
