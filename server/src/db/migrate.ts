import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-dir.ts';
import { type Database, quoteIdent } from './database.ts';

const migrationsDir = fileURLToPath(packageFile('migrations/'));

export interface Migration {
  id: string;
  sql: string;
}

export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (f) => ({ id: f.replace(/\.sql$/, ''), sql: await readFile(dir + f, 'utf8') })));
}

/**
 * Applies every migration not yet recorded, in order, in one transaction.
 * A transaction-scoped advisory lock keyed by the schema makes concurrent
 * starts safe: the second process waits, then finds nothing left to do.
 * Returns the ids applied by this call.
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const schema = quoteIdent(db.schema);
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`hookport.migrate.${db.schema}`]);
    await tx.query(`create schema if not exists ${schema}`);
    await tx.query(`set local search_path to ${schema}`);
    await tx.query(
      'create table if not exists schema_migrations (id text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set((await tx.query<{ id: string }>('select id from schema_migrations')).map((r) => r.id));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (id) values ($1)', [m.id]);
      applied.push(m.id);
    }
    return applied;
  });
}
