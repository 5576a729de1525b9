import { context, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { type ExportFailure, warnOnFailedExports } from './export-warnings.ts';
import type { TracingSettings } from './settings.ts';

/**
 * One process's tracing, when it is on: a tracer provider of its own (never registered as the global
 * one, so several Hookports in one process, as the tests start them, each export to their own exporter)
 * and the W3C trace-context propagator. When tracing is off there is no Tracing at all: the callers
 * hold `undefined` and skip every span, so the off path builds no span, attribute or context.
 */
export interface Tracing {
  tracer: Tracer;
  propagator: TextMapPropagator;
  /** Exports what is still buffered and stops the exporters (runtime close). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Spans go to this exporter only, each as it ends (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter | undefined;
  version: string;
  /** Told when OTLP exports fail, at most once a minute (export-warnings.ts). */
  onExportFailure?: ((failure: ExportFailure) => void) | undefined;
}

/** The SDK, loaded only when tracing starts: a process with tracing off never loads it (memory, start time). */
type Sdk = typeof import('@opentelemetry/sdk-trace');

function samplerOf(sdk: Sdk, settings: TracingSettings): Sampler {
  const ratio = () => new sdk.TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}

async function processorsOf(sdk: Sdk, settings: TracingSettings, options: TracingOptions): Promise<SpanProcessor[]> {
  if (options.exporter) return [new sdk.SimpleSpanProcessor({ exporter: options.exporter })];
  const warn = options.onExportFailure ?? (() => {});
  const processors: SpanProcessor[] = [];
  for (const name of settings.exporters) {
    if (name === 'console') {
      processors.push(new sdk.SimpleSpanProcessor({ exporter: new sdk.ConsoleSpanExporter() }));
    } else {
      // The exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout, compression) itself.
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      const exporter = warnOnFailedExports(new OTLPTraceExporter(), { warn });
      processors.push(new sdk.BatchSpanProcessor({ exporter, ...settings.batch }));
    }
  }
  return processors;
}

let contextManagerSet = false;

/**
 * Spans started in a request must be the parent of those its handlers start (the publish) without
 * passing them down through the core port: OpenTelemetry's context, carried by AsyncLocalStorage. The
 * context manager is process-wide by OpenTelemetry's design; it is set once, on the first start of
 * tracing, and is harmless to a Hookport without tracing in the same process (nothing reads it there).
 */
async function ensureContextManager(): Promise<void> {
  if (contextManagerSet) return;
  contextManagerSet = true;
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export const defaultTracingSettings: TracingSettings = {
  exporters: [],
  serviceName: 'hookport',
  sampler: 'parentbased_always_on',
  samplerRatio: 1,
  batch: {},
};

/** Starts tracing for one runtime; `settings` null with an injected exporter traces with the defaults. */
export async function openTracing(settings: TracingSettings | null, options: TracingOptions): Promise<Tracing> {
  const effective = settings ?? defaultTracingSettings;
  const [sdk, { resourceFromAttributes }, { W3CTraceContextPropagator }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
    ensureContextManager(),
  ]);
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': effective.serviceName, 'service.version': options.version }),
    sampler: samplerOf(sdk, effective),
    spanProcessors: await processorsOf(sdk, effective, options),
  });
  return {
    tracer: provider.getTracer('hookport', options.version),
    propagator: new W3CTraceContextPropagator(),
    shutdown: () => provider.shutdown(),
  };
}
