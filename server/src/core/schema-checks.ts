import { CoreError, type FieldError } from '@hookport/spec';
import { sha256Hex } from './crypto.ts';
import { schemaBoundErrors } from './schema-bounds.ts';
import { SchemaJobFailed, type SchemaPool } from './schema-pool.ts';

/** A stored schema as the pool takes it: its JSON text and that text's hash (the workers' cache key). */
export interface PreparedSchema {
  text: string;
  hash: string;
}

export function prepareSchema(schema: Record<string, unknown>): PreparedSchema {
  const text = JSON.stringify(schema);
  return { text, hash: sha256Hex(text) };
}

/** The checks of tenants' schemas and of events' data against them, every costly one in the pool. */
export interface SchemaChecks {
  /** Why a schema a tenant stores (reported under `path`) is refused; empty when it is not. */
  schemaErrors(tenantId: string, schema: Record<string, unknown>, path: string): Promise<FieldError[]>;
  /** Why an event's data does not pass its type's schema; empty when it does. */
  dataErrors(tenantId: string, type: string, schema: PreparedSchema, data: unknown): Promise<FieldError[]>;
}

/** A job the pool could not finish is the schema's cost, never the server's fault: a 422, not a 5xx. */
async function orTooCostly(run: Promise<FieldError[]>, tooCostly: (why: string) => FieldError): Promise<FieldError[]> {
  try {
    return await run;
  } catch (err) {
    if (err instanceof SchemaJobFailed) return [tooCostly(err.message)];
    throw err;
  }
}

export function createSchemaChecks(pool: SchemaPool): SchemaChecks {
  return {
    async schemaErrors(tenantId, schema, path) {
      // The limits first, on this thread: each is one linear walk, and they bound what the pool gets.
      const bounds = schemaBoundErrors(schema, path);
      if (bounds.length > 0) return bounds;
      return orTooCostly(pool.run(tenantId, { kind: 'check', schema, path }), (why) => ({
        path,
        message: `is too costly to compile (${why})`,
        code: 'schema_too_costly',
      }));
    },

    dataErrors(tenantId, type, schema, data) {
      return orTooCostly(
        pool.run(tenantId, { kind: 'validate', hash: schema.hash, schemaText: schema.text, data }),
        (why) => ({
          path: 'data',
          message: `the schema of ${type} is too costly to check against this data (${why})`,
          code: 'schema_too_costly',
        }),
      );
    },
  };
}

/** Throws the refusal of a schema a tenant stores, if it has errors. */
export async function assertStorableSchema(
  checks: SchemaChecks,
  tenantId: string,
  schema: Record<string, unknown>,
  path: string,
): Promise<void> {
  const errors = await checks.schemaErrors(tenantId, schema, path);
  if (errors.length > 0) throw new CoreError('validation_failed', 'The schema is not a valid JSON Schema.', errors);
}
