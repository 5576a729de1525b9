-- Delivery statistics (docs/api.md, "Statistics"): one row per endpoint, event type and UTC minute of
-- the attempts' start, written by the delivery store in the transaction that records the attempts
-- (server/src/delivery/store.ts), so the stats routes read these rows and never scan attempts.
-- Minute rows add up exactly into hours and days: every column is a count, and `latency` counts the
-- attempts per fixed duration bucket (server/src/shared/latency-histogram.ts; the same 44 buckets in
-- every row, so arrays add element by element).
create table stats_rollups (
  -- The tenant is the endpoint's; it leads the key so both reads (one endpoint, the whole tenant) are
  -- index ranges. Only the endpoint is a foreign key: its cascade also follows a deleted tenant.
  tenant_id uuid not null,
  endpoint_id uuid not null references endpoints (id) on delete cascade,
  event_type text not null,
  minute timestamptz not null,
  -- Attempts made, and by the class of their answer (`status_error`: no HTTP answer at all).
  attempts integer not null,
  status_2xx integer not null,
  status_3xx integer not null,
  status_4xx integer not null,
  status_5xx integer not null,
  status_error integer not null,
  -- What each attempt did to its delivery: another attempt scheduled, or the delivery's final outcome.
  retried integer not null,
  succeeded integer not null,
  failed integer not null,
  latency integer[] not null,
  primary key (tenant_id, endpoint_id, minute, event_type)
);
create index stats_rollups_tenant on stats_rollups (tenant_id, minute);
