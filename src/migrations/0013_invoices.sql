-- Payment links (src/modules/invoices): Robokassa's Invoice API (CreateInvoice, DeactivateInvoice,
-- GetInvoiceInformationList) and the cabinet's «Ссылки на оплату». A link's terms never change after it
-- is created; what happens to it afterwards lives in deactivated_at and in the payments it started.

create table invoices (
  id text primary key,
  -- The last segment of the link (/merchant/Invoice/<encoded_id>): unguessable, because whoever holds the
  -- link can see its amount and description.
  encoded_id text not null unique,
  shop_id text not null references shops (id),
  account_id text not null references accounts (id),
  -- The merchant's number (or one Kopek assigned). A one-time link's payment carries it; each payment of a
  -- reusable link gets its own. Null only for a reusable link created without one.
  inv_id bigint check (inv_id > 0),
  invoice_type text not null check (invoice_type in ('OneTime', 'Reusable')),
  source text not null check (source in ('api', 'cabinet')),
  is_test boolean not null,
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency in ('RUB', 'KZT', 'USD', 'EUR')),
  description text not null,
  merchant_comments text,
  culture text check (culture in ('ru', 'en')),
  email text,
  -- [name, value] pairs of shp_* parameters, passed to every payment of the link.
  user_fields jsonb not null default '[]',
  -- Robokassa's Receipt JSON built from InvoiceItems, passed to every payment of the link.
  receipt text,
  result_url2 text,
  success_url2 text,
  success_url2_method text check (success_url2_method in ('GET', 'POST')),
  fail_url2 text,
  fail_url2_method text check (fail_url2_method in ('GET', 'POST')),
  expires_at timestamptz,
  deactivated_at timestamptz,
  created_by text references users (id),
  created_at timestamptz not null
);
-- DeactivateInvoice may name a link by InvId, so a number names one link of its shop.
create unique index invoices_shop_inv_id_key on invoices (shop_id, inv_id);
create index invoices_account_created_idx on invoices (account_id, created_at desc, id);
create index invoices_shop_created_idx on invoices (shop_id, created_at, id);

-- Every payment a link started. A one-time link has at most one; a reusable link one per buyer.
create table invoice_payments (
  payment_id text primary key references payments (id),
  invoice_id text not null references invoices (id),
  created_at timestamptz not null
);
create index invoice_payments_invoice_idx on invoice_payments (invoice_id, created_at);
