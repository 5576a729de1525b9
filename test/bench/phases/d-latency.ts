/**
 * (d) latency at a fixed offered rate: publish → receipt on PostgreSQL, one delivery per event; at
 * settings.rate (figures d.*) and then at settings.lowRate (figures d<rate>.*, d100.* by default), on
 * the same Hookport, each after a warm-up second of its own.
 */
import { now, sleep } from '../clock.ts';
import { addCpu, type CpuUse } from '../cpu.ts';
import { type BenchHookport, benchEnv, startHookport } from '../hookport.ts';
import { cpuNote, meter, waitQuiet } from '../machine.ts';
import type { ReceiverProcess } from '../receiver-process.ts';
import { fmt, percentile, record } from '../results.ts';
import { settings } from '../settings.ts';
import { trace } from '../trace.ts';

interface OpenLoopRun {
  /** receive time − due time of each event received, in ms. */
  latencies: number[];
  /** publish response time − due time, in ms. */
  acks: number[];
  maxLag: number;
  failures: number;
  firstFailure?: string;
  delivered: number;
  offeredMs: number;
}

/**
 * Publishes `total` events at `rate` events/s, open loop: event i is due at t0 + i/rate whatever happened
 * to the earlier ones, and its latency is counted from that due time (no coordinated omission if the
 * publisher falls behind). Waits for the receipts (at most settings.latencyDrainMs after the last publish).
 */
async function openLoop(
  b: BenchHookport,
  receiver: ReceiverProcess,
  id: string,
  rate: number,
  total: number,
  seqBase: number,
  typeOf: (i: number) => string,
  secrets: Record<string, string>,
): Promise<OpenLoopRun> {
  await receiver.phase(id, total, secrets);
  const interval = 1000 / rate;
  const run: OpenLoopRun = { latencies: [], acks: [], maxLag: 0, failures: 0, delivered: 0, offeredMs: 0 };
  const inFlight: Promise<void>[] = [];
  const t0 = now() + 20;
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    run.maxLag = Math.max(run.maxLag, now() - due);
    inFlight.push(
      b.publish(seqBase + i, typeOf(i), due).then(
        () => {
          run.acks.push(now() - due);
          trace(`ack ${seqBase + i} ${due} ${now() - due}`);
        },
        (err: unknown) => {
          run.failures++;
          run.firstFailure ??= err instanceof Error ? err.message : String(err);
        },
      ),
    );
  }
  run.offeredMs = now() - t0;
  await Promise.all(inFlight);
  const report = await receiver.waitDone(id, now() + settings.latencyDrainMs);
  run.latencies = report.latencies;
  run.delivered = report.unique;
  return run;
}

/** The endpoints of the latency run and the event type each event has: one delivery per event. */
interface Target {
  typeOf: (i: number) => string;
  secrets: Record<string, string>;
  endpoints: number;
}

/** The runs at one rate, pooled. */
interface Pooled {
  rate: number;
  runs: number;
  /** Events offered per run. */
  total: number;
  latencies: number[];
  acks: number[];
  /** Each run's own p50 / p99. */
  perRun: string[];
  maxLag: number;
  failures: number;
  firstFailure?: string;
  delivered: number;
  missing: number;
  offeredMs: number;
  cpu?: CpuUse;
  /** The warm-up second's p50 / p99. */
  warmNote: string;
}

function addRun(pool: Pooled, run: OpenLoopRun, cpu: CpuUse): void {
  pool.cpu = pool.cpu ? addCpu(pool.cpu, cpu) : cpu;
  pool.latencies.push(...run.latencies);
  pool.acks.push(...run.acks);
  pool.maxLag = Math.max(pool.maxLag, run.maxLag);
  pool.failures += run.failures;
  pool.firstFailure ??= run.firstFailure;
  pool.delivered += run.delivered;
  pool.missing += pool.total - run.delivered;
  pool.offeredMs += run.offeredMs;
  const own = [...run.latencies].sort((x, y) => x - y);
  const q = (x: number) => fmt(percentile(own, pool.total, x).value, 1);
  pool.perRun.push(`${q(50)} / ${q(99)} ms`);
}

/**
 * A warm-up second at `rate`, then three runs of settings.rateSeconds at it, one after the other on
 * the same Hookport, pooled. `seqBase` keeps each rate's event numbers apart.
 */
async function latencyAt(
  b: BenchHookport,
  receiver: ReceiverProcess,
  target: Target,
  rate: number,
  prefix: string,
  seqBase: number,
): Promise<Pooled> {
  const { typeOf, secrets } = target;
  // The warm-up is a second at the offered rate, not a few events one by one. A process's first second
  // at 200 events/s is slow (p50 100-250 ms: code not yet optimised by V8, pool connections opened and
  // every statement prepared on each), and it took the first run's p99 to 100-400 ms. Opening the pools
  // before it changed nothing measurable. The figure is the steady state at that rate; the warm-up
  // second's own p50 / p99 are in the note, so the cold start stays visible.
  const warm = await openLoop(b, receiver, `${prefix}-warm`, rate, rate, seqBase + 2_000_000, typeOf, secrets);
  const warmSorted = [...warm.latencies].sort((x, y) => x - y);
  const warmNote = `${fmt(percentile(warmSorted, rate, 50).value, 1)} / ${fmt(percentile(warmSorted, rate, 99).value, 1)} ms`;
  const total = rate * settings.rateSeconds;
  // Several runs, one after the other, pooled: one 10 s run moved by a factor of four from one
  // minute to the next on a shared machine.
  const runs = Math.min(settings.repeats, 3);
  const pool: Pooled = {
    rate,
    runs,
    total,
    latencies: [],
    acks: [],
    perRun: [],
    maxLag: 0,
    failures: 0,
    delivered: 0,
    missing: 0,
    offeredMs: 0,
    warmNote,
  };
  for (let r = 1; r <= runs; r++) {
    if (r > 1) await waitQuiet(prefix);
    const cpu0 = meter.begin();
    const run = await openLoop(b, receiver, `${prefix}-${r}`, rate, total, seqBase + r * 100_000, typeOf, secrets);
    addRun(pool, run, meter.end(cpu0));
  }
  return pool;
}

/** Records the figures `${prefix}.p50` … `${prefix}.ack99` of one rate's pooled runs. */
function recordLatency(prefix: string, pool: Pooled, endpoints: number): void {
  const { rate, runs, missing, delivered, cpu } = pool;
  const lat = [...pool.latencies].sort((x, y) => x - y);
  const ack = [...pool.acks].sort((x, y) => x - y);
  const all = pool.total * runs;
  const note =
    `${delivered}/${all} delivered, ${rate} events/s offered for ${runs} × ` +
    `${fmt(pool.offeredMs / runs / 1000, 1)} s after a warm-up second at that rate (its p50 / p99: ${pool.warmNote}), ` +
    `pooled (p50 / p99 of each run: ${pool.perRun.join(', ')}); ` +
    `one delivery per event, ${endpoints} endpoints` +
    (missing > 0 ? `; ${missing} had not arrived ${fmt(settings.latencyDrainMs / 1000, 0)} s after their run` : '') +
    (cpu ? `; ${cpuNote(cpu, delivered)}` : '');
  const p50 = percentile(lat, all, 50);
  const p99 = percentile(lat, all, 99);
  const at = `at ${rate} events/s`;
  const what = (q: string) => `latency ${q} ${at}, publish → receipt, PostgreSQL`;
  record(`${prefix}.p50`, what('p50'), p50.value, 'ms', note, p50.known ? undefined : '≥');
  record(`${prefix}.p99`, what('p99'), p99.value, 'ms', '', p99.known ? undefined : '≥');
  record(`${prefix}.max`, `latency max ${at}`, lat.at(-1) ?? null, 'ms', '', missing === 0 ? undefined : '≥');
  record(`${prefix}.ack50`, `publish API response p50 (202) ${at}`, percentile(ack, ack.length, 50).value, 'ms');
  record(
    `${prefix}.ack99`,
    `publish API response p99 (202) ${at}`,
    percentile(ack, ack.length, 99).value,
    'ms',
    `publisher max lag ${fmt(pool.maxLag, 1)} ms` +
      (pool.failures ? `, ${pool.failures} publish failures (first: ${pool.firstFailure?.slice(0, 120)})` : ''),
  );
}

/** The prefix of a rate's figures: d at settings.rate (as before issue 21), d<rate> at any other. */
export const latencyPrefix = (rate: number) => (rate === settings.rate ? 'd' : `d${rate}`);

export async function latency(receiver: ReceiverProcess, ports: number[]): Promise<void> {
  const b = await startHookport(benchEnv('postgres', 'bench_latency'));
  try {
    // Each endpoint subscribes to one type; events cycle through the types: one delivery per event.
    const types = ['ticket.created', 'ticket.updated', 'ticket.deleted', 'ticket.resolved'].slice(0, ports.length);
    const typeOf = (i: number) => types[i % types.length] as string;
    const secrets = await b.endpoints(ports, (i) => [typeOf(i)]);
    const target = { typeOf, secrets, endpoints: ports.length };
    // settings.rate first, so that its figures are taken as before the lower rate was added.
    for (const [i, rate] of [...new Set([settings.rate, settings.lowRate])].entries()) {
      const prefix = latencyPrefix(rate);
      await waitQuiet(prefix);
      recordLatency(prefix, await latencyAt(b, receiver, target, rate, prefix, i * 10_000_000), target.endpoints);
    }
  } finally {
    await b.close();
  }
}
