-- The W3C traceparent of the span that published the event (docs/tracing.md), written only while
-- tracing is on: each delivery attempt, however late, joins the publish's trace through it and sends
-- the receiver a traceparent of its own. Null when tracing was off at publish.
alter table events add column traceparent text;
