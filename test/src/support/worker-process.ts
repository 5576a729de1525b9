import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deliveryEnvOf } from '@hookport/server';
import { afterAll } from 'vitest';
import { binNodeFlags } from './bin-flags.ts';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './harness.ts';
import { until } from './until.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../../../server/src/cli.ts', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the process was seen to exit. */
  at: number;
}

export interface WorkerProcess {
  pid: number;
  /** Everything the process wrote to stdout and stderr. */
  output: string[];
  /** Set once the process exited. */
  exit: Exit | undefined;
  exited: Promise<Exit>;
  /** Sends a signal to this process (by its pid) and returns when it was sent. */
  signal(signal: NodeJS.Signals): number;
}

/** `hookport serve --role api` in its own process, with the URL it listens on. */
export interface ApiProcess extends WorkerProcess {
  url: string;
}

const running = new Set<ChildProcess>();
// Should the test process end without its afterAll (a crash, a timeout), take the children with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts the CLI with `args` as a separate OS process on the database, schema
 * and secret key of an in-process Hookport (usually started with role `api`),
 * and waits until `ready` finds what it looks for in the output. Plain
 * `node --import tsx`, not the tsx CLI: the CLI runs the program in a child of
 * its own, which a SIGKILL of the parent would leave running. With the V8
 * flags the `hookport` bin runs node with, so memory figures are the shipped ones.
 */
async function startProcess<T>(
  t: TestHookport,
  what: string,
  args: readonly string[],
  env: Record<string, string>,
  ready: (output: string) => T | undefined,
): Promise<{ proc: WorkerProcess; found: T }> {
  const { databaseUrl, dbSchema } = t.config;
  if (!databaseUrl) throw new Error(`${what} needs DATABASE_URL (PGlite is one process)`);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOOKPORT_')));
  const child = spawn(process.execPath, [...binNodeFlags(), '--import', 'tsx', cli, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      DATABASE_URL: databaseUrl,
      HOOKPORT_DB_SCHEMA: dbSchema,
      HOOKPORT_SECRET_KEY: t.hp.secrets.secretKey.toString('hex'),
      HOOKPORT_ADMIN_TOKEN: t.adminToken,
      // The in-process Hookport's delivery settings: a process that differs is refused at start.
      ...deliveryEnvOf(t.config),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const { pid } = child;
  if (pid === undefined) throw new Error(`${what} did not start`);
  running.add(child);
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(String(c)));
  child.stderr?.on('data', (c: Buffer) => output.push(String(c)));
  const proc: WorkerProcess = {
    pid,
    output,
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        proc.exit = { code, signal, at: Date.now() };
        resolve(proc.exit);
      });
    }),
    signal(signal) {
      process.kill(pid, signal);
      return Date.now();
    },
  };
  const found = await until(
    `${what} ${pid} to be ready`,
    async () => {
      if (proc.exit) throw new Error(`${what} exited early (${JSON.stringify(proc.exit)}):\n${output.join('')}`);
      return ready(output.join(''));
    },
    { timeoutMs: 30_000 },
  );
  return { proc, found };
}

/** Starts `hookport worker` as a separate OS process (see startProcess). */
export async function startWorkerProcess(t: TestHookport, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const { proc } = await startProcess(t, 'worker process', ['worker'], env, (out) =>
    out.includes('Hookport worker is running') ? true : undefined,
  );
  return proc;
}

/** Starts `hookport serve --role api` as a separate OS process on a free port of 127.0.0.1 (see startProcess). */
export async function startApiProcess(t: TestHookport, env: Record<string, string> = {}): Promise<ApiProcess> {
  const { proc, found } = await startProcess(
    t,
    'API process',
    ['serve', '--role', 'api'],
    { HOOKPORT_API_RATE_LIMIT: '0', HOST: '127.0.0.1', PORT: '0', ...env },
    (out) => /Hookport is listening on (http:\/\/\S+)/.exec(out)?.[1],
  );
  // The same object, not a copy: `exit` is set on it when the process ends.
  return Object.assign(proc, { url: found });
}

/** SIGKILLs every process started here (workers and API processes) still running, and waits until they are gone. */
export async function killProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** What a test file whose workers run as separate processes works with. */
export interface ApiForWorkers {
  /** The API in this process (role api) on a fresh schema; the worker processes work in the same one. */
  t: TestHookport;
  tenant: TenantFixture;
  /** Closes `c` at the end of the file, after the processes and before the server. */
  closeAtEnd(c: { close(): Promise<void> }): void;
}

/**
 * The setup of a test file whose workers run as separate processes. Awaited at the top of the
 * file; it registers its own teardown, which SIGKILLs the processes first (the harness drops the
 * schema they work in), then closes what the tests handed to `closeAtEnd`, then the server.
 */
export async function apiForWorkerProcesses(): Promise<ApiForWorkers> {
  const t = await startHookport({}, 'api');
  let tenant: TenantFixture;
  try {
    tenant = await createTenant(t);
  } catch (err) {
    // A file whose setup failed runs no hooks: stop the server here.
    await t.close();
    throw err;
  }
  const closables: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await killProcesses();
    for (const c of closables) await c.close();
    await t.close();
  });
  return { t, tenant, closeAtEnd: (c) => closables.push(c) };
}
