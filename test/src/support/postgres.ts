import { createRequire } from 'node:module';
// Types only, from the very declaration file the server compiles against, so a transaction made
// here is the postgres.TransactionSql that createPublisher().publish() expects.
import type Postgres from '../../../server/node_modules/postgres/types/index.js';

/**
 * postgres.js, the client an application on Hookport's database would use.
 * The test package does not depend on it itself: it is loaded from the server
 * package, which does.
 */
export const postgres = createRequire(new URL('../../../server/package.json', import.meta.url))(
  'postgres',
) as typeof Postgres;

export type Sql = Postgres.Sql;

/** The URL of the run's server (DATABASE_URL) with another database on it; `who` names the test that needs it. */
export function databaseUrlOf(database: string, who: string): string {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error(`${who} needs DATABASE_URL`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}
