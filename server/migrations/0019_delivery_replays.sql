-- Bulk replays (POST /v1/deliveries/replay, docs/delivery.md "Bulk replay"): one row per request, holding its
-- selection (the filters, with `until` frozen at the request's start), how far its batches walked (`walked_to`,
-- the last delivery id looked at, updated in each batch's own transaction) and its counts so far. A request
-- with an Idempotency-Key finds its row again for 24 h: a finished one gives the first answer, an unfinished
-- one (a crash, a concurrent repeat) goes on from `walked_to`, so no delivery is queued twice by one key.
-- Rows older than 24 h are deleted by the tenant's next replay.
create table delivery_replays (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  idempotency_key text,
  request_hash text not null,
  selection jsonb not null,
  dry_run boolean not null,
  walked_to uuid,
  matched integer not null default 0,
  queued integer not null default 0,
  skipped integer not null default 0,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create unique index delivery_replays_key on delivery_replays (tenant_id, idempotency_key)
  where idempotency_key is not null;
create index delivery_replays_tenant on delivery_replays (tenant_id, created_at);
