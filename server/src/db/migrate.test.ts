import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres, type Queryable } from './database.ts';
import { loadMigrations, type Migration, migrate } from './migrate.ts';
import { pgliteTemplate } from './pglite-template.ts';

const databaseUrl = process.env.DATABASE_URL;
const backend = databaseUrl ? 'PostgreSQL' : 'PGlite';
/** Tables of the first migration, which later ones must keep. */
const coreTables = ['api_tokens', 'endpoints', 'event_types', 'settings', 'tenants'];

const freshSchema = () => `t_${randomBytes(6).toString('hex')}`;

async function tablesIn(db: Queryable, schema: string): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables
     where table_schema = $1 and table_type = 'BASE TABLE' order by table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

async function recorded(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ id: string }>('select id from schema_migrations order by id');
  return rows.map((r) => r.id);
}

let shipped: Migration[] = [];
let shippedIds: string[] = [];
/** Every table the shipped migrations create, and the bookkeeping table. */
let expectedTables: string[] = [];
beforeAll(async () => {
  shipped = await loadMigrations();
  shippedIds = shipped.map((m) => m.id);
  const created = shipped.flatMap((m) =>
    [...m.sql.matchAll(/^\s*create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)/gim)].map(
      (x) => x[1] ?? '',
    ),
  );
  expectedTables = [...new Set([...created, 'schema_migrations'])].sort();
});

describe('loadMigrations', () => {
  it('loads the shipped migrations in order', () => {
    expect(shippedIds).toContain('0001_init');
    expect(expectedTables).toEqual(expect.arrayContaining(coreTables));
    expect(shippedIds).toEqual([...shippedIds].sort());
    for (const m of shipped) {
      expect(m.id).toMatch(/^\d{4}_[a-z0-9_]+$/);
      expect(m.sql.length).toBeGreaterThan(0);
    }
  });

  it('reads only NNNN_name.sql files of a directory, sorted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hookport-migrations-'));
    try {
      await writeFile(join(dir, '0002_second.sql'), 'select 2;');
      await writeFile(join(dir, '0001_first.sql'), 'select 1;');
      await writeFile(join(dir, '0010_tenth.sql'), 'select 10;');
      await writeFile(join(dir, 'README.md'), '# notes');
      await writeFile(join(dir, '3_short.sql'), 'select 3;');
      await writeFile(join(dir, '0004_Upper.sql'), 'select 4;');
      await writeFile(join(dir, '0005_draft.sql.bak'), 'select 5;');
      const loaded = await loadMigrations(`${dir}/`);
      expect(loaded).toEqual([
        { id: '0001_first', sql: 'select 1;' },
        { id: '0002_second', sql: 'select 2;' },
        { id: '0010_tenth', sql: 'select 10;' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('migrate on PGlite', () => {
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('applies every migration once, then none, and creates the tables', async () => {
    db = await openPglite({ dataDir: 'memory://', schema: 't_x', template: await pgliteTemplate() });
    expect(await migrate(db)).toEqual(shippedIds);
    expect(await migrate(db)).toEqual([]);
    expect(await recorded(db)).toEqual(shippedIds);
    expect(await tablesIn(db, 't_x')).toEqual(expectedTables);
    // The handle's own search_path reaches the new schema without qualification.
    expect(await db.query('select * from tenants')).toEqual([]);
    expect(await tablesIn(db, 'public')).toEqual([]);
  });

  it('applies only migrations added since the last run', async () => {
    db = await openPglite({ dataDir: 'memory://', schema: 't_x', template: await pgliteTemplate() });
    await migrate(db);
    const later: Migration = { id: '9999_later', sql: 'create table later (x integer);' };
    expect(await migrate(db, [...shipped, later])).toEqual(['9999_later']);
    expect(await migrate(db, [...shipped, later])).toEqual([]);
    expect(await tablesIn(db, 't_x')).toContain('later');
  });

  it('runs two concurrent calls on one handle: both resolve, migrations recorded once', async () => {
    db = await openPglite({ dataDir: 'memory://', schema: 't_x', template: await pgliteTemplate() });
    const results = await Promise.all([migrate(db), migrate(db)]);
    expect(results.map((r) => r.length).sort()).toEqual([0, shippedIds.length]);
    expect(results.flat()).toEqual(shippedIds);
    expect(await recorded(db)).toEqual(shippedIds);
  });
});

/**
 * Runs on PostgreSQL when DATABASE_URL is set (two separate pools on one fresh
 * schema, as two server processes would), and on PGlite otherwise (two calls
 * sharing one in-memory database).
 */
describe(`migrate on the run's database (${backend})`, () => {
  let schema = '';
  let handles: Database[] = [];

  async function open(count: 1 | 2): Promise<Database[]> {
    schema = freshSchema();
    if (databaseUrl) {
      handles = Array.from({ length: count }, () => openPostgres({ url: databaseUrl, schema, max: 2 }));
      return handles;
    }
    const db = await openPglite({ dataDir: 'memory://', schema, template: await pgliteTemplate() });
    handles = [db];
    return Array.from({ length: count }, () => db);
  }

  afterEach(async () => {
    const [first] = handles;
    if (first && first.kind === 'postgres') await first.query(`drop schema if exists "${schema}" cascade`);
    await Promise.all(handles.map((h) => h.close()));
    handles = [];
  });

  it('applies every migration once into the configured schema', async () => {
    const [db] = await open(1);
    if (!db) throw new Error('no handle');
    expect(await migrate(db)).toEqual(shippedIds);
    expect(await migrate(db)).toEqual([]);
    expect(await tablesIn(db, schema)).toEqual(expectedTables);
    expect(await db.query('select count(*)::int as n from tenants')).toEqual([{ n: 0 }]);
  });

  it('runs two concurrent migrations on one fresh schema: both resolve, each migration recorded once', async () => {
    const [a, b] = await open(2);
    if (!a || !b) throw new Error('no handles');
    const results = await Promise.all([migrate(a), migrate(b)]);
    expect(results.map((r) => r.length).sort()).toEqual([0, shippedIds.length]);
    expect(results.flat()).toEqual(shippedIds);
    expect(await recorded(a)).toEqual(shippedIds);
    expect(await recorded(b)).toEqual(shippedIds);
    expect(await tablesIn(a, schema)).toEqual(expectedTables);
  });

  it('rolls back every migration of a run when one fails', async () => {
    const [db] = await open(1);
    if (!db) throw new Error('no handle');
    const broken: Migration[] = [
      { id: '0001_good', sql: 'create table good (x integer);' },
      { id: '0002_bad', sql: 'create table bad (x no_such_type);' },
    ];
    await expect(migrate(db, broken)).rejects.toThrow();
    expect(await tablesIn(db, schema)).toEqual([]);
    // A fixed run afterwards starts from scratch.
    const fixed: Migration[] = [broken[0] ?? { id: '', sql: '' }, { id: '0002_bad', sql: 'create table bad (x int);' }];
    expect(await migrate(db, fixed)).toEqual(['0001_good', '0002_bad']);
    expect(await tablesIn(db, schema)).toEqual(['bad', 'good', 'schema_migrations']);
  });
});
