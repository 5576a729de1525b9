import { CoreError, type PublishInput } from '@hookport/spec';
import { type PreparedSchema, prepareSchema, type SchemaChecks } from './schema-checks.ts';

/**
 * An event's data is checked against its type's schema BEFORE the transaction that stores it opens:
 * the check runs in the schema pool and may wait there, and no transaction (nor the row locks and
 * the connection it holds) may wait with it.
 *
 * The process remembers the schema it last saw for each type that has one. A publish validates its
 * data against that schema first (its proof), then the transaction reads the type as it always did
 * and compares: the same schema (same `updated_at`) passes; a schema the proof is not about (the
 * type's first schema'd publish here, or a schema changed since) rolls the transaction back with
 * SchemaUnproven, and the publish validates against the schema just read and tries again. A type
 * without a schema is never remembered, so its publishes go straight to the transaction, as before.
 */

/** What a publish proved before its transaction: its data passes the schema of `updatedAt`. */
export interface SchemaProof {
  updatedAt: string;
}

/** A type's row as the publish transaction reads it. */
export interface TypeRow {
  schema: Record<string, unknown> | null;
  /** As json renders it: only compared, to know a schema changed. */
  updated_at: string;
}

/** The type has a schema the data was not checked against: check it, then publish again. */
export class SchemaUnproven extends Error {
  readonly row: TypeRow;
  /** In a batch, the index of the event whose proof is stale; absent for a single publish. */
  readonly index: number | undefined;

  constructor(row: TypeRow, index?: number) {
    super('The data was not checked against the schema the event type has now.');
    this.name = 'SchemaUnproven';
    this.row = row;
    this.index = index;
  }
}

/** Throws SchemaUnproven unless `proof` is about the schema `row` has (or it has none). */
export function assertProven(row: TypeRow, proof: SchemaProof | undefined): void {
  if (row.schema && proof?.updatedAt !== row.updated_at) throw new SchemaUnproven(row);
}

interface Known {
  updatedAt: string;
  schema: PreparedSchema;
}

/** Types remembered with their schema; cleared when full (a miss costs one rolled-back transaction). */
const maxKnown = 10_000;

export interface DataGate {
  /** Validates the data against the schema remembered for its type: its proof, or none if none is remembered. */
  prove(tenantId: string, input: PublishInput): Promise<SchemaProof | undefined>;
  /** Remembers the type as a transaction read it: its schema, or that it has none (or is gone). */
  see(tenantId: string, type: string, row: TypeRow | null): void;
}

export function createDataGate(checks: SchemaChecks): DataGate {
  const known = new Map<string, Known>();
  const keyOf = (tenantId: string, type: string) => `${tenantId}:${type}`;
  return {
    async prove(tenantId, input) {
      const entry = known.get(keyOf(tenantId, input.type));
      if (!entry) return undefined;
      const errors = await checks.dataErrors(tenantId, input.type, entry.schema, input.data);
      if (errors.length > 0) {
        const detail = errors.some((e) => e.code === 'schema_too_costly')
          ? `The schema of ${input.type} is too costly to check against this data.`
          : `data does not match the schema of ${input.type}.`;
        throw new CoreError('validation_failed', detail, errors);
      }
      return { updatedAt: entry.updatedAt };
    },
    see(tenantId, type, row) {
      const key = keyOf(tenantId, type);
      if (!row?.schema) {
        known.delete(key);
        return;
      }
      if (known.get(key)?.updatedAt === row.updated_at) return;
      if (known.size >= maxKnown) known.clear();
      known.set(key, { updatedAt: row.updated_at, schema: prepareSchema(row.schema) });
    },
  };
}

/** A schema changing this many times during one publish is a conflict; the client publishes again. */
export const maxProofs = 3;

/**
 * Runs `attempt` (a publish transaction) with a proof for the schema its type has: validated before,
 * and again after a transaction found another schema (rolled back by SchemaUnproven).
 */
export async function withProof<T>(
  gate: DataGate,
  tenantId: string,
  input: PublishInput,
  attempt: (proof: SchemaProof | undefined) => Promise<T>,
): Promise<T> {
  let proof = await gate.prove(tenantId, input);
  for (let proofs = 1; ; proofs++) {
    try {
      return await attempt(proof);
    } catch (err) {
      if (!(err instanceof SchemaUnproven)) throw err;
      if (proofs >= maxProofs) {
        throw new CoreError('conflict', `The schema of ${input.type} changed while the event was checked against it.`);
      }
      gate.see(tenantId, input.type, err.row);
      proof = await gate.prove(tenantId, input);
    }
  }
}
