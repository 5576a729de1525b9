import { newId } from '@hookport/spec';
import type { Queryable } from '../db/database.ts';
import type {
  DeliveryRow,
  DeliveryStore,
  EventCheck,
  EventRow,
  FanOutOptions,
  NewEvent,
  RequeueSelection,
} from '../shared/delivery-port.ts';
import type { Lane, Queue } from './queue.ts';
import { storeSql, targetsWith } from './store-sql.ts';

/**
 * The event side of the store (store.ts): events, their deliveries and jobs, and deliveries made
 * pending again. Core reaches it through the port both share (shared/delivery-port.ts).
 */

interface Target {
  id: string;
  status: string;
  slow: boolean;
}

export const laneOf = (slow: boolean): Lane => (slow ? 'slow' : 'main');

/** Reads the targets of an event, running the caller's check on what the statement read with them. */
async function targetsOf<T>(q: Queryable, text: string, params: string[], check?: EventCheck<T>): Promise<Target[]> {
  const [row] = await q.query<{ targets: Target[]; checked: T }>(text, params);
  if (!row) throw new Error('the targets query returned no row');
  check?.run(row.checked);
  return row.targets;
}

export function createEventStore(queue: Pick<Queue, 'enqueue'>): DeliveryStore {
  /**
   * Stores an event, one delivery per selected endpoint and the jobs of the pending ones, all through q
   * (one transaction). Active endpoints get a job, in their lane; paused ones a held delivery; disabled
   * ones a skipped delivery that recover can replay. Every event goes through here: published ones,
   * pings, and the system events the engine raises (endpoint.disabled).
   */
  async function storeEvent<T = never>(
    q: Queryable,
    tenantId: string,
    event: NewEvent,
    { onlyEndpointId, check }: FanOutOptions<T> = {},
  ): Promise<{ event: EventRow; deliveryIds: string[] }> {
    const selected = onlyEndpointId
      ? await targetsOf(q, storeSql.target, [tenantId, onlyEndpointId])
      : await targetsOf(q, check ? targetsWith(check.sql) : storeSql.targets, [tenantId, event.type], check);
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
    const deliveries = selected.map((t) => ({
      id: newId(),
      endpoint_id: t.id,
      status: t.status === 'active' ? 'pending' : t.status === 'paused' ? 'held' : 'skipped',
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
      JSON.stringify(deliveries.map(({ id, endpoint_id, status }) => ({ id, endpoint_id, status }))),
    ]);
    const jobs = queue.enqueue(
      q,
      deliveries
        .filter((d) => d.status === 'pending')
        .map((d) => ({ deliveryId: d.id, endpointId: d.endpoint_id, attempt: 1, lane: d.lane })),
    );
    const [[inserted]] = await Promise.all([stored, jobs]);
    if (!inserted) throw new Error('insert returned no row');
    return { event: inserted, deliveryIds: deliveries.map((d) => d.id) };
  }

  /** Makes deliveries pending again and queues their next attempt (in their endpoint's lane), through q. */
  async function requeue(q: Queryable, tenantId: string, selection: RequeueSelection): Promise<DeliveryRow[]> {
    const rows = await q.query<DeliveryRow & { slow_lane: boolean }>(
      'deliveryId' in selection ? storeSql.requeueDelivery : storeSql.requeueEndpoint,
      'deliveryId' in selection
        ? [tenantId, selection.deliveryId]
        : [tenantId, selection.endpointId, `{${selection.statuses.join(',')}}`, selection.since ?? null],
    );
    await queue.enqueue(
      q,
      rows.map((r) => ({
        deliveryId: r.id,
        endpointId: r.endpoint_id,
        attempt: r.attempt_count + 1,
        lane: laneOf(r.slow_lane),
      })),
    );
    return rows.map(({ slow_lane: _, ...r }) => r);
  }

  /** Resuming an endpoint: what waited while it was paused is queued, and its past failure streak no longer counts. */
  async function releaseHeld(q: Queryable, tenantId: string, endpointId: string): Promise<void> {
    await requeue(q, tenantId, { endpointId, statuses: ['held'] });
    await q.query(storeSql.resetHealth, [endpointId]);
  }
  return { storeEvent, requeue, releaseHeld };
}
