-- Payload filters (docs/delivery.md, "Payload filters"): a JSON document of operators that an event's
-- {type, data} must match for the endpoint to get a delivery of it. Null (the default) delivers every event
-- of the types the endpoint selects. Validated and bounded by the API; evaluated in the server at publish
-- time, read with the targets of the event in the same statement.
alter table endpoints add column filter jsonb;
