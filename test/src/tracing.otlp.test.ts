import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killBins, startBin } from './support/bin-process.ts';
import { until } from './support/until.ts';

/**
 * The `hookport` bin as shipped, configured only by the standard OTEL_* variables, exporting to a real
 * OTLP/HTTP listener on 127.0.0.1: the spans of its requests arrive as OTLP JSON at /v1/traces, with
 * the service name asked for, and what is still buffered is sent when the process stops.
 */

interface OtlpRequest {
  path: string;
  contentType: string | undefined;
  body: string;
}

interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

interface OtlpTraces {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

let dir: string;
let collector: Server;
const arrived: OtlpRequest[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookport-otlp-'));
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrived.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await killBins();
  await new Promise<void>((resolve) => {
    collector.closeAllConnections();
    collector.close(() => resolve());
  });
  await rm(dir, { recursive: true, force: true });
});

/** Every span of every export so far, with its resource's service name. */
function exportedSpans(): { service: string | undefined; span: OtlpSpan }[] {
  return arrived
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => (JSON.parse(r.body) as OtlpTraces).resourceSpans)
    .flatMap((rs) => {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
      return rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ service, span })));
    });
}

// A bin starting on a fresh embedded database can take most of a minute on a loaded machine.
it('exports the spans of the bin to the OTLP endpoint of OTEL_EXPORTER_OTLP_ENDPOINT, flushed at stop', async () => {
  const { port } = collector.address() as AddressInfo;
  const bin = startBin(['serve'], {
    HOOKPORT_DATA_DIR: dir,
    HOST: '127.0.0.1',
    PORT: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_SERVICE_NAME: 'hookport-otlp-test',
    // The batch would wait 5 s by default; the stop below must send it anyway, so this only bounds the test.
    OTEL_BSP_SCHEDULE_DELAY: '60000',
  });
  await bin.waitFor('Hookport is listening on', 150_000);
  const base = /Hookport is listening on (http:\/\/\S+)/.exec(bin.output())?.[1];
  if (!base) throw new Error(`no address in the output:\n${bin.output()}`);
  const health = await fetch(`${base}/health`, {
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  });
  expect(health.status).toBe(200);

  // A graceful stop exports what the batch still holds.
  bin.kill('SIGTERM');
  expect(await bin.exited).toMatchObject({ code: 0 });
  const found = await until('the /health span at the collector', async () =>
    exportedSpans().find(({ span }) =>
      span.attributes.some((a) => a.key === 'http.route' && a.value.stringValue === '/health'),
    ),
  );
  expect(found.service).toBe('hookport-otlp-test');
  expect(found.span.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(found.span.name).toBe('GET /health');
  expect(arrived.find((r) => r.path === '/v1/traces')?.contentType).toBe('application/json');
}, 180_000);
