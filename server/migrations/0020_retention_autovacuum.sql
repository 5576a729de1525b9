-- Retention deletes from these tables (and the statistics rollups) every hour (docs/retention.md, "Space"). With the default
-- autovacuum thresholds (a fifth of the table dead), the space a daily share of a 30-day window frees
-- (a thirtieth) would wait about six days for a vacuum and the tables would carry that much bloat;
-- at 2 % a day's prune is enough to set autovacuum off, and the freed pages are reused the next day.
alter table events set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
alter table deliveries set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
alter table attempts set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
alter table stats_rollups set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
