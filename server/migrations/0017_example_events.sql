-- Example events (docs/delivery.md, "Example events"): an event sent by POST /v1/endpoints/{id}/send-example
-- carries one of its type's examples, to one endpoint, as a test send. Marked so that it can be told
-- apart from a published event when it is read back (and on the attempt log line). False for all others.
alter table events add column example boolean not null default false;
