import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's postgresql-15 package puts the server binaries; HOOKPORT_PG_BIN overrides it. */
const binDir = process.env.HOOKPORT_PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** The OS user the cluster runs as: initdb and postgres refuse to run as root. */
const osUser = 'postgres';

/**
 * A PostgreSQL cluster of this test alone, in a temporary directory on a
 * free port of 127.0.0.1 (trust auth). Restarting or stopping it harms no
 * one else, which the shared server on 5432 must never be.
 */
export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** `pg_ctl restart -m fast`: every session is ended, the server is back when this resolves. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: refused connections from here on until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Everything the server logged (for a failure message). */
  log(): Promise<string>;
  /** Stops the server (immediate) and deletes its directory. */
  destroy(): Promise<void>;
}

function requireBinaries(): void {
  for (const name of ['initdb', 'pg_ctl', 'postgres']) {
    try {
      accessSync(join(binDir, name), constants.X_OK);
    } catch {
      throw new Error(
        `the database outage tests start a PostgreSQL cluster of their own and need ${join(binDir, name)} ` +
          '(apt-get install postgresql-15, or set HOOKPORT_PG_BIN to the directory of initdb and pg_ctl)',
      );
    }
  }
}

/** Data directories of clusters still running, stopped should the test process end without its afterAll. */
const live = new Set<string>();
process.once('exit', () => {
  for (const dataDir of live) {
    const args = ['-D', dataDir, '-m', 'immediate', 'stop'];
    try {
      if (process.getuid?.() === 0) execFileSync('runuser', ['-u', osUser, '--', join(binDir, 'pg_ctl'), ...args]);
      else execFileSync(join(binDir, 'pg_ctl'), args);
    } catch {
      // Already stopped.
    }
  }
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Runs a PostgreSQL binary as the postgres OS user when we are root (as in CI containers), directly otherwise. */
async function asOwner(binary: string, args: string[]): Promise<string> {
  const path = join(binDir, binary);
  const root = process.getuid?.() === 0;
  try {
    const { stdout } = root
      ? await run('runuser', ['-u', osUser, '--', path, ...args], { timeout: 60_000 })
      : await run(path, args, { timeout: 60_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, {
      cause: err,
    });
  }
}

/** initdb into a fresh temporary directory and start the server on a free port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  requireBinaries();
  const root = mkdtempSync(join(tmpdir(), 'hookport-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  if (process.getuid?.() === 0) await run('chown', [osUser, root]);
  await asOwner('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Throw-away data: no fsync. The socket directory is ours too, so /var/run/postgresql is never touched.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const ctl = (args: string[]) =>
    asOwner('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', ...args]);
  await ctl(['start']);
  live.add(dataDir);
  let destroyed = false;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await ctl(['-m', 'fast', 'restart']);
    },
    stop: async () => {
      await ctl(['-m', 'fast', 'stop']);
    },
    start: async () => {
      await ctl(['start']);
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      live.delete(dataDir);
      await asOwner('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}
