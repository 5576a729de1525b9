/** (d) latency at a fixed offered rate: publish → receipt on PostgreSQL, one delivery per event. */
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
 * Publishes `total` events at settings.rate, open loop: event i is due at t0 + i/rate whatever happened
 * to the earlier ones, and its latency is counted from that due time (no coordinated omission if the
 * publisher falls behind). Waits for the receipts (at most settings.latencyDrainMs after the last publish).
 */
async function openLoop(
  b: BenchHookport,
  receiver: ReceiverProcess,
  id: string,
  total: number,
  seqBase: number,
  typeOf: (i: number) => string,
  secrets: Record<string, string>,
): Promise<OpenLoopRun> {
  await receiver.phase(id, total, secrets);
  const interval = 1000 / settings.rate;
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

export async function latency(receiver: ReceiverProcess, ports: number[]): Promise<void> {
  const b = await startHookport(benchEnv('postgres', 'bench_latency'));
  try {
    // Each endpoint subscribes to one type; events cycle through the types: one delivery per event.
    const types = ['ticket.created', 'ticket.updated', 'ticket.deleted', 'ticket.resolved'].slice(0, ports.length);
    const typeOf = (i: number) => types[i % types.length] as string;
    const secrets = await b.endpoints(ports, (i) => [typeOf(i)]);
    await waitQuiet('d');
    // The warm-up is a second at the offered rate, not a few events one by one. A process's first second
    // at 200 events/s is slow (p50 100-250 ms: code not yet optimised by V8, pool connections opened and
    // every statement prepared on each), and it took the first run's p99 to 100-400 ms. Opening the pools
    // before it changed nothing measurable. The figure is the steady state at that rate; the warm-up
    // second's own p50 / p99 are in the note, so the cold start stays visible.
    const warm = await openLoop(b, receiver, 'd-warm', settings.rate, 2_000_000, typeOf, secrets);
    const warmSorted = [...warm.latencies].sort((x, y) => x - y);
    const warmNote = `${fmt(percentile(warmSorted, settings.rate, 50).value, 1)} / ${fmt(percentile(warmSorted, settings.rate, 99).value, 1)} ms`;

    const total = settings.rate * settings.rateSeconds;
    // Several runs, one after the other, pooled: one 10 s run moved by a factor of four from one
    // minute to the next on a shared machine.
    const runs = Math.min(settings.repeats, 3);
    const lat: number[] = [];
    const acks: number[] = [];
    const perRun: string[] = [];
    let maxLag = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    let delivered = 0;
    let missing = 0;
    let offeredMs = 0;
    let cpu: CpuUse | undefined;
    for (let r = 1; r <= runs; r++) {
      if (r > 1) await waitQuiet('d');
      const cpu0 = meter.begin();
      const run = await openLoop(b, receiver, `d-${r}`, total, r * 100_000, typeOf, secrets);
      const used = meter.end(cpu0);
      cpu = cpu ? addCpu(cpu, used) : used;
      lat.push(...run.latencies);
      acks.push(...run.acks);
      maxLag = Math.max(maxLag, run.maxLag);
      failures += run.failures;
      firstFailure ??= run.firstFailure;
      delivered += run.delivered;
      missing += total - run.delivered;
      offeredMs += run.offeredMs;
      const own = [...run.latencies].sort((x, y) => x - y);
      const q = (x: number) => fmt(percentile(own, total, x).value, 1);
      perRun.push(`${q(50)} / ${q(99)} ms`);
    }
    lat.sort((x, y) => x - y);
    const ack = acks.sort((x, y) => x - y);
    const all = total * runs;
    const p = (q: number) => percentile(lat, all, q);
    const note =
      `${delivered}/${all} delivered, ${settings.rate} events/s offered for ${runs} × ` +
      `${fmt(offeredMs / runs / 1000, 1)} s after a warm-up second at that rate (its p50 / p99: ${warmNote}), ` +
      `pooled (p50 / p99 of each run: ${perRun.join(', ')}); ` +
      `one delivery per event, ${ports.length} endpoints` +
      (missing > 0 ? `; ${missing} had not arrived ${fmt(settings.latencyDrainMs / 1000, 0)} s after their run` : '') +
      (cpu ? `; ${cpuNote(cpu, delivered)}` : '');
    const p50 = p(50);
    const p99 = p(99);
    record('d.p50', 'latency p50, publish → receipt, PostgreSQL', p50.value, 'ms', note, p50.known ? undefined : '≥');
    record('d.p99', 'latency p99, publish → receipt, PostgreSQL', p99.value, 'ms', '', p99.known ? undefined : '≥');
    record('d.max', 'latency max', lat.at(-1) ?? null, 'ms', '', missing === 0 ? undefined : '≥');
    record('d.ack50', 'publish API response p50 (202)', percentile(ack, ack.length, 50).value, 'ms');
    record(
      'd.ack99',
      'publish API response p99 (202)',
      percentile(ack, ack.length, 99).value,
      'ms',
      `publisher max lag ${fmt(maxLag, 1)} ms` +
        (failures ? `, ${failures} publish failures (first: ${firstFailure?.slice(0, 120)})` : ''),
    );
  } finally {
    await b.close();
  }
}
