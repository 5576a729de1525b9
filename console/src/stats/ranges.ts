import type { StatsBucket } from '@hookport/sdk';

/** The ranges the statistics picker offers: each is one API call with a bucket that keeps it ≤ 60 points or so. */
export type RangeKey = 'hour' | 'day' | 'month';

export interface StatsRange {
  key: RangeKey;
  label: string;
  bucket: StatsBucket;
  /** How far back from now the range starts. */
  spanMs: number;
}

const HOUR = 3600_000;

/** The default range, and the one the endpoints list's sparklines use. */
export const LAST_DAY: StatsRange = { key: 'day', label: 'Last 24 hours (by hour)', bucket: 'hour', spanMs: 24 * HOUR };

export const RANGES: readonly StatsRange[] = [
  { key: 'hour', label: 'Last hour (by minute)', bucket: 'minute', spanMs: HOUR },
  LAST_DAY,
  { key: 'month', label: 'Last 30 days (by day)', bucket: 'day', spanMs: 30 * 24 * HOUR },
];

export function rangeOf(key: RangeKey): StatsRange {
  return RANGES.find((r) => r.key === key) ?? LAST_DAY;
}

/**
 * The query for a range ending now. `until` is left to the server (its "now"), so a skewed browser clock
 * cannot ask for the future; `since` is rounded down by the server to its bucket's start.
 */
export function rangeQuery(range: StatsRange, now: number): { since: string; bucket: StatsBucket } {
  return { since: new Date(now - range.spanMs).toISOString(), bucket: range.bucket };
}

/** A ratio as a percentage with one decimal, or an em dash when no delivery ended. */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(1)} %`;
}

export function formatMs(ms: number | null): string {
  return ms === null ? '—' : `${ms} ms`;
}
