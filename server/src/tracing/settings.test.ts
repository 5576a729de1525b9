import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { tracingSettings } from './settings.ts';

describe('tracingSettings', () => {
  it('is off when neither an OTLP endpoint nor an exporter is named', () => {
    expect(tracingSettings({})).toEqual({ settings: null, problems: [] });
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'billing', OTEL_TRACES_SAMPLER: 'always_on' }).settings).toBeNull();
  });

  it('turns on with OTEL_EXPORTER_OTLP_ENDPOINT (or its traces form), exporting OTLP as hookport', () => {
    for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
      expect(tracingSettings({ [name]: 'http://collector:4318' })).toEqual({
        settings: {
          exporters: ['otlp'],
          serviceName: 'hookport',
          sampler: 'parentbased_always_on',
          samplerRatio: 1,
          batch: {},
        },
        problems: [],
      });
    }
  });

  it('honours the exporter list, the service name, the sampler and the batch variables', () => {
    const { settings, problems } = tracingSettings({
      OTEL_TRACES_EXPORTER: 'console, otlp',
      OTEL_SERVICE_NAME: 'hookport-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      exporters: ['console', 'otlp'],
      serviceName: 'hookport-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      batch: { scheduledDelayMillis: 1000, maxQueueSize: 4096 },
    });
  });

  it('is off with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, whatever the endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).settings).toBeNull();
    expect(tracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).settings).toBeNull();
  });

  it('accepts both OTLP/HTTP protocols and names what it cannot do', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).problems).toEqual([]);
    expect(tracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).problems).toEqual([]);
    expect(
      tracingSettings({
        ...endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_EXPORTER: 'otlp,jaeger',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_BSP_EXPORT_TIMEOUT: '-1',
      }).problems,
    ).toEqual([
      '  OTEL_TRACES_EXPORTER: "jaeger" is not one of otlp, console, none',
      '  OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported; Hookport exports OTLP over HTTP',
      '  OTEL_TRACES_SAMPLER: "sometimes" is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio',
      '  OTEL_TRACES_SAMPLER_ARG: "2" is not a ratio from 0 to 1',
      '  OTEL_BSP_EXPORT_TIMEOUT: "-1" is not a positive whole number',
    ]);
  });

  it('stops the start through loadConfig, listed with the other problems', () => {
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin', PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin', PORT: 'eighty' })).toThrow(
      /PORT: .*\n {2}OTEL_TRACES_EXPORTER: "zipkin" is not one of otlp, console, none/,
    );
    expect(loadConfig({}).tracing).toBeNull();
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'console' }).tracing?.exporters).toEqual(['console']);
  });
});
