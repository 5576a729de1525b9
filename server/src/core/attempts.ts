import {
  type AttemptFilter,
  type AttemptView,
  CoreError,
  type DeliveryStatus,
  isUuid,
  type Numbered,
} from '@hookport/spec';
import type { Database } from '../db/database.ts';
import { type AttemptRow, toAttemptRecord } from './deliveries.ts';

interface AttemptViewRow extends AttemptRow {
  endpoint_id: string;
  event_id: string;
  event_type: string;
  delivery_status: DeliveryStatus;
  delivery_last_http_status: number | null;
  delivery_created_at: Date;
  delivery_updated_at: Date;
  event_data: Record<string, unknown>;
  event_created_at: Date;
}

const columns = `a.id, a.seq, a.delivery_id, a.number, a.started_at, a.duration_ms, a.http_status, a.error_kind,
  a.error_message, a.response_excerpt, a.response_truncated, a.next_attempt_at,
  d.endpoint_id, d.event_id, d.event_type, d.status as delivery_status, d.last_http_status as delivery_last_http_status,
  d.created_at as delivery_created_at, d.updated_at as delivery_updated_at,
  e.data as event_data, e.created_at as event_created_at`;

const from = 'attempts a join deliveries d on d.id = a.delivery_id join events e on e.id = d.event_id';

function toView(r: AttemptViewRow): AttemptView {
  return {
    ...toAttemptRecord(r),
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    deliveryStatus: r.delivery_status,
    deliveryLastHttpStatus: r.delivery_last_http_status,
    deliveryCreatedAt: r.delivery_created_at,
    deliveryUpdatedAt: r.delivery_updated_at,
    eventData: r.event_data,
    eventCreatedAt: r.event_created_at,
  };
}

const statusClassLow = { '2xx': 200, '3xx': 300, '4xx': 400, '5xx': 500 } as const;

/**
 * Attempts as vendor surfaces list them (Spedy, TSANet and Rapidly call one
 * attempt a "delivery"): newest first, filtered, numbered pages with a total.
 */
export function createAttempts(db: Database) {
  return {
    async list(tenantId: string, f: AttemptFilter): Promise<Numbered<AttemptView>> {
      const low = f.httpStatusClass ? statusClassLow[f.httpStatusClass] : null;
      // Lists travel as JSON text: the SQL seam takes scalars only.
      const endpointIds = f.endpointIds && f.endpointIds.length > 0 ? JSON.stringify(f.endpointIds) : null;
      const eventTypes = f.eventTypes && f.eventTypes.length > 0 ? JSON.stringify(f.eventTypes) : null;
      const rows = await db.query<AttemptViewRow & { total: string | number }>(
        `select ${columns}, count(*) over () as total
         from ${from}
         where a.tenant_id = $1
           and ($2::text is null or d.endpoint_id::text in (select jsonb_array_elements_text($2::text::jsonb)))
           and ($3::text is null or d.event_type in (select jsonb_array_elements_text($3::text::jsonb)))
           and ($4::boolean is null or (a.error_kind is null) = $4)
           and ($5::integer is null or (a.http_status >= $5 and a.http_status < $5 + 100))
           and ($6::timestamptz is null or a.started_at >= $6)
           and ($7::timestamptz is null or a.started_at < $7)
           and ($8::text is null or strpos(a.id::text || ' ' || d.id::text || ' ' || d.event_id::text || ' '
             || coalesce(a.http_status::text, ''), lower($8)) > 0)
         order by a.started_at desc, a.id desc
         offset $9 limit $10`,
        [
          tenantId,
          endpointIds,
          eventTypes,
          f.succeeded ?? null,
          low,
          f.since ?? null,
          f.until ?? null,
          f.query ?? null,
          f.offset,
          f.limit,
        ],
      );
      let total = Number(rows[0]?.total ?? 0);
      if (rows.length === 0 && f.offset > 0) {
        // Past the last page: ask again for the first row only, to learn the total.
        total = (await this.list(tenantId, { ...f, offset: 0, limit: 1 })).total;
      }
      return { items: rows.map(toView), total };
    },

    async get(tenantId: string, id: string): Promise<AttemptView> {
      if (!isUuid(id)) throw new CoreError('not_found', 'No such attempt.');
      const [row] = await db.query<AttemptViewRow>(
        `select ${columns} from ${from} where a.tenant_id = $1 and a.id = $2`,
        [tenantId, id],
      );
      if (!row) throw new CoreError('not_found', 'No such attempt.');
      return toView(row);
    },
  };
}
