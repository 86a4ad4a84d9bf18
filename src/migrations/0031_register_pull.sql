-- Register receipts may also be pulled from ATOL by document id (the merchant names the uuids).
alter table imported_receipts drop constraint imported_receipts_source_check;
alter table imported_receipts add constraint imported_receipts_source_check
  check (source in ('callback', 'file', 'pull'));
