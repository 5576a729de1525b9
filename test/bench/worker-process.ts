/**
 * A `hookport worker` child, started as the shipped bin runs it (server/bin/hookport.js's node flags,
 * tsx, the CLI next to the measured server): phase f starts one, tools/scaling.ts several.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { log, sleep } from './clock.ts';
import { cliPath } from './server.ts';
import { root, settings, tsxImport } from './settings.ts';

/** Starts the worker and resolves once it says it is running (or rejects on exit or after a minute). */
export async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...settings.workerNodeArgs, '--import', tsxImport, cliPath, 'worker'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += String(c);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 60_000);
      child.stdout?.on('data', (c: Buffer) => {
        if (String(c).includes('worker is running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return child;
}

/** SIGTERM, then SIGKILL if the worker has not stopped within 25 s; says so when it did not stop cleanly. */
export async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(25_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    log('worker did not stop within 25 s of SIGTERM; killing it');
    child.kill('SIGKILL');
    await exited;
  } else if (code !== 0) {
    log(`worker exited with ${code} after SIGTERM`);
  }
}
