-- Operational events (docs/delivery.md, "Operational events"): what the engine needs to publish
-- endpoint.failing once per crossing, endpoint.recovered once after it, and delivery.exhausted at most
-- once an hour per endpoint without losing a count.

-- The highest failing notice sent in the endpoint's current failing spell: 0 (none), 50 or 90 (percent of
-- its disable threshold). Set with the endpoint.failing event; back to 0 with the endpoint.recovered
-- event, at the first success after it.
alter table endpoints add column failing_level smallint not null default 0;

-- One row per endpoint that ever had a delivery exhausted (failed for good). `exhausted_notice_at` is the
-- time of the last delivery.exhausted event about it, `exhausted_notice_count` that event's count and
-- `exhausted_previous_at` the notice before it (the start of the window the count covers);
-- `exhausted_pending` counts the deliveries exhausted since that event, which the next one carries.
create table endpoint_notices (
  endpoint_id uuid primary key references endpoints (id) on delete cascade,
  exhausted_notice_at timestamptz not null,
  exhausted_notice_count integer not null,
  exhausted_previous_at timestamptz,
  exhausted_pending integer not null default 0
);
