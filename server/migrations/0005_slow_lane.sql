-- The delivery lane of an endpoint (docs/delivery.md, "Lanes"). Null: its jobs go to the main queue.
-- Set when the endpoint is saturated (every slot it may hold is taken by a request that has not
-- answered for a while): its jobs then go to the slow lane's queue, so the main queue's fetch does not
-- walk past a backlog it cannot claim. Cleared by a success once it is no longer saturated.
alter table endpoints add column slow_lane_since timestamptz;
