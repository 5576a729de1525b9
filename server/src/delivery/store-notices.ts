import { toTypeId } from '@hookport/spec';
import type { Queryable } from '../db/database.ts';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import type { FailingLevel } from './outcome.ts';
import { storeSql } from './store-sql.ts';

/**
 * The operational events the engine publishes about an endpoint besides endpoint.disabled (store.ts):
 * endpoint.failing, endpoint.recovered and delivery.exhausted (docs/delivery.md, "Operational events").
 * Each is written by store.ts's record, in the transaction of the attempt that raises it, through the
 * same storeEvent as every event.
 */

/** The delivery an operational event is about, as the worker loaded it (store.ts, LoadedDelivery). */
export interface NoticeSubject {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  url: string;
  event_id: string;
  event_type: string;
}

/** At most one delivery.exhausted per endpoint in this long; the ones in between are counted into the next. */
export const exhaustedNoticeSeconds = 3600;

/** The endpoint's failure streak as extendStreak leaves it (store-sql.ts). */
export interface StreakRow {
  consecutive_failures: number;
  failing_since: Date | string | null;
  failing_level: number;
}

const isoOf = (at: Date | string | null): string | null => (at === null ? null : new Date(at).toISOString());

export function createNotices(storeEvent: DeliveryStore['storeEvent']) {
  /**
   * Publishes an event about the delivery's endpoint to the tenant's endpoints subscribed to its type,
   * except that endpoint: it would feed its own failure (a failing endpoint subscribed to `*` would be
   * sent the news of its failures, fail them, and be told again every hour).
   */
  async function publish(tx: Queryable, d: NoticeSubject, type: string, data: Record<string, unknown>): Promise<void> {
    // This commit waits for the WAL flush, as endpoint.disabled's does (store.ts, disable): the event has
    // an id the tenant may receive at once; lost in a database crash, it would be made again under another.
    await tx.query('set local synchronous_commit to on');
    await storeEvent(
      tx,
      d.tenant_id,
      { type, data: { endpointId: toTypeId('endpoint', d.endpoint_id), url: d.url, ...data } },
      { exceptEndpointId: d.endpoint_id },
    );
  }

  /** endpoint.failing, when the streak has reached a level above the last one notified in this spell. */
  async function failing(tx: Queryable, d: NoticeSubject, streak: StreakRow, level: FailingLevel): Promise<void> {
    if (level <= streak.failing_level) return;
    // extendStreak's update holds the endpoint's row, so this is the one writer of its level until commit.
    const [raised] = await tx.query(storeSql.raiseFailingLevel, [d.endpoint_id, level]);
    if (!raised) return;
    await publish(tx, d, 'endpoint.failing', {
      percent: level,
      consecutiveFailures: streak.consecutive_failures,
      failingSince: isoOf(streak.failing_since),
    });
  }

  /** endpoint.recovered, when the success that ended the streak (store-sql.ts, endStreak) ended a notified one. */
  async function recovered(
    tx: Queryable,
    d: NoticeSubject,
    ended: { failing_level: number; failing_since: Date | string | null },
  ): Promise<void> {
    if (ended.failing_level <= 0) return;
    await publish(tx, d, 'endpoint.recovered', {
      percent: ended.failing_level,
      failingSince: isoOf(ended.failing_since),
    });
  }

  /** Counts an exhausted delivery; delivery.exhausted when the endpoint's last notice is an hour old (or none). */
  async function exhausted(tx: Queryable, d: NoticeSubject): Promise<void> {
    const [notice] = await tx.query<{ due: boolean; count: number; since: Date | string | null }>(
      storeSql.countExhausted,
      [d.endpoint_id, exhaustedNoticeSeconds],
    );
    if (!notice?.due) return;
    await publish(tx, d, 'delivery.exhausted', {
      count: notice.count,
      since: isoOf(notice.since),
      deliveryId: toTypeId('delivery', d.id),
      eventId: toTypeId('event', d.event_id),
      eventType: d.event_type,
    });
  }

  return { failing, recovered, exhausted };
}
