import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { type ExportFailure, warnOnFailedExports } from './export-warnings.ts';

/** An exporter whose next results are scripted: true succeeds, a string fails with that message. */
function scripted(results: (true | string)[]): SpanExporter & { shutdowns: number } {
  const exporter = {
    shutdowns: 0,
    export(_spans: ReadableSpan[], done: (result: ExportResult) => void) {
      const next = results.shift() ?? true;
      done(next === true ? { code: 0 } : { code: 1, error: new Error(next) });
    },
    async shutdown() {
      exporter.shutdowns++;
    },
  };
  return exporter;
}

const spans = (n: number) => Array.from({ length: n }, () => ({}) as ReadableSpan);

describe('warnOnFailedExports', () => {
  it('warns at once on the first failure, then sums failures into at most one warning a minute', () => {
    let now = 1_000_000;
    const warnings: ExportFailure[] = [];
    const inner = scripted(['connect ECONNREFUSED', true, 'timeout', 'HTTP 503', 'HTTP 503']);
    const exporter = warnOnFailedExports(inner, { warn: (f) => warnings.push(f), now: () => now });
    const results: number[] = [];
    const send = (n: number) => exporter.export(spans(n), (r) => results.push(r.code));
    send(3);
    expect(warnings).toEqual([{ failedExports: 1, lostSpans: 3, error: 'connect ECONNREFUSED' }]);
    send(2); // succeeds: nothing said
    now += 30_000;
    send(4); // within the minute: counted, not said
    now += 30_000;
    send(5); // a minute after the first warning: said, with what the quiet one counted
    expect(warnings).toEqual([
      { failedExports: 1, lostSpans: 3, error: 'connect ECONNREFUSED' },
      { failedExports: 2, lostSpans: 9, error: 'HTTP 503' },
    ]);
    send(1);
    expect(warnings).toHaveLength(2);
    // The batch processor gets every result as the exporter gave it.
    expect(results).toEqual([1, 0, 1, 1, 1]);
  });

  it('passes shutdown and flush through', async () => {
    const inner = scripted([]);
    const exporter = warnOnFailedExports(inner, { warn: () => {} });
    await exporter.forceFlush?.();
    await exporter.shutdown();
    expect(inner.shutdowns).toBe(1);
  });
});
