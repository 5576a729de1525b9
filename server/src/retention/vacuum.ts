import type { Database } from '../db/database.ts';
import { quoteIdent } from '../db/database.ts';
import { bossSchemaOf } from '../delivery/queue.ts';

/**
 * The space of deleted rows is reused only once the table is vacuumed. PostgreSQL's autovacuum does that
 * (migration 0020 lowers its thresholds on the tables retention deletes from, so a daily prune of a
 * thirtieth of them sets it off); where it does not run, a retention run vacuums them itself
 * (docs/retention.md, "Space"): on PGlite (one process, no autovacuum launcher) and on a server started
 * with `autovacuum = off`. There pg-boss's job table is vacuumed too: pg-boss deletes its completed jobs
 * but nothing else would reclaim their space (pg-boss only warns).
 */

/** Whether autovacuum runs on this database. */
export async function autovacuumRuns(db: Database): Promise<boolean> {
  if (db.kind === 'pglite') return false;
  const [row] = await db.query<{ on: boolean }>(
    "select current_setting('autovacuum') = 'on' and current_setting('track_counts') = 'on' as on",
  );
  return row?.on === true;
}

/** The tables a prune deletes from. */
export const prunedTables = ['events', 'deliveries', 'attempts', 'stats_rollups'] as const;

export interface VacuumOptions {
  /** Vacuum the tables a prune deletes from (it removed rows). */
  pruned: boolean;
  /** Vacuum pg-boss's job table too, when pg-boss's schema exists. */
  jobs: boolean;
}

/**
 * Vacuums what autovacuum would, when it does not run: the pruned tables (with ANALYZE: the prune
 * changed their size) and, when asked, pg-boss's job table if pg-boss's schema exists (the worker
 * analyses that one itself, delivery/job-statistics.ts). Returns the tables vacuumed; none when autovacuum runs.
 * VACUUM takes no lock that writes wait for; it cannot run in a transaction, so it goes through exec.
 */
export async function vacuumWhereNeeded(db: Database, { pruned, jobs }: VacuumOptions): Promise<string[]> {
  if (await autovacuumRuns(db)) return [];
  const done: string[] = [];
  if (pruned) {
    const tables = prunedTables.map((t) => `${quoteIdent(db.schema)}.${quoteIdent(t)}`);
    await db.exec(`vacuum (analyze) ${tables.join(', ')}`);
    done.push(...prunedTables);
  }
  if (!jobs) return done;
  const jobTable = `${quoteIdent(bossSchemaOf(db.schema))}.job`;
  const [found] = await db.query<{ found: boolean }>('select to_regclass($1) is not null as found', [jobTable]);
  if (found?.found) {
    await db.exec(`vacuum ${jobTable}`);
    done.push('job');
  }
  return done;
}
