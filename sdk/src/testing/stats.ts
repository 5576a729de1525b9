import type { DeliveryStats, StatsBucket, StatsCounts } from '../types.ts';
import { MockProblem } from './problems.ts';

/**
 * The statistics routes in the mock: the mock makes no attempts, so every bucket is empty, but the range
 * is resolved and checked as the server does (docs/api.md, "Statistics"): since and until default to the
 * last 24 hours, since is rounded down to its UTC bucket, at most 1,440 buckets, since before until.
 */

const widthMs: Record<StatsBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const maxBuckets = 1440;

const invalid = (message: string) =>
  new MockProblem('validation_failed', `The request query is not valid: since: ${message}.`, [
    { path: 'since', message, code: 'custom' },
  ]);

const emptyCounts = (): StatsCounts => ({
  deliveries: { succeeded: 0, failed: 0 },
  attempts: { total: 0, retried: 0, byStatusClass: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, error: 0 } },
  successRatio: null,
  latencyMs: { p50: null, p95: null, p99: null },
});

export function emptyStats(query: Record<string, unknown>, now = new Date()): DeliveryStats {
  const bucket = (typeof query.bucket === 'string' ? query.bucket : 'hour') as StatsBucket;
  const until = typeof query.until === 'string' ? new Date(query.until) : now;
  const since = typeof query.since === 'string' ? new Date(query.since) : new Date(until.getTime() - 86_400_000);
  if (since.getTime() >= until.getTime()) throw invalid('must be before until');
  const width = widthMs[bucket];
  const from = Math.floor(since.getTime() / width) * width;
  const count = Math.ceil((until.getTime() - from) / width);
  if (count > maxBuckets) {
    throw invalid(
      `the range holds ${count} ${bucket} buckets, at most ${maxBuckets} are answered: narrow since and until, or use a wider bucket`,
    );
  }
  return {
    since: new Date(from).toISOString(),
    until: until.toISOString(),
    bucket,
    eventType: typeof query.eventType === 'string' ? query.eventType : null,
    total: emptyCounts(),
    buckets: Array.from({ length: count }, (_, i) => ({
      start: new Date(from + i * width).toISOString(),
      ...emptyCounts(),
    })),
  };
}
