import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres, quoteIdent } from './database.ts';
import { pgliteTemplate } from './pglite-template.ts';

const databaseUrl = process.env.DATABASE_URL;
const backend = databaseUrl ? 'PostgreSQL' : 'PGlite';
const schema = `t_${randomBytes(6).toString('hex')}`;

let db: Database;

beforeAll(async () => {
  if (databaseUrl) {
    const admin = openPostgres({ url: databaseUrl, schema: 'public', max: 1 });
    await admin.exec(`create schema ${quoteIdent(schema)}`);
    await admin.close();
    db = openPostgres({ url: databaseUrl, schema, max: 2 });
  } else {
    db = await openPglite({ dataDir: 'memory://', schema: 'public', template: await pgliteTemplate() });
  }
  await db.exec('create table marks (n integer not null)');
});

afterAll(async () => {
  await db?.close();
  if (databaseUrl) {
    const admin = openPostgres({ url: databaseUrl, schema: 'public', max: 1 });
    await admin.exec(`drop schema if exists ${quoteIdent(schema)} cascade`);
    await admin.close();
  }
});

describe(`transactions (${backend})`, () => {
  it('refuse a query asked for after the transaction ended, so it cannot run outside it', async () => {
    // A statement sent together with another (as publish and the success batch do) but only asked for
    // once the transaction has already been rolled back, because the other failed.
    let late: Promise<unknown> | undefined;
    const ended: Promise<void> = db.transaction(async (tx) => {
      late = ended.then(
        () => undefined,
        () => tx.query('insert into marks (n) values (1)'),
      );
      await tx.query('select 1 / 0');
    });
    await expect(ended).rejects.toThrow();
    await expect(late).rejects.toThrow('query after the end of its transaction');
    const [row] = await db.query<{ n: number }>('select count(*)::integer as n from marks');
    expect(row?.n).toBe(0);
  });

  it('commit what both statements sent together wrote', async () => {
    await db.transaction(async (tx) => {
      await Promise.all([tx.query('insert into marks (n) values (2)'), tx.query('insert into marks (n) values (3)')]);
    });
    const rows = await db.query<{ n: number }>('select n from marks order by n');
    expect(rows.map((r) => r.n)).toEqual([2, 3]);
  });
});
