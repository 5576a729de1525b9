import { newId, type PayloadFilter, payloadFilterMatches } from '@hookport/spec';
import type { Queryable, SqlValue } from '../db/database.ts';
import type {
  DeliveryRow,
  DeliveryStore,
  EventCheck,
  EventRow,
  FanOutOptions,
  LoneGuard,
  LoneStored,
  NewEvent,
  RequeueSelection,
} from '../shared/delivery-port.ts';
import type { Lane, Queue } from './queue.ts';
import { createOrdering } from './store-order.ts';
import { insertLoneEventSql, storeSql, targetsWith } from './store-sql.ts';

/**
 * The event side of the store (store.ts): events, their deliveries and jobs, and deliveries made
 * pending again. Core reaches it through the port both share (shared/delivery-port.ts).
 */

interface Target {
  id: string;
  status: string;
  slow: boolean;
  /** The endpoint's payload filter; null when it has none. */
  filter: PayloadFilter | null;
  /** Ordered delivery (store-order.ts): its deliveries wait their turn. */
  fifo: boolean;
}

/**
 * The targets whose payload filter, if any, matches the event. Endpoints without one (the common case)
 * cost one property read each: the filters come with the targets' statement, so there is no extra query.
 */
function matchingTargets(targets: Target[], event: NewEvent): Target[] {
  if (!targets.some((t) => t.filter !== null)) return targets;
  const document = { type: event.type, data: event.data };
  return targets.filter((t) => t.filter === null || payloadFilterMatches(t.filter, document));
}

/** The last error of a delivery failed because its event was expunged before it finished. */
export const expungedReason = 'Not sent: the event content was expunged.';

export const laneOf = (slow: boolean): Lane => (slow ? 'slow' : 'main');

/** Reads the targets of an event, running the caller's check on what the statement read with them. */
async function targetsOf<T>(q: Queryable, text: string, params: string[], check?: EventCheck<T>): Promise<Target[]> {
  const [row] = await q.query<{ targets: Target[]; checked: T }>(text, params);
  if (!row) throw new Error('the targets query returned no row');
  check?.run(row.checked);
  return row.targets;
}

/** The statement of a requeue selection, with its parameters. */
function requeueStatement(tenantId: string, selection: RequeueSelection): [string, SqlValue[]] {
  if ('deliveryId' in selection) return [storeSql.requeueDelivery, [tenantId, selection.deliveryId]];
  if ('finishedIds' in selection) return [storeSql.requeueFinished, [tenantId, `{${selection.finishedIds.join(',')}}`]];
  const statuses = `{${selection.statuses.join(',')}}`;
  return [storeSql.requeueEndpoint, [tenantId, selection.endpointId, statuses, selection.since ?? null]];
}

/** A requeued row as the requeue statements return it. */
type RequeuedRow = DeliveryRow & { slow_lane: boolean; fifo: boolean };

/** The reason an operator's skip leaves on the delivery (its last error). */
export const skippedReason = 'Skipped by an operator.';

export function createEventStore(queue: Pick<Queue, 'enqueue'>): DeliveryStore {
  const ordering = createOrdering(queue);
  /**
   * Stores an event, one delivery per selected endpoint and the jobs of the pending ones, all through q
   * (one transaction). Active endpoints get a job, in their lane; paused ones a held delivery; disabled
   * ones a skipped delivery that recover can replay. Every event goes through here: published ones,
   * pings, and the system events the engine raises (endpoint.disabled and the operational events of
   * store-notices.ts).
   */
  async function storeEvent<T = never>(
    q: Queryable,
    tenantId: string,
    event: NewEvent,
    { onlyEndpointId, exceptEndpointId, check }: FanOutOptions<T> = {},
  ): Promise<{ event: EventRow; deliveryIds: string[] }> {
    // A ping goes to its one endpoint whatever its filter; a fan-out reaches the endpoints whose filter
    // matches, and the others get no delivery at all (a non-match is not recorded, as in Outpost).
    const read = onlyEndpointId
      ? await targetsOf(q, storeSql.target, [tenantId, onlyEndpointId])
      : matchingTargets(
          await targetsOf(q, check ? targetsWith(check.sql) : storeSql.targets, [tenantId, event.type], check),
          event,
        );
    const selected = exceptEndpointId === undefined ? read : read.filter((t) => t.id !== exceptEndpointId);
    // Endpoints that are not active are re-read FOR SHARE, so a concurrent resume (or recover after
    // re-enabling) either commits first and they get a job, or waits and then finds their held or skipped
    // delivery. Active ones, the common case, need no lock: a pause is handled by the worker.
    const inactive = selected.filter((t) => t.status !== 'active').map((t) => t.id);
    if (inactive.length > 0) {
      const current = await q.query<{ id: string; status: string }>(storeSql.lockTargets, [`{${inactive.join(',')}}`]);
      const statusOf = new Map(current.map((c) => [c.id, c.status]));
      for (const t of selected) t.status = statusOf.get(t.id) ?? t.status;
    }
    const eventId = newId();
    // A fifo endpoint's deliveries wait (blocked, no job) and the hand-off below releases its next one.
    const deliveries = selected.map((t) => ({
      id: newId(),
      endpoint_id: t.id,
      status: t.status === 'active' ? 'pending' : t.status === 'paused' ? 'held' : 'skipped',
      blocked: t.fifo && t.status === 'active',
      // Every delivery to a fifo endpoint takes its place in line, held and skipped ones too (resume and
      // recover bring them back in it).
      fifo: t.fifo,
      lane: laneOf(t.slow),
    }));
    // Sent together with the jobs' insert, which needs nothing from it: one round trip for both.
    const stored = q.query<EventRow>(storeSql.insertEvent, [
      eventId,
      tenantId,
      event.type,
      JSON.stringify(event.data),
      event.idempotencyKey ?? null,
      event.requestHash ?? null,
      deliveries.length,
      JSON.stringify(
        deliveries.map(({ id, endpoint_id, status, blocked, fifo }) => ({ id, endpoint_id, status, blocked, fifo })),
      ),
      event.traceparent ?? null,
      event.example ?? false,
    ]);
    const jobs = queue.enqueue(
      q,
      deliveries
        .filter((d) => d.status === 'pending' && !d.blocked)
        .map((d) => ({ deliveryId: d.id, endpointId: d.endpoint_id, attempt: 1, lane: d.lane })),
    );
    const [[inserted]] = await Promise.all([stored, jobs]);
    if (!inserted) throw new Error('insert returned no row');
    // Only fifo endpoints pay for the hand-off: the lock and the release, after the rows are in.
    const waiting = deliveries.filter((d) => d.blocked);
    if (waiting.length > 0)
      await ordering.releaseAll(
        q,
        waiting.map((d) => d.endpoint_id),
      );
    return { event: inserted, deliveryIds: deliveries.map((d) => d.id) };
  }

  /**
   * An event no endpoint selects, in one statement that commits by itself (DeliveryStore.storeLoneEvent):
   * no deliveries, so no jobs and nothing else that must commit with it.
   */
  async function storeLoneEvent<T>(
    q: Queryable,
    tenantId: string,
    event: NewEvent,
    { check, when, params }: LoneGuard<T>,
  ): Promise<LoneStored> {
    const [row] = await q.query<Partial<EventRow> & { had_targets: boolean; checked: T }>(
      insertLoneEventSql(check.sql, when),
      [
        tenantId,
        event.type,
        newId(),
        JSON.stringify(event.data),
        event.traceparent ?? null,
        event.example ?? false,
        ...params,
      ],
    );
    if (!row) throw new Error('the lone event statement returned no row');
    check.run(row.checked);
    const { had_targets: hadTargets, checked: _, ...stored } = row;
    return { event: stored.id ? (stored as EventRow) : null, hadTargets };
  }

  /** Makes deliveries pending again, through q; queues the unordered ones' next attempt (in their endpoint's lane). */
  async function requeueRows(q: Queryable, tenantId: string, selection: RequeueSelection): Promise<RequeuedRow[]> {
    if ('finishedIds' in selection && selection.finishedIds.length === 0) return [];
    const rows = await q.query<RequeuedRow>(...requeueStatement(tenantId, selection));
    await queue.enqueue(
      q,
      rows
        .filter((r) => !r.fifo)
        .map((r) => ({
          deliveryId: r.id,
          endpointId: r.endpoint_id,
          attempt: r.attempt_count + 1,
          lane: laneOf(r.slow_lane),
        })),
    );
    return rows;
  }

  const toDeliveryRow = ({ slow_lane: _, fifo: __, ...r }: RequeuedRow): DeliveryRow => r;

  /**
   * Makes deliveries pending again and queues their next attempt, through q. On a fifo endpoint they take
   * their place among its waiting deliveries (by id: publish order) and the hand-off releases the next.
   */
  async function requeue(q: Queryable, tenantId: string, selection: RequeueSelection): Promise<DeliveryRow[]> {
    const rows = await requeueRows(q, tenantId, selection);
    const fifo = rows.filter((r) => r.fifo);
    if (fifo.length > 0)
      await ordering.releaseAll(
        q,
        fifo.map((r) => r.endpoint_id),
      );
    return rows.map(toDeliveryRow);
  }

  /**
   * Resuming (or activating again) an endpoint: what waited while it was paused is queued, its past failure
   * streak no longer counts, and on a fifo endpoint only the next delivery in publish order is released.
   */
  async function releaseHeld(q: Queryable, tenantId: string, endpointId: string): Promise<void> {
    await requeueRows(q, tenantId, { endpointId, statuses: ['held'] });
    await q.query(storeSql.resetHealth, [endpointId]);
    await ordering.release(q, endpointId);
  }

  /**
   * An operator skips a pending or held delivery, through q: it is never sent unless redelivered or
   * recovered, and on a fifo endpoint the next one is released (it may have been the head). The endpoint
   * is locked first, as in every hand-off. Null when the delivery was not pending or held (or not found).
   */
  async function skip(q: Queryable, tenantId: string, deliveryId: string, endpointId: string) {
    await ordering.lock(q, endpointId);
    const [row] = await q.query<DeliveryRow>(storeSql.skipDelivery, [tenantId, deliveryId, skippedReason]);
    if (!row) return null;
    await ordering.release(q, endpointId);
    return row;
  }

  /** The endpoint's ordering or status changed: releases what may go now (store-order.ts release). */
  async function releaseOrdered(q: Queryable, endpointId: string): Promise<void> {
    await ordering.release(q, endpointId);
  }

  async function expungeEvent(q: Queryable, tenantId: string, eventId: string): Promise<EventRow | null> {
    const [event] = await q.query<EventRow>(storeSql.expungeEvent, [tenantId, eventId]);
    if (!event) return null;
    // A failed head of a fifo endpoint hands off to the next: those endpoints are locked before the
    // deliveries change, as in every hand-off.
    const unfinished = await q.query<{ endpoint_id: string }>(storeSql.unfinishedEndpoints, [eventId]);
    const fifo = await ordering.lockFifo(
      q,
      unfinished.map((r) => r.endpoint_id),
    );
    await q.query(storeSql.failExpunged, [eventId, expungedReason]);
    await ordering.releaseAll(q, fifo);
    await q.query(storeSql.eraseResponses, [eventId]);
    return event;
  }
  return { storeEvent, storeLoneEvent, requeue, releaseHeld, skip, releaseOrdered, expungeEvent };
}
