-- Fiscal receipts, second part (src/modules/fiscal, issue 6).
--
-- A payment keeps its Receipt as read at the start (protocol.parseReceipt's normalized form, amounts in
-- kopecks as digit strings), so the receipt made when it is paid never reads the merchant's text again;
-- and whether it came with IsWithoutFreeSale=true (no free-sale receipt: the merchant registers one).
alter table payments
  add column receipt_parsed jsonb,
  add column is_without_free_sale boolean not null default false;

-- The second (final) receipt of a prepayment, registered by Robokassa's Receipt/Attach: its own number
-- (the payload's `id`), unique per shop, so Receipt/Status finds it and a repeated Attach answers the
-- first one. Null for every other receipt.
alter table fiscal_receipts
  add column second_receipt_id bigint check (second_receipt_id is null or second_receipt_id > 0);

create unique index fiscal_receipts_second_receipt_idx
  on fiscal_receipts (shop_id, second_receipt_id) where second_receipt_id is not null;

-- The buyer's e-mail with the fiscal data is enqueued in the transaction that records 'done'; this
-- marks it, so a receipt is never mailed twice.
alter table fiscal_receipts
  add column buyer_mailed_at timestamptz;

-- ATOL register data for sales analytics: receipts of the shop's own (offline) ATOL registers. A shop
-- gets a secret callback URL to set as ATOL's callback_url (only the token's SHA-256 is kept), and may
-- upload CSV or JSON exports. A fiscal document is identified by its FN serial and document number, so
-- a document that arrives twice (callback and file, or two files) is recognised and kept once.
create table fiscal_import_endpoints (
  shop_id text primary key references shops (id),
  account_id text not null references accounts (id),
  token_hash text not null unique,
  created_at timestamptz not null
);

create table imported_receipts (
  id text primary key,
  account_id text not null references accounts (id),
  shop_id text not null references shops (id),
  source text not null check (source in ('callback', 'file')),
  fn_number text not null,
  fiscal_document_number bigint not null check (fiscal_document_number > 0),
  fiscal_document_attribute bigint,
  -- Null when the source does not say (ATOL's report carries no operation).
  operation text check (operation in ('sell', 'sell_refund', 'buy', 'buy_refund')),
  receipt_at timestamptz not null,
  total_minor bigint not null check (total_minor >= 0),
  cash_minor bigint check (cash_minor >= 0),
  electronic_minor bigint check (electronic_minor >= 0),
  created_at timestamptz not null,
  unique (shop_id, fn_number, fiscal_document_number)
);

create index imported_receipts_account_idx on imported_receipts (account_id, shop_id, receipt_at desc);
