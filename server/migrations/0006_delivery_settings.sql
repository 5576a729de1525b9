-- The delivery-relevant settings of the API process that started last (role api or all): egress
-- allowlist, retry schedule, attempt timeout, disable thresholds, per-endpoint cap. A worker compares its own with them
-- at start and refuses to run when they differ, since a worker with other settings silently delivers
-- differently (docs/configuration.md, "Settings every process must share"). One row.
create table delivery_settings (
  id boolean primary key default true check (id),
  settings jsonb not null,
  recorded_by text not null,
  recorded_at timestamptz not null default now()
);
