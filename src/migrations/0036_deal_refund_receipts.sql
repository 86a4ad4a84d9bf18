-- A safe deal's money returned to the buyer is a refund of the whole payment that is not a row of
-- `refunds` (escrow pays it back, src/modules/deals): its 'sell_refund' receipt has no refund_id.
-- Payment receipts ('sell') still never have one.
alter table fiscal_receipts drop constraint fiscal_receipts_check;
alter table fiscal_receipts add constraint fiscal_receipts_check check (kind = 'sell_refund' or refund_id is null);
