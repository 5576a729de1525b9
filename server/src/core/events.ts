import {
  boundedCache,
  CoreError,
  type EventFilter,
  type EventRecord,
  isSystemEventType,
  type Page,
  type PublishInput,
} from '@hookport/spec';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Database, Queryable } from '../db/database.ts';
import type { JobSpec } from '../delivery/queue.ts';
import { sha256Hex } from './crypto.ts';
import { newId } from './ids.ts';
import { newAjv } from './json-schema.ts';
import { decodeCursor, isUuid, toPage } from './pagination.ts';

interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  data: Record<string, unknown>;
  delivery_count: number;
  created_at: Date;
  request_hash?: string | null;
}

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

export type Enqueue = (q: Queryable, jobs: readonly JobSpec[]) => Promise<void>;

/** SQL that is true when an endpoint's filters (column event_types) select the type bound to `$param`. */
export function filtersSelect(param: string): string {
  return `exists (select 1 from jsonb_array_elements_text(event_types) as f(filter)
    where f.filter = '*' or f.filter = ${param}
       or (right(f.filter, 2) = '.*' and starts_with(${param}, left(f.filter, -1))))`;
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

interface Target {
  id: string;
  status: string;
  /** The endpoint is in the slow lane (queue.ts): its jobs go to that lane's queue. */
  slow: boolean;
}

/** The columns of a Target, from endpoints `p`. */
const targetColumns = `p.id, p.status, p.slow_lane_since is not null as slow`;

/** The endpoints whose filters select the type bound to $2 (tenant $1), as a json array of Targets. */
const targetsSql = `coalesce((select json_agg(json_build_object('id', p.id, 'status', p.status,
    'slow', p.slow_lane_since is not null) order by p.id)
  from endpoints p where p.tenant_id = $1 and ${filtersSelect('$2::text')}), '[]')`;

/** The tenant's catalogue row of the type bound to $2 (tenant $1), as json; null when there is none. */
const typeSql = `(select json_build_object('schema', t.schema, 'updated_at', t.updated_at) from event_types t
  where t.tenant_id = $1 and t.name = $2)`;

/**
 * The event type's catalogue row and the endpoints the event goes to, in one round trip: a publish is
 * a handful of statements, and each one costs a round trip on both sides.
 */
async function typeAndTargets(q: Queryable, tenantId: string, type: string) {
  const [row] = await q.query<{ type: TypeRow | null; targets: Target[] }>(
    `select ${typeSql} as type, ${targetsSql} as targets`,
    [tenantId, type],
  );
  return { type: row?.type ?? null, targets: row?.targets ?? [] };
}

async function typeOf(q: Queryable, tenantId: string, type: string): Promise<TypeRow | null> {
  const [row] = await q.query<{ type: TypeRow | null }>(`select ${typeSql} as type`, [tenantId, type]);
  return row?.type ?? null;
}

async function targetsOf(q: Queryable, tenantId: string, type: string, options: FanOutOptions): Promise<Target[]> {
  if (options.onlyEndpointId) {
    return q.query<Target>(`select ${targetColumns} from endpoints p where p.tenant_id = $1 and p.id = $2`, [
      tenantId,
      options.onlyEndpointId,
    ]);
  }
  const [row] = await q.query<{ targets: Target[] }>(`select ${targetsSql} as targets`, [tenantId, type]);
  return row?.targets ?? [];
}

export interface FanOutOptions {
  /** Deliver to this endpoint only, whatever it subscribes to (ping). */
  onlyEndpointId?: string;
}

/**
 * Stores an event, one delivery per selected endpoint and the jobs of the
 * pending ones, all through q (one transaction). Active endpoints get a job;
 * paused ones a held delivery; disabled ones a skipped delivery that recover
 * can replay. `targets`, when given, are the endpoints already selected (publish reads them with the type).
 */
export async function storeEvent(
  q: Queryable,
  enqueue: Enqueue,
  tenantId: string,
  input: PublishInput,
  requestHash: string | null,
  options: FanOutOptions = {},
  targets?: Target[],
): Promise<{ event: EventRecord; deliveryIds: string[] }> {
  const eventId = newId();
  const selected = targets ?? (await targetsOf(q, tenantId, input.type, options));
  // Endpoints that are not active are re-read FOR SHARE, so a concurrent resume (or recover after
  // re-enabling) either commits first and they get a job, or waits and then finds their held or skipped
  // delivery. Active ones, the common case, need no lock: a pause is handled by the worker.
  const inactive = selected.filter((t) => t.status !== 'active').map((t) => t.id);
  if (inactive.length > 0) {
    const current = await q.query<Target>(
      'select id, status from endpoints where id = any($1::text::uuid[]) for share',
      [`{${inactive.join(',')}}`],
    );
    const statusOf = new Map(current.map((c) => [c.id, c.status]));
    for (const t of selected) t.status = statusOf.get(t.id) ?? t.status;
  }
  const deliveries = selected.map((t) => ({
    id: newId(),
    endpoint_id: t.id,
    status: t.status === 'active' ? 'pending' : t.status === 'paused' ? 'held' : 'skipped',
    slow: t.slow,
  }));
  // The event and its deliveries in one statement (the deliveries' foreign key is checked at its end),
  // sent together with the jobs' insert, which needs nothing from it: one round trip for both.
  const store = q.query<EventRow>(
    `with event as (
       insert into events (id, tenant_id, type, data, idempotency_key, request_hash, delivery_count)
       values ($1, $2, $3, $4::text::jsonb, $5, $6, $7) returning ${columns}
     ), fan_out as (
       insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status)
       select d.id, $2, $1, d.endpoint_id, $3, d.status
       from jsonb_to_recordset($8::text::jsonb) as d(id uuid, endpoint_id uuid, status text)
     )
     select * from event`,
    [
      eventId,
      tenantId,
      input.type,
      JSON.stringify(input.data),
      input.idempotencyKey ?? null,
      requestHash,
      deliveries.length,
      JSON.stringify(deliveries),
    ],
  );
  const jobs = enqueue(
    q,
    deliveries
      .filter((d) => d.status === 'pending')
      .map((d) => ({ deliveryId: d.id, endpointId: d.endpoint_id, attempt: 1, slow: d.slow })),
  );
  const [[row]] = await Promise.all([store, jobs]);
  if (!row) throw new Error('insert returned no row');
  return { event: toEventRecord(row), deliveryIds: deliveries.map((d) => d.id) };
}

const idempotencyWindowHours = 24;

/**
 * Publishes through q. With an idempotency key, a repeat within 24 h returns
 * the original event; a repeat with another body is a conflict. The unique
 * index makes two racing requests with one key produce one event.
 */
export async function publishIn(
  q: Queryable,
  enqueue: Enqueue,
  tenantId: string,
  input: PublishInput,
): Promise<{ event: EventRecord; replayed: boolean }> {
  // System types (ping, endpoint.disabled) are not in the catalogue; every other type must be.
  const system = isSystemEventType(input.type);
  // With an Idempotency-Key the endpoints are read after the key's lock (a request may wait there while
  // an endpoint is deleted); without one, with the type, in one round trip.
  const { type, targets } = input.idempotencyKey
    ? { type: await typeOf(q, tenantId, input.type), targets: undefined }
    : await typeAndTargets(q, tenantId, input.type);
  if (!system) checkType(tenantId, input, type);
  const hash = input.idempotencyKey ? sha256Hex(JSON.stringify([input.type, input.data])) : null;
  if (input.idempotencyKey) {
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
  }
  const { event } = await storeEvent(q, enqueue, tenantId, input, hash, {}, targets);
  return { event, replayed: false };
}

export function createEvents(db: Database, enqueue: Enqueue) {
  return {
    publish(tenantId: string, input: PublishInput) {
      return db.transaction((tx) => publishIn(tx, enqueue, tenantId, input));
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
