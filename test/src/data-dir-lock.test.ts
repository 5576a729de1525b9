import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinProcess, killBins, startBin } from './support/bin-process.ts';

/**
 * The embedded data directory is one process's: real `hookport serve` processes on one directory.
 * PGlite is single-process, and a second one on the same files corrupts them silently.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookport-datadir-'));
});
afterAll(async () => {
  await killBins();
  await rm(dir, { recursive: true, force: true });
});

const lockFile = (dataDir = dir) => join(dataDir, 'hookport.lock');
const serve = (dataDir = dir) => startBin(['serve'], { HOOKPORT_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' });
const ready = 'Hookport is listening on';
const inUseBy = (pid: number, dataDir = dir) =>
  `hookport: The data directory ${dataDir} is in use by process ${pid}: PGlite allows one process per directory.`;

/** The PID of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

describe('the data directory lock', () => {
  it('stops a second process at once naming the first; after a kill -9 the next start takes over; a clean stop frees it', async () => {
    const first = serve();
    await first.waitFor(ready);
    expect(await readFile(lockFile(), 'utf8')).toBe(`${first.pid}\n`);

    const second = serve();
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toContain(inUseBy(first.pid));
    expect(second.output()).not.toContain(ready);

    first.kill('SIGKILL');
    await first.exited;
    const third = serve();
    await third.waitFor(ready);
    expect(await readFile(lockFile(), 'utf8')).toBe(`${third.pid}\n`);

    third.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
    await expect(readFile(lockFile(), 'utf8')).rejects.toThrow(/ENOENT/);
  }, 180_000);

  it('gives a stale lock to exactly one of two processes started together; the other names it', async () => {
    // A directory with nothing but the lock of a process that is gone: both would also write its key and token.
    const fresh = join(dir, 'fresh');
    await mkdir(fresh);
    await writeFile(lockFile(fresh), `${await deadPid()}\n`);
    const racers = [serve(fresh), serve(fresh)];
    // Each either becomes ready or exits; wait for both outcomes.
    const outcome = (p: BinProcess) =>
      Promise.race([p.waitFor(ready, 60_000).then(() => 'ready' as const), p.exited.then(() => 'exited' as const)]);
    const outcomes = await Promise.all(racers.map(outcome));
    const winner = racers[outcomes.indexOf('ready')];
    const loser = racers[outcomes.indexOf('exited')];
    expect(outcomes.sort()).toEqual(['exited', 'ready']);
    if (!winner || !loser) throw new Error('expected one winner and one loser');
    expect((await loser.exited).code).toBe(1);
    expect(loser.stderr()).toBe(
      `${inUseBy(winner.pid, fresh)} Stop that process, or set HOOKPORT_DATA_DIR to another directory ` +
        `(the lock is ${lockFile(fresh)}; delete it only if process ${winner.pid} is not Hookport).\n`,
    );
    expect(await readFile(lockFile(fresh), 'utf8')).toBe(`${winner.pid}\n`);
    winner.kill('SIGTERM');
    expect((await winner.exited).code).toBe(0);
  }, 180_000);
});
