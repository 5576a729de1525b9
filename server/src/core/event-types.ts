import {
  CoreError,
  type CreateEventTypeInput,
  type CursorArgs,
  type EventTypeRecord,
  eventTypeNamePattern,
  type Page,
  type TenantLimits,
  type UpdateEventTypeInput,
} from '@hookport/spec';
import type { Database } from '../db/database.ts';
import { schemaErrors } from './json-schema.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { checkQuota, lockQuota } from './quotas.ts';

interface EventTypeRow {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  deprecated: boolean;
  created_at: Date;
  updated_at: Date;
}

const columns = 'name, description, schema, deprecated, created_at, updated_at';

function toRecord(r: EventTypeRow): EventTypeRecord {
  return {
    name: r.name,
    description: r.description,
    schema: r.schema,
    deprecated: r.deprecated,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function notFound(): CoreError {
  return new CoreError('not_found', 'No such event type.');
}

function assertValidSchema(schema: Record<string, unknown> | null | undefined) {
  if (schema === null || schema === undefined) return;
  const errors = schemaErrors(schema, 'schema');
  if (errors.length > 0) throw new CoreError('validation_failed', 'The schema is not a valid JSON Schema.', errors);
}

const isName = (key: string) => eventTypeNamePattern.test(key);

export function createEventTypes(db: Database, quotas: TenantLimits) {
  return {
    async create(tenantId: string, input: CreateEventTypeInput): Promise<EventTypeRecord> {
      assertValidSchema(input.schema);
      return db.transaction(async (tx) => {
        await lockQuota(tx, tenantId, 'eventTypes');
        const [row] = await tx.query<EventTypeRow>(
          `insert into event_types (tenant_id, name, description, schema, deprecated)
           values ($1, $2, $3, $4::text::jsonb, $5) on conflict do nothing returning ${columns}`,
          [
            tenantId,
            input.name,
            input.description ?? '',
            input.schema ? JSON.stringify(input.schema) : null,
            input.deprecated ?? false,
          ],
        );
        // A name taken is a conflict whatever the count: checked before the quota.
        if (!row) throw new CoreError('conflict', `The event type ${input.name} already exists.`);
        await checkQuota(tx, tenantId, 'eventTypes', quotas);
        return toRecord(row);
      });
    },

    async list(
      tenantId: string,
      { limit, cursor, prefix }: CursorArgs & { prefix?: string | undefined },
    ): Promise<Page<EventTypeRecord>> {
      const after = decodeCursor(cursor, isName);
      const rows = await db.query<EventTypeRow>(
        `select ${columns} from event_types
         where tenant_id = $1 and ($2::text is null or name collate "C" > $2) and ($3::text is null or starts_with(name, $3))
         order by name collate "C" limit $4`,
        [tenantId, after, prefix ?? null, limit + 1],
      );
      return toPage(rows, limit, toRecord, (e) => e.name);
    },

    async get(tenantId: string, name: string): Promise<EventTypeRecord> {
      const [row] = await db.query<EventTypeRow>(
        `select ${columns} from event_types where tenant_id = $1 and name = $2`,
        [tenantId, name],
      );
      if (!row) throw notFound();
      return toRecord(row);
    },

    async update(tenantId: string, name: string, input: UpdateEventTypeInput): Promise<EventTypeRecord> {
      assertValidSchema(input.schema);
      // `schema: null` removes the schema; an absent schema leaves it as it is.
      const [row] = await db.query<EventTypeRow>(
        `update event_types set
           description = coalesce($3, description),
           schema = case when $4::boolean then $5::text::jsonb else schema end,
           deprecated = coalesce($6, deprecated),
           updated_at = now()
         where tenant_id = $1 and name = $2 returning ${columns}`,
        [
          tenantId,
          name,
          input.description ?? null,
          input.schema !== undefined,
          input.schema ? JSON.stringify(input.schema) : null,
          input.deprecated ?? null,
        ],
      );
      if (!row) throw notFound();
      return toRecord(row);
    },

    async delete(tenantId: string, name: string): Promise<void> {
      return db.transaction(async (tx) => {
        const [user] = await tx.query('select 1 from endpoints where tenant_id = $1 and event_types ? $2 limit 1', [
          tenantId,
          name,
        ]);
        if (user) {
          throw new CoreError('conflict', `Endpoints subscribe to ${name} by name; change them first.`);
        }
        const rows = await tx.query('delete from event_types where tenant_id = $1 and name = $2 returning name', [
          tenantId,
          name,
        ]);
        if (rows.length === 0) throw notFound();
      });
    },
  };
}
