-- Money a method's provider took that pays no payment (cash beyond the amount kept as an overpayment, a
-- second method paying a payment already paid, cash left on a terminal code that expired part paid) is the
-- buyer's, held by the platform until the operator returns it: a platform account of its own.
alter table ledger_accounts drop constraint ledger_accounts_purpose_check;
alter table ledger_accounts add constraint ledger_accounts_purpose_check check (purpose in (
  'pending', 'available', 'on_hold', 'in_payout',
  'acquirer_clearing', 'fee_revenue', 'refunds', 'escrow', 'overpayments'));
