import type { Database } from '../db/database.ts';

/**
 * Keeps the planner statistics of pg-boss's job table in step with its size.
 *
 * pg-boss's fetch ends in `UPDATE job … WHERE name = $q AND id = ANY(<the claimed ids>)`. With
 * statistics that say the table is nearly empty (a new database: autovacuum first looks after a
 * minute; PGlite: never, it has no autovacuum), the planner rates every index alike and took the
 * one on (name, created_on), which reads every job the queue retains, completed ones included:
 * measured, a fetch of one job grew from 0.4 ms to 1.3 ms over 5,000 jobs, and to 3–4 ms in the
 * latency benchmark, where it was 40 % of PostgreSQL's time. With statistics it takes the primary
 * key, and stays at 0.4 ms.
 *
 * So the worker counts the jobs it claims and runs ANALYZE on the job table when they reach 1,000
 * (a new table's first statistics), then whenever they exceed the rows the table had at the last
 * run (it may have doubled since). On PGlite it runs VACUUM ANALYZE: nothing else reclaims the
 * dead row versions that every claim and complete leaves. The worker's prepared statements are
 * planned again after an ANALYZE (PostgreSQL invalidates them). On PostgreSQL autovacuum does the
 * same later; this only closes the gap while a table is new or growing fast.
 */
export interface JobStatistics {
  /** Counts claimed jobs; starts an ANALYZE in the background when they are due one. */
  claimed(jobs: number): void;
  /** The run in progress, if any (tests, and closing). */
  readonly running: Promise<void> | null;
  /** No run starts after this (the queue is stopping); the one in progress, if any, goes on. */
  stop(): void;
}

export interface JobStatisticsOptions {
  /** Claims before the first ANALYZE, and the least between two (default 1,000). */
  minClaims?: number;
  /** A failed run: logged by the caller; the next one is due after as many claims again. */
  onError?: (err: unknown) => void;
}

export function jobStatistics(db: Database, table: string, options: JobStatisticsOptions = {}): JobStatistics {
  const minClaims = options.minClaims ?? 1000;
  let since = 0;
  let due = minClaims;
  let running: Promise<void> | null = null;
  let stopped = false;

  async function run(): Promise<void> {
    // PGlite runs one statement at a time, and the vacuum of a retained day of jobs is a few hundred
    // milliseconds at most: the price of a table that does not grow without bound.
    await db.query(`${db.kind === 'pglite' ? 'vacuum ' : ''}analyze ${table}`);
    // The job table may be partitioned (one partition per queue, or the common one): its rows are
    // the leaves'.
    const [row] = await db.query<{ rows: number }>(
      `select coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 as rows from pg_class c
       where c.relkind = 'r' and (c.oid = $1::regclass
         or c.oid in (select inhrelid from pg_inherits where inhparent = $1::regclass))`,
      [table],
    );
    due = Math.max(minClaims, Math.round(row?.rows ?? 0));
  }

  return {
    claimed(jobs) {
      since += jobs;
      if (since < due || running || stopped) return;
      since = 0;
      running = run()
        .catch((err: unknown) => options.onError?.(err))
        .finally(() => {
          running = null;
        });
    },
    get running() {
      return running;
    },
    stop() {
      stopped = true;
    },
  };
}
