import {
  type AttemptRecord,
  CoreError,
  type DeliveryFilter,
  type DeliveryRecord,
  isUuid,
  type Page,
} from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import type { DeliveryRow, DeliveryStore } from '../shared/delivery-port.ts';
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

const statusClassBounds = { '2xx': 200, '3xx': 300, '4xx': 400, '5xx': 500 } as const;

export function createDeliveries(db: Database, store: DeliveryStore) {
  async function endpointStatus(q: Queryable, tenantId: string, endpointId: string): Promise<string> {
    const [row] = await q.query<{ status: string }>('select status from endpoints where tenant_id = $1 and id = $2', [
      tenantId,
      endpointId,
    ]);
    if (!row) throw new CoreError('not_found', 'No such endpoint.');
    return row.status;
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
        ],
      );
      return toPage(rows, f.limit, toDeliveryRecord, (d) => d.id);
    },

    async get(tenantId: string, id: string): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] }> {
      // One statement, so the delivery and its attempts come from one snapshot: the worker writes both
      // in one transaction, and two reads could show a pending delivery with its next attempt already listed.
      const rows = await db.query<DeliveryRow & { [K in keyof AttemptRow as `a_${K}`]: AttemptRow[K] | null }>(
        `select ${columns
          .split(',')
          .map((c) => `d.${c.trim()}`)
          .join(', ')},
           a.id as a_id, a.seq as a_seq, a.delivery_id as a_delivery_id, a.number as a_number, a.started_at as a_started_at,
           a.duration_ms as a_duration_ms, a.http_status as a_http_status, a.error_kind as a_error_kind,
           a.error_message as a_error_message, a.response_excerpt as a_response_excerpt,
           a.response_truncated as a_response_truncated, a.next_attempt_at as a_next_attempt_at
         from deliveries d left join attempts a on a.delivery_id = d.id
         where d.tenant_id = $1 and d.id = $2
         order by a.number`,
        [tenantId, id],
      );
      const [first] = rows;
      if (!first) throw new CoreError('not_found', 'No such delivery.');
      const attempts: AttemptRecord[] = [];
      for (const r of rows) {
        if (r.a_id === null || r.a_started_at === null) continue;
        attempts.push(
          toAttemptRecord({
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
        );
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
        const status = await endpointStatus(tx, tenantId, row.endpoint_id);
        if (status !== 'active') {
          throw new CoreError('conflict', `The endpoint is ${status}; make it active to redeliver.`);
        }
        const [requeued] = await store.requeue(tx, tenantId, { deliveryId: id });
        if (!requeued) throw new CoreError('not_found', 'No such delivery.');
        return toDeliveryRecord(requeued);
      });
    },

    async ping(tenantId: string, endpointId: string): Promise<DeliveryRecord> {
      return db.transaction(async (tx) => {
        const status = await endpointStatus(tx, tenantId, endpointId);
        if (status === 'disabled') throw new CoreError('conflict', 'The endpoint is disabled; make it active to ping.');
        const { deliveryIds } = await store.storeEvent(
          tx,
          tenantId,
          { type: 'ping', data: { message: 'ping from Hookport' } },
          { onlyEndpointId: endpointId },
        );
        const [row] = await tx.query<DeliveryRow>(`select ${columns} from deliveries where id = $1`, [
          deliveryIds[0] ?? '',
        ]);
        if (!row) throw new Error('ping delivery missing');
        return toDeliveryRecord(row);
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
