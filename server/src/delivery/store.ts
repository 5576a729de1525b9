import { newId, toTypeId } from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import type { Outcome } from './outcome.ts';
import type { JobSpec, Lane, LaneJob, Queue } from './queue.ts';
import { createEventStore, laneOf } from './store-events.ts';
import { storeSql } from './store-sql.ts';

/**
 * The one owner of delivery state: every change to deliveries, attempts and the delivery health and
 * lane of endpoints goes through here (the statements are in store-sql.ts; the event side is in
 * store-events.ts), and so does every job the engine queues or completes. A claimed job is completed in
 * the transaction that writes what its attempt did, so a job is never completed without its outcome.
 * Core reaches the event and requeue writes through the port both share (shared/delivery-port.ts);
 * runtime.ts wires this store to it.
 */

/** What the store needs of a delivery an attempt was made for, as the worker loaded it (store-sql.ts, loadContexts). */
export interface LoadedDelivery {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  url: string;
  attempt_count: number;
  /** The endpoint had a failure streak: a success must end it. */
  endpoint_failing: boolean;
  /** The endpoint's lane as loaded: the lane of a job queued again for this delivery. */
  slow_lane: boolean;
}

/** A successful attempt, written with others (finish). */
export interface SuccessWrite {
  deliveryId: string;
  attempt: number;
  started: Date;
  httpStatus: number;
  durationMs: number;
  excerpt: string;
  truncated: boolean;
}

/**
 * How a claimed job ends in a group commit: with its attempt's success, with the attempt queued again
 * in its place (`delaySeconds` from now, uncounted: the attempt was not made), or with nothing to write.
 */
export interface Finish {
  job: LaneJob | undefined;
  success?: SuccessWrite;
  handBack?: { delivery: LoadedDelivery; delaySeconds: number };
}

/** An attempt that needs a transaction of its own: a failure (schedule, health, disabling), or a success ending a streak. */
export interface AttemptWrite {
  delivery: LoadedDelivery;
  attempt: number;
  started: Date;
  httpStatus: number | null;
  durationMs: number;
  error: { kind: string | null; message: string | null };
  excerpt: string | null;
  truncated: boolean;
  outcome: Outcome;
  /** Why the endpoint must be disabled, from its failure streak as this write leaves it (outcome.ts). */
  disableReason(health: { consecutiveFailures: number; failingForSeconds: number }): string | null;
  job: LaneJob | undefined;
}

/** The job of the delivery's next attempt, in its endpoint's lane as loaded. */
const againOf = (d: LoadedDelivery, delaySeconds = 0): JobSpec => ({
  deliveryId: d.id,
  endpointId: d.endpoint_id,
  attempt: d.attempt_count + 1,
  delaySeconds,
  lane: laneOf(d.slow_lane),
});
const jobsOf = (job: LaneJob | undefined): LaneJob[] => (job ? [job] : []);

export type Store = ReturnType<typeof createStore>;

export function createStore(queue: Pick<Queue, 'enqueue' | 'complete'>) {
  const { storeEvent, requeue, releaseHeld } = createEventStore(queue);

  /**
   * Ends many claimed jobs in one transaction (a group commit): records the successful attempts among
   * them, queues the hand-backs, and completes every job. Returns, per item, whether its success was
   * recorded (false: another run of the same attempt got there first, or it had none).
   */
  async function finish(db: Database, items: readonly Finish[]): Promise<boolean[]> {
    const recorded = new Set<Finish>();
    // Two runs of one attempt in a batch would insert the same (delivery, number) twice and fail the
    // whole statement: a repeat goes in a statement of its own after the first (where the fence turns it away).
    let rest = items;
    while (rest.length > 0) {
      const firsts = new Map<string, { item: Finish; success: SuccessWrite }>();
      const now: Finish[] = [];
      const later: Finish[] = [];
      for (const item of rest) {
        const { success } = item;
        if (success && firsts.has(success.deliveryId)) {
          later.push(item);
          continue;
        }
        if (success) firsts.set(success.deliveryId, { item, success });
        now.push(item);
      }
      const rows = [...firsts.values()].map(({ success: s }) => ({
        attempt_id: newId(),
        delivery_id: s.deliveryId,
        number: s.attempt,
        started_at: s.started.toISOString(),
        duration_ms: s.durationMs,
        http_status: s.httpStatus,
        excerpt: s.excerpt,
        truncated: s.truncated,
      }));
      const handBacks = now.flatMap((i) => (i.handBack ? [againOf(i.handBack.delivery, i.handBack.delaySeconds)] : []));
      // The statements are sent at once (one round trip on PostgreSQL): none depends on another's result
      // (a job whose attempt lost the fence is done all the same).
      const written = await db.transaction(async (tx) => {
        const [ids] = await Promise.all([
          rows.length > 0
            ? tx.query<{ delivery_id: string }>(storeSql.recordSuccesses, [JSON.stringify(rows)])
            : Promise.resolve([]),
          handBacks.length > 0 ? queue.enqueue(tx, handBacks) : undefined,
          queue.complete(
            tx,
            now.flatMap((i) => jobsOf(i.job)),
          ),
        ]);
        return ids;
      });
      for (const r of written) {
        const first = firsts.get(r.delivery_id);
        if (first) recorded.add(first.item);
      }
      rest = later;
    }
    return items.map((i) => recorded.has(i));
  }

  /**
   * Writes an attempt and its consequences in one transaction, and completes its job there: the next
   * attempt's job, the endpoint's failure streak, and disabling it (with the endpoint.disabled event).
   * `recorded` is false when another run of the attempt got there first.
   */
  async function record(db: Database, w: AttemptWrite): Promise<{ recorded: boolean; disabled: string | null }> {
    const { delivery: d, outcome } = w;
    // The wait runs from the answer, not from this write: a busy worker records late, and that delay is not
    // the endpoint's time to recover. The job starts at the time the attempt log shows.
    const answeredAt = w.started.getTime() + w.durationMs;
    const nextAt = outcome.retryInSeconds === null ? null : new Date(answeredAt + outcome.retryInSeconds * 1000);
    const delaySeconds = nextAt === null ? 0 : Math.max(0, (nextAt.getTime() - Date.now()) / 1000);
    return db.transaction(async (tx) => {
      const [[claimed]] = await Promise.all([
        tx.query<{ slow_lane: boolean }>(storeSql.recordAttempt, [
          d.id,
          w.attempt,
          outcome.status,
          nextAt,
          w.httpStatus,
          w.error.message,
        ]),
        queue.complete(tx, jobsOf(w.job)),
      ]);
      if (!claimed) return { recorded: false, disabled: null };
      await tx.query(storeSql.insertAttempt, [
        newId(),
        d.tenant_id,
        d.id,
        w.attempt,
        w.started,
        w.durationMs,
        w.httpStatus,
        w.error.kind,
        w.error.message,
        w.excerpt,
        w.truncated,
        nextAt,
      ]);
      if (outcome.status === 'pending') {
        // In the endpoint's lane as it is now (read by the update): it may have moved during the attempt.
        await queue.enqueue(tx, [
          againOf({ ...d, attempt_count: w.attempt, slow_lane: claimed.slow_lane }, delaySeconds),
        ]);
      }
      const reason = await trackHealth(tx, w);
      const disabled = reason !== null && (await disable(tx, d, reason)) ? reason : null;
      return { recorded: true, disabled };
    });
  }

  /** Updates the endpoint's failure streak; returns why it must be disabled, if it must. */
  async function trackHealth(tx: Queryable, w: AttemptWrite): Promise<string | null> {
    if (w.outcome.status === 'succeeded') {
      // Most deliveries go to healthy endpoints: no write when there is no streak to reset.
      if (w.delivery.endpoint_failing) await tx.query(storeSql.endStreak, [w.delivery.endpoint_id]);
      return null;
    }
    const [health] = await tx.query<{ consecutive_failures: number; failing_for: number }>(storeSql.extendStreak, [
      w.delivery.endpoint_id,
      w.outcome.status === 'failed',
    ]);
    if (w.outcome.disable) return w.outcome.disable;
    if (!health) return null;
    return w.disableReason({ consecutiveFailures: health.consecutive_failures, failingForSeconds: health.failing_for });
  }

  /** Disables the endpoint and tells its tenant, through its own endpoints; false when it was not active. */
  async function disable(tx: Queryable, d: LoadedDelivery, reason: string): Promise<boolean> {
    const [changed] = await tx.query(storeSql.disable, [d.endpoint_id, reason]);
    if (!changed) return false;
    // This commit waits for the WAL flush, unlike the rest of the worker's: it publishes an event (with
    // its own id) that the tenant may receive at once; lost in a database crash, it would be made again
    // under another id, or not at all if the endpoint then answered.
    await tx.query('set local synchronous_commit to on');
    await storeEvent(tx, d.tenant_id, {
      type: 'endpoint.disabled',
      data: { endpointId: toTypeId('endpoint', d.endpoint_id), url: d.url, reason },
    });
    return true;
  }

  /**
   * Parks a delivery whose endpoint is paused (held) or disabled (skipped), and completes its job. The
   * endpoint row is read FOR SHARE: a concurrent resume (which updates that row, then queues every held
   * delivery) either commits first — and the attempt is queued again instead of parked — or waits for
   * this park and then finds it held. Without the lock a resume could miss a delivery parked in the
   * meantime and leave it held on an active endpoint.
   */
  async function park(
    db: Database,
    d: LoadedDelivery,
    status: 'held' | 'skipped',
    job: LaneJob | undefined,
  ): Promise<void> {
    await db.transaction(async (tx) => {
      const [endpoint] = await tx.query<{ status: string }>(storeSql.lockEndpoint, [d.endpoint_id]);
      const parked = endpoint?.status === (status === 'held' ? 'paused' : 'disabled');
      await Promise.all([
        parked
          ? tx.query(storeSql.park, [d.id, status, d.attempt_count])
          : // The endpoint changed since the job loaded it: run the attempt again from the queue, as it is now.
            queue.enqueue(tx, [againOf(d)]),
        queue.complete(tx, jobsOf(job)),
      ]);
    });
  }

  /** Moves the endpoint to `lane` (admission decides when); true when it was in the other one. */
  async function writeLane(q: Queryable, endpointId: string, lane: Lane): Promise<boolean> {
    const moved = await q.query(lane === 'slow' ? storeSql.toSlowLane : storeSql.toMainLane, [endpointId]);
    return moved.length > 0;
  }

  return { storeEvent, requeue, releaseHeld, finish, record, park, writeLane };
}
