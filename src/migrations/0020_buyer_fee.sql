-- Who pays the platform's fee, and the operator's switch for holds (issue 4).

-- A shop may let the buyer pay the fee: the buyer is charged OutSum plus the fee, so the shop receives
-- exactly OutSum (src/modules/tariffs, grossForNet). The merchant switches it in the shop's settings.
alter table shops add column is_buyer_fee boolean not null default false;

-- Robokassa allows holds (StepByStep) "by prior agreement only": an operator switches them on per shop.
-- Without it StepByStep=true is refused with error 64. Shops that exist when this migration runs could
-- already take holds, so they keep them; new shops start without.
alter table shops add column is_hold_allowed boolean not null default false;
update shops set is_hold_allowed = true;

-- The part of fee_minor the buyer paid on top of amount_minor (null: the shop paid the whole fee). It is
-- computed once, when the card attempt is opened, and the acquirer is asked for amount_minor plus it.
alter table payments
  add column buyer_fee_minor bigint check (buyer_fee_minor >= 0);
