import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** What the warning about failed exports says: the spans lost since the last warning and the last error. */
export interface ExportFailure {
  /** Exports that failed since the last warning (this one included). */
  failedExports: number;
  /** Spans those exports carried: lost, the batch processor does not try again. */
  lostSpans: number;
  error: string;
}

export interface ExportWarningOptions {
  warn(failure: ExportFailure): void;
  /** At most one warning per this many milliseconds (a collector that is down fails every batch). */
  everyMs?: number;
  now?: () => number;
}

/**
 * An exporter that says when its exports fail. OpenTelemetry reports a failed export only through its
 * `diag` logger, which is process-wide and silent unless set: without this an operator whose collector is
 * down or refuses the spans sees nothing at all. Failures are summed and told at most once per `everyMs`,
 * the first at once.
 */
export function warnOnFailedExports(exporter: SpanExporter, options: ExportWarningOptions): SpanExporter {
  const everyMs = options.everyMs ?? 60_000;
  const now = options.now ?? Date.now;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let failedExports = 0;
  let lostSpans = 0;

  function failed(spans: number, error: string): void {
    failedExports++;
    lostSpans += spans;
    if (now() - lastWarning < everyMs) return;
    lastWarning = now();
    options.warn({ failedExports, lostSpans, error });
    failedExports = 0;
    lostSpans = 0;
  }

  return {
    export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
      exporter.export(spans, (result) => {
        // ExportResultCode.SUCCESS is 0: compared by value, so importing this module loads nothing of the
        // SDK (with tracing off none of it is loaded).
        if (result.code !== 0) failed(spans.length, result.error?.message ?? 'the exporter gave no reason');
        resultCallback(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
