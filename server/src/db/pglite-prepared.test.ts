import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite } from './database.ts';
import { preparedStatements } from './pglite-prepared.ts';
import { pgliteTemplate } from './pglite-template.ts';

let db: Database;

beforeAll(async () => {
  db = await openPglite({ dataDir: 'memory://', schema: 'public', template: await pgliteTemplate() });
  await db.exec(
    'create table items (id integer primary key, note text not null, tags text[], doc jsonb, at timestamptz)',
  );
});

afterAll(async () => {
  await db?.close();
});

describe('prepared statements on PGlite', () => {
  it('bind parameters and read back every type as PGlite query() does', async () => {
    const at = new Date('2026-11-23T01:02:03.456Z');
    const insert =
      'insert into items (id, note, tags, doc, at) values ($1, $2, $3::text[], $4::text::jsonb, $5) returning *';
    const [row] = await db.query(insert, [1, "it's", '{a,"b c"}', JSON.stringify({ k: [1, null] }), at]);
    expect(row).toEqual({ id: 1, note: "it's", tags: ['a', 'b c'], doc: { k: [1, null] }, at });
    // The same text again: bound to the statement prepared the first time, and nulls go through.
    const [again] = await db.query(insert, [2, 'second', null, null, null]);
    expect(again).toEqual({ id: 2, note: 'second', tags: null, doc: null, at: null });
    const rows = await db.query<{ n: number; ok: boolean }>(
      'select count(*)::int as n, bool_and(id > 0) as ok from items',
    );
    expect(rows).toEqual([{ n: 2, ok: true }]);
    // A statement that returns nothing gives no rows.
    expect(await db.query('update items set note = $1 where id = $2', ['x', 99])).toEqual([]);
  });

  it('report a failed statement with its code and leave the session usable', async () => {
    await expect(db.query('insert into items (id, note) values ($1, $2)', [1, 'duplicate'])).rejects.toMatchObject({
      code: '23505',
    });
    await expect(db.query('select nonsense from', [])).rejects.toMatchObject({ code: '42601' });
    expect(await db.query('select note from items where id = $1', [2])).toEqual([{ note: 'second' }]);
  });

  it('run a statement outside a transaction only once a transaction in progress has ended', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted: () => void = () => undefined;
    const insertedP = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const tx = db.transaction(async (q) => {
      await q.query('insert into items (id, note) values ($1, $2)', [3, 'in a transaction']);
      inserted();
      await held;
      throw new Error('roll back');
    });
    await insertedP;
    // Asked for while the transaction holds its row: it must not run inside the transaction (where it
    // would see the row, and be rolled back with it).
    const outside = db.query<{ n: number }>('select count(*)::int as n from items where id = $1', [3]);
    release();
    await expect(tx).rejects.toThrow('roll back');
    expect(await outside).toEqual([{ n: 0 }]);
  });

  it('prepare a text again after the cache was emptied', async () => {
    const pg = await PGlite.create('memory://', { loadDataDir: await pgliteTemplate() });
    try {
      const prepared = preparedStatements(pg, { maxStatements: 2 });
      const run = <T extends object>(text: string, params: (string | number)[]) =>
        pg._runExclusiveTransaction(() => pg._runExclusiveQuery(() => prepared.run<T>(text, params)));
      expect(await run('select $1::int + 1 as v', [1])).toEqual([{ v: 2 }]);
      expect(await run('select $1::text as v', ['a'])).toEqual([{ v: 'a' }]);
      // A third text: the first two are deallocated.
      expect(await run('select $1::int * 2 as v', [4])).toEqual([{ v: 8 }]);
      expect(await run('select count(*)::int as n from pg_prepared_statements', [])).toEqual([{ n: 2 }]);
      expect(await run('select $1::int + 1 as v', [41])).toEqual([{ v: 42 }]);
    } finally {
      await pg.close();
    }
  });

  it('send undefined as NULL, as PGlite query() does (pg-boss hands its values through as they come)', async () => {
    const values = [4, 'undefined fields', undefined, undefined, undefined] as unknown as (string | number | null)[];
    await db.query(
      'insert into items (id, note, tags, doc, at) values ($1, $2, $3::text[], $4::text::jsonb, $5)',
      values,
    );
    expect(await db.query('select tags, doc, at from items where id = $1', [4])).toEqual([
      { tags: null, doc: null, at: null },
    ]);
    // And the session is fine afterwards.
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('prepare a statement again when a table changed under it', async () => {
    await db.exec('create table shapes (id integer primary key)');
    await db.query('insert into shapes (id) values ($1)', [1]);
    expect(await db.query('select * from shapes')).toEqual([{ id: 1 }]);
    await db.exec('alter table shapes add column label text');
    expect(await db.query('select * from shapes')).toEqual([{ id: 1, label: null }]);
    // Inside a transaction the stale statement's own error is what the caller gets (the transaction is
    // aborted by it), and the next use outside works.
    await db.exec('alter table shapes add column weight integer');
    await expect(db.transaction((tx) => tx.query('select * from shapes'))).rejects.toMatchObject({ code: '0A000' });
    expect(await db.query('select * from shapes')).toEqual([{ id: 1, label: null, weight: null }]);
  });

  it('refuse statements once the database is closed', async () => {
    const closing = await openPglite({ dataDir: 'memory://', schema: 'public', template: await pgliteTemplate() });
    expect(await closing.query('select 1 as one')).toEqual([{ one: 1 }]);
    await closing.close();
    await expect(closing.query('select 1 as one')).rejects.toThrow(/closed/i);
  });
});
