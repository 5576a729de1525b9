/**
 * (f) the worker as its own process: the API (publishing) in the bench process, deliveries only in a
 * `hookport worker` child started with the hookport bin's node flags; its peak RSS over a sustained run.
 */
import { spawn } from 'node:child_process';
import { children } from '../children.ts';
import { log, sleep } from '../clock.ts';
import { benchEnv, startHookport } from '../hookport.ts';
import { procStatus } from '../machine.ts';
import type { ReceiverProcess } from '../receiver-process.ts';
import { fmt, record } from '../results.ts';
import { cliPath } from '../server.ts';
import { root, settings, tsxImport } from '../settings.ts';
import { throughput, throughputNote } from '../throughput.ts';

export async function workerProcess(receiver: ReceiverProcess, ports: number[]): Promise<void> {
  const env = benchEnv('postgres', 'bench_worker');
  // The API (publishing) in this process; deliveries only in the child.
  const b = await startHookport(env, 'api');
  try {
    const secrets = await b.endpoints(ports);
    const child = spawn(process.execPath, [...settings.workerNodeArgs, '--import', tsxImport, cliPath, 'worker'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.worker = child;
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += String(c);
    });
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
    const pid = child.pid as number;
    const idle = procStatus(pid);
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = procStatus(pid).rss;
      if (rss !== null) samples.push(rss);
    }, 250);
    const o = await throughput(receiver, b, 'f', ports.length, secrets, {
      events: settings.workerEvents,
      timeoutMs: 2 * settings.phaseTimeoutMs,
    });
    clearInterval(sampler);
    const peak = procStatus(pid);
    const quartiles = [0.25, 0.5, 0.75].map((q) => fmt(samples[Math.floor(q * samples.length)] ?? null, 0));
    record(
      'f.rate',
      'separate worker process, PostgreSQL',
      o.rate,
      'deliveries/s',
      throughputNote(o, 'API in the bench process, worker in the child'),
    );
    record(
      'f.rss',
      'worker peak RSS (VmHWM of `hookport worker`)',
      peak.hwm,
      'MB',
      `RSS ${fmt(idle.rss, 0)} MB after start, then ${quartiles.join(' / ')} MB at 1/4, 1/2, 3/4 of the run ` +
        `(warm-up included), ${fmt(peak.rss, 0)} MB at the end; ` +
        `run as \`node ${settings.workerNodeArgs.map((a) => `${a} `).join('')}--import tsx server/src/cli.ts worker\`, ` +
        'so it includes tsx compiling TypeScript at start',
    );
    child.kill('SIGTERM');
    const exited = await Promise.race([
      new Promise<number | null>((r) => child.once('exit', (code) => r(code))),
      sleep(25_000).then(() => 'timeout' as const),
    ]);
    if (exited === 'timeout') {
      log('worker did not stop within 25 s of SIGTERM; killing it');
      child.kill('SIGKILL');
    } else if (exited !== 0) {
      log(`worker exited with ${exited} after SIGTERM`);
    }
    children.worker = undefined;
  } finally {
    await b.close();
  }
}
