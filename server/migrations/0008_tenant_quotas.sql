-- Per-tenant quotas (docs/api.md, "Quotas"). `quotas` holds the admin's overrides only: a key absent
-- follows the server's default (HOOKPORT_MAX_*), a number is the tenant's own limit, the string
-- "unlimited" lifts the limit for this tenant.
alter table tenants add column quotas jsonb not null default '{}';

-- Events published per tenant per UTC day, counted only while a daily limit applies to the tenant.
-- `day_limit` is the limit in force at the last count: the conditional upsert that counts compares
-- with it, so a refused publish changes nothing. Days before yesterday are deleted as the tenant publishes.
create table tenant_event_days (
  tenant_id uuid not null references tenants (id) on delete cascade,
  day date not null,
  count bigint not null,
  day_limit bigint not null,
  primary key (tenant_id, day)
);
