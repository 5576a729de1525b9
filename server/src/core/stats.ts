import {
  CoreError,
  maxStatsBuckets,
  type StatsBucket,
  type StatsCounts,
  type StatsQuery,
  type StatsRecord,
} from '@hookport/spec';
import type { Database } from '../db/database.ts';
import { emptyHistogram, percentileOf } from '../shared/latency-histogram.ts';
import type { RollupCounts } from '../shared/rollup-counts.ts';
import { statsSql } from './stats-sql.ts';

/**
 * The statistics routes (docs/api.md, "Statistics"): the range and bucket checked and resolved here, the
 * per-minute rollups the delivery store writes summed per bucket by the database (stats-sql.ts), then
 * every bucket of the range filled in, with its percentiles read from its latency histogram.
 */

const bucketMs: Record<StatsBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const defaultRangeMs = 86_400_000;

/** The range an answer covers: from the start of since's bucket to until, in whole buckets. */
export interface StatsRange {
  from: Date;
  until: Date;
  buckets: number;
}

const invalid = (path: string, message: string) =>
  new CoreError('validation_failed', `The request query is not valid: ${path}: ${message}.`, [
    { path, message, code: 'custom' },
  ]);

/**
 * Resolves since and until (defaults: the 24 hours up to now) into whole UTC buckets; 422 naming the
 * parameter when since is not before until or the range holds more than maxStatsBuckets buckets.
 * Buckets are fixed lengths from the epoch, so an hour starts on the hour and a day at midnight UTC.
 */
export function resolveRange(query: Pick<StatsQuery, 'since' | 'until' | 'bucket'>, now: Date): StatsRange {
  const until = query.until === undefined ? now : new Date(query.until);
  const since = query.since === undefined ? new Date(until.getTime() - defaultRangeMs) : new Date(query.since);
  if (since.getTime() >= until.getTime()) throw invalid('since', 'must be before until');
  const width = bucketMs[query.bucket];
  const from = new Date(Math.floor(since.getTime() / width) * width);
  const buckets = Math.ceil((until.getTime() - from.getTime()) / width);
  if (buckets > maxStatsBuckets) {
    throw invalid(
      'since',
      `the range holds ${buckets} ${query.bucket} buckets, at most ${maxStatsBuckets} are answered: narrow since and until, or use a wider bucket`,
    );
  }
  return { from, until, buckets };
}

/** One bucket's sums as the statements return them. */
interface BucketRow extends RollupCounts {
  bucket: Date;
}

const counted = [
  'attempts',
  'status_2xx',
  'status_3xx',
  'status_4xx',
  'status_5xx',
  'status_error',
  'retried',
  'succeeded',
  'failed',
] as const;
type Sums = Omit<BucketRow, 'bucket'>;

const emptySums = (): Sums => ({
  attempts: 0,
  status_2xx: 0,
  status_3xx: 0,
  status_4xx: 0,
  status_5xx: 0,
  status_error: 0,
  retried: 0,
  succeeded: 0,
  failed: 0,
  latency: emptyHistogram(),
});

function addInto(to: Sums, from: Sums): void {
  for (const k of counted) to[k] += from[k];
  from.latency.forEach((n, i) => {
    to.latency[i] = (to.latency[i] ?? 0) + n;
  });
}

function countsOf(s: Sums): StatsCounts {
  const ended = s.succeeded + s.failed;
  return {
    deliveries: { succeeded: s.succeeded, failed: s.failed },
    attempts: {
      total: s.attempts,
      retried: s.retried,
      byStatusClass: {
        '2xx': s.status_2xx,
        '3xx': s.status_3xx,
        '4xx': s.status_4xx,
        '5xx': s.status_5xx,
        error: s.status_error,
      },
    },
    successRatio: ended === 0 ? null : s.succeeded / ended,
    latencyMs: {
      p50: percentileOf(s.latency, 50),
      p95: percentileOf(s.latency, 95),
      p99: percentileOf(s.latency, 99),
    },
  };
}

export function createStats(db: Database, now: () => Date = () => new Date()) {
  async function read(tenantId: string, endpointId: string | null, query: StatsQuery): Promise<StatsRecord> {
    const range = resolveRange(query, now());
    const params = [tenantId, range.from, range.until, query.bucket, query.eventType ?? null];
    const rows = await db.query<BucketRow>(
      endpointId === null ? statsSql.tenantStats : statsSql.endpointStats,
      endpointId === null ? params : [...params, endpointId],
    );
    const byStart = new Map(rows.map((r) => [new Date(r.bucket).getTime(), r]));
    const width = bucketMs[query.bucket];
    const total = emptySums();
    const buckets: StatsRecord['buckets'] = [];
    for (let i = 0; i < range.buckets; i++) {
      const start = range.from.getTime() + i * width;
      const sums = emptySums();
      const row = byStart.get(start);
      if (row) addInto(sums, row);
      addInto(total, sums);
      buckets.push({ start: new Date(start), ...countsOf(sums) });
    }
    return {
      since: range.from,
      until: range.until,
      bucket: query.bucket,
      eventType: query.eventType ?? null,
      total: countsOf(total),
      buckets,
    };
  }

  return {
    async endpoint(tenantId: string, endpointId: string, query: StatsQuery): Promise<StatsRecord> {
      // The range is checked first: a bad query is a 422 whether or not the endpoint exists.
      resolveRange(query, now());
      const [owned] = await db.query('select 1 from endpoints where tenant_id = $1 and id = $2', [
        tenantId,
        endpointId,
      ]);
      if (!owned) throw new CoreError('not_found', 'No such endpoint.');
      return read(tenantId, endpointId, query);
    },
    tenant: (tenantId: string, query: StatsQuery): Promise<StatsRecord> => read(tenantId, null, query),
  };
}
