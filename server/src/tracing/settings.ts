/**
 * The OpenTelemetry variables Hookport honours (docs/tracing.md), read once at start like the rest of
 * the configuration. Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT (or its traces-only form) or
 * OTEL_TRACES_EXPORTER is set: off, no SDK is started and nothing on the hot path looks at tracing.
 * The exporter's own variables (headers, timeout, compression) are read by the OTLP exporter itself.
 */

export type TraceExporterName = 'otlp' | 'console';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface TracingSettings {
  /** The exporters spans go to (OTEL_TRACES_EXPORTER; otlp by default). */
  exporters: TraceExporterName[];
  serviceName: string;
  sampler: SamplerName;
  /** The ratio of the traceidratio samplers (OTEL_TRACES_SAMPLER_ARG), 0 to 1. */
  samplerRatio: number;
  /** The OTLP exporter's batching (OTEL_BSP_*); the SDK's defaults for what is not set. */
  batch: BatchSettings;
}

export interface BatchSettings {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}

const batchVariables: readonly [keyof BatchSettings, string][] = [
  ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
  ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
  ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
  ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
];

function batchOf(env: Record<string, string | undefined>, problems: string[]): BatchSettings {
  const batch: BatchSettings = {};
  for (const [key, name] of batchVariables) {
    const text = read(env, name);
    if (text === undefined) continue;
    const n = Number(text);
    if (/^[0-9]+$/.test(text) && Number.isSafeInteger(n) && n > 0) batch[key] = n;
    else problems.push(`  ${name}: "${text}" is not a positive whole number`);
  }
  return batch;
}

const samplers: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** OTLP over HTTP is what the exporter speaks (JSON); a collector's OTLP/HTTP port takes it whatever protocol was named. */
const httpProtocols = ['http/json', 'http/protobuf'];

/** Trimmed, and undefined when empty: an empty variable counts as unset, as for every other setting. */
function read(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The tracing settings of `env`, or null when tracing is off. Problems are returned as lines in the
 * configuration's format (`  NAME: message`), so a bad value stops the start with the others.
 */
export function tracingSettings(env: Record<string, string | undefined>): {
  settings: TracingSettings | null;
  problems: string[];
} {
  const problems: string[] = [];
  if (read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { settings: null, problems };
  const exporterList = read(env, 'OTEL_TRACES_EXPORTER');
  const endpoint = read(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (exporterList === undefined && endpoint === undefined) return { settings: null, problems };

  const names = (exporterList ?? 'otlp')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const exporters: TraceExporterName[] = [];
  for (const name of names) {
    if (name === 'otlp' || name === 'console') exporters.push(name);
    else if (name !== 'none') problems.push(`  OTEL_TRACES_EXPORTER: "${name}" is not one of otlp, console, none`);
  }
  // `none` means no traces at all (the OpenTelemetry specification): tracing is off, as if unset.
  if (names.length > 0 && names.every((n) => n === 'none')) return { settings: null, problems };

  const protocol = read(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (exporters.includes('otlp') && protocol !== undefined && !httpProtocols.includes(protocol)) {
    problems.push(`  OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; Hookport exports OTLP over HTTP`);
  }

  const samplerText = (read(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  const sampler = samplers.find((s) => s === samplerText);
  if (!sampler) problems.push(`  OTEL_TRACES_SAMPLER: "${samplerText}" is not one of ${samplers.join(', ')}`);
  const ratioText = read(env, 'OTEL_TRACES_SAMPLER_ARG');
  const ratio = ratioText === undefined ? 1 : Number(ratioText);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    problems.push(`  OTEL_TRACES_SAMPLER_ARG: "${ratioText}" is not a ratio from 0 to 1`);
  }
  return {
    settings: {
      exporters,
      serviceName: read(env, 'OTEL_SERVICE_NAME') ?? 'hookport',
      sampler: sampler ?? 'parentbased_always_on',
      samplerRatio: Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1,
      batch: batchOf(env, problems),
    },
    problems,
  };
}
