import type { Queryable } from '../db/database.ts';
import type { Queue } from './queue.ts';
import { storeSql } from './store-sql.ts';

/**
 * Ordered delivery (docs/delivery.md, "Ordered delivery"): the hand-off of a fifo endpoint's deliveries.
 * Its deliveries wait as blocked pending rows without a job; the transaction that finishes the one in
 * flight (the head) releases the next in publish order and queues its job, so a crash either loses both
 * or keeps both. Every hand-off first locks the endpoint's row (store-sql.ts lockOrdering), and only then
 * touches its deliveries: two workers or publishers never both pick a next one, and the lock order is the
 * same everywhere. Unordered endpoints never come here, except when an endpoint stops being fifo (its
 * waiting deliveries are then all released) or is activated again.
 */

interface Released {
  id: string;
  endpoint_id: string;
  attempt_count: number;
  slow_lane: boolean;
}

export type Ordering = ReturnType<typeof createOrdering>;

export function createOrdering(queue: Pick<Queue, 'enqueue'>) {
  /** Takes endpoint $1's hand-off lock; returns its status and ordering (undefined: it was deleted). */
  async function lock(q: Queryable, endpointId: string): Promise<{ status: string; ordering: string } | undefined> {
    const [row] = await q.query<{ status: string; ordering: string }>(storeSql.lockOrdering, [endpointId]);
    return row;
  }

  /**
   * Releases what may go now on an active endpoint, through q: on a fifo one its next delivery when none
   * is in flight; on one that is unordered now, everything still waiting from when it was fifo. A paused
   * or disabled endpoint releases nothing: resume and recover come back here.
   */
  async function release(q: Queryable, endpointId: string): Promise<void> {
    const endpoint = await lock(q, endpointId);
    if (endpoint?.status !== 'active') return;
    const rows = await q.query<Released>(
      endpoint.ordering === 'fifo' ? storeSql.releaseNext : storeSql.releaseWaiting,
      [endpointId],
    );
    await queue.enqueue(
      q,
      rows.map((r) => ({
        deliveryId: r.id,
        endpointId: r.endpoint_id,
        attempt: r.attempt_count + 1,
        lane: r.slow_lane ? 'slow' : 'main',
      })),
    );
  }

  /** Releases each endpoint in turn, in id order (the order every multi-endpoint hand-off locks in). */
  async function releaseAll(q: Queryable, endpointIds: Iterable<string>): Promise<void> {
    for (const id of [...new Set(endpointIds)].sort()) await release(q, id);
  }

  /** Locks those of the endpoints that are fifo, in id order; returns them. */
  async function lockFifo(q: Queryable, endpointIds: Iterable<string>): Promise<string[]> {
    const ids = [...new Set(endpointIds)].sort();
    if (ids.length === 0) return [];
    const rows = await q.query<{ id: string }>(storeSql.lockFifoEndpoints, [`{${ids.join(',')}}`]);
    return rows.map((r) => r.id);
  }

  return { lock, release, releaseAll, lockFifo };
}
