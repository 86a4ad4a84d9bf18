-- A TOTP code may be used once (RFC 6238 §5.2): remember the last accepted time step per user.
alter table users add column totp_last_step bigint;
