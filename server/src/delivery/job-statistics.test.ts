import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, quoteIdent } from '../db/database.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { jobStatistics } from './job-statistics.ts';
import { openQueue, type Queue } from './queue.ts';

let scratch: TestDatabase;
let db: Database;
let schema: string;
/** The job table, quoted (set once the schema is known). */
let jobTable: string;
let queue: Queue;
const errors: unknown[] = [];

beforeAll(async () => {
  scratch = await openTestDatabase();
  ({ db, schema } = scratch);
  jobTable = `${quoteIdent(`${schema}_boss`)}.job`;
  queue = await openQueue(db, {
    databaseUrl: process.env.DATABASE_URL,
    supervise: false,
    statistics: { minClaims: 10, onError: (err) => errors.push(err) },
  });
});

afterAll(async () => {
  await queue?.stop({ graceful: false, timeoutMs: 2000 });
  await scratch?.drop();
});

/** The rows the planner believes the job table holds (its leaves', when partitioned); -1: never analyzed. */
async function plannedRows(): Promise<number> {
  const [row] = await db.query<{ rows: number }>(
    `select coalesce(sum(c.reltuples), -1)::float8 as rows from pg_class c
     where c.relkind = 'r' and (c.oid = $1::regclass
       or c.oid in (select inhrelid from pg_inherits where inhparent = $1::regclass))`,
    [jobTable],
  );
  return row?.rows ?? -1;
}

function jobs(n: number) {
  return Array.from({ length: n }, () => ({
    deliveryId: randomUUID(),
    endpointId: randomUUID(),
    attempt: 1,
  }));
}

describe(`job table statistics (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('are taken once the jobs claimed reach the threshold, then after as many claims as the table has rows', async () => {
    await queue.enqueue(db, jobs(40));
    expect(await plannedRows()).toBeLessThanOrEqual(0);

    // Nine claims: not yet due.
    const first = await queue.fetch(db, 'main', 9, 100);
    expect(first).toHaveLength(9);
    expect(queue.statistics.running).toBeNull();
    expect(await plannedRows()).toBeLessThanOrEqual(0);

    // The tenth: the fetch counted it and started the ANALYZE (VACUUM ANALYZE on PGlite).
    expect(await queue.fetch(db, 'main', 1, 100)).toHaveLength(1);
    expect(queue.statistics.running).not.toBeNull();
    await queue.statistics.running;
    expect(errors).toEqual([]);
    expect(await plannedRows()).toBe(40);

    // Next due after 40 more claims (the rows it found), not 10.
    await queue.enqueue(db, jobs(60));
    expect(await queue.fetch(db, 'main', 39, 100)).toHaveLength(39);
    expect(queue.statistics.running).toBeNull();
    expect(await queue.fetch(db, 'main', 1, 100)).toHaveLength(1);
    await queue.statistics.running;
    expect(errors).toEqual([]);
    expect(await plannedRows()).toBe(100);
  });

  it('report a failed run and try again after as many claims', async () => {
    const failed: unknown[] = [];
    const stats = jobStatistics(db, `${quoteIdent(schema)}.no_such_table`, {
      minClaims: 3,
      onError: (e) => failed.push(e),
    });
    stats.claimed(3);
    await stats.running;
    expect(failed).toHaveLength(1);
    expect(stats.running).toBeNull();
    stats.claimed(2);
    expect(stats.running).toBeNull();
    stats.claimed(1);
    await stats.running;
    expect(failed).toHaveLength(2);
  });

  it('start no run once stopped', () => {
    const stats = jobStatistics(db, jobTable, { minClaims: 1 });
    stats.stop();
    stats.claimed(5);
    expect(stats.running).toBeNull();
  });
});
