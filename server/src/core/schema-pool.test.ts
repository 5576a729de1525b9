import { afterEach, describe, expect, it } from 'vitest';
import type { ValidateJob } from './schema-messages.ts';
import { createSchemaPool, SchemaJobFailed, type SchemaPool } from './schema-pool.ts';

/**
 * Real worker threads. The slow jobs are slow by construction, not by timing: validating them takes
 * about 2^60 steps, so the budget is what ends them, and the assertions are about order and outcomes.
 */

/** Two anyOf branches that both recurse into `a`: each level doubles the work, and nested data never matches. */
const exponential = {
  $defs: {
    n: {
      anyOf: [
        { type: 'object', required: ['a'], properties: { a: { $ref: '#/$defs/n' } } },
        { type: 'object', required: ['a'], properties: { a: { $ref: '#/$defs/n' } } },
      ],
    },
  },
  $ref: '#/$defs/n',
};

function nested(levels: number): unknown {
  let data: unknown = 0;
  for (let i = 0; i < levels; i++) data = { a: data };
  return data;
}

const endless: ValidateJob = {
  kind: 'validate',
  hash: 'exponential',
  schemaText: JSON.stringify(exponential),
  data: nested(60),
};

const quick: ValidateJob = {
  kind: 'validate',
  hash: 'quick',
  schemaText: JSON.stringify({ type: 'object', required: ['id'], properties: { id: { type: 'string' } } }),
  data: { id: 'x' },
};

let pool: SchemaPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('the schema pool', () => {
  it('validates and compiles off the main thread, starting threads on the first job only', async () => {
    pool = createSchemaPool({ threads: 2, budgetMs: 30_000 });
    expect(pool.spawned).toBe(0);
    expect(await pool.run('a', quick)).toEqual([]);
    expect(await pool.run('a', { ...quick, data: { id: 1 } })).toEqual([
      { path: 'data.id', message: 'must be string', code: 'schema_type' },
    ]);
    expect(await pool.run('a', { kind: 'check', schema: { pattern: '(?=x)' }, path: 'schema' })).toEqual([
      { path: 'schema.pattern', message: expect.any(String), code: 'unsupported_pattern' },
    ]);
    expect(pool.spawned).toBe(2);
  });

  it('terminates a job over its budget, replaces its thread, and goes on working', async () => {
    pool = createSchemaPool({ threads: 1, budgetMs: 1000 });
    // Started and warm first: the budget counts from the hand-over, never the start.
    expect(await pool.run('a', quick)).toEqual([]);
    const failure = await pool.run('a', endless).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SchemaJobFailed);
    expect((failure as SchemaJobFailed).reason).toBe('budget');
    expect(pool.spawned).toBe(2);
    expect(await pool.run('a', quick)).toEqual([]);
    expect(await pool.run('b', { ...quick, data: {} })).toEqual([
      { path: 'data.id', message: "must have required property 'id'", code: 'schema_required' },
    ]);
  });

  it("gives a tenant at most one thread: another tenant's jobs run on the other while it is busy", async () => {
    // The budget only ends the test's slow jobs if something goes wrong: close() ends them.
    pool = createSchemaPool({ threads: 2, budgetMs: 120_000 });
    const settled: string[] = [];
    const track = (name: string, run: Promise<unknown>) =>
      run.then(
        () => settled.push(`${name} done`),
        () => settled.push(`${name} failed`),
      );
    const a1 = track('a1', pool.run('a', endless));
    const a2 = track('a2', pool.run('a', endless));
    // Queued after both of a's: b's jobs still run at once, on the thread a may not take.
    await pool.run('b', quick);
    await pool.run('b', { ...quick, hash: 'quick-2' });
    settled.push('b done');
    await pool.close();
    await Promise.all([a1, a2]);
    // b finished while a's first job still ran and its second still waited; close() then ended both.
    expect(settled[0]).toBe('b done');
    expect(settled.slice(1).sort()).toEqual(['a1 failed', 'a2 failed']);
  });
});
