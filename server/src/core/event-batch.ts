import { batchEventRefusal, CoreError, type PublishInput } from '@hookport/spec';
import type { Queryable } from '../db/database.ts';
import { type DataGate, maxProofs, type SchemaProof, SchemaUnproven, type TypeRow } from './event-data.ts';

/**
 * What a batch publish (POST /v1/events/batch) adds to the publish of one event: every refusal names
 * the event it is about, and every event's data is proven against its schema before the one transaction
 * opens (event-data.ts), so the transaction never waits on the schema pool.
 */

/** Runs one event's step, naming the event in what it throws (a refusal, or a stale schema proof). */
export async function atIndex<T>(index: number, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof CoreError) throw batchEventRefusal(index, err);
    if (err instanceof SchemaUnproven && err.index === undefined) throw new SchemaUnproven(err.row, index);
    throw err;
  }
}

/**
 * Two events of one batch with the same idempotency key are refused: the second would be a replay of
 * an event that does not exist until the batch commits.
 */
export function refuseRepeatedKeys(inputs: readonly PublishInput[]): void {
  const firstWith = new Map<string, number>();
  for (const [index, { idempotencyKey }] of inputs.entries()) {
    if (idempotencyKey === undefined) continue;
    const first = firstWith.get(idempotencyKey);
    if (first !== undefined) {
      throw new CoreError('validation_failed', `events[${index}] repeats the idempotencyKey of events[${first}].`, [
        { path: `events.${index}.idempotencyKey`, message: 'is used twice in this batch', code: 'duplicate_key' },
      ]);
    }
    firstWith.set(idempotencyKey, index);
  }
}

/**
 * Takes the locks of the batch's idempotency keys (those publishIn takes for each key) at once, in the
 * order of their hashes: two batches sharing keys in another order would otherwise each hold one and
 * wait for the other's, a deadlock. publishIn takes each again later, which a transaction already
 * holding it passes through.
 */
export async function lockKeys(q: Queryable, tenantId: string, inputs: readonly PublishInput[]): Promise<void> {
  const keys = inputs.flatMap(({ idempotencyKey }) => (idempotencyKey ? [`${tenantId}:${idempotencyKey}`] : []));
  if (keys.length === 0) return;
  await q.query(
    `select pg_advisory_xact_lock(l.h) from (
       select distinct hashtext(k) as h from jsonb_array_elements_text($1::text::jsonb) as k order by 1) l`,
    [JSON.stringify(keys)],
  );
}

/**
 * Shows the gate the batch's types as they are now (one statement, outside the transaction), so each
 * event is proven against its type's schema before the transaction, even the first event of a type this
 * process has not published yet. Without it each such type would cost a rolled-back transaction.
 */
export async function seeTypes(q: Queryable, gate: DataGate, tenantId: string, inputs: readonly PublishInput[]) {
  const names = [...new Set(inputs.map((i) => i.type))];
  const rows = await q.query<{ name: string; type: TypeRow }>(
    `select t.name, json_build_object('schema', t.schema, 'updated_at', t.updated_at) as type from event_types t
     where t.tenant_id = $1 and t.name in (select jsonb_array_elements_text($2::text::jsonb))`,
    [tenantId, JSON.stringify(names)],
  );
  for (const row of rows) gate.see(tenantId, row.name, row.type);
}

type Proofs = (SchemaProof | undefined)[];

/** Proves every event (in parallel, in the schema pool); the refusal of the lowest index wins. */
async function proveAll(gate: DataGate, tenantId: string, inputs: readonly PublishInput[]): Promise<Proofs> {
  const settled = await Promise.allSettled(inputs.map((input) => gate.prove(tenantId, input)));
  return settled.map((s, index) => {
    if (s.status === 'fulfilled') return s.value;
    throw s.reason instanceof CoreError ? batchEventRefusal(index, s.reason) : s.reason;
  });
}

/**
 * Runs `attempt` (the batch's transaction) with a proof for each event; when the transaction found that
 * a type's schema changed (SchemaUnproven with the event's index), the events of that type are proven
 * again and the transaction runs again, as withProof does for one event.
 */
export async function withProofs<T>(
  gate: DataGate,
  tenantId: string,
  inputs: readonly PublishInput[],
  attempt: (proofs: Proofs) => Promise<T>,
): Promise<T> {
  const proofs = await proveAll(gate, tenantId, inputs);
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(proofs);
    } catch (err) {
      if (!(err instanceof SchemaUnproven) || err.index === undefined) throw err;
      const stale = inputs[err.index];
      if (!stale) throw err;
      if (tries >= maxProofs) {
        throw batchEventRefusal(
          err.index,
          new CoreError('conflict', `The schema of ${stale.type} changed while the event was checked against it.`),
        );
      }
      gate.see(tenantId, stale.type, err.row);
      for (const [index, input] of inputs.entries()) {
        if (input.type === stale.type) proofs[index] = await atIndex(index, () => gate.prove(tenantId, input));
      }
    }
  }
}
