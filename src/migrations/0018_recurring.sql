-- Recurring payments and saved-card (CoF) payments (robokassa-protocol.md §7, §7.1).

-- Robokassa allows recurring payments "by agreement": an operator switches them on per shop. Without
-- it Recurring=true, /Merchant/Recurring and CoFPayment answer error 34.
alter table shops add column is_recurring_allowed boolean not null default false;

alter table payments
  -- Recurring=true: the parent of a chain; once paid, its card is saved (saved_cards).
  add column is_recurring boolean not null default false,
  -- A child charge from /Merchant/Recurring: the payment named by PreviousInvoiceID, whose card pays.
  add column previous_payment_id text references payments (id),
  -- A CoF payment: the earlier card operation named by Token (its OpKey), whose card the buyer pays with.
  add column cof_payment_id text references payments (id),
  add constraint payments_one_card_source check (previous_payment_id is null or cof_payment_id is null);
create index payments_previous_payment_idx on payments (previous_payment_id)
  where previous_payment_id is not null;

-- The vault's saved cards: a card a buyer agreed to be charged with again (a paid Recurring=true
-- payment or a paid child of one), bound to that payment and its shop. The number stays sealed in
-- card_vault; a child charge finds the card by the previous payment and the shop, never by anything else.
create table saved_cards (
  payment_id text primary key references payments (id),
  shop_id text not null references shops (id),
  card_token text not null references card_vault (token),
  created_at timestamptz not null
);
create index saved_cards_shop_idx on saved_cards (shop_id);
