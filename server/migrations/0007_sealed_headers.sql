-- Custom header values are where receivers' credentials go (Authorization, X-API-Key): they are sealed at
-- rest like endpoint secrets. headers_enc holds the JSON of the whole map sealed by SecretBox under
-- HOOKPORT_SECRET_KEY (core/crypto.ts), or null for no custom headers (most endpoints: nothing to open
-- per attempt).
--
-- Sealing needs the key, which SQL does not have: the clear column is kept under a name that says what it
-- is, and every start seals what it still holds into headers_enc and empties it in the same statement
-- (startup/seal-headers.ts, after the migrations and the key check; idempotent). New writes never use it.
-- A later migration may drop it once every installation has started on this one.
alter table endpoints add column headers_enc text;
alter table endpoints rename column headers to headers_clear;
