/**
 * Reads the latency phase's trace (BENCH_TRACE, test/bench/trace.ts) and shows where late events come from: for
 * each run, the clusters of events later than a threshold (events due within 100 ms of each other),
 * their worst latency and worst publish response, and the GC pauses of the bench process around them.
 * How the cold first second and the GC pauses in docs/benchmarks.md ("Latency") were found:
 *
 *   BENCH_TRACE=/tmp/trace BENCH_ONLY=d BENCH_NO_DOCS=1 pnpm bench
 *   pnpm exec tsx test/bench/tools/latency-trace.ts /tmp/trace [threshold ms, default 30]
 *
 * (The files are appended to: remove them before another run.)
 */
import { existsSync, readFileSync } from 'node:fs';

interface TracedEvent {
  due: number;
  ackMs: number;
  latencyMs?: number;
}

const [prefix, thresholdArg] = process.argv.slice(2);
if (!prefix) {
  process.stderr.write('usage: latency-trace.ts <BENCH_TRACE prefix> [threshold ms]\n');
  process.exit(2);
}
const threshold = Number(thresholdArg ?? 30);

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

const events = new Map<number, TracedEvent>();
const receipts = new Map<number, number>();
for (const line of lines(`${prefix}.events`)) {
  const [kind, seq, at, ms] = line.split(' ');
  if (kind === 'ack') events.set(Number(seq), { due: Number(at), ackMs: Number(ms) });
  else if (kind === 'recv' && seq !== 'undefined') receipts.set(Number(seq), Number(ms));
}
for (const [seq, ms] of receipts) {
  const e = events.get(seq);
  if (e) e.latencyMs = ms;
}
const pauses = lines(`${prefix}.pauses`).map((line) => {
  const [, start, ms] = line.split(' ');
  return { start: Number(start), ms: Number(ms) };
});

// phases/d-latency.ts numbers the events of run r from r × 100,000 (the warm-up second from 2,000,000).
const runs = new Map<number, [number, TracedEvent][]>();
for (const [seq, e] of events) {
  const run = Math.floor(seq / 100_000);
  const list = runs.get(run) ?? [];
  list.push([seq, e]);
  runs.set(run, list);
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor((q / 100) * sorted.length))];
const ms = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));

for (const [run, list] of [...runs].sort((a, b) => a[0] - b[0])) {
  list.sort((a, b) => a[1].due - b[1].due);
  const t0 = list[0]?.[1].due ?? 0;
  const latencies = list.flatMap(([, e]) => (e.latencyMs === undefined ? [] : [e.latencyMs])).sort((a, b) => a - b);
  const missing = list.length - latencies.length;
  process.stdout.write(
    `${run === 20 ? 'warm-up second' : `run ${run}`}: ${list.length} events, p50 ${ms(pct(latencies, 50))} ms, ` +
      `p99 ${ms(pct(latencies, 99))} ms${missing ? `, ${missing} not received` : ''}\n`,
  );
  const clusters: { from: number; to: number; n: number; worst: number; worstAck: number }[] = [];
  for (const [, e] of list) {
    if ((e.latencyMs ?? Number.POSITIVE_INFINITY) <= threshold) continue;
    const last = clusters.at(-1);
    const late = e.latencyMs ?? Number.POSITIVE_INFINITY;
    if (last && e.due - last.to < 100) {
      Object.assign(last, { to: e.due, n: last.n + 1, worst: Math.max(last.worst, late) });
      last.worstAck = Math.max(last.worstAck, e.ackMs);
    } else clusters.push({ from: e.due, to: e.due, n: 1, worst: late, worstAck: e.ackMs });
  }
  for (const c of clusters) {
    const near = pauses.filter((p) => p.start > c.from - 150 && p.start < c.to + 150);
    process.stdout.write(
      `  at ${(c.from - t0).toFixed(0)} ms: ${c.n} over ${threshold} ms, worst ${ms(c.worst)} ms ` +
        `(publish response ${ms(c.worstAck)} ms)` +
        (near.length
          ? `; GC ${near.map((p) => `${ms(p.ms)} ms at ${(p.start - c.from).toFixed(0)}`).join(', ')}`
          : '') +
        '\n',
    );
  }
}
