import { randomBytes } from 'node:crypto';
import { fromTypeId } from '@hookport/spec';
import type { Queryable } from '../../../server/src/db/database.ts';

/**
 * Makes a real event (published and delivered through the server) `days` old: retention walks events
 * by their UUIDv7 id and checks created_at, so both must say the event is old. The event row is copied
 * under an id of that time, its deliveries moved to it, and the original removed. Returns the new id
 * (a UUID; the native API shows it as a TypeID).
 */
export async function ageEvent(db: Queryable, eventTypeId: string, days: number): Promise<string> {
  const id = fromTypeId('event', eventTypeId);
  if (id === null) throw new Error(`not an event id: ${eventTypeId}`);
  const aged = uuidv7At(Date.now() - days * 86_400_000);
  await db.query(
    `insert into events (id, tenant_id, type, data, idempotency_key, request_hash, delivery_count, created_at, expunged_at)
     select $2, tenant_id, type, data, null, request_hash, delivery_count, created_at - make_interval(days => $3),
       expunged_at
     from events where id = $1`,
    [id, aged, days],
  );
  await db.query('update deliveries set event_id = $2 where event_id = $1', [id, aged]);
  await db.query('delete from events where id = $1', [id]);
  return aged;
}

/** A UUIDv7 of millisecond `ms`, random otherwise. */
export function uuidv7At(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0') + randomBytes(10).toString('hex');
  // Version 7 and the RFC 9562 variant.
  const version = `7${hex.slice(13, 16)}`;
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16) + hex.slice(17, 20);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version}-${variant}-${hex.slice(20, 32)}`;
}

/** How many rows of events, deliveries and attempts exist for these event ids (UUIDs). */
export async function rowsOf(
  db: Queryable,
  eventIds: readonly string[],
): Promise<{ events: number; deliveries: number; attempts: number }> {
  const list = `{${eventIds.join(',')}}`;
  const [row] = await db.query<{ events: number; deliveries: number; attempts: number }>(
    `select (select count(*)::integer from events where id = any($1::text::uuid[])) as events,
       (select count(*)::integer from deliveries where event_id = any($1::text::uuid[])) as deliveries,
       (select count(*)::integer from attempts a join deliveries d on d.id = a.delivery_id
        where d.event_id = any($1::text::uuid[])) as attempts`,
    [list],
  );
  if (!row) throw new Error('count returned no row');
  return row;
}

/**
 * Copies a tenant's statistics rollup rows of the last day (a real delivery's) to `days` earlier, as
 * rollups of old traffic; returns how many rows it wrote.
 */
export async function copyRollups(db: Queryable, tenantId: string, days: number): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `with copied as (
       insert into stats_rollups (tenant_id, endpoint_id, event_type, minute, attempts, status_2xx, status_3xx,
         status_4xx, status_5xx, status_error, retried, succeeded, failed, latency)
       select tenant_id, endpoint_id, event_type, minute - make_interval(days => $2), attempts, status_2xx,
         status_3xx, status_4xx, status_5xx, status_error, retried, succeeded, failed, latency
       from stats_rollups where tenant_id = $1 and minute > now() - interval '1 day'
       returning 1
     )
     select count(*)::integer as n from copied`,
    [tenantId, days],
  );
  return row?.n ?? 0;
}

/** How many statistics rollup rows tenant `tenantId` has with a minute `fromDays` to `toDays` days ago. */
export async function rollupsBetween(db: Queryable, tenantId: string, fromDays: number, toDays: number) {
  const [row] = await db.query<{ n: number }>(
    `select count(*)::integer as n from stats_rollups where tenant_id = $1
       and minute <= now() - make_interval(days => $2) and minute > now() - make_interval(days => $3)`,
    [tenantId, fromDays, toDays],
  );
  return row?.n ?? 0;
}
