/**
 * A throughput run, the measure of (b), (c), (e) and (f): warm-up, then events published with a fixed
 * number of requests in flight and fanned out to every endpoint, timed to the last receipt.
 */
import { log, now } from './clock.ts';
import type { CpuUse } from './cpu.ts';
import type { BenchHookport } from './hookport.ts';
import { cpuNote, meter, waitQuiet } from './machine.ts';
import type { PhaseReport } from './receiver.ts';
import type { ReceiverProcess } from './receiver-process.ts';
import { fmt } from './results.ts';
import { settings } from './settings.ts';

/** Publishes `count` events with `concurrency` requests in flight; returns the elapsed ms. */
export async function publishMany(b: BenchHookport, count: number, concurrency: number, offset = 0): Promise<number> {
  const t0 = now();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) await b.publish(offset + i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return now() - t0;
}

export interface ThroughputOutcome {
  rate: number;
  report: PhaseReport;
  expected: number;
  publishMs: number;
  complete: boolean;
  elapsedMs: number;
  cpu: CpuUse;
  busyBefore: number;
}

/**
 * Warm-up (not measured), then `events` events fanned out to every endpoint; the rate is
 * unique deliveries at the healthy endpoints over first publish → last receipt (or → the
 * phase deadline, when not everything arrived by then).
 */
export async function throughput(
  receiver: ReceiverProcess,
  b: BenchHookport,
  id: string,
  healthy: number,
  secrets: Record<string, string>,
  opts: { events?: number; timeoutMs?: number; beforeMeasure?: () => Promise<void> } = {},
): Promise<ThroughputOutcome> {
  const events = opts.events ?? settings.events;
  await receiver.phase(`${id}-warm`, settings.warmEvents * healthy, secrets);
  await publishMany(b, settings.warmEvents, settings.publishConcurrency, 1_000_000);
  const w = await receiver.waitDone(`${id}-warm`, now() + 60_000);
  if (!w.done) log(`${id}: warm-up incomplete (${w.unique}/${settings.warmEvents * healthy})`);
  await opts.beforeMeasure?.();
  const busyBefore = await waitQuiet(id);
  const expected = events * healthy;
  await receiver.phase(id, expected, secrets);
  const cpu0 = meter.begin();
  const t0 = now();
  const publishMs = await publishMany(b, events, settings.publishConcurrency);
  const report = await receiver.waitDone(id, t0 + (opts.timeoutMs ?? settings.phaseTimeoutMs));
  const cpu = meter.end(cpu0);
  const end = report.done ? (report.lastAt as number) : Math.max(now(), report.lastAt ?? 0);
  const elapsedMs = end - t0;
  const rate = report.unique / (elapsedMs / 1000);
  if (report.verifyFailures.length) log(`${id}: signature problems: ${report.verifyFailures.slice(0, 3).join('; ')}`);
  return { rate, report, expected, publishMs, complete: report.done, elapsedMs, cpu, busyBefore };
}

export function throughputNote(o: ThroughputOutcome, extra = ''): string {
  const parts = [
    `${o.report.unique}/${o.expected} deliveries in ${fmt(o.elapsedMs / 1000, 2)} s`,
    `publishing took ${fmt(o.publishMs / 1000, 2)} s`,
    `${o.report.verified} signatures verified`,
  ];
  if (o.report.duplicates) parts.push(`${o.report.duplicates} duplicates`);
  if (o.report.verifyFailures.length) parts.push(`${o.report.verifyFailures.length} SIGNATURE FAILURES`);
  if (!o.complete) parts.push('INCOMPLETE at the phase deadline (rate over the deadline)');
  if (extra) parts.push(extra);
  return `${parts.join(', ')}; ${cpuNote(o.cpu, o.report.unique)}`;
}

/** The run with the median rate (the lower middle one for an even count). */
export function medianRun(runs: ThroughputOutcome[]): ThroughputOutcome | null {
  const sorted = [...runs].sort((x, y) => x.rate - y.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}

/** "median of 3 runs (…)" before the median run's own note, when there were several. */
export function runsNote(runs: ThroughputOutcome[], median: ThroughputOutcome, extra = ''): string {
  const all =
    runs.length > 1 ? `median of ${runs.length} runs (${runs.map((r) => fmt(r.rate)).join(', ')}); that run: ` : '';
  return `${all}${throughputNote(median, extra)}`;
}
