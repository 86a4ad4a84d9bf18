-- The demo store: an example merchant site served at /demo-store outside production. It keeps its orders
-- here only for convenience; it talks to Kopek solely through the public protocol, as any shop would.
create table demo_store_orders (
  id bigserial primary key,
  product text not null,
  out_sum text not null,
  status text not null check (status in ('new', 'paid')),
  created_at timestamptz not null,
  paid_at timestamptz,
  payment_method text
);
