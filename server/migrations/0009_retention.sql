-- Retention (docs/retention.md). `retention_days` is the admin's override of HOOKPORT_RETENTION_DAYS for one
-- tenant (null: the server's default). Events whose deliveries have all finished are deleted, with their
-- deliveries and attempts, once older than the tenant's window.
alter table tenants add column retention_days integer check (retention_days between 1 and 3650);

-- When the event's content was expunged (DELETE /v1/events/{id}/content): its payload, request hash and the
-- response bodies of its attempts are gone; the event, its deliveries and attempts stay as a record.
alter table events add column expunged_at timestamptz;

-- No new index: the retention batch walks a tenant's events oldest first by id (UUIDv7, time-ordered) over
-- events_tenant and probes each event's deliveries over deliveries_event. An index on deliveries.status would
-- make every status change of a delivery a non-HOT update, on the hottest write path.
