-- Webhooks (src/modules/webhooks): a shop's endpoints, the events raised by payment and refund state
-- changes, one delivery per (event, endpoint), and every attempt of each delivery.

-- The signing secret ("whsec_<random>") must be recovered to sign each delivery, so it is sealed with the
-- master key (AES-256-GCM), like shop passwords, never hashed. After a rotation the previous secret
-- keeps signing alongside the new one until previous_secret_expires_at, so receivers can switch calmly.
-- Endpoints are deleted softly: their deliveries stay visible.
create table webhook_endpoints (
  id text primary key,
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  url text not null check (length(url) between 1 and 2000),
  events text[] not null check (cardinality(events) >= 1),
  description text not null default '' check (length(description) <= 200),
  is_enabled boolean not null default true,
  secret_sealed text not null,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz
);

create index webhook_endpoints_shop_idx on webhook_endpoints (shop_id, created_at) where deleted_at is null;

-- An event is written in the transaction of the state change that raised it, with the JSON body exactly
-- as every delivery sends it (signatures are computed over these bytes).
create table webhook_events (
  id text primary key,
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  type text not null,
  subject_id text not null,
  body text not null,
  created_at timestamptz not null
);

create table webhook_deliveries (
  id text primary key,
  event_id text not null references webhook_events (id),
  endpoint_id text not null references webhook_endpoints (id),
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  status text not null check (status in ('pending', 'delivered', 'failed')),
  attempt_count integer not null default 0,
  -- The schedule slot the next attempt was made for; null while an attempt is running or none is due.
  next_attempt_at timestamptz,
  created_at timestamptz not null,
  delivered_at timestamptz
);

create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at desc, id);
create index webhook_deliveries_event_idx on webhook_deliveries (event_id);

create table webhook_attempts (
  id bigserial primary key,
  delivery_id text not null references webhook_deliveries (id),
  started_at timestamptz not null,
  duration_ms integer not null,
  request_line text not null,
  response_status integer,
  response_excerpt text,
  error text,
  is_success boolean not null
);

create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, id);
