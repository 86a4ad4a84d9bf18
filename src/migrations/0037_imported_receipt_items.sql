-- The lines of an imported register receipt, when the export carried them (register-import.parse.ts):
-- [{ "name", "quantityThousandths", "sumMinor" }] with amounts as decimal strings. They feed the revenue
-- by item beside the lines of paid payments' Receipts.
alter table imported_receipts add column items jsonb;
