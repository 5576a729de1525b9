import {
  batchEventRefusal,
  CoreError,
  type EventFilter,
  type EventRecord,
  isSystemEventType,
  isUuid,
  type Page,
  type PublishInput,
  type QuotaLimit,
} from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import type { DeliveryStore, EventRow } from '../shared/delivery-port.ts';
import { sha256Hex } from './crypto.ts';
import { atIndex, lockKeys, refuseRepeatedKeys, seeTypes, withProofs } from './event-batch.ts';
import { assertProven, type DataGate, type SchemaProof, type TypeRow, withProof } from './event-data.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { countEvents, dailyLimitOf } from './quotas.ts';

const columns = 'id, tenant_id, type, data, delivery_count, created_at, expunged_at, example';

export function toEventRecord(r: EventRow): EventRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type,
    data: r.data,
    deliveryCount: r.delivery_count,
    createdAt: r.created_at,
    expungedAt: r.expunged_at ?? null,
    example: r.example,
  };
}

/**
 * Throws unless `type` is in the tenant's catalogue (row found) and the data was proven against its
 * schema, if it has one (event-data.ts: the proof is made before the transaction).
 */
function checkType(
  gate: DataGate,
  tenantId: string,
  input: PublishInput,
  row: TypeRow | null,
  proof: SchemaProof | undefined,
): void {
  if (!row) {
    throw new CoreError('validation_failed', `${input.type} is not an event type of this tenant.`, [
      { path: 'type', message: 'is not in the event catalogue', code: 'unknown_event_type' },
    ]);
  }
  if (!row.schema) gate.see(tenantId, input.type, row);
  assertProven(row, proof);
}

/**
 * Refuses a publish of a type Hookport publishes itself (ping, the operational events): a receiver trusts
 * those to come from Hookport, so a tenant must not be able to forge one. Hookport's own sends (ping,
 * send-example, the operational events) store their events directly (DeliveryStore.storeEvent), never
 * through a publish, so this stands before every publish. The catalogue and send-example refuse these
 * names too (`path`: the field that names the type).
 */
export function systemTypeRefusal(type: string, path = 'type'): CoreError | null {
  if (!isSystemEventType(type)) return null;
  return new CoreError('validation_failed', `${type} is an event type only Hookport itself publishes.`, [
    { path, message: 'is reserved for the events Hookport publishes itself', code: 'reserved_event_type' },
  ]);
}

export function refuseSystemType(input: Pick<PublishInput, 'type'>): void {
  const refused = systemTypeRefusal(input.type);
  if (refused) throw refused;
}

/** The tenant's catalogue row of the type bound to $2 (tenant $1), as json; null when there is none. */
const typeSql = `(select json_build_object('schema', t.schema, 'updated_at', t.updated_at) from event_types t
  where t.tenant_id = $1 and t.name = $2)`;

export async function typeOf(q: Queryable, tenantId: string, type: string): Promise<TypeRow | null> {
  const [row] = await q.query<{ type: TypeRow | null }>(`select ${typeSql} as type`, [tenantId, type]);
  return row?.type ?? null;
}

/**
 * What a publish reads before it writes, in one scalar over the tenant ($1) and the type ($2): the type's
 * catalogue row, and the tenant's own daily quota (its `quotas` override, null when it has none). With
 * the quota known, an unlimited tenant's publish skips the quota statement (a round trip) altogether.
 */
const checkSql = `json_build_object('type', ${typeSql},
  'day_quota', (select n.quotas -> 'eventsPerDay' from tenants n where n.id = $1))`;

interface Checked {
  type: TypeRow | null;
  day_quota: unknown;
}

async function readChecked(q: Queryable, tenantId: string, type: string): Promise<Checked> {
  const [row] = await q.query<{ checked: Checked }>(`select ${checkSql} as checked`, [tenantId, type]);
  if (!row) throw new Error('the check returned no row');
  return row.checked;
}

/**
 * When a publish may be stored without a transaction, over the check's json (`checkSql`): the type is in
 * the catalogue without a schema, or with the schema the data was proven against ($7, the proof's
 * updated_at); and the tenant's daily limit is 'unlimited', its own or, when it has none, the default
 * ($8: the default is unlimited). System types never get here (refuseSystemType). Stricter than the check where they differ (a
 * malformed override, a schema of `false`): such a publish goes through the transaction.
 */
const loneGuard = (c: string) => `json_typeof(${c} -> 'type') = 'object'
    and (json_typeof(${c} -> 'type' -> 'schema') = 'null' or ${c} -> 'type' ->> 'updated_at' = $7::text)
  and ((json_typeof(${c} -> 'day_quota') = 'string' and ${c} ->> 'day_quota' = 'unlimited')
    or (json_typeof(${c} -> 'day_quota') = 'null' and $8::boolean))`;

/** How long a type found needing the transaction goes straight to it. */
const transactionalForMs = 10_000;

/**
 * The tenants' types whose publish this process lately found needing the transaction: subscribed to, or
 * of a tenant with a daily limit (its own or the default), whose lone attempt is a wasted round trip on
 * every publish. Only a hint: a wrong one costs a round trip or a transaction, never a wrong result (the
 * lone statement reads the endpoints and the limit itself).
 */
function transactionalTypes() {
  const until = new Map<string, number>();
  const keyOf = (tenantId: string, type: string) => `${tenantId}:${type}`;
  return {
    has: (tenantId: string, type: string) => (until.get(keyOf(tenantId, type)) ?? 0) > Date.now(),
    add(tenantId: string, type: string) {
      if (until.size >= 10_000) until.clear();
      until.set(keyOf(tenantId, type), Date.now() + transactionalForMs);
    },
  };
}

const idempotencyWindowHours = 24;

/** A published event, and whether it is an earlier publish returned again for its idempotency key. */
export interface Published {
  event: EventRecord;
  replayed: boolean;
}

/** What publishIn tells its caller besides: the tenant's daily limit as read (undefined when not read). */
interface PublishedIn extends Published {
  dayLimit: QuotaLimit | undefined;
}

/** How many of the published events are new (not replays). */
const storedIn = (published: readonly Published[]) => published.filter((p) => !p.replayed).length;

/** How publishIn applies the tenant's daily event quota. */
export interface DailyQuota {
  /** The limit of a tenant the admin gave none of its own. */
  defaultLimit: QuotaLimit;
  /**
   * Count before writing the event, or after, or leave it to the caller. The count takes the tenant's
   * counter row until the transaction ends, so publishes of a limited tenant queue on it: counted last,
   * the row is held only from the count to the commit (the API's own short transaction rolls back a
   * refusal whole). Counted first, a refusal has written nothing, for a transaction the caller may still
   * commit (the outbox). A batch counts its events together, with the limit publishIn read (`dayLimit`).
   */
  count: 'first' | 'last' | 'caller';
}

/** What publishIn checks the event's type with: the gate, and the proof made before the transaction. */
export interface TypeCheck {
  gate: DataGate;
  proof: SchemaProof | undefined;
}

/**
 * Publishes through q, counting the event against the tenant's daily quota as `quota.count` says.
 * With an idempotency key, a repeat within 24 h returns
 * the original event; a repeat with another body is a conflict. The unique
 * index makes two racing requests with one key produce one event. A type whose
 * schema the data was not proven against throws SchemaUnproven before anything
 * is written (see event-data.ts).
 */
export async function publishIn(
  q: Queryable,
  store: DeliveryStore,
  tenantId: string,
  input: PublishInput,
  quota: DailyQuota,
  { gate, proof }: TypeCheck,
): Promise<PublishedIn> {
  // Before anything is read, counted or written: the outbox's caller may commit after a refusal.
  refuseSystemType(input);
  let dayLimit: QuotaLimit | undefined;
  const check = (read: Checked) => {
    dayLimit = dailyLimitOf(read.day_quota, quota.defaultLimit);
    checkType(gate, tenantId, input, read.type, proof);
  };
  const count = async (when: DailyQuota['count']) => {
    // dayLimit is unknown until the type's read, which the outbox without a key counts before: then the
    // statement reads the limit itself.
    if (quota.count === when) await countEvents(q, tenantId, 1, quota.defaultLimit, dayLimit);
  };
  if (!input.idempotencyKey) {
    await count('first');
    // The type is read with the endpoints, in the store's statement, and checked before anything is written.
    const { event } = await store.storeEvent(q, tenantId, input, { check: { sql: checkSql, run: check } });
    await count('last');
    return { event: toEventRecord(event), replayed: false, dayLimit };
  }
  // With an Idempotency-Key the endpoints are read after the key's lock (a request may wait there while
  // an endpoint is deleted).
  check(await readChecked(q, tenantId, input.type));
  const hash = sha256Hex(JSON.stringify([input.type, input.data]));
  // Serialises requests with the same key; the lock ends with the transaction.
  await q.query('select pg_advisory_xact_lock(hashtext($1))', [`${tenantId}:${input.idempotencyKey}`]);
  const [prior] = await q.query<EventRow & { fresh: boolean }>(
    `select ${columns}, request_hash, created_at > now() - make_interval(hours => $3) as fresh
     from events where tenant_id = $1 and idempotency_key = $2`,
    [tenantId, input.idempotencyKey, idempotencyWindowHours],
  );
  if (prior?.fresh) {
    if (prior.expunged_at) {
      throw new CoreError('event_expunged', "This Idempotency-Key's event was expunged; publish with a new key.");
    }
    if (prior.request_hash !== hash) {
      throw new CoreError(
        'idempotency_conflict',
        'This Idempotency-Key was used with a different request in the last 24 hours.',
      );
    }
    return { event: toEventRecord(prior), replayed: true, dayLimit };
  }
  if (prior) {
    // An expired key is free again: the old event keeps its data, loses the key.
    await q.query('update events set idempotency_key = null where id = $1', [prior.id]);
  }
  // A replay above is not a new event and is not counted.
  await count('first');
  const { event } = await store.storeEvent(q, tenantId, { ...input, requestHash: hash });
  await count('last');
  return { event: toEventRecord(event), replayed: false, dayLimit };
}

export function createEvents(
  db: Database,
  store: DeliveryStore,
  maxEventsPerDay: QuotaLimit,
  gate: DataGate,
  onPublished: (count: number) => void,
) {
  const transactional = transactionalTypes();

  /**
   * A publish in one statement that commits by itself (store.storeLoneEvent), when it can be: no
   * Idempotency-Key (whose lock and lookup need a transaction), no endpoint selecting the type (so no
   * deliveries or jobs to commit with the event), and no daily limit for the tenant (whose count must
   * commit with it). The statement checks the type as the transaction would and stores the event only
   * when all of that holds (loneGuard); otherwise it has written nothing and the caller opens the
   * transaction. Types whose attempt stored nothing though the check passed (subscribed to, or a tenant
   * with a daily limit) skip it for a while: its read would be a round trip on top of the transaction's.
   */
  async function publishAlone(tenantId: string, input: PublishInput, proof: SchemaProof | undefined) {
    if (input.idempotencyKey || !store.storeLoneEvent || transactional.has(tenantId, input.type)) return null;
    const check = (read: Checked) => checkType(gate, tenantId, input, read.type, proof);
    const params = [proof?.updatedAt ?? null, maxEventsPerDay === 'unlimited'];
    const { event } = await store.storeLoneEvent(db, tenantId, input, {
      check: { sql: checkSql, run: check },
      when: loneGuard,
      params,
    });
    // The check passed (it throws otherwise), yet the guard kept the event out: endpoints, or a daily limit.
    if (!event) transactional.add(tenantId, input.type);
    return event ? { event: toEventRecord(event), replayed: false } : null;
  }

  return {
    async publish(tenantId: string, input: PublishInput): Promise<Published> {
      refuseSystemType(input);
      // Our own transaction: a refusal rolls back the event with it, so the count comes last. The data
      // is checked against a schema before it opens, and again before a retry if the schema was another.
      // An event nobody subscribes to, without a key or a daily limit, needs none (publishAlone).
      const { event, replayed } = await withProof(gate, tenantId, input, async (proof) => {
        const alone = await publishAlone(tenantId, input, proof);
        if (alone) return alone;
        return db.transaction((tx) =>
          publishIn(tx, store, tenantId, input, { defaultLimit: maxEventsPerDay, count: 'last' }, { gate, proof }),
        );
      });
      // Committed; a replay stored nothing.
      if (!replayed) onPublished(1);
      return { event, replayed };
    },

    /**
     * Publishes the events in order in one transaction, all or none: every event's data is proven
     * against its schema before it opens, and the tenant's daily quota counts the new ones together.
     */
    async publishBatch(tenantId: string, inputs: readonly PublishInput[]): Promise<Published[]> {
      refuseRepeatedKeys(inputs);
      // Before the types are read or any data proven; publishIn checks again, in the transaction.
      for (const [index, input] of inputs.entries()) {
        const refused = systemTypeRefusal(input.type);
        if (refused) throw batchEventRefusal(index, refused);
      }
      await seeTypes(db, gate, tenantId, inputs);
      const published = await withProofs(gate, tenantId, inputs, (proofs) =>
        db.transaction(async (tx) => {
          await lockKeys(tx, tenantId, inputs);
          const batchQuota: DailyQuota = { defaultLimit: maxEventsPerDay, count: 'caller' };
          const inOrder: Published[] = [];
          let dayLimit: QuotaLimit | undefined;
          for (const [index, input] of inputs.entries()) {
            const proof = proofs[index];
            const one = await atIndex(index, () => publishIn(tx, store, tenantId, input, batchQuota, { gate, proof }));
            dayLimit = one.dayLimit;
            inOrder.push({ event: one.event, replayed: one.replayed });
          }
          // Replays stored nothing and are not counted, as for one event; a refusal rolls the batch back.
          const stored = storedIn(inOrder);
          if (stored > 0) await countEvents(tx, tenantId, stored, maxEventsPerDay, dayLimit);
          return inOrder;
        }),
      );
      // Committed.
      const stored = storedIn(published);
      if (stored > 0) onPublished(stored);
      return published;
    },

    async list(tenantId: string, f: EventFilter): Promise<Page<EventRecord>> {
      const after = decodeCursor(f.cursor, isUuid);
      const rows = await db.query<EventRow>(
        `select ${columns} from events
         where tenant_id = $1 and ($2::uuid is null or id < $2::uuid)
           and ($3::text is null or type = $3)
           and ($4::timestamptz is null or created_at >= $4)
           and ($5::timestamptz is null or created_at < $5)
         order by id desc limit $6`,
        [tenantId, after, f.type ?? null, f.since ?? null, f.until ?? null, f.limit + 1],
      );
      return toPage(rows, f.limit, toEventRecord, (e) => e.id);
    },

    async get(tenantId: string, id: string): Promise<EventRecord> {
      const [row] = await db.query<EventRow>(`select ${columns} from events where tenant_id = $1 and id = $2`, [
        tenantId,
        id,
      ]);
      if (!row) throw new CoreError('not_found', 'No such event.');
      return toEventRecord(row);
    },

    async expunge(tenantId: string, id: string): Promise<EventRecord> {
      const row = await db.transaction((tx) => store.expungeEvent(tx, tenantId, id));
      if (!row) throw new CoreError('not_found', 'No such event.');
      return toEventRecord(row);
    },
  };
}
