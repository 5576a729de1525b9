import type { Database, Queryable } from '../db/database.ts';
import { anyOfIds } from '../shared/id-list.ts';

/**
 * Retention (docs/retention.md): events whose deliveries have all finished (succeeded, failed, skipped)
 * and that are older than their tenant's window are deleted with their deliveries and attempts. A
 * delivery still pending or held is never deleted, whatever its age, and neither is its event.
 *
 * The work is cut into short transactions of at most `batchSize` events each, walked by id (UUIDv7:
 * time-ordered) over the events_tenant index, so no lock is held for long and publishing never waits:
 * the events are claimed FOR UPDATE SKIP LOCKED and their finished deliveries FOR UPDATE, so a delivery
 * made pending again meanwhile (redeliver, recover) is left with its event.
 *
 * The tenant's statistics rollups (migration 0010) are kept for the same window: a minute's row goes once
 * the whole minute lies before the cut-off, in batches of `batchSize` rows, one transaction each.
 */

/** What one run removed. */
export interface Pruned {
  events: number;
  deliveries: number;
  attempts: number;
  /** Statistics rollup rows (one per endpoint, event type and minute). */
  rollups: number;
}

const nothing = (): Pruned => ({ events: 0, deliveries: 0, attempts: 0, rollups: 0 });

function addInto(total: Pruned, removed: Pruned): void {
  total.events += removed.events;
  total.deliveries += removed.deliveries;
  total.attempts += removed.attempts;
  total.rollups += removed.rollups;
}

export interface PruneOptions {
  /** Events, or statistics rollup rows, per transaction. */
  batchSize?: number;
  /** Checked between batches: a run stops early when it is aborted (the process is stopping). */
  signal?: AbortSignal;
  /** Told after each committed batch of events: how many it claimed and what it removed. */
  onBatch?: (claimed: number, removed: Pruned) => void;
}

/** Which events may go: those older than `olderThanSeconds`, else than each tenant's window in days. */
export type PruneAge = { olderThanSeconds: number } | { defaultDays: number };

export const defaultBatchSize = 1000;

const finished = `('succeeded', 'failed', 'skipped')`;

export const pruneSql = {
  /**
   * The cut-off of a window of $1 seconds, on the database's clock (every process agrees on it), as UTC
   * text to the microsecond: a Date would round it to the millisecond, and `--older-than 0s` must cover
   * an event created in the same millisecond.
   */
  cutoff: `select to_char((now() - make_interval(secs => $1::double precision)) at time zone 'UTC',
     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`,
  /** Every tenant's window in days: its own, else the default $1. */
  windows: 'select id, coalesce(retention_days, $1::integer) as days from tenants order by id',
  /**
   * Claims up to $5 events of tenant $1 after id $2, created before $4, with ids below $3 (the cut-off's
   * UUIDv7 floor: the index range), none of whose deliveries is unfinished. Events locked by another
   * transaction (another run, an expunge) are skipped, not waited for.
   */
  claimEvents: `select e.id from events e
     where e.tenant_id = $1 and e.id > $2::uuid and e.id < $3::uuid and e.created_at < $4::timestamptz
       and not exists (select 1 from deliveries d where d.event_id = e.id and d.status in ('pending', 'held'))
     order by e.id
     limit $5
     for update of e skip locked`,
  /** Locks the finished deliveries of events $1 (a uuid array literal); one made pending meanwhile is left out. */
  lockDeliveries: `select d.id from deliveries d
     where d.event_id = ${anyOfIds('$1')} and d.status in ${finished}
     for update of d`,
  deleteAttempts: `with gone as (delete from attempts where delivery_id = ${anyOfIds('$1')} returning 1)
     select count(*)::integer as n from gone`,
  deleteDeliveries: `with gone as (delete from deliveries where id = ${anyOfIds('$1')} returning 1)
     select count(*)::integer as n from gone`,
  /** Events $1 that have no delivery left (one made pending meanwhile keeps its event). */
  deleteEvents: `with gone as (
       delete from events e where e.id = ${anyOfIds('$1')}
         and not exists (select 1 from deliveries d where d.event_id = e.id)
       returning 1
     )
     select count(*)::integer as n from gone`,
  /**
   * Deletes up to $3 statistics rollup rows of tenant $1 whose minute ended by $2 (its minutes before the
   * cut-off's), oldest first over stats_rollups_tenant (tenant_id, minute). A row locked by the store's
   * upsert is skipped, not waited for: rows this old are not written any more, and the next run takes it.
   */
  deleteRollups: `with gone as (
       delete from stats_rollups r using (
         select tenant_id, endpoint_id, minute, event_type from stats_rollups
         where tenant_id = $1::uuid and minute < date_trunc('minute', $2::timestamptz, 'UTC')
         order by minute
         limit $3
         for update skip locked
       ) old
       where r.tenant_id = old.tenant_id and r.endpoint_id = old.endpoint_id and r.minute = old.minute
         and r.event_type = old.event_type
       returning 1
     )
     select count(*)::integer as n from gone`,
} as const;

/** The lowest UUIDv7 of millisecond `ms` since the epoch: every id made in it or later is at or above it. */
export function uuidFloor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

const lowestUuid = '00000000-0000-0000-0000-000000000000';

const idList = (ids: readonly string[]) => `{${ids.join(',')}}`;

async function count(q: Queryable, text: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const [row] = await q.query<{ n: number }>(text, [idList(ids)]);
  return row?.n ?? 0;
}

/** One batch: claims, deletes and commits; returns what it removed and the last id it claimed. */
async function pruneBatch(
  db: Database,
  tenantId: string,
  after: string,
  cutoff: string,
  batchSize: number,
): Promise<{ removed: Pruned; claimed: number; last: string | null }> {
  return db.transaction(async (tx) => {
    const events = await tx.query<{ id: string }>(pruneSql.claimEvents, [
      tenantId,
      after,
      // Ids of the cut-off's own millisecond are in the range too; created_at decides for them.
      uuidFloor(Date.parse(cutoff) + 1),
      cutoff,
      batchSize,
    ]);
    const eventIds = events.map((e) => e.id);
    if (eventIds.length === 0) return { removed: nothing(), claimed: 0, last: null };
    const deliveryIds = (await tx.query<{ id: string }>(pruneSql.lockDeliveries, [idList(eventIds)])).map((d) => d.id);
    // Attempts, then deliveries, then events: each delete finds nothing left for its foreign key's cascade.
    const attempts = await count(tx, pruneSql.deleteAttempts, deliveryIds);
    const deliveries = await count(tx, pruneSql.deleteDeliveries, deliveryIds);
    const removedEvents = await count(tx, pruneSql.deleteEvents, eventIds);
    return {
      removed: { events: removedEvents, deliveries, attempts, rollups: 0 },
      claimed: eventIds.length,
      last: eventIds[eventIds.length - 1] ?? null,
    };
  });
}

/** Deletes one tenant's rollup rows of minutes before `cutoff`, a transaction per batch; returns how many. */
async function pruneRollups(
  db: Database,
  tenantId: string,
  cutoff: string,
  batchSize: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  let total = 0;
  while (!signal?.aborted) {
    const [row] = await db.query<{ n: number }>(pruneSql.deleteRollups, [tenantId, cutoff, batchSize]);
    const n = row?.n ?? 0;
    total += n;
    // Fewer than a batch: none left, or the rest is locked (skipped) and left to the next run.
    if (n < batchSize) break;
  }
  return total;
}

/**
 * Prunes one tenant's events created before `cutoff` (an ISO 8601 time), batch by batch, then its
 * statistics rollups of minutes before it.
 */
export async function pruneTenant(
  db: Database,
  tenantId: string,
  cutoff: string,
  { batchSize = defaultBatchSize, signal, onBatch }: PruneOptions = {},
): Promise<Pruned> {
  const total = nothing();
  let after = lowestUuid;
  // Keyed by id, so every batch starts past the last one claimed: a run ends even when events it
  // claimed were kept (a delivery made pending meanwhile).
  while (!signal?.aborted) {
    const { removed, claimed, last } = await pruneBatch(db, tenantId, after, cutoff, batchSize);
    if (claimed > 0) onBatch?.(claimed, removed);
    addInto(total, removed);
    if (claimed < batchSize || last === null) break;
    after = last;
  }
  total.rollups = await pruneRollups(db, tenantId, cutoff, batchSize, signal);
  return total;
}

/** Prunes every tenant: by the same age for all (`hookport prune --older-than`), or by each one's window. */
export async function prune(db: Database, age: PruneAge, options: PruneOptions = {}): Promise<Pruned> {
  const total = nothing();
  const tenants = await db.query<{ id: string; days: number }>(pruneSql.windows, [
    'defaultDays' in age ? age.defaultDays : 1,
  ]);
  // One clock reading per window length, for the whole run.
  const cutoffs = new Map<number, string>();
  const cutoffOf = async (seconds: number): Promise<string> => {
    const known = cutoffs.get(seconds);
    if (known) return known;
    const [row] = await db.query<{ at: string }>(pruneSql.cutoff, [seconds]);
    if (!row) throw new Error('the cut-off query returned no row');
    cutoffs.set(seconds, row.at);
    return row.at;
  };
  for (const tenant of tenants) {
    if (options.signal?.aborted) break;
    const seconds = 'olderThanSeconds' in age ? age.olderThanSeconds : tenant.days * 86_400;
    addInto(total, await pruneTenant(db, tenant.id, await cutoffOf(seconds), options));
  }
  return total;
}
