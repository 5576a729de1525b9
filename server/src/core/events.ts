import {
  boundedCache,
  CoreError,
  type EventFilter,
  type EventRecord,
  isSystemEventType,
  isUuid,
  type Page,
  type PublishInput,
  type QuotaLimit,
} from '@hookport/spec';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Database, Queryable } from '../db/database.ts';
import type { DeliveryStore, EventRow } from '../shared/delivery-port.ts';
import { sha256Hex } from './crypto.ts';
import { newAjv } from './json-schema.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { countEvents } from './quotas.ts';

const columns = 'id, tenant_id, type, data, delivery_count, created_at';

export function toEventRecord(r: EventRow): EventRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type,
    data: r.data,
    deliveryCount: r.delivery_count,
    createdAt: r.created_at,
  };
}

/** Compiled data validators, keyed by tenant, type and the schema's last change. */
const validators = boundedCache<ValidateFunction>(1000);

function validatorFor(key: string, schema: Record<string, unknown>): ValidateFunction {
  return validators.get(key, () => newAjv().compile(schema));
}

/**
 * The dotted path of the field a schema error is about, under `data.`. Ajv
 * reports a missing or unknown property at the object that holds it; the
 * caller needs the property itself, as the request-body errors name it.
 */
function dataPath(e: ErrorObject): string {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const property =
    e.keyword === 'required'
      ? e.params.missingProperty
      : e.keyword === 'additionalProperties'
        ? e.params.additionalProperty
        : undefined;
  if (typeof property === 'string') segments.push(property);
  return ['data', ...segments].join('.');
}

interface TypeRow {
  schema: Record<string, unknown> | null;
  /** As json renders it: only compared, to know a schema changed. */
  updated_at: string;
}

/** Throws unless `type` is in the tenant's catalogue (row found) and `data` matches its schema, if it has one. */
function checkType(tenantId: string, input: PublishInput, row: TypeRow | null): void {
  if (!row) {
    throw new CoreError('validation_failed', `${input.type} is not an event type of this tenant.`, [
      { path: 'type', message: 'is not in the event catalogue', code: 'unknown_event_type' },
    ]);
  }
  if (!row.schema) return;
  const validate = validatorFor(`${tenantId}:${input.type}:${row.updated_at}`, row.schema);
  if (!validate(input.data)) {
    const errors = (validate.errors ?? []).map((e) => ({
      path: dataPath(e),
      message: e.message ?? 'is not valid',
      code: `schema_${e.keyword}`,
    }));
    throw new CoreError('validation_failed', `data does not match the schema of ${input.type}.`, errors);
  }
}

/** The tenant's catalogue row of the type bound to $2 (tenant $1), as json; null when there is none. */
const typeSql = `(select json_build_object('schema', t.schema, 'updated_at', t.updated_at) from event_types t
  where t.tenant_id = $1 and t.name = $2)`;

async function typeOf(q: Queryable, tenantId: string, type: string): Promise<TypeRow | null> {
  const [row] = await q.query<{ type: TypeRow | null }>(`select ${typeSql} as type`, [tenantId, type]);
  return row?.type ?? null;
}

const idempotencyWindowHours = 24;

/** How publishIn applies the tenant's daily event quota. */
export interface DailyQuota {
  /** The limit of a tenant the admin gave none of its own. */
  defaultLimit: QuotaLimit;
  /**
   * Count before writing the event, or after. The count takes the tenant's counter row until the
   * transaction ends, so publishes of a limited tenant queue on it: counted last, the row is held only
   * from the count to the commit (the API's own short transaction rolls back a refusal whole). Counted
   * first, a refusal has written nothing, for a transaction the caller may still commit (the outbox).
   */
  countFirst: boolean;
}

/**
 * Publishes through q. With an idempotency key, a repeat within 24 h returns
 * the original event; a repeat with another body is a conflict. The unique
 * index makes two racing requests with one key produce one event.
 */
export async function publishIn(
  q: Queryable,
  store: DeliveryStore,
  tenantId: string,
  input: PublishInput,
  quota: DailyQuota,
): Promise<{ event: EventRecord; replayed: boolean }> {
  // System types (ping, endpoint.disabled) are not in the catalogue; every other type must be.
  const check = (type: TypeRow | null) => {
    if (!isSystemEventType(input.type)) checkType(tenantId, input, type);
  };
  const count = () => countEvents(q, tenantId, 1, quota.defaultLimit);
  if (!input.idempotencyKey) {
    if (quota.countFirst) await count();
    // The type is read with the endpoints, in the store's statement, and checked before anything is written.
    const { event } = await store.storeEvent(q, tenantId, input, { check: { sql: typeSql, run: check } });
    if (!quota.countFirst) await count();
    return { event: toEventRecord(event), replayed: false };
  }
  // With an Idempotency-Key the endpoints are read after the key's lock (a request may wait there while
  // an endpoint is deleted).
  check(await typeOf(q, tenantId, input.type));
  const hash = sha256Hex(JSON.stringify([input.type, input.data]));
  // Serialises requests with the same key; the lock ends with the transaction.
  await q.query('select pg_advisory_xact_lock(hashtext($1))', [`${tenantId}:${input.idempotencyKey}`]);
  const [prior] = await q.query<EventRow & { fresh: boolean }>(
    `select ${columns}, request_hash, created_at > now() - make_interval(hours => $3) as fresh
     from events where tenant_id = $1 and idempotency_key = $2`,
    [tenantId, input.idempotencyKey, idempotencyWindowHours],
  );
  if (prior?.fresh) {
    if (prior.request_hash !== hash) {
      throw new CoreError(
        'idempotency_conflict',
        'This Idempotency-Key was used with a different request in the last 24 hours.',
      );
    }
    return { event: toEventRecord(prior), replayed: true };
  }
  if (prior) {
    // An expired key is free again: the old event keeps its data, loses the key.
    await q.query('update events set idempotency_key = null where id = $1', [prior.id]);
  }
  // A replay above is not a new event and is not counted.
  if (quota.countFirst) await count();
  const { event } = await store.storeEvent(q, tenantId, { ...input, requestHash: hash });
  if (!quota.countFirst) await count();
  return { event: toEventRecord(event), replayed: false };
}

export function createEvents(db: Database, store: DeliveryStore, maxEventsPerDay: QuotaLimit) {
  return {
    publish(tenantId: string, input: PublishInput) {
      // Our own transaction: a refusal rolls back the event with it, so the count comes last.
      return db.transaction((tx) =>
        publishIn(tx, store, tenantId, input, { defaultLimit: maxEventsPerDay, countFirst: false }),
      );
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
  };
}
