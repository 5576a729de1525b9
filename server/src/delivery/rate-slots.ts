import type { Database } from '../db/database.ts';

/** A rate-limited request either goes after holding its reserved slot, or comes back from the queue later. */
export type RateSlot = { holdSeconds: number } | { retryInSeconds: number };

/**
 * Reserves the endpoint's next send time under its rate limit, shared by every process: requests go
 * evenly spaced, 1/limit s apart (one rate_windows row per reserved send time, taken under a
 * per-endpoint lock). Letting `limit` requests through per calendar second instead sends twice the limit
 * within a few ms around the turn of a second. A slot due within maxHoldSeconds is held by the worker;
 * a later one is not reserved, and the job goes back to the queue until then.
 */
export async function takeRateSlot(
  db: Database,
  endpointId: string,
  limit: number | null,
  maxHoldSeconds: number,
): Promise<RateSlot> {
  if (limit === null) return { holdSeconds: 0 };
  const intervalSeconds = 1 / limit;
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`rate:${endpointId}`]);
    // clock_timestamp(), not now(): the transaction may have started before it got the lock.
    await tx.query(
      `delete from rate_windows where endpoint_id = $1 and window_start < clock_timestamp() - interval '1 second'`,
      [endpointId],
    );
    const [next] = await tx.query<{ wait: number }>(
      `select greatest(0, coalesce(extract(epoch from max(window_start) - clock_timestamp())::float8 + $2, 0)) as wait
       from rate_windows where endpoint_id = $1`,
      [endpointId, intervalSeconds],
    );
    const wait = next?.wait ?? 0;
    if (wait > maxHoldSeconds) return { retryInSeconds: wait };
    await tx.query(
      `insert into rate_windows (endpoint_id, window_start, count)
       values ($1, clock_timestamp() + make_interval(secs => $2), 1)
       on conflict (endpoint_id, window_start) do update set count = rate_windows.count + 1`,
      [endpointId, wait],
    );
    return { holdSeconds: wait };
  });
}
