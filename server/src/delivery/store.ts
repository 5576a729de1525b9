import { newId } from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import type { FailingLevel, Outcome } from './outcome.ts';
import type { JobSpec, Lane, LaneJob, Queue } from './queue.ts';
import { type RolledAttempt, rollupRows } from './rollups.ts';
import { createEventStore, laneOf } from './store-events.ts';
import { createHealth } from './store-health.ts';
import { createNotices, type NoticeSubject } from './store-notices.ts';
import { createOrdering } from './store-order.ts';
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
export interface LoadedDelivery extends NoticeSubject {
  // From NoticeSubject: the delivery's event and its type are what a delivery.exhausted about it names,
  // and the type is the key the statistics rollups count attempts under.
  attempt_count: number;
  /** The endpoint had a failure streak, or an endpoint.failing awaiting endpoint.recovered: a success must end it. */
  endpoint_failing: boolean;
  /** The endpoint's lane as loaded: the lane of a job queued again for this delivery. */
  slow_lane: boolean;
  /** The endpoint delivers in order (store-order.ts): finishing this delivery releases the next. */
  fifo: boolean;
}

/** A successful attempt, written with others (finish). */
export interface SuccessWrite {
  deliveryId: string;
  /** The delivery's tenant, endpoint and event type: the key of its statistics rollup. */
  tenantId: string;
  endpointId: string;
  eventType: string;
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
  /** How far the streak, as this write leaves it, has gone towards disabling (outcome.ts, endpoint.failing). */
  failingLevel(health: { consecutiveFailures: number; failingForSeconds: number }): FailingLevel;
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

/** A recorded success as the statistics rollups count it. */
const rolledSuccess = (s: SuccessWrite): RolledAttempt => ({
  tenantId: s.tenantId,
  endpointId: s.endpointId,
  eventType: s.eventType,
  started: s.started,
  durationMs: s.durationMs,
  httpStatus: s.httpStatus,
  outcome: 'succeeded',
});

/** The statistics rollups' upsert of some attempts (sign -1 takes them away), or nothing for none. */
const writeRollups = (tx: Queryable, attempts: readonly RolledAttempt[], sign: 1 | -1 = 1) =>
  attempts.length > 0 ? tx.query(storeSql.rollupAttempts, [JSON.stringify(rollupRows(attempts, sign))]) : undefined;

export type Store = ReturnType<typeof createStore>;

export function createStore(queue: Pick<Queue, 'enqueue' | 'complete'>) {
  const { storeEvent, storeLoneEvent, requeue, releaseHeld, skip, releaseOrdered, expungeEvent } =
    createEventStore(queue);
  const notices = createNotices(storeEvent);
  const ordering = createOrdering(queue);
  const health = createHealth(storeEvent, notices);

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
      // The statistics rollups count the successes in the same round trip, last, so their rows are locked
      // for the commit only; a success that lost its fence (rare: a run of the same attempt elsewhere) is
      // taken away again before the commit, so the rollups count exactly the attempts recorded.
      const successes = [...firsts.values()].map(({ success }) => success);
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
          writeRollups(tx, successes.map(rolledSuccess)),
        ]);
        if (ids.length < successes.length) {
          const kept = new Set(ids.map((r) => r.delivery_id));
          await writeRollups(tx, successes.filter((s) => !kept.has(s.deliveryId)).map(rolledSuccess), -1);
        }
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
   * attempt's job, the endpoint's failure streak, and disabling it (with the endpoint.disabled event),
   * and the operational events it raises (store-notices.ts: endpoint.failing, endpoint.recovered,
   * delivery.exhausted).
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
      // A fifo endpoint's hand-off lock comes first, as in every hand-off (store-order.ts): the endpoint,
      // then its deliveries. Unordered endpoints skip it.
      if (d.fifo) await ordering.lock(tx, d.endpoint_id);
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
      // The rollup goes with the streak's write (one round trip), after it: a failing endpoint's attempts
      // take its row's lock first, then the rollup's, in every transaction.
      const [reason] = await Promise.all([
        health.track(tx, w),
        writeRollups(tx, [
          {
            tenantId: d.tenant_id,
            endpointId: d.endpoint_id,
            eventType: d.event_type,
            started: w.started,
            durationMs: w.durationMs,
            httpStatus: w.httpStatus,
            outcome: outcome.status,
          },
        ]),
      ]);
      const disabled = reason !== null && (await health.disable(tx, d, reason)) ? reason : null;
      // Every delivery that ends failed counts, whatever ended it: it will not arrive without a redeliver.
      if (outcome.status === 'failed') await notices.exhausted(tx, d);
      // Finished (succeeded or exhausted): a fifo endpoint's next delivery goes now, in this transaction.
      if (d.fifo && outcome.status !== 'pending') await ordering.release(tx, d.endpoint_id);
      return { recorded: true, disabled };
    });
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

  return {
    storeEvent,
    storeLoneEvent,
    requeue,
    releaseHeld,
    skip,
    releaseOrdered,
    expungeEvent,
    finish,
    record,
    park,
    writeLane,
  };
}
