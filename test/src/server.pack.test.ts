/**
 * The server as the container and a user get it: `pnpm pack` of @hookport/server (its prepack builds
 * dist/cli.js), installed with npm into an empty project outside the workspace, then `npx hookport serve`
 * on the embedded database, answering /health and /ready, and checking event data against a schema in
 * the schema pool's threads (dist/schema-worker.js). Nothing of the workspace is reachable from
 * there: the bundle must carry @hookport/spec and @hookport/compat, and plain node must run it (no
 * TypeScript loader is installed).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from './support/until.ts';

const execFileAsync = promisify(execFile);
const serverDir = fileURLToPath(new URL('../../server/', import.meta.url));

/** Runs a command; a failure shows what the command printed. */
async function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }) {
  try {
    return await execFileAsync(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

interface Packed {
  filename: string;
  files: { path: string }[];
}

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  exports?: Record<string, string>;
}

const adminToken = `hpa_${'pack'.repeat(8)}`;

/**
 * The schema pool's threads run dist/schema-worker.js, the build's second entry point: a schema is
 * checked at creation (a lookahead refused), and an event's data checked against it at publish.
 */
async function schemasWork(baseUrl: string): Promise<void> {
  const call = async (path: string, token: string, json: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    return {
      status: res.status,
      body: (await res.json()) as { id?: string; token?: string; errors?: { code: string }[] },
    };
  };
  const tenant = await call('/v1/tenants', adminToken, { name: 'Pack', presets: [] });
  expect(tenant.status).toBe(201);
  const token = await call(`/v1/tenants/${tenant.body.id}/tokens`, adminToken, { name: 'pack', scopes: ['*'] });
  expect(token.status).toBe(201);
  const key = token.body.token ?? '';
  const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^ord_\\d+$' } } };
  const lookahead = await call('/v1/event-types', key, { name: 'order.bad', schema: { pattern: '(?=x)' } });
  expect(lookahead.status).toBe(422);
  expect(lookahead.body.errors?.map((e) => e.code)).toEqual(['unsupported_pattern']);
  expect((await call('/v1/event-types', key, { name: 'order.created', schema })).status).toBe(201);
  expect((await call('/v1/events', key, { type: 'order.created', data: { id: 'ord_1' } })).status).toBe(202);
  const invalid = await call('/v1/events', key, { type: 'order.created', data: { id: 'x' } });
  expect(invalid.status).toBe(422);
  expect(invalid.body.errors?.map((e) => e.code)).toEqual(['schema_pattern']);
}

let project: string;
let server: ChildProcess | undefined;
const output: string[] = [];

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'hookport-server-consumer-'));
});

afterAll(async () => {
  // npx runs hookport as its child: the signal goes to the whole process group the test started.
  if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) {
    process.kill(-server.pid, 'SIGKILL');
  }
  if (project) await rm(project, { recursive: true, force: true });
});

it('packs, installs with npm outside the workspace and serves /health on the embedded database', async () => {
  const { stdout: packedJson } = await run('pnpm', ['pack', '--pack-destination', project, '--json'], {
    cwd: serverDir,
    env: { ...process.env, CI: 'true' },
  });
  const packed = JSON.parse(packedJson.slice(packedJson.indexOf('{'))) as Packed;
  const files = packed.files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'bin/hookport.js', 'dist/cli.js']));
  expect(files.filter((f) => f.startsWith('migrations/')).length).toBeGreaterThan(0);
  expect(files.filter((f) => !/^(package\.json|LICENSE|bin\/|dist\/|migrations\/)/.test(f))).toEqual([]);

  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  await run('npm', ['install', packed.filename, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: project,
    timeout: 240_000,
  });
  const installedDir = join(project, 'node_modules/@hookport/server');
  const installed = JSON.parse(await readFile(join(installedDir, 'package.json'), 'utf8')) as Manifest;
  // The package carries the project's licence, the same text as the repository's.
  expect(await readFile(join(installedDir, 'LICENSE'), 'utf8')).toBe(
    await readFile(fileURLToPath(new URL('../../LICENSE', import.meta.url)), 'utf8'),
  );
  // The workspace packages are inlined, not dependencies npm would look for in the registry.
  expect(Object.keys(installed.dependencies ?? {}).filter((d) => d.startsWith('@hookport/'))).toEqual([]);
  // The published package exports no TypeScript source.
  expect(installed.exports).toEqual({ './package.json': './package.json' });
  // No TypeScript loader came with it: the bin runs dist/cli.js with plain node.
  expect(Object.keys(installed.dependencies ?? {})).not.toContain('tsx');
  await expect(stat(join(project, 'node_modules/tsx'))).rejects.toThrow();
  // /docs serves the copy of Scalar's script in dist/scalar/: the package it comes from (170 MB installed) is not needed.
  await expect(stat(join(project, 'node_modules/@scalar/api-reference'))).rejects.toThrow();

  const dataDir = join(project, 'data');
  await mkdir(dataDir);
  server = spawn('npx', ['hookport', 'serve'], {
    cwd: project,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      HOOKPORT_DATA_DIR: dataDir,
      HOOKPORT_ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn',
    },
  });
  server.stdout?.on('data', (c: Buffer) => output.push(String(c)));
  server.stderr?.on('data', (c: Buffer) => output.push(String(c)));
  const started = server;
  const baseUrl = await until(
    'the installed hookport to listen',
    async () => {
      if (started.exitCode !== null) throw new Error(`npx hookport serve exited:\n${output.join('')}`);
      return /Hookport is listening on (http:\/\/\S+)/.exec(output.join(''))?.[1];
    },
    { timeoutMs: 90_000 },
  );

  const health = await fetch(`${baseUrl}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  // The container's health check.
  const ready = await fetch(`${baseUrl}/ready`);
  expect(ready.status).toBe(200);
  // /docs serves Scalar's standalone script from the installed package.
  const docs = await fetch(`${baseUrl}/docs`);
  expect(docs.status).toBe(200);
  const script = /<script[^>]* src="([^"]+standalone\.js)"/.exec(await docs.text())?.[1];
  expect(script).toBeDefined();
  const bundle = await fetch(`${baseUrl}${script}`);
  expect(bundle.status).toBe(200);
  await bundle.arrayBuffer();
  // / opens the console, which the build copied to dist/console/: its page and the script it loads.
  const home = await fetch(`${baseUrl}/`, { redirect: 'manual' });
  expect(home.headers.get('location')).toBe('/console');
  const consolePage = await fetch(`${baseUrl}/console`);
  expect(consolePage.status).toBe(200);
  expect(consolePage.headers.get('content-security-policy')).toContain("script-src 'self'");
  const consoleScript = /<script[^>]* src="(\/console\/assets\/[^"]+\.js)"/.exec(await consolePage.text())?.[1];
  expect(consoleScript).toBeDefined();
  const consoleBundle = await fetch(`${baseUrl}${consoleScript}`);
  expect(consoleBundle.status).toBe(200);
  expect(consoleBundle.headers.get('cache-control')).toContain('immutable');
  await consoleBundle.arrayBuffer();
  await schemasWork(baseUrl);

  // npx and hookport both get SIGTERM (npx dies of it); 'close' comes once hookport, which holds the
  // same pipes, has stopped too.
  const closed = new Promise<void>((resolve) => started.once('close', () => resolve()));
  process.kill(-(started.pid ?? 0), 'SIGTERM');
  await closed;
  expect(output.join('')).not.toMatch(/error|warn/i);
}, 360_000);
