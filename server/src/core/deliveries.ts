import {
  type AttemptRecord,
  CoreError,
  type DeliveryAttempt,
  type DeliveryFilter,
  type DeliveryRecord,
  isUuid,
  type Page,
  type SendExampleInput,
} from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import type { DeliveryRow, DeliveryStore, NewEvent } from '../shared/delivery-port.ts';
import type { AttemptRequestSource, createAttemptRequests } from './attempt-request.ts';
import { systemTypeRefusal } from './events.ts';
import { decodeCursor, toPage } from './pagination.ts';

const columns = `id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, next_attempt_at,
  last_http_status, last_error, created_at, updated_at`;

export function toDeliveryRecord(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    eventId: r.event_id,
    endpointId: r.endpoint_id,
    eventType: r.event_type,
    status: r.status,
    attemptCount: r.attempt_count,
    nextAttemptAt: r.next_attempt_at,
    lastHttpStatus: r.last_http_status,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface AttemptRow {
  id: string;
  seq: string | number;
  delivery_id: string;
  number: number;
  started_at: Date;
  duration_ms: number;
  http_status: number | null;
  error_kind: AttemptRecord['errorKind'];
  error_message: string | null;
  response_excerpt: string | null;
  response_truncated: boolean;
  next_attempt_at: Date | null;
}

export function toAttemptRecord(r: AttemptRow): AttemptRecord {
  return {
    id: r.id,
    seq: Number(r.seq),
    deliveryId: r.delivery_id,
    number: r.number,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    httpStatus: r.http_status,
    errorKind: r.error_kind,
    errorMessage: r.error_message,
    responseExcerpt: r.response_excerpt,
    responseTruncated: r.response_truncated,
    nextAttemptAt: r.next_attempt_at,
  };
}

/**
 * The example `input` names: a 422 for a type not in the catalogue (`eventType`) or an index past its
 * examples (`example`), a 409 for a type that has none (nothing is wrong with the request's form).
 */
async function exampleOf(q: Queryable, tenantId: string, input: SendExampleInput): Promise<Record<string, unknown>> {
  // A catalogue row of that name may predate the refusal at create: never send one as if from Hookport.
  const reserved = systemTypeRefusal(input.eventType, 'eventType');
  if (reserved) throw reserved;
  const [type] = await q.query<{ examples: Record<string, unknown>[] | null }>(
    'select examples from event_types where tenant_id = $1 and name = $2',
    [tenantId, input.eventType],
  );
  if (!type) {
    throw new CoreError('validation_failed', `${input.eventType} is not an event type of this tenant.`, [
      { path: 'eventType', message: 'is not in the event catalogue', code: 'unknown_event_type' },
    ]);
  }
  const examples = type.examples ?? [];
  if (examples.length === 0) {
    throw new CoreError('conflict', `The event type ${input.eventType} has no examples; add some to send one.`);
  }
  const data = examples[input.example];
  if (data === undefined) {
    throw new CoreError('validation_failed', `The event type ${input.eventType} has ${examples.length} example(s).`, [
      { path: 'example', message: `must be below ${examples.length}`, code: 'too_big' },
    ]);
  }
  return data;
}

const statusClassBounds = { '2xx': 200, '3xx': 300, '4xx': 400, '5xx': 500 } as const;

/** What the delivery read loads, besides its attempts, to render their requests again (attempt-request.ts). */
interface RequestSourceRow {
  e_data: Record<string, unknown> | null;
  e_created_at: Date;
  e_expunged: boolean;
  p_url: string | null;
  p_metadata: Record<string, string> | null;
  p_profile: AttemptRequestSource['endpoint']['profile'] | null;
  p_headers_enc: string | null;
}

function requestSourceOf(d: DeliveryRow, r: RequestSourceRow): AttemptRequestSource | null {
  if (r.p_url === null || r.p_profile === null) return null;
  return {
    eventId: d.event_id,
    eventType: d.event_type,
    data: r.e_expunged ? null : r.e_data,
    eventCreatedAt: r.e_created_at,
    endpoint: {
      id: d.endpoint_id,
      url: r.p_url,
      metadata: r.p_metadata ?? {},
      profile: r.p_profile,
      headersEnc: r.p_headers_enc,
    },
  };
}

export function createDeliveries(
  db: Database,
  store: DeliveryStore,
  requestsOf: ReturnType<typeof createAttemptRequests>,
) {
  async function endpointOf(q: Queryable, tenantId: string, endpointId: string) {
    const [row] = await q.query<{ status: string; ordering: string }>(
      'select status, ordering from endpoints where tenant_id = $1 and id = $2',
      [tenantId, endpointId],
    );
    if (!row) throw new CoreError('not_found', 'No such endpoint.');
    return row;
  }
  const endpointStatus = async (q: Queryable, tenantId: string, endpointId: string): Promise<string> =>
    (await endpointOf(q, tenantId, endpointId)).status;

  /** Stores a test event (ping, an example) for this one endpoint, and returns its delivery. */
  async function testSend(
    q: Queryable,
    tenantId: string,
    endpointId: string,
    event: NewEvent,
  ): Promise<DeliveryRecord> {
    const { deliveryIds } = await store.storeEvent(q, tenantId, event, { onlyEndpointId: endpointId });
    const [row] = await q.query<DeliveryRow>(`select ${columns} from deliveries where id = $1`, [deliveryIds[0] ?? '']);
    if (!row) throw new Error(`${event.type} test delivery missing`);
    return toDeliveryRecord(row);
  }

  return {
    async list(tenantId: string, f: DeliveryFilter): Promise<Page<DeliveryRecord>> {
      const after = decodeCursor(f.cursor, isUuid);
      const low = f.httpStatusClass ? statusClassBounds[f.httpStatusClass] : null;
      const rows = await db.query<DeliveryRow>(
        `select ${columns} from deliveries
         where tenant_id = $1 and ($2::uuid is null or id < $2::uuid)
           and ($3::uuid is null or endpoint_id = $3)
           and ($4::text is null or event_type = $4)
           and ($5::text is null or status = $5)
           and ($6::timestamptz is null or created_at >= $6)
           and ($7::timestamptz is null or created_at < $7)
           and ($8::integer is null or (last_http_status >= $8 and last_http_status < $8 + 100))
           and ($9::uuid is null or event_id = $9)
           and ($11::text is null or endpoint_id in (
             select id from endpoints where tenant_id = $1 and metadata @> $11::text::jsonb))
         order by id desc limit $10`,
        [
          tenantId,
          after,
          f.endpointId ?? null,
          f.eventType ?? null,
          f.status ?? null,
          f.since ?? null,
          f.until ?? null,
          low,
          f.eventId ?? null,
          f.limit + 1,
          f.endpointMetadata === undefined ? null : JSON.stringify(f.endpointMetadata),
        ],
      );
      return toPage(rows, f.limit, toDeliveryRecord, (d) => d.id);
    },

    async get(tenantId: string, id: string): Promise<{ delivery: DeliveryRecord; attempts: DeliveryAttempt[] }> {
      // One statement, so the delivery and its attempts come from one snapshot: the worker writes both
      // in one transaction, and two reads could show a pending delivery with its next attempt already listed.
      // The event and endpoint come with them: each attempt's request is rendered again from them.
      const rows = await db.query<
        DeliveryRow & RequestSourceRow & { [K in keyof AttemptRow as `a_${K}`]: AttemptRow[K] | null }
      >(
        `select ${columns
          .split(',')
          .map((c) => `d.${c.trim()}`)
          .join(', ')},
           a.id as a_id, a.seq as a_seq, a.delivery_id as a_delivery_id, a.number as a_number, a.started_at as a_started_at,
           a.duration_ms as a_duration_ms, a.http_status as a_http_status, a.error_kind as a_error_kind,
           a.error_message as a_error_message, a.response_excerpt as a_response_excerpt,
           a.response_truncated as a_response_truncated, a.next_attempt_at as a_next_attempt_at,
           -- The payload on the first row only (the one read below): not once per attempt.
           case when a.number is null or a.number = min(a.number) over () then e.data end as e_data,
           e.created_at as e_created_at, e.expunged_at is not null as e_expunged,
           p.url as p_url, p.metadata as p_metadata, p.profile as p_profile, p.headers_enc as p_headers_enc
         from deliveries d join events e on e.id = d.event_id
           left join endpoints p on p.id = d.endpoint_id
           left join attempts a on a.delivery_id = d.id
         where d.tenant_id = $1 and d.id = $2
         order by a.number`,
        [tenantId, id],
      );
      const [first] = rows;
      if (!first) throw new CoreError('not_found', 'No such delivery.');
      const source = requestSourceOf(first, first);
      const requestAt = source === null ? () => null : requestsOf(source);
      const attempts: DeliveryAttempt[] = [];
      for (const r of rows) {
        if (r.a_id === null || r.a_started_at === null) continue;
        attempts.push({
          ...toAttemptRecord({
            id: r.a_id,
            seq: r.a_seq ?? 0,
            delivery_id: r.id,
            number: r.a_number ?? 0,
            started_at: r.a_started_at,
            duration_ms: r.a_duration_ms ?? 0,
            http_status: r.a_http_status,
            error_kind: r.a_error_kind,
            error_message: r.a_error_message,
            response_excerpt: r.a_response_excerpt,
            response_truncated: r.a_response_truncated ?? false,
            next_attempt_at: r.a_next_attempt_at,
          }),
          request: requestAt(r.a_started_at),
        });
      }
      return { delivery: toDeliveryRecord(first), attempts };
    },

    async redeliver(tenantId: string, id: string): Promise<DeliveryRecord> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<DeliveryRow>(
          `select ${columns} from deliveries where tenant_id = $1 and id = $2 for update`,
          [tenantId, id],
        );
        if (!row) throw new CoreError('not_found', 'No such delivery.');
        const [event] = await tx.query<{ expunged: boolean }>(
          'select expunged_at is not null as expunged from events where id = $1',
          [row.event_id],
        );
        if (event?.expunged) {
          throw new CoreError('event_expunged', "The event's content was expunged; there is nothing to send again.");
        }
        const { status, ordering } = await endpointOf(tx, tenantId, row.endpoint_id);
        if (status !== 'active') {
          throw new CoreError('conflict', `The endpoint is ${status}; make it active to redeliver.`);
        }
        // On a fifo endpoint a pending delivery already has its place in the order: sending it again now
        // would put it ahead of the one in flight, and queuing it again would change nothing.
        if (ordering === 'fifo' && row.status === 'pending') {
          throw new CoreError('conflict', 'The delivery is pending on a fifo endpoint: it will be sent in its turn.');
        }
        const [requeued] = await store.requeue(tx, tenantId, { deliveryId: id });
        if (!requeued) throw new CoreError('not_found', 'No such delivery.');
        return toDeliveryRecord(requeued);
      });
    },

    async skip(tenantId: string, id: string): Promise<DeliveryRecord> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<DeliveryRow>(
          `select ${columns} from deliveries where tenant_id = $1 and id = $2`,
          [tenantId, id],
        );
        if (!row) throw new CoreError('not_found', 'No such delivery.');
        const skipped = await store.skip(tx, tenantId, id, row.endpoint_id);
        if (!skipped) {
          throw new CoreError('conflict', `The delivery is ${row.status}; only a pending or held one can be skipped.`);
        }
        return toDeliveryRecord(skipped);
      });
    },

    async ping(tenantId: string, endpointId: string): Promise<DeliveryRecord> {
      return db.transaction(async (tx) => {
        const status = await endpointStatus(tx, tenantId, endpointId);
        if (status === 'disabled') throw new CoreError('conflict', 'The endpoint is disabled; make it active to ping.');
        return testSend(tx, tenantId, endpointId, { type: 'ping', data: { message: 'ping from Hookport' } });
      });
    },

    /**
     * One of a type's examples, to this endpoint only, subscribed or not: a test send like ping, so the
     * endpoint's filters and the publish checks (quota, schema: the example was checked when stored) do not
     * apply. The event is marked `example` so that it is never mistaken for a published one.
     */
    async sendExample(tenantId: string, endpointId: string, input: SendExampleInput): Promise<DeliveryRecord> {
      return db.transaction(async (tx) => {
        const status = await endpointStatus(tx, tenantId, endpointId);
        if (status === 'disabled') {
          throw new CoreError('conflict', 'The endpoint is disabled; make it active to send it an example.');
        }
        const data = await exampleOf(tx, tenantId, input);
        return testSend(tx, tenantId, endpointId, { type: input.eventType, data, example: true });
      });
    },

    async recover(tenantId: string, endpointId: string, since: Date): Promise<number> {
      return db.transaction(async (tx) => {
        const status = await endpointStatus(tx, tenantId, endpointId);
        if (status !== 'active') {
          throw new CoreError('conflict', `The endpoint is ${status}; make it active before recovering.`);
        }
        const rows = await store.requeue(tx, tenantId, { endpointId, statuses: ['failed', 'skipped'], since });
        return rows.length;
      });
    },
  };
}
