/**
 * (b) Hookport end to end on PostgreSQL, in-process (role all): one run per round, alternating with
 * (e)'s runs (run.ts); the figure is the median run.
 */
import { log } from '../clock.ts';
import { benchEnv, startHookport } from '../hookport.ts';
import { hookportCpuMs } from '../machine.ts';
import type { Ports, ReceiverProcess } from '../receiver-process.ts';
import { fmt, record } from '../results.ts';
import { settings } from '../settings.ts';
import { medianRun, runsNote, type ThroughputOutcome, throughput } from '../throughput.ts';

export async function postgresRun(receiver: ReceiverProcess, ports: Ports, r: number): Promise<ThroughputOutcome> {
  log(`(b) Hookport on PostgreSQL, run ${r} of ${settings.repeats}`);
  const b = await startHookport(benchEnv('postgres', `bench_pg_${r}`));
  try {
    const secrets = await b.endpoints(ports.ok);
    const o = await throughput(receiver, b, `b-${r}`, settings.endpoints, secrets);
    log(`b run ${r}: ${fmt(o.rate)} deliveries/s`);
    return o;
  } finally {
    await b.close();
  }
}

export function recordPostgres(runs: ThroughputOutcome[]): void {
  const median = medianRun(runs);
  if (!median) return;
  record('b', 'Hookport end to end, PostgreSQL', median.rate, 'deliveries/s', runsNote(runs, median));
  record(
    'b.cpu',
    'CPU per delivery during (b): this process and the PostgreSQL backends',
    hookportCpuMs(median.cpu, median.report.unique),
    'ms',
    'of the median run (its split is in the note of b); the receiver not included',
  );
  record(
    'b.publish',
    'publish API rate during (b)',
    (settings.events / median.publishMs) * 1000,
    'events/s',
    `${settings.publishConcurrency} concurrent POST /v1/events, ${settings.endpoints} deliveries each, while the worker runs`,
  );
}
