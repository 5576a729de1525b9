import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '../startup/startup-error.ts';
import type { Database } from './database.ts';

/**
 * The lock of an embedded data directory. PGlite is a single-process database: two processes on
 * one directory both start, both report ready, and corrupt it. Node has no flock(), so the lock is
 * a file holding the owner's PID:
 * - it is made whole under a private name and then hard-linked into place (`link` fails when the
 *   name exists), so a reader never sees an empty or half-written lock, and one creation wins;
 * - a lock whose PID is no longer alive (a process killed with -9) is stale and taken over:
 *   renamed aside (atomic, so only one of several breakers gets it), then checked: if what was
 *   moved is not the stale lock that was seen (a racer already took over), it is put back.
 * Two processes racing for one stale lock thus never both win.
 */
export const lockFileName = 'hookport.lock';

export interface LockHost {
  /** The PID written into the lock. */
  pid: number;
  /** Whether a process with this PID exists. */
  isAlive(pid: number): boolean;
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock, if it is still this process's. */
  release(): Promise<void>;
}

export class DataDirLockedError extends StartupError {
  readonly holderPid: number;

  constructor(dataDir: string, holderPid: number, file: string) {
    super(
      `The data directory ${dataDir} is in use by process ${holderPid}: PGlite allows one process per directory. ` +
        `Stop that process, or set HOOKPORT_DATA_DIR to another directory (the lock is ${file}; delete it only if process ${holderPid} is not Hookport).`,
    );
    this.name = 'DataDirLockedError';
    this.holderPid = holderPid;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const thisProcess: LockHost = { pid: process.pid, isAlive: processIsAlive };

const errnoOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** The lock's text, or undefined when there is no lock. */
async function readLock(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The PID in a lock's text; null for text no Hookport wrote. */
function pidOf(text: string): number | null {
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

const privateName = (file: string, what: string, host: LockHost) =>
  `${file}.${what}-${host.pid}-${randomBytes(4).toString('hex')}`;

/** Creates the lock whole or not at all; false when a lock exists. */
async function create(file: string, host: LockHost): Promise<boolean> {
  const draft = privateName(file, 'new', host);
  await writeFile(draft, `${host.pid}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(draft);
  }
}

/** Removes the stale lock whose text was `seen`, unless another process replaced it meanwhile. */
async function breakStale(file: string, seen: string, host: LockHost): Promise<void> {
  const aside = privateName(file, 'stale', host);
  try {
    await rename(file, aside);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return; // another process broke it first
    throw err;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== seen) {
    // A racer took the stale lock over between our read and our rename: this is its live lock.
    try {
      await link(aside, file);
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw err;
    }
  }
  await unlink(aside);
}

/** Locks `dataDir` for this process, or throws DataDirLockedError naming the process that holds it. */
export async function lockDataDir(dataDir: string, host: LockHost = thisProcess): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, lockFileName);
  // Each turn either wins, fails on a live holder, or clears a stale lock; a few turns cover racers.
  for (let turn = 0; turn < 5; turn++) {
    if (await create(file, host)) {
      return { file, release: () => release(file, host) };
    }
    const text = await readLock(file);
    if (text === undefined) continue; // released in between
    const pid = pidOf(text);
    // Our own PID: this process opened the directory already (and has not closed it).
    if (pid !== null && (pid === host.pid || host.isAlive(pid))) throw new DataDirLockedError(dataDir, pid, file);
    await breakStale(file, text, host);
  }
  throw new StartupError(`Could not lock the data directory ${dataDir}: other processes keep taking ${file}.`);
}

async function release(file: string, host: LockHost): Promise<void> {
  const text = await readLock(file);
  if (text !== undefined && pidOf(text) === host.pid) await unlink(file);
}

/** `db` whose close() also releases `lock`, after the database is closed. */
export function holdingLock(db: Database, lock: DataDirLock): Database {
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        await lock.release();
      }
    },
  };
}
