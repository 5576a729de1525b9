-- Events, the deliveries they fan out to, and every attempt of each delivery.

create table events (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  type text not null,
  data jsonb not null,
  -- Idempotency-Key and the SHA-256 of the request it came with (same key, other body: 409).
  idempotency_key text,
  request_hash text,
  delivery_count integer not null,
  created_at timestamptz not null default now()
);
create unique index events_idempotency on events (tenant_id, idempotency_key) where idempotency_key is not null;
create index events_tenant on events (tenant_id, id desc);

-- status: pending (a job will attempt it), held (endpoint paused; queued again on resume),
-- succeeded, failed (attempts exhausted or not retryable), skipped (endpoint disabled; recover replays it).
create table deliveries (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  event_id uuid not null references events (id) on delete cascade,
  endpoint_id uuid not null references endpoints (id) on delete cascade,
  event_type text not null,
  status text not null check (status in ('pending', 'held', 'succeeded', 'failed', 'skipped')),
  attempt_count integer not null default 0,
  next_attempt_at timestamptz,
  last_http_status integer,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index deliveries_tenant on deliveries (tenant_id, id desc);
create index deliveries_endpoint on deliveries (endpoint_id, id desc);
create index deliveries_event on deliveries (event_id);

create table attempts (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  delivery_id uuid not null references deliveries (id) on delete cascade,
  number integer not null,
  started_at timestamptz not null,
  duration_ms integer not null,
  http_status integer,
  -- null when the attempt succeeded; otherwise why it failed.
  error_kind text check (error_kind in
    ('timeout', 'connection', 'dns', 'tls', 'egress_blocked', 'response_too_large', 'http_status')),
  error_message text,
  response_excerpt text,
  response_truncated boolean not null default false,
  next_attempt_at timestamptz,
  unique (delivery_id, number)
);

-- Health of an endpoint, to disable one that has been failing for too long.
alter table endpoints
  add column consecutive_failures integer not null default 0,
  add column failing_since timestamptz;

-- One-second windows counting requests per rate-limited endpoint, shared by every worker process.
create table rate_windows (
  endpoint_id uuid not null references endpoints (id) on delete cascade,
  window_start timestamptz not null,
  count integer not null,
  primary key (endpoint_id, window_start)
);
