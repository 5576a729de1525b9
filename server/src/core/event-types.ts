import {
  CoreError,
  type CreateEventTypeInput,
  type CursorArgs,
  type EventTypeRecord,
  eventTypeNamePattern,
  type FieldError,
  type Page,
  type TenantLimits,
  type UpdateEventTypeInput,
} from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import { systemTypeRefusal } from './events.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { checkQuota, lockQuota } from './quotas.ts';
import { assertStorableSchema, prepareSchema, type SchemaChecks } from './schema-checks.ts';

interface EventTypeRow {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  examples: Record<string, unknown>[] | null;
  deprecated: boolean;
  created_at: Date;
  updated_at: Date;
}

const columns = 'name, description, schema, examples, deprecated, created_at, updated_at';

function toRecord(r: EventTypeRow): EventTypeRecord {
  return {
    name: r.name,
    description: r.description,
    schema: r.schema,
    examples: r.examples ?? [],
    deprecated: r.deprecated,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function notFound(): CoreError {
  return new CoreError('not_found', 'No such event type.');
}

/**
 * Why examples are refused: each must be data the type accepts, checked against the schema it will have
 * (422 naming `examples.<i>.<field>`), so that an example delivered is never one a publish would refuse.
 * Checked in the schema pool like published data: the schema is the tenant's, and so is its cost.
 */
async function exampleErrors(
  checks: SchemaChecks,
  tenantId: string,
  name: string,
  schema: Record<string, unknown> | null,
  examples: readonly Record<string, unknown>[],
): Promise<FieldError[]> {
  if (!schema || examples.length === 0) return [];
  const prepared = prepareSchema(schema);
  const perExample = await Promise.all(
    examples.map(async (example, i) =>
      (await checks.dataErrors(tenantId, name, prepared, example)).map((e) => ({
        ...e,
        path: e.path === 'data' ? `examples.${i}` : e.path.replace(/^data\./, `examples.${i}.`),
      })),
    ),
  );
  return perExample.flat();
}

/** The examples as the column holds them: null for none. */
function examplesToStore(examples: readonly Record<string, unknown>[] | undefined): string | null {
  return examples && examples.length > 0 ? JSON.stringify(examples) : null;
}

/** An update's write, once its examples were checked. */
async function writeUpdate(
  tx: Queryable,
  tenantId: string,
  name: string,
  input: UpdateEventTypeInput,
): Promise<EventTypeRecord> {
  // `schema: null` removes the schema; an absent schema leaves it as it is.
  const [row] = await tx.query<EventTypeRow>(
    `update event_types set
       description = coalesce($3, description),
       schema = case when $4::boolean then $5::text::jsonb else schema end,
       deprecated = coalesce($6, deprecated),
       examples = case when $7::boolean then $8::text::jsonb else examples end,
       updated_at = now()
     where tenant_id = $1 and name = $2 returning ${columns}`,
    [
      tenantId,
      name,
      input.description ?? null,
      input.schema !== undefined,
      input.schema ? JSON.stringify(input.schema) : null,
      input.deprecated ?? null,
      input.examples !== undefined,
      examplesToStore(input.examples),
    ],
  );
  if (!row) throw notFound();
  return toRecord(row);
}

const isName = (key: string) => eventTypeNamePattern.test(key);

export function createEventTypes(db: Database, quotas: TenantLimits, checks: SchemaChecks) {
  /** A schema is checked (in the schema pool, docs/api.md "Event type schemas") before any transaction opens. */
  const assertValidSchema = async (tenantId: string, schema: Record<string, unknown> | null | undefined) => {
    if (schema !== null && schema !== undefined) await assertStorableSchema(checks, tenantId, schema, 'schema');
  };
  const assertValidExamples = async (
    tenantId: string,
    name: string,
    schema: Record<string, unknown> | null,
    examples: readonly Record<string, unknown>[],
  ) => {
    const errors = await exampleErrors(checks, tenantId, name, schema, examples);
    if (errors.length > 0) throw new CoreError('validation_failed', 'An example does not match the schema.', errors);
  };
  return {
    async create(tenantId: string, input: CreateEventTypeInput): Promise<EventTypeRecord> {
      // A catalogue type of that name would let send-example deliver a forged ping or operational event.
      const reserved = systemTypeRefusal(input.name, 'name');
      if (reserved) throw reserved;
      await assertValidSchema(tenantId, input.schema);
      await assertValidExamples(tenantId, input.name, input.schema ?? null, input.examples ?? []);
      return db.transaction(async (tx) => {
        await lockQuota(tx, tenantId, 'eventTypes');
        const [row] = await tx.query<EventTypeRow>(
          `insert into event_types (tenant_id, name, description, schema, deprecated, examples)
           values ($1, $2, $3, $4::text::jsonb, $5, $6::text::jsonb) on conflict do nothing returning ${columns}`,
          [
            tenantId,
            input.name,
            input.description ?? '',
            input.schema ? JSON.stringify(input.schema) : null,
            input.deprecated ?? false,
            examplesToStore(input.examples),
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
      await assertValidSchema(tenantId, input.schema);
      // The examples are checked against the schema the type will have (a new schema against the stored
      // examples too, new examples against the stored schema too), in the pool, before any transaction;
      // the write then proceeds only if the type is still as it was read.
      const [current] = await db.query<EventTypeRow>(
        `select ${columns} from event_types where tenant_id = $1 and name = $2`,
        [tenantId, name],
      );
      if (!current) throw notFound();
      await assertValidExamples(
        tenantId,
        name,
        input.schema === undefined ? current.schema : input.schema,
        input.examples ?? current.examples ?? [],
      );
      return db.transaction(async (tx) => {
        const [locked] = await tx.query<{ updated_at: Date }>(
          'select updated_at from event_types where tenant_id = $1 and name = $2 for update',
          [tenantId, name],
        );
        if (!locked) throw notFound();
        if (new Date(locked.updated_at).getTime() !== new Date(current.updated_at).getTime()) {
          throw new CoreError('conflict', 'The event type changed while this update was being checked; send it again.');
        }
        return writeUpdate(tx, tenantId, name, input);
      });
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
