/**
 * The README's quick start, run as a user runs it: the server through the real
 * `hookport` bin (`hookport serve --dev`, embedded database in a fresh data
 * directory), then exactly the block between `<!-- quickstart:begin -->` and
 * `<!-- quickstart:end -->`, pasted into bash. The webhook must arrive at
 * `hookport listen` and verify, and `hookport deliveries` must show it delivered.
 *
 * Two things differ from a user's machine, both through the environment the
 * README leaves to defaults: the server's port (HOOKPORT_URL; 8080 may be taken)
 * and data directory (HOOKPORT_DATA_DIR), and the receiver's port 9000 becomes a
 * free one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/until.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The shell code of the first ```sh block after `after` (and before `before`, when given). */
function shellBlock(after: string, before?: string): string {
  const start = readme.indexOf(after);
  if (start < 0) throw new Error(`README.md has no ${after}`);
  const end = before === undefined ? readme.length : readme.indexOf(before, start);
  if (end < 0) throw new Error(`README.md has no ${before} after ${after}`);
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(start, end));
  if (!m?.[1]) throw new Error(`no \`\`\`sh block after ${after}`);
  return m[1];
}

/**
 * The environment of the machine running the tests without what configures Hookport (HOOKPORT_*, and
 * DATABASE_URL, which CI sets for its PostgreSQL run): the quick start is for the embedded database.
 */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => !e[0].startsWith('HOOKPORT_') && e[0] !== 'DATABASE_URL' && e[1] !== undefined,
    ),
  );
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

let dataDir: string;
let server: ChildProcess | undefined;
const serverOutput: string[] = [];
let apiUrl: string;

beforeAll(async () => {
  const setup = shellBlock('## Quick start', '<!-- quickstart:begin -->').trim().split('\n');
  expect(setup).toEqual(['pnpm install', 'pnpm hookport serve --dev']);
  dataDir = await mkdtemp(join(tmpdir(), 'hookport-quickstart-'));
  // `pnpm hookport` runs node_modules/.bin/hookport, the bin's shim (with its node flags); started
  // directly here so that the SIGTERM at the end reaches the server itself.
  server = spawn(join(repoRoot, 'node_modules/.bin/hookport'), ['serve', '--dev'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', HOOKPORT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
  server.stdout?.on('data', (c: Buffer) => serverOutput.push(String(c)));
  server.stderr?.on('data', (c: Buffer) => serverOutput.push(String(c)));
  apiUrl = await until(
    'hookport serve --dev to listen',
    async () => {
      if (server?.exitCode !== null) throw new Error(`hookport serve exited:\n${serverOutput.join('')}`);
      return /Hookport is listening on (http:\/\/\S+)/.exec(serverOutput.join(''))?.[1];
    },
    { timeoutMs: 120_000 },
  );
}, 150_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the README's quick start", () => {
  it('warns at start that --dev opens loopback targets', () => {
    expect(serverOutput.join('')).toContain(
      'Development mode (--dev): endpoints may target 127.0.0.1, ::1 and localhost',
    );
  });

  it('gets from a running server to a verified webhook with copy-paste only', async () => {
    const block = shellBlock('<!-- quickstart:begin -->', '<!-- quickstart:end -->');
    expect(block.match(/9000/g)).toHaveLength(2);
    const script = block.replaceAll('9000', String(await freePort()));
    const bash = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), HOOKPORT_URL: apiUrl, HOOKPORT_DATA_DIR: dataDir },
    });
    const out: string[] = [];
    const err: string[] = [];
    bash.stdout?.on('data', (c: Buffer) => out.push(String(c)));
    bash.stderr?.on('data', (c: Buffer) => err.push(String(c)));
    const [code] = (await once(bash, 'exit')) as [number | null];
    const printed = out.join('');
    const context = `stdout:\n${printed}\nstderr:\n${err.join('')}\nserver:\n${serverOutput.join('')}`;
    expect(code, context).toBe(0);

    // hookport listen printed the webhook and verified its signature with the endpoint's secret.
    const eventId = /webhook-id (evt_\w+) {2}order\.created\n {2}signature verified ✔/.exec(printed)?.[1];
    expect(eventId, context).toBeDefined();
    expect(printed).toContain('"total": 42');
    // hookport deliveries: the event went to the one endpoint, delivered at the first attempt with a 204.
    expect(printed, context).toContain(`${eventId} (order.created) went to 1 endpoint:`);
    expect(printed, context).toMatch(/dlv_\w+ {2}succeeded {2}ep_\w+ http:\/\/localhost:\d+ {2}\(\d+ attempts?\)/);
    expect(printed, context).toMatch(/#\d+ {2}\S+ {2}HTTP 204 {2}\d+ ms/);
  }, 240_000);
});
