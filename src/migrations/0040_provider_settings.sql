-- Provider settings (issue 8): the operator switches a method provider off during its outage or
-- maintenance, and on again, always with a reason. A provider without a row is on. While a provider is
-- off, checkout and GetCurrencies leave its methods out and a new attempt with it is refused; attempts
-- already open and the provider's callbacks go on as before, so money already moving still lands.
-- Every change is also written to audit_log (provider.disabled / provider.enabled).
create table provider_settings (
  -- The provider's stable name (MethodProvider.name), as method_attempts.provider has it.
  provider text primary key,
  is_enabled boolean not null,
  -- Why the operator switched it (the outage, the maintenance window, the provider's letter).
  reason text not null check (length(btrim(reason)) between 1 and 500),
  changed_by text references users (id),
  changed_at timestamptz not null
);
