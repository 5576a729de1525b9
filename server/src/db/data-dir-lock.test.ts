import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../runtime.ts';
import { DataDirLockedError, type LockHost, lockDataDir, lockFileName } from './data-dir-lock.ts';
import { pgliteTemplate } from './pglite-template.ts';

/**
 * The lock's protocol on a real directory, with PIDs and liveness given: processes here are
 * stand-ins for the real ones test/src/data-dir-lock.test.ts starts and kills.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookport-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Processes `alive` exist; every other PID is gone. */
const host = (pid: number, alive: Set<number>): LockHost => ({ pid, isAlive: (p) => alive.has(p) });

async function lockError(promise: Promise<unknown>): Promise<DataDirLockedError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DataDirLockedError) return err;
    throw err;
  }
  throw new Error('the lock was granted');
}

describe('lockDataDir', () => {
  it('writes the PID, refuses a second live process naming the first, and is free again once released', async () => {
    const alive = new Set([101, 202]);
    const first = await lockDataDir(dir, host(101, alive));
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe('101\n');
    const refused = await lockError(lockDataDir(dir, host(202, alive)));
    expect(refused.holderPid).toBe(101);
    expect(refused.message).toContain(`The data directory ${dir} is in use by process 101`);
    await first.release();
    const second = await lockDataDir(dir, host(202, alive));
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe('202\n');
    await second.release();
    // Nothing is left behind: no lock, no draft or stale copies.
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses the process that holds it already', async () => {
    const me = host(101, new Set([101]));
    await lockDataDir(dir, me);
    expect((await lockError(lockDataDir(dir, me))).holderPid).toBe(101);
  });

  it('takes over the lock of a process that is gone', async () => {
    await writeFile(join(dir, lockFileName), '999\n');
    const lock = await lockDataDir(dir, host(101, new Set([101])));
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe('101\n');
    await lock.release();
  });

  it('takes over a lock no Hookport wrote (empty or garbage)', async () => {
    await writeFile(join(dir, lockFileName), 'not a pid');
    await lockDataDir(dir, host(101, new Set([101])));
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe('101\n');
  });

  it('release leaves a lock another process took alone', async () => {
    const alive = new Set([202]);
    const lock = await lockDataDir(dir, host(101, alive));
    await writeFile(join(dir, lockFileName), '202\n');
    await lock.release();
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe('202\n');
  });

  it('gives a stale lock to exactly one of two racing processes, and the other names the winner', async () => {
    // Many rounds, so the two acquisitions interleave at different points of the protocol.
    for (let round = 0; round < 40; round++) {
      await writeFile(join(dir, lockFileName), '999\n');
      const alive = new Set([101, 202]);
      const results = await Promise.allSettled([
        lockDataDir(dir, host(101, alive)),
        lockDataDir(dir, host(202, alive)),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const holder = Number((await readFile(join(dir, lockFileName), 'utf8')).trim());
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(DataDirLockedError);
      expect(lost?.status === 'rejected' && (lost.reason as DataDirLockedError).holderPid).toBe(holder);
      expect(await readdir(dir)).toEqual([lockFileName]);
      await rm(join(dir, lockFileName));
    }
  });

  it('does not break a lock a racer took over between its check and its break', async () => {
    // Process 202 sees the stale lock of 999; while it checks that 999 is gone, 101 takes it over.
    await writeFile(join(dir, lockFileName), '999\n');
    const racer: LockHost = {
      pid: 202,
      isAlive(pid) {
        if (pid === 999) writeFileSync(join(dir, lockFileName), '101\n');
        return pid === 101 || pid === 202;
      },
    };
    expect((await lockError(lockDataDir(dir, racer))).holderPid).toBe(101);
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe('101\n');
    expect(await readdir(dir)).toEqual([lockFileName]);
  });
});

describe('openDatabase', () => {
  it('holds the lock of an embedded data directory while the database is open', async () => {
    const config = loadConfig({ HOOKPORT_DATA_DIR: dir });
    const db = await openDatabase(config);
    try {
      expect(await readFile(join(dir, lockFileName), 'utf8')).toBe(`${process.pid}\n`);
      await expect(openDatabase(config)).rejects.toThrow(`is in use by process ${process.pid}`);
    } finally {
      await db.close();
    }
    expect(await readdir(dir)).not.toContain(lockFileName);
  }, 120_000);

  it('takes no lock for a throw-away database (:memory:)', async () => {
    const config = loadConfig({ HOOKPORT_DATA_DIR: ':memory:' });
    const template = await pgliteTemplate();
    const [a, b] = await Promise.all([
      openDatabase(config, undefined, template),
      openDatabase(config, undefined, template),
    ]);
    await Promise.all([a.close(), b.close()]);
  }, 120_000);
});
