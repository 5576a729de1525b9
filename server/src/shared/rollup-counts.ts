/**
 * The counts of one statistics rollup row (table `stats_rollups`), as the store writes them
 * (delivery/rollups.ts) and as core's reads sum them per bucket (core/stats.ts): one shape, so a
 * column added to the rollups is added to both sides at once.
 */
export interface RollupCounts {
  attempts: number;
  status_2xx: number;
  status_3xx: number;
  status_4xx: number;
  status_5xx: number;
  status_error: number;
  retried: number;
  succeeded: number;
  failed: number;
  /** The latency histogram over shared/latency-histogram.ts's fixed bounds. */
  latency: number[];
}
