import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { metricsAccess } from './access.ts';
import { createMetrics } from './metrics.ts';
import { type MetricsServer, serveMetrics } from './server.ts';

const silent = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
const servers: MetricsServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function start(token: string | undefined) {
  const metrics = createMetrics();
  const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0, token, logger: silent });
  servers.push(server);
  return { metrics, url: `http://127.0.0.1:${server.port}` };
}

describe('the metrics port', () => {
  it('is open without a token and serves this registry alone', async () => {
    const a = await start(undefined);
    const b = await start(undefined);
    a.metrics.published('native');
    const res = await fetch(`${a.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('hookport_events_published_total{surface="native"} 1');
    // Each registry is its own: the other one counted nothing.
    expect(await (await fetch(`${b.url}/metrics`)).text()).not.toContain('surface="native"} 1');
  });

  it('wants the bearer token when one is set; answers 404 elsewhere and 405 for other methods', async () => {
    const { url } = await start('a-token-of-sixteen-or-more');
    const refused = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="hookport-metrics"');
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const ok = await fetch(`${url}/metrics?x=1`, { headers: { authorization: 'Bearer a-token-of-sixteen-or-more' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# TYPE hookport_attempts_total counter');
    expect((await fetch(`${url}/`)).status).toBe(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('metricsAccess', () => {
  it('takes only the exact token, as a bearer credential', () => {
    const allowed = metricsAccess('s3cret-token-0123456789');
    expect(allowed('Bearer s3cret-token-0123456789')).toBe(true);
    expect(allowed('bearer s3cret-token-0123456789')).toBe(true);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer s3cret-token-012345678',
      'Bearer s3cret-token-01234567890',
      'Basic s3cret-token-0123456789',
      's3cret-token-0123456789',
    ]) {
      expect(allowed(header)).toBe(false);
    }
    expect(metricsAccess(undefined)(undefined)).toBe(true);
  });
});
