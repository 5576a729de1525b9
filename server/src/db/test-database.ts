import { randomBytes } from 'node:crypto';
import { type Database, openPglite, openPostgres, quoteIdent } from './database.ts';
import { pgliteTemplate } from './pglite-template.ts';

/**
 * For the server package's own tests: a database in a schema of its own, on the run's PostgreSQL
 * (DATABASE_URL) or else an in-memory PGlite, and a `drop()` that closes it and, on PostgreSQL,
 * drops that schema and pg-boss's beside it.
 */
export interface TestDatabase {
  db: Database;
  schema: string;
  backend: 'PostgreSQL' | 'PGlite';
  drop(): Promise<void>;
}

export async function openTestDatabase(max = 4): Promise<TestDatabase> {
  const databaseUrl = process.env.DATABASE_URL;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  if (!databaseUrl) {
    const db = await openPglite({ dataDir: 'memory://', schema, template: await pgliteTemplate() });
    return { db, schema, backend: 'PGlite', drop: () => db.close() };
  }
  const admin = () => openPostgres({ url: databaseUrl, schema: 'public', max: 1 });
  const creator = admin();
  await creator.exec(`create schema ${quoteIdent(schema)}`);
  await creator.close();
  const db = openPostgres({ url: databaseUrl, schema, max });
  return {
    db,
    schema,
    backend: 'PostgreSQL',
    async drop() {
      await db.close();
      const dropper = admin();
      await dropper.exec(`drop schema if exists ${quoteIdent(schema)}, ${quoteIdent(`${schema}_boss`)} cascade`);
      await dropper.close();
    },
  };
}
