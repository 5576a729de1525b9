/**
 * (f) the worker as its own process: the API (publishing) in the bench process, deliveries only in a
 * `hookport worker` child started with the hookport bin's node flags; its peak RSS over a sustained run.
 */
import { children } from '../children.ts';
import { benchEnv, startHookport } from '../hookport.ts';
import { procStatus } from '../machine.ts';
import type { ReceiverProcess } from '../receiver-process.ts';
import { fmt, record } from '../results.ts';
import { settings } from '../settings.ts';
import { throughput, throughputNote } from '../throughput.ts';
import { startWorkerProcess, stopWorkerProcess } from '../worker-process.ts';

export async function workerProcess(receiver: ReceiverProcess, ports: number[]): Promise<void> {
  const env = benchEnv('postgres', 'bench_worker');
  // The API (publishing) in this process; deliveries only in the child.
  const b = await startHookport(env, 'api');
  try {
    const secrets = await b.endpoints(ports);
    const child = await startWorkerProcess(env);
    children.worker = child;
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
    await stopWorkerProcess(child);
    children.worker = undefined;
  } finally {
    await b.close();
  }
}
