import { emptyHistogram, latencyBucketOf, statusClassOf } from '../shared/latency-histogram.ts';
import type { RollupCounts } from '../shared/rollup-counts.ts';

/**
 * The statistics rollups (migration 0010): what a batch of recorded attempts adds to the per-minute rows
 * of their endpoint and event type. Aggregated here, per key, so that the store writes one upsert per
 * transaction however many attempts it records (store-sql.ts, rollupAttempts), with at most one input
 * row per key (an upsert may not touch a row twice).
 */

/** One recorded attempt, as the statistics count it. */
export interface RolledAttempt {
  tenantId: string;
  endpointId: string;
  eventType: string;
  started: Date;
  durationMs: number;
  httpStatus: number | null;
  /** What the attempt did to its delivery: another attempt scheduled (pending), or its final outcome. */
  outcome: 'succeeded' | 'failed' | 'pending';
}

/** One row of the rollupAttempts input: the counts of one (tenant, endpoint, event type, minute). */
export interface RollupRow extends RollupCounts {
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  minute: string;
}

const minuteMs = 60_000;

/**
 * The rows that add `attempts` to the rollups (sign -1: that take them away again, for successes that
 * lost their fence after being counted), sorted by key so that concurrent writers lock rows in one order.
 */
export function rollupRows(attempts: readonly RolledAttempt[], sign: 1 | -1 = 1): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const a of attempts) {
    const minute = new Date(Math.floor(a.started.getTime() / minuteMs) * minuteMs).toISOString();
    const key = `${a.tenantId} ${a.endpointId} ${minute} ${a.eventType}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        tenant_id: a.tenantId,
        endpoint_id: a.endpointId,
        event_type: a.eventType,
        minute,
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
      };
      rows.set(key, row);
    }
    row.attempts += sign;
    row[`status_${statusClassOf(a.httpStatus)}`] += sign;
    row[a.outcome === 'pending' ? 'retried' : a.outcome] += sign;
    const bucket = latencyBucketOf(a.durationMs);
    row.latency[bucket] = (row.latency[bucket] ?? 0) + sign;
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
