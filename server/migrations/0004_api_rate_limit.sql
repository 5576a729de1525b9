-- The per-token API rate limit, shared by every API process on the database.
-- One row per caller: `subject` is an API token's id, or 'admin' for the admin token. `hits` counts
-- the requests accepted in the window that began at `window_start`; once the window has passed, the
-- next request starts a new one in the same row, so the table never holds more than one row per token.
-- Requests refused with a 429 are not counted (and change nothing here).
-- Unlogged: the count is worth nothing after a crash, and a table without WAL lets the one write per
-- request commit without waiting for a WAL flush or feeding replication. PostgreSQL empties it after
-- a crash (every window starts over) and standbys do not have it; neither matters for a rate limit.
create unlogged table api_rate_limits (
  subject text primary key,
  window_start timestamptz not null,
  hits integer not null check (hits > 0)
);
