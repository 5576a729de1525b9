/**
 * BENCH_TRACE: the latency phase's trace, read by tools/latency-trace.ts. `<prefix>.events` gets a line
 * per publish response (`ack <seq> <due> <ms after due>`; the receiver adds `recv <seq> <at> <ms after
 * due>` per receipt) and `<prefix>.pauses` one per GC pause of this process over 3 ms (`gc <start> <ms>`).
 */
import { appendFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const tracePrefix = process.env.BENCH_TRACE;

export function trace(line: string): void {
  if (tracePrefix) appendFileSync(`${tracePrefix}.events`, `${line}\n`);
}

/** Records this process's GC pauses for the whole run (run.ts calls it once, at start). */
export function traceGcPauses(): void {
  if (!tracePrefix) return;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > 3)
        appendFileSync(`${tracePrefix}.pauses`, `gc ${performance.timeOrigin + e.startTime} ${e.duration}\n`);
    }
  }).observe({ entryTypes: ['gc'] });
}
