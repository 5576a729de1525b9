/**
 * (e) isolation: the same healthy endpoints and events as (b), plus as many endpoints that never
 * answer (half of all), so e/b is what the dead endpoints cost the healthy ones. Its runs alternate
 * with (b)'s, round by round (run.ts), and e.ratio is the median of each round's e/b: the machine's
 * other load moves both runs of a round alike. (e.stress): three dead endpoints per healthy one.
 */
import { log } from '../clock.ts';
import { benchEnv, startHookport } from '../hookport.ts';
import type { Ports, ReceiverProcess } from '../receiver-process.ts';
import { fmt, get, medianOf, record } from '../results.ts';
import { settings } from '../settings.ts';
import { medianRun, runsNote, type ThroughputOutcome, throughput, throughputNote } from '../throughput.ts';

async function isolation(
  receiver: ReceiverProcess,
  ports: Ports,
  id: string,
  healthy: number,
  dead: number,
  timeoutMs: number,
  events: number,
): Promise<ThroughputOutcome> {
  const b = await startHookport(benchEnv('postgres', `bench_${id.replace(/\W/g, '_')}`));
  try {
    const secrets = await b.endpoints(ports.ok.slice(0, healthy));
    return await throughput(receiver, b, id, healthy, secrets, {
      events,
      timeoutMs,
      // The dead endpoints join after the warm-up, which only the healthy ones take part in.
      beforeMeasure: async () => {
        await b.endpoints(ports.hang.slice(0, dead));
      },
    });
  } finally {
    // Let go of held requests so in-flight attempts end (connection error) and shutdown is quick.
    await receiver.release();
    await b.close();
  }
}

export async function isolationRun(receiver: ReceiverProcess, ports: Ports, r: number): Promise<ThroughputOutcome> {
  const n = settings.endpoints;
  log(`(e) isolation: ${n} healthy + ${n} dead endpoints, run ${r} of ${settings.repeats}`);
  const o = await isolation(receiver, ports, `e-${r}`, n, n, settings.phaseTimeoutMs, settings.events);
  log(`e run ${r}: ${fmt(o.rate)} deliveries/s`);
  return o;
}

/** e, and e.ratio when every round ran both (b) and (e). */
export function recordIsolation(eRuns: ThroughputOutcome[], bRuns: ThroughputOutcome[]): void {
  const n = settings.endpoints;
  const median = medianRun(eRuns);
  if (!median) return;
  record(
    'e',
    `healthy throughput, ${n} healthy + ${n} dead endpoints`,
    median.rate,
    'deliveries/s',
    runsNote(eRuns, median, `${median.report.hung} requests held open by the dead endpoints`),
  );
  if (bRuns.length === eRuns.length) {
    const ratios = eRuns.map((e, i) => e.rate / (bRuns[i] as ThroughputOutcome).rate);
    record(
      'e.ratio',
      'isolation ratio e/b (b: the same healthy endpoints alone)',
      medianOf(ratios),
      '',
      ratios.length > 1 ? `median of the rounds' ratios (${ratios.map((x) => fmt(x, 2)).join(', ')})` : '',
    );
  }
}

/**
 * Stress: three dead endpoints per healthy one, holding more requests open than the worker has
 * slots (dead × per-endpoint cap > worker concurrency).
 */
export async function isolationStress(receiver: ReceiverProcess, ports: Ports): Promise<void> {
  const n = settings.endpoints;
  const dead = 3 * n;
  log(`(e.stress) ${n} healthy + ${dead} dead endpoints`);
  const o = await isolation(
    receiver,
    ports,
    'e.stress',
    n,
    dead,
    settings.stressTimeoutMs,
    Math.ceil(settings.events / 2),
  );
  record(
    'e.stress',
    `healthy throughput, ${n} healthy + ${dead} dead endpoints`,
    o.rate,
    'deliveries/s',
    throughputNote(
      o,
      `${o.report.hung} requests held open; ${dead} dead × ${settings.endpointConcurrency} per endpoint = ` +
        `${dead * settings.endpointConcurrency} against ${settings.workerConcurrency} worker slots`,
    ),
  );
  const bRate = get('b');
  if (bRate) record('e.stress.ratio', 'stress ratio e.stress/b', o.rate / bRate, '');
}
