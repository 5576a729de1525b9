-- Ordered delivery (docs/delivery.md, "Ordered delivery"): an endpoint with ordering 'fifo' gets its
-- deliveries one at a time in publish order. Its deliveries wait behind the one in flight as `blocked`
-- pending rows without a job; the transaction that finishes the head (success, exhaustion, operator skip,
-- expunge) unblocks the next one and queues its job, under the endpoint's row lock (store-order.ts).
-- `fifo_head` is the delivery last released, so "is one in flight?" is a primary-key lookup.
alter table endpoints add column ordering text not null default 'unordered'
  check (ordering in ('fifo', 'unordered'));
alter table endpoints add column fifo_head uuid;
alter table deliveries add column blocked boolean not null default false;
-- A fifo endpoint's deliveries' place in line, taken from one sequence when each is stored: the order
-- of the inserts, so of the publishes, whichever process made the id (UUIDv7 ids come from each
-- process's clock). Null for deliveries stored while their endpoint was unordered.
create sequence deliveries_fifo_seq;
alter table deliveries add column fifo_seq bigint;
-- Only waiting fifo deliveries are in it: unordered endpoints never write to it.
create index deliveries_waiting on deliveries (endpoint_id, fifo_seq) where blocked;
