import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl, DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { parseExposition, sampleValue, scrape, sumOf } from './support/metrics.ts';
import { until } from './support/until.ts';

/*
 * GET /metrics on the API port (docs/operations.md), on PGlite and PostgreSQL: the token rule, the
 * text format, bounded labels, counters moving with real deliveries, the queue and endpoint gauges
 * read at scrape, route labels as patterns, and one registry per Hookport.
 */

const metricsToken = 'metrics-token-0123456789abcdef';

let t: TestHookport;
let tenant: TenantFixture;
let kit: DeliveryKit;

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_METRICS_TOKEN: metricsToken });
  tenant = await createTenant(t);
  kit = new DeliveryKit(t, tenant);
});
afterAll(async () => {
  await kit.close();
  await t.close();
});

describe('GET /metrics with HOOKPORT_METRICS_TOKEN set', () => {
  it('answers 401 with a challenge without the token or with another one, 200 with it', async () => {
    for (const token of [undefined, 'not-the-metrics-token-at-all', t.adminToken, tenant.token]) {
      const res = await t.raw.get('/metrics', token === undefined ? {} : { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.text).not.toContain('hookport_');
    }
    expect((await scrape(t, metricsToken)).length).toBeGreaterThan(0);
  });

  it('is open without the variable, and neither rate limited nor counted by the API rate limit', async () => {
    const limited = await startHookport({ HOOKPORT_API_RATE_LIMIT: '2' });
    try {
      const limitedTenant = await createTenant(limited);
      for (let i = 0; i < 5; i++) {
        const res = await limited.raw.get('/metrics');
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit')).toBeNull();
      }
      // A token sent along is not the rate limit's business here either.
      expect((await limited.raw.get('/metrics', { token: limitedTenant.token })).status).toBe(200);
      // The tenant's two requests of the window still pass; the third is its first 429.
      expect((await limited.raw.get('/v1/endpoints', { token: limitedTenant.token })).status).toBe(200);
      expect((await limited.raw.get('/v1/endpoints', { token: limitedTenant.token })).status).toBe(200);
      expect((await limited.raw.get('/v1/endpoints', { token: limitedTenant.token })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('serves only hookport_ names, the process metrics among them, with HELP and TYPE for each', async () => {
    const res = await t.raw.get('/metrics', { token: metricsToken });
    const samples = parseExposition(res.text);
    for (const s of samples) expect(s.name).toMatch(/^hookport_/);
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'hookport_process_cpu_user_seconds_total',
      'hookport_nodejs_heap_size_used_bytes',
      'hookport_queue_depth',
      'hookport_queue_oldest_seconds',
      'hookport_endpoints',
    ]) {
      expect(names).toContain(name);
    }
    for (const family of [
      'hookport_attempts_total',
      'hookport_events_published_total',
      'hookport_http_requests_total',
    ]) {
      expect(res.text).toContain(`# TYPE ${family} counter`);
    }
    expect(res.text).toContain('# TYPE hookport_delivery_latency_seconds histogram');
    // Every surface's publish series is there from the start.
    for (const surface of ['native', 'spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath']) {
      expect(samples.some((s) => s.name === 'hookport_events_published_total' && s.labels.surface === surface)).toBe(
        true,
      );
    }
    expect(res.text).toContain('# TYPE hookport_attempt_duration_seconds histogram');
  });
});

describe('counters and histograms after real deliveries', () => {
  it('count the publish, the succeeded attempt, its duration and its latency', async () => {
    const before = await scrape(t, metricsToken);
    const r = await kit.receiver();
    const ep = await kit.endpoint(r.url, { eventTypes: ['ticket.created'] });
    const event = await kit.accepted('ticket.created', { n: 1 });
    await kit.settled((await kit.deliveryOf(event.id, ep.id)).id, 'succeeded');
    const after = await until('the attempt counted', async () => {
      const s = await scrape(t, metricsToken);
      const ok = { outcome: 'succeeded', status_class: '2xx' };
      return sampleValue(s, 'hookport_attempts_total', ok) > sampleValue(before, 'hookport_attempts_total', ok)
        ? s
        : undefined;
    });
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(moved('hookport_events_published_total', { surface: 'native' })).toBe(1);
    expect(moved('hookport_attempts_total', { outcome: 'succeeded', status_class: '2xx' })).toBe(1);
    expect(moved('hookport_attempt_duration_seconds_count')).toBe(1);
    expect(moved('hookport_delivery_latency_seconds_count')).toBe(1);
    expect(sampleValue(after, 'hookport_delivery_latency_seconds_sum')).toBeGreaterThan(0);
    // An idempotent replay stores nothing and is not counted.
    const key = { 'idempotency-key': 'metrics-replay-1' };
    expect((await kit.publish('ticket.resolved', {}, key)).status).toBe(202);
    expect((await kit.publish('ticket.resolved', {}, key)).status).toBe(202);
    const replayed = await scrape(t, metricsToken);
    expect(sampleValue(replayed, 'hookport_events_published_total', { surface: 'native' })).toBe(
      sampleValue(after, 'hookport_events_published_total', { surface: 'native' }) + 1,
    );
    // A batch counts its new events, not its replays, and a refused batch counts nothing.
    const events = [
      { type: 'ticket.resolved', data: {}, idempotencyKey: 'metrics-replay-1' },
      { type: 'ticket.resolved', data: { n: 1 } },
      { type: 'ticket.resolved', data: { n: 2 } },
    ];
    const batch = (json: unknown) => t.api.post('/v1/events/batch', { token: kit.tenant.token, json });
    expect((await batch({ events })).status).toBe(202);
    expect((await batch({ events: [...events, { type: 'ticket.unknown', data: {} }] })).status).toBe(422);
    const batched = await scrape(t, metricsToken);
    expect(sampleValue(batched, 'hookport_events_published_total', { surface: 'native' })).toBe(
      sampleValue(replayed, 'hookport_events_published_total', { surface: 'native' }) + 2,
    );
  });

  it('count a 500 as retrying/5xx and an unreachable receiver as retrying/none', async () => {
    const failing = await kit.receiver((_req, _n, res) => void res.writeHead(500).end());
    const closed = await closedPortUrl();
    await kit.endpoint(failing.url, { eventTypes: ['ticket.updated'] });
    await kit.endpoint(closed, { eventTypes: ['ticket.updated'] });
    await kit.accepted('ticket.updated', {});
    await until('both first attempts counted', async () => {
      const s = await scrape(t, metricsToken);
      return sampleValue(s, 'hookport_attempts_total', { outcome: 'retrying', status_class: '5xx' }) >= 1 &&
        sampleValue(s, 'hookport_attempts_total', { outcome: 'retrying', status_class: 'none' }) >= 1
        ? s
        : undefined;
    });
  });
});

describe('labels', () => {
  it('name routes by their pattern, collapse unknown paths, and never carry an id', async () => {
    const r = await kit.receiver();
    const ep = await kit.endpoint(r.url, { eventTypes: ['ticket.deleted'] });
    expect((await t.api.get(`/v1/endpoints/${ep.id}`, { token: tenant.token })).status).toBe(200);
    expect((await t.raw.get(`/no/such/path/${ep.id}`)).status).toBe(404);
    const res = await t.raw.get('/metrics', { token: metricsToken });
    const samples = parseExposition(res.text);
    expect(sampleValue(samples, 'hookport_http_requests_total', { route: '/v1/endpoints/:id', status: '200' })).toBe(1);
    expect(sampleValue(samples, 'hookport_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThan(
      0,
    );
    expect(sumOf(samples, 'hookport_http_request_duration_seconds_count', { route: '/v1/endpoints/:id' })).toBe(1);
    // No tenant, endpoint or event id anywhere, and every label value from its bounded set.
    expect(res.text).not.toContain(ep.id);
    expect(res.text).not.toContain(tenant.id);
    expect(res.text).not.toMatch(/(ep|evt|dlv|tnt)_[0-9a-z]{26}/);
    const routes = new Set(samples.filter((s) => s.name === 'hookport_http_requests_total').map((s) => s.labels.route));
    for (const route of routes) expect(route === 'unmatched' || route?.startsWith('/')).toBe(true);
    const allowed: Record<string, readonly string[]> = {
      surface: ['native', 'spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'],
      outcome: ['succeeded', 'retrying', 'failed', 'egress_blocked'],
      status_class: ['2xx', '3xx', '4xx', '5xx', 'none'],
      lane: ['main', 'slow'],
    };
    for (const s of samples) {
      for (const [label, value] of Object.entries(s.labels)) {
        if (allowed[label]) expect(allowed[label]).toContain(value);
      }
    }
  });
});

describe('gauges read at scrape', () => {
  it('count endpoints by status', async () => {
    const before = await scrape(t, metricsToken);
    const r = await kit.receiver();
    const ep = await kit.endpoint(r.url, { eventTypes: ['ticket.deleted'] });
    await kit.setStatus(ep.id, 'paused');
    const after = await scrape(t, metricsToken);
    expect(sampleValue(after, 'hookport_endpoints', { status: 'paused' })).toBe(
      sampleValue(before, 'hookport_endpoints', { status: 'paused' }) + 1,
    );
    const [{ n }] = (await t.hp.db.query<{ n: number }>('select count(*)::int as n from endpoints')) as [{ n: number }];
    expect(sumOf(after, 'hookport_endpoints')).toBe(n);
  });

  it('show the queued jobs of an API-only Hookport (no worker) and how long they have waited', async () => {
    const api = await startHookport({}, 'api');
    try {
      const apiTenant = await createTenant(api);
      const apiKit = new DeliveryKit(api, apiTenant);
      const r = await apiKit.receiver();
      await apiKit.endpoint(r.url, { eventTypes: ['ticket.created'] });
      const empty = await scrape(api);
      expect(sampleValue(empty, 'hookport_queue_depth', { lane: 'main' })).toBe(0);
      expect(sampleValue(empty, 'hookport_queue_oldest_seconds', { lane: 'main' })).toBe(0);
      for (let i = 0; i < 3; i++) await apiKit.accepted('ticket.created', { i });
      const queued = await until('the oldest job to have waited', async () => {
        const s = await scrape(api);
        return sampleValue(s, 'hookport_queue_oldest_seconds', { lane: 'main' }) > 0 ? s : undefined;
      });
      expect(sampleValue(queued, 'hookport_queue_depth', { lane: 'main' })).toBe(3);
      expect(sampleValue(queued, 'hookport_queue_depth', { lane: 'slow' })).toBe(0);
      // Its own registry: the publishes here are not this file's other Hookport's, nor the other way.
      expect(sampleValue(queued, 'hookport_events_published_total', { surface: 'native' })).toBe(3);
      expect(sumOf(queued, 'hookport_attempts_total')).toBe(0);
      await apiKit.close();
    } finally {
      await api.close();
    }
  });
});
