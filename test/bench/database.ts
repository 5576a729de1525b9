/**
 * The bench's own PostgreSQL database, `hookport_bench_<pid>`, created at the start of a run and
 * dropped at its end (also after a failure, the deadline or Ctrl-C). Every PostgreSQL phase uses a
 * schema of its own in it.
 */
import { log } from './clock.ts';
import { openPostgres } from './server.ts';
import { settings } from './settings.ts';

export const dbName = `hookport_bench_${process.pid}`;
export const dbUrl = settings.pgAdminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);

let dbCreated = false;

/** Creates the database; returns the server's version for the Results block. */
export async function createDatabase(): Promise<string> {
  const admin = openPostgres({ url: settings.pgAdminUrl, schema: 'public', max: 1 });
  let pgVersion = 'n/a';
  try {
    const [v] = await admin.query<{ version: string }>('select version()');
    pgVersion = v?.version.replace(/ on .*$/, '') ?? 'n/a';
    await admin.query(`create database "${dbName}"`);
    dbCreated = true;
  } finally {
    await admin.close();
  }
  return pgVersion;
}

export async function dropDatabase(): Promise<void> {
  if (!dbCreated) return;
  const admin = openPostgres({ url: settings.pgAdminUrl, schema: 'public', max: 1 });
  try {
    await admin.query(`drop database if exists "${dbName}" with (force)`);
    dbCreated = false;
  } catch (err) {
    log(`could not drop database ${dbName}: ${(err as Error).message}`);
  } finally {
    await admin.close();
  }
}
