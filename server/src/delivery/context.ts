import { boundedCache, isUuid, type ProfileName } from '@hookport/spec';
import type { Queryable } from '../db/database.ts';
import { openHeaders } from '../shared/sealed-headers.ts';
import { createBatcher } from './batch.ts';
import { storeSql } from './store-sql.ts';

/** What one attempt needs of its delivery, event and endpoint, as loaded with it. */
export interface AttemptContext {
  id: string;
  tenant_id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  /** Waiting for its turn on a fifo endpoint (store-order.ts): a job for it is stale. */
  blocked: boolean;
  /** The endpoint delivers in order (migration 0018). */
  fifo: boolean;
  data: Record<string, unknown>;
  event_created_at: Date;
  url: string;
  endpoint_status: string;
  profile: ProfileName;
  /** The endpoint's custom headers, sealed (core/custom-headers.ts); null for none. */
  headers_enc: string | null;
  rate_limit: number | null;
  metadata: Record<string, string>;
  secret_enc: string;
  previous_secret_enc: string | null;
  endpoint_failing: boolean;
  /** The endpoint is in the slow lane (queue.ts): its jobs go to that lane's queue. */
  slow_lane: boolean;
  /** The endpoint's own retry schedule and attempt timeout (migration 0016); null: its profile's. */
  retry_schedule: number[] | null;
  timeout_ms: number | null;
  /** The publish span's traceparent (tracing/attempt-spans.ts); null when tracing was off at publish. */
  traceparent: string | null;
  /** A test send of an example (send-example, migration 0017), shown on the attempt's log line. */
  example: boolean;
}

/** What an attempt of this delivery uses: its endpoint's own settings where it has them, else its profile's. */
export function deliverySettings(
  ctx: Pick<AttemptContext, 'retry_schedule' | 'timeout_ms'>,
  profile: { retrySchedule: readonly number[]; timeoutMs: number },
): { retrySchedule: readonly number[]; timeoutMs: number } {
  return {
    retrySchedule: ctx.retry_schedule ?? profile.retrySchedule,
    timeoutMs: ctx.timeout_ms ?? profile.timeoutMs,
  };
}

/**
 * Loads the contexts of many deliveries in one query: the jobs of one fetch start in the same turn of
 * the event loop, so they arrive here together.
 */
export function createLoader(db: Queryable) {
  const loader = createBatcher<string, AttemptContext | undefined>(async (deliveryIds) => {
    // Job data is ours, but a malformed id must not fail the other jobs of the batch: it loads nothing.
    const ids = [...new Set(deliveryIds.filter((id) => isUuid(id)))];
    const rows = ids.length === 0 ? [] : await db.query<AttemptContext>(storeSql.loadContexts, [`{${ids.join(',')}}`]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return deliveryIds.map((id) => byId.get(id));
  });
  return (deliveryId: string): Promise<AttemptContext | undefined> => loader.run(deliveryId);
}

/**
 * Opens endpoint secrets through a cache keyed by their sealed form: opening one (AES-GCM and a key
 * object) cost more per attempt than signing with it. A rotated secret is sealed anew, so it is a new entry.
 */
export function secretOpener(box: { open(sealed: string): string }, size = 10_000) {
  const secrets = boundedCache<string>(size);
  return (sealed: string): string => secrets.get(sealed, () => box.open(sealed));
}

/**
 * Opens endpoints' sealed custom headers through a cache keyed by their sealed form, as secrets are: the
 * same endpoint's headers are opened for each of its attempts. A change is sealed anew (a new IV), so it
 * is a new entry. Callers get a copy: the cached map is never handed out to be changed.
 */
export function headersOpener(box: { open(sealed: string): string }, size = 10_000) {
  const maps = boundedCache<Readonly<Record<string, string>>>(size);
  return (sealed: string | null): Record<string, string> =>
    sealed === null ? {} : { ...maps.get(sealed, () => openHeaders(box, sealed)) };
}
