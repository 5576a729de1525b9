import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  type Hookport,
  loadConfig,
  openHookport,
  openPostgres,
  SecretKeyMismatchError,
} from '@hookport/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, nativeContract } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';

/*
 * A wrong HOOKPORT_SECRET_KEY stops the start, loudly, instead of signing
 * with garbage: in-process (openHookport throws SecretKeyMismatchError) and
 * as an operator sees it (`hookport serve` exits non-zero with a readable
 * message that echoes neither key). Nothing stored changes, and the right key
 * still opens every secret afterwards. On the database this run uses: a data
 * directory on disk (PGlite) or one schema (PostgreSQL).
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../../server/src/cli.ts', import.meta.url));

const rightKey = randomBytes(32).toString('hex');
const wrongKeys = {
  'another hex key': randomBytes(32).toString('hex'),
  'another base64 key': randomBytes(32).toString('base64'),
  'the right key with one bit flipped': flipLastBit(rightKey),
};
const adminToken = `hpa_${randomBytes(24).toString('base64url')}`;
const schema = `t_key_${randomBytes(5).toString('hex')}`;
let dataDir = '';

function flipLastBit(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  bytes[31] = (bytes[31] ?? 0) ^ 1;
  return bytes.toString('hex');
}

/** The environment of one start; PGlite keeps its data under dataDir, PostgreSQL in one schema. */
function environment(key: string): Record<string, string> {
  return {
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    HOOKPORT_DB_SCHEMA: schema,
    HOOKPORT_DATA_DIR: dataDir,
    HOOKPORT_SECRET_KEY: key,
    HOOKPORT_ADMIN_TOKEN: adminToken,
    HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8',
    LOG_LEVEL: 'silent',
  };
}

function open(key: string): Promise<Hookport> {
  const config = loadConfig(environment(key));
  return openHookport(config, createLogger('silent'), 'api');
}

async function dump(hp: Hookport): Promise<string> {
  const rows = await hp.db.query('select * from settings order by 1');
  const endpoints = await hp.db.query('select id, secret_enc from endpoints order by 1');
  return JSON.stringify({ rows, endpoints });
}

let endpoint = { tenantUuid: '', endpointUuid: '', secret: '' };
let stored = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hookport-key-'));
  const hp = await open(rightKey);
  try {
    const api = new Api((req) => hp.app.fetch(req), nativeContract);
    const tenant = await api.post<{ id: string }>('/v1/tenants', { token: adminToken, json: { name: 'Keyed' } });
    const token = await api.post<{ token: string }>(`/v1/tenants/${tenant.body.id}/tokens`, {
      token: adminToken,
      json: { name: 'k', scopes: ['*'] },
    });
    const made = await api.post<{ id: string; secret: string }>('/v1/endpoints', {
      token: token.body.token,
      json: { url: 'https://hooks.example.com/keyed', eventTypes: ['*'] },
    });
    if (made.status !== 201) throw new Error(made.text);
    endpoint = { tenantUuid: uuidOf(tenant.body.id), endpointUuid: uuidOf(made.body.id), secret: made.body.secret };
    stored = await dump(hp);
  } finally {
    await hp.close();
  }
}, 60_000);

afterAll(async () => {
  if (process.env.DATABASE_URL) {
    const admin = openPostgres({ url: process.env.DATABASE_URL, schema: 'public', max: 1 });
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.query(`drop schema if exists "${schema}_boss" cascade`);
    await admin.close();
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  output: string;
}

/** Runs `hookport serve` with the given key until it exits (it must, with a wrong key). */
function serve(key: string): Promise<Exit> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOOKPORT_')));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, ...environment(key), PORT: '0', LOG_LEVEL: 'info' },
  });
  const output: string[] = [];
  child.stdout.on('data', (c: Buffer) => output.push(String(c)));
  child.stderr.on('data', (c: Buffer) => output.push(String(c)));
  return new Promise((resolve) => {
    // A server that started would never exit on its own: stop it after a bound, and the test fails on its code.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.join('') });
    });
  });
}

describe('a wrong HOOKPORT_SECRET_KEY', () => {
  it.each(Object.entries(wrongKeys))('stops an in-process start: %s', async (_label, key) => {
    const err = await open(key).then(
      async (hp) => {
        await hp.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SecretKeyMismatchError);
    const message = String((err as Error).message);
    expect(message).toMatch(/HOOKPORT_SECRET_KEY is not the key this database was encrypted with/);
    expect(message).not.toContain(key);
    expect(message).not.toContain(rightKey);
  });

  it('makes `hookport serve` exit 1 with a readable message that echoes no key', async () => {
    const key = wrongKeys['another hex key'];
    const exit = await serve(key);
    expect(exit.code, exit.output).toBe(1);
    expect(exit.output).toContain('hookport: HOOKPORT_SECRET_KEY is not the key this database was encrypted with');
    expect(exit.output).not.toContain(key);
    expect(exit.output).not.toContain(rightKey);
    // It stopped before serving: no listening line, no stack trace.
    expect(exit.output).not.toMatch(/listening|running|\n\s+at /i);
  }, 40_000);

  it('changed nothing, and the right key still opens every secret', async () => {
    const hp = await open(rightKey);
    try {
      expect(await dump(hp)).toBe(stored);
      expect(await hp.core.endpoints.revealSecret(endpoint.tenantUuid, endpoint.endpointUuid)).toBe(endpoint.secret);
    } finally {
      await hp.close();
    }
  });
});
