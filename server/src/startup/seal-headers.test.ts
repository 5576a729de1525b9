import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { newId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { SecretBox } from '../core/crypto.ts';
import { type Database, openPglite, openPostgres, quoteIdent } from '../db/database.ts';
import { loadMigrations, migrate } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { openHookport } from '../runtime.ts';
import { openHeaders } from '../shared/sealed-headers.ts';
import { sealClearHeaders } from './seal-headers.ts';

/*
 * An installation from before migration 0007 stored custom headers in clear. Its first start on this
 * version seals them (the real start-up: migrations, key check, then the sealing step), reads show them
 * masked, deliveries would send the clear values, and nothing of them is left in clear in the table.
 * On PostgreSQL (DATABASE_URL) in a schema of its own; on PGlite in a data directory of its own, so the
 * old rows and the new start share one database.
 */

const databaseUrl = process.env.DATABASE_URL;
const schema = `t_${randomBytes(6).toString('hex')}`;
const keyHex = randomBytes(32).toString('hex');
const box = new SecretBox(Buffer.from(keyHex, 'hex'));
const token = randomBytes(24).toString('base64url');
const clear = { Authorization: `Bearer ${token}`, 'X-Team': 'billing' };
const tenantId = newId();
const withHeaders = newId();
const without = newId();
let dataDir: string | undefined;

async function openOld(): Promise<Database> {
  if (databaseUrl) return openPostgres({ url: databaseUrl, schema });
  dataDir = await mkdtemp(join(tmpdir(), 'hookport-headers-'));
  return openPglite({ dataDir: join(dataDir, 'pgdata'), schema });
}

const config = () =>
  loadConfig({
    DATABASE_URL: databaseUrl,
    HOOKPORT_DB_SCHEMA: schema,
    HOOKPORT_DATA_DIR: dataDir ?? ':memory:',
    HOOKPORT_SECRET_KEY: keyHex,
    HOOKPORT_ADMIN_TOKEN: `hpa_${randomBytes(24).toString('base64url')}`,
  });

beforeAll(async () => {
  const db = await openOld();
  try {
    // The database as the version before 0007 left it: an endpoint's headers in the clear jsonb column.
    await migrate(
      db,
      (await loadMigrations()).filter((m) => m.id < '0007'),
    );
    await db.query(`insert into tenants (id, name) values ($1, 'Acme')`, [tenantId]);
    const insert = `insert into endpoints (id, tenant_id, url, event_types, status, profile, headers, secret_enc)
      values ($1, $2, 'https://hooks.example.com/in', '["*"]', 'active', 'native', $3::text::jsonb, $4)`;
    await db.query(insert, [withHeaders, tenantId, JSON.stringify(clear), box.seal(`whsec_${'A'.repeat(43)}=`)]);
    await db.query(insert, [without, tenantId, '{}', box.seal(`whsec_${'B'.repeat(43)}=`)]);
  } finally {
    await db.close();
  }
  // A PGlite data directory is created from scratch (initdb), which takes seconds on a busy machine.
}, 60_000);

afterAll(async () => {
  if (databaseUrl) {
    const admin = openPostgres({ url: databaseUrl, schema: 'public', max: 1 });
    await admin.exec(`drop schema if exists ${quoteIdent(schema)}, ${quoteIdent(`${schema}_boss`)} cascade`);
    await admin.close();
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('custom headers stored in clear by an older version', () => {
  it('are sealed by the first start, read masked, and left nowhere in clear', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const hp = await openHookport(config(), createLogger('info', sink), 'api');
    try {
      expect(lines.join('')).toContain('custom headers stored in clear were sealed');
      const read = await hp.core.endpoints.get(tenantId, withHeaders);
      expect(read.headers).toEqual({ Authorization: `Bearer ••••${token.slice(-4)}`, 'X-Team': '••••' });
      expect((await hp.core.endpoints.get(tenantId, without)).headers).toEqual({});

      const rows = await hp.db.query<{ id: string; headers_clear: unknown; headers_enc: string | null }>(
        `select id, headers_clear, headers_enc from endpoints order by id`,
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(withHeaders)?.headers_clear).toEqual({});
      // What the delivery worker opens to send: the clear values, as they were.
      expect(openHeaders(box, byId.get(withHeaders)?.headers_enc ?? null)).toEqual(clear);
      expect(byId.get(without)?.headers_enc).toBeNull();
      const dump = (await hp.db.query<{ row: string }>('select e::text as row from endpoints e')).map((r) => r.row);
      expect(dump.join('\n')).not.toContain(token);

      // Idempotent: the next start (or a second process starting at once) finds nothing left to seal.
      expect(await sealClearHeaders(hp.db, box)).toBe(0);
      expect(
        openHeaders(
          box,
          (
            await hp.db.query<{ headers_enc: string }>('select headers_enc from endpoints where id = $1', [withHeaders])
          )[0]?.headers_enc ?? null,
        ),
      ).toEqual(clear);
    } finally {
      await hp.close();
    }
  }, 60_000);
});
