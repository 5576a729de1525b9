import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { storeSql } from './store-sql.ts';

/**
 * Every statement of the store, planned as the worker's pool plans it (a generic plan, made once) on a
 * fresh database, reaches deliveries, events, endpoints and attempts through their indexes: a plan made
 * while the tables are young stays in its connection as they grow (store-sql.ts).
 */

let scratch: TestDatabase;
let db: Database;

beforeAll(async () => {
  scratch = await openTestDatabase(1);
  db = scratch.db;
  await migrate(db);
});

afterAll(async () => {
  await scratch?.drop();
});

/** The generic plan of `text`, with every parameter bound to null. */
async function genericPlan(text: string): Promise<string> {
  const params = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  return db.transaction(async (tx) => {
    await tx.exec('set local plan_cache_mode = force_generic_plan');
    await tx.exec(`prepare store_statement as ${text}`);
    try {
      const args = params > 0 ? `(${Array(params).fill('null').join(', ')})` : '';
      const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain execute store_statement${args}`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await tx.exec('deallocate store_statement');
    }
  });
}

describe(`the store's statements on a fresh database (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it.each(Object.entries(storeSql))('%s scans no table whole', async (_name, text) => {
    const plan = await genericPlan(text);
    expect(plan).not.toMatch(/Seq Scan on (deliveries|events|endpoints|attempts)\b/);
  });
});
