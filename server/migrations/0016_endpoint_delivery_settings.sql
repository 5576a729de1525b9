-- Per-endpoint delivery settings (docs/delivery.md, "Per-endpoint delivery settings"): a retry schedule
-- (a JSON array of seconds between attempts) and an attempt timeout in milliseconds, each overriding the
-- endpoint's profile on that endpoint only. Null (the default) keeps the profile's. Validated and bounded
-- by the API; read with the attempt context (store-sql.ts loadContexts), one row per delivery as before.
alter table endpoints add column retry_schedule jsonb;
alter table endpoints add column timeout_ms integer;

-- Example events (docs/delivery.md, "Example events"): up to 5 example `data` payloads of an event type,
-- validated against its schema by the API. Null (the default) for none.
alter table event_types add column examples jsonb;
