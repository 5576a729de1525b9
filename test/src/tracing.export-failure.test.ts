import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl } from './support/delivery.ts';
import { startHookport, type TestHookport } from './support/harness.ts';
import { until } from './support/until.ts';

/**
 * An OTLP collector that is down: the spans are lost (the batch processor does not try again), and the
 * operator is told so in the log, at most once a minute, instead of OpenTelemetry's silence.
 */

let t: TestHookport;
let endpoint = '';
const before = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;

beforeAll(async () => {
  endpoint = (await closedPortUrl()).replace(/\/hook$/, '/v1/traces');
  // The OTLP exporter reads its endpoint from the process environment itself, as in production.
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = endpoint;
  t = await startHookport({
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '50',
  });
});

afterAll(async () => {
  await t?.close();
  if (before === undefined) delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = before;
});

describe('a failing OTLP export', () => {
  it('is told in one warning naming the lost spans and the error', async () => {
    for (let n = 0; n < 3; n++) {
      expect((await t.api.get('/v1/tenants', { token: t.adminToken })).status).toBe(200);
    }
    const line = await until('the export warning', async () =>
      t.logs.find((l) => l.includes('spans could not be exported to the OTLP endpoint')),
    );
    const warning = JSON.parse(line) as { level: number; failedExports: number; lostSpans: number; error: string };
    expect(warning.level).toBe(40);
    expect(warning.failedExports).toBeGreaterThanOrEqual(1);
    expect(warning.lostSpans).toBeGreaterThanOrEqual(1);
    expect(warning.error.length).toBeGreaterThan(0);
    // Once a minute at most: the later failed exports are counted, not told.
    const warnings = () => t.logs.filter((l) => l.includes('spans could not be exported')).length;
    expect((await t.api.get('/v1/tenants', { token: t.adminToken })).status).toBe(200);
    await t.hp.tracing?.shutdown().catch(() => {});
    expect(warnings()).toBe(1);
  });
});
