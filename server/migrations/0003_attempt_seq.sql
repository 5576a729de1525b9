-- A per-installation integer for every attempt, for surfaces whose delivery ids are numbers
-- (TSANet lists each attempt as a delivery with an int64 id). Existing rows get one too.
alter table attempts add column seq bigint generated always as identity;
