/**
 * (p) ingest: how fast the API accepts events. settings.publishers concurrent publishers, each sending
 * POST /v1/events (through `hp.app.fetch`, as (b) publishes) one after the other, for
 * settings.ingestSeconds on PostgreSQL. Four runs, each on a fresh Hookport: no subscriber and a
 * fan-out of settings.fanOut endpoints, each with the API alone (role api: the deliveries are stored
 * and queued, nothing is sent) and with the worker in the same process (role all: the fan-out
 * endpoints are the receiver's, and the worker delivers while publishing goes on).
 */
import type { Role } from '@hookport/server';
import { log, now } from '../clock.ts';
import type { CpuUse } from '../cpu.ts';
import { type BenchHookport, benchEnv, startHookport } from '../hookport.ts';
import { cpuNote, meter, waitQuiet } from '../machine.ts';
import type { ReceiverProcess } from '../receiver-process.ts';
import { fmt, percentile, record } from '../results.ts';
import { settings } from '../settings.ts';
import { publishMany } from '../throughput.ts';

interface IngestCase {
  id: string;
  what: string;
  fanOut: boolean;
  role: Role;
}

interface IngestRun {
  accepted: number;
  /** Deliveries the accepted events were stored as (the sum of the responses' deliveryCount). */
  deliveries: number;
  elapsedMs: number;
  /** Response time of each accepted publish, in ms. */
  acks: number[];
}

/**
 * Publishes with `concurrency` requests in flight until `ms` have passed (closed loop: each publisher
 * sends its next event when the last one was answered); the run ends with the last response.
 */
async function publishFor(b: BenchHookport, ms: number, concurrency: number): Promise<IngestRun> {
  const run: IngestRun = { accepted: 0, deliveries: 0, elapsedMs: 0, acks: [] };
  const t0 = now();
  let seq = 0;
  const lane = async () => {
    while (now() - t0 < ms) {
      const sent = now();
      // Not `run.deliveries += await …`: that reads the sum before the await, and the lanes would overwrite each other.
      const deliveries = await b.publish(seq++);
      run.deliveries += deliveries;
      run.acks.push(now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  run.elapsedMs = now() - t0;
  run.accepted = run.acks.length;
  return run;
}

function recordIngest(c: IngestCase, run: IngestRun, cpu: CpuUse, received: number | null): void {
  const acks = [...run.acks].sort((x, y) => x - y);
  const q = (p: number) => percentile(acks, acks.length, p).value;
  const stored = c.fanOut ? `${run.deliveries} deliveries stored and queued` : 'no subscriber';
  const worker =
    c.role === 'api'
      ? 'API alone (no worker)'
      : `worker in the same process${received === null ? '' : `, ${received} deliveries received meanwhile`}`;
  const note =
    `${run.accepted} events in ${fmt(run.elapsedMs / 1000, 2)} s from ${settings.publishers} concurrent ` +
    `POST /v1/events, ${stored}, ${worker}; response p50 / p99 ${fmt(q(50), 2)} / ${fmt(q(99), 2)} ms; ` +
    cpuNote(cpu, run.accepted, { unit: 'event' });
  record(c.id, c.what, (run.accepted / run.elapsedMs) * 1000, 'events/s', note);
  record(`${c.id}.ack99`, `publish response p99, ${c.what}`, q(99), 'ms', `p50 ${fmt(q(50), 2)} ms`);
}

async function ingestCase(receiver: ReceiverProcess, fanPorts: number[], c: IngestCase): Promise<void> {
  const b = await startHookport(benchEnv('postgres', `bench_${c.id.replace(/\W/g, '_')}`), c.role);
  try {
    const ports = c.fanOut ? fanPorts : [];
    const secrets = await b.endpoints(ports);
    const sends = c.role !== 'api' && ports.length > 0;
    await receiver.phase(`${c.id}-warm`, settings.ingestWarmEvents * ports.length, secrets);
    await publishMany(b, settings.ingestWarmEvents, settings.publishers, 1_000_000);
    // The warm-up's deliveries arrive first, so that the measured run does not start behind their backlog.
    if (sends) {
      const w = await receiver.waitDone(`${c.id}-warm`, now() + 60_000);
      if (!w.done) log(`${c.id}: warm-up incomplete (${w.unique}/${settings.ingestWarmEvents * ports.length})`);
    }
    await waitQuiet(c.id);
    // No count to wait for: the figure is the publishing; the receipts meanwhile are only reported.
    await receiver.phase(c.id, Number.MAX_SAFE_INTEGER, secrets);
    const cpu0 = meter.begin();
    const run = await publishFor(b, settings.ingestSeconds * 1000, settings.publishers);
    const cpu = meter.end(cpu0);
    recordIngest(c, run, cpu, sends ? (await receiver.report()).unique : null);
  } finally {
    await b.close();
  }
}

export async function ingest(receiver: ReceiverProcess, fanPorts: number[]): Promise<void> {
  const fan = `fan-out ${settings.fanOut}`;
  const cases: IngestCase[] = [
    { id: 'p.none.api', what: 'ingest, no subscriber, API alone', fanOut: false, role: 'api' },
    { id: `p.fan${settings.fanOut}.api`, what: `ingest, ${fan}, API alone`, fanOut: true, role: 'api' },
    { id: 'p.none.all', what: 'ingest, no subscriber, API and worker', fanOut: false, role: 'all' },
    { id: `p.fan${settings.fanOut}.all`, what: `ingest, ${fan}, API and worker`, fanOut: true, role: 'all' },
  ];
  for (const c of cases) await ingestCase(receiver, fanPorts, c);
}
