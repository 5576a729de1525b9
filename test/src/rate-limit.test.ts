/**
 * The per-token API rate limit (docs/reliability/rate-limit.md) against the
 * real server: the RateLimit fields on every authenticated answer, the 429 in
 * each surface's own shape with Retry-After, tokens counted apart, a refused
 * request storing nothing, the window starting over, the SDK riding it out,
 * and the configuration. Runs on PGlite and on PostgreSQL; the count shared by
 * two processes is rate-limit.pg.test.ts.
 */
import { ConfigError, loadConfig } from '@hookport/server';
import type { Vendor } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hookport } from '../../sdk/src/index.ts';
import { type Api, type ApiResponse, startHookport, type TestHookport, vendorApi } from './support/harness.ts';
import { counterRows, counterSubjects, type LimitedTenant, limitedTenant, quotaOf } from './support/rate-limit.ts';
import { until } from './support/until.ts';

const limit = 3;
/** Long enough that no window can end during a test: every count below is exact. */
const window = 3600;

let t: TestHookport;

beforeAll(async () => {
  t = await startHookport({
    HOOKPORT_API_RATE_LIMIT: String(limit),
    HOOKPORT_API_RATE_WINDOW_SECONDS: String(window),
  });
});

afterAll(async () => {
  await t?.close();
});

/** The quota a response announces; fails when it announces none. */
function quota(res: ApiResponse) {
  const q = quotaOf(res.headers);
  if (q === null) throw new Error(`no RateLimit fields on a ${res.status}: ${res.text}`);
  return q;
}

/** What every 429 must carry, whatever the surface: the fields, with Retry-After equal to the reset. */
function expectRefusal(res: ApiResponse) {
  expect(res.status).toBe(429);
  const q = quota(res);
  expect(q).toMatchObject({ limit, window, remaining: 0 });
  expect(q.reset).toBeGreaterThanOrEqual(1);
  expect(q.reset).toBeLessThanOrEqual(window);
  expect(res.headers.get('retry-after')).toBe(String(q.reset));
}

/** Spends the whole quota of `token`, checking the countdown on the way. */
async function useUp(send: () => Promise<ApiResponse>) {
  for (let left = limit - 1; left >= 0; left--) {
    const res = await send();
    expect(res.status, res.text).toBe(200);
    expect(quota(res)).toMatchObject({ limit, window, remaining: left });
    expect(res.headers.get('retry-after')).toBeNull();
  }
}

describe('native API', () => {
  it('announces the quota on every answer, then refuses with a 429 problem that changes nothing stored', async () => {
    const a = await limitedTenant(t);
    await useUp(() => t.api.get('/v1/endpoints', { token: a.token }));

    const before = await t.snapshot();
    const publish = await t.api.post<{ code: string; status: number; detail: string }>('/v1/events', {
      token: a.token,
      json: { type: 'ticket.created', data: { id: 1 } },
    });
    expectRefusal(publish);
    expect(publish.headers.get('content-type')).toContain('application/problem+json');
    expect(publish.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(publish.body.detail).toContain(`${limit} requests per ${window} s`);
    const create = await t.api.post('/v1/endpoints', {
      token: a.token,
      json: { url: 'https://example.com/hook', eventTypes: ['ticket.created'] },
    });
    expectRefusal(create);
    expectRefusal(await t.api.get('/v1/endpoints', { token: a.token }));
    expect(await t.snapshot()).toBe(before);
  });

  it('counts each token apart, and the admin token as one more', async () => {
    const a = await limitedTenant(t);
    const b = await limitedTenant(t);
    await useUp(() => t.api.get('/v1/event-types', { token: a.token }));
    expectRefusal(await t.api.get('/v1/event-types', { token: a.token }));

    const other = await t.api.get('/v1/event-types', { token: b.token });
    expect(other.status).toBe(200);
    expect(quota(other).remaining).toBe(limit - 1);

    await useUp(() => t.api.get('/v1/tenants', { token: t.adminToken }));
    expectRefusal(await t.api.get('/v1/tenants', { token: t.adminToken }));
    expect(quota(await t.api.get('/v1/event-types', { token: b.token })).remaining).toBe(limit - 2);
  });

  it('counts a request that is then refused for its scope or its input, not one without a known token', async () => {
    const a = await limitedTenant(t);
    const rows = await counterRows(t);
    for (const token of [undefined, 'hp_unknown', 'x'.repeat(600)]) {
      const res = await t.api.get('/v1/endpoints', { token });
      expect(res.status).toBe(401);
      expect(quotaOf(res.headers)).toBeNull();
    }
    const health = await t.raw.get('/health');
    expect(health.status).toBe(200);
    expect(quotaOf(health.headers)).toBeNull();
    expect(await counterRows(t)).toBe(rows);

    const forbidden = await t.api.get('/v1/tenants', { token: a.token });
    expect(forbidden.status).toBe(403);
    expect(quota(forbidden).remaining).toBe(limit - 1);
    const invalid = await t.api.post('/v1/endpoints', { token: a.token, json: { url: 42 } });
    expect(invalid.status).toBe(422);
    expect(quota(invalid).remaining).toBe(limit - 2);
    expect(await counterRows(t)).toBe(rows + 1);
  });

  it('lets exactly the limit through when one token sends many requests at once', async () => {
    const a = await limitedTenant(t);
    const answers = await Promise.all(
      Array.from({ length: 4 * limit }, () => t.api.get('/v1/endpoints', { token: a.token })),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(limit);
    for (const r of answers.filter((r) => r.status !== 200)) expectRefusal(r);
    expect(new Set(answers.filter((r) => r.status === 200).map((r) => quota(r).remaining))).toEqual(
      new Set(Array.from({ length: limit }, (_, i) => i)),
    );
  });
});

interface SurfaceCase {
  vendor: Vendor;
  /** One authenticated read on the surface, checked against its own document. */
  read(api: Api, who: LimitedTenant): Promise<ApiResponse>;
  /** The vendor's error body for a rate limit. */
  body: (who: LimitedTenant) => unknown;
}

const surfaces: SurfaceCase[] = [
  {
    vendor: 'spedy',
    read: (api, who) => api.get('/api/v1/webhook-endpoints', { token: who.token }),
    body: () => ({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('retry in') }),
  },
  {
    vendor: 'helpdesk',
    read: (api, who) =>
      api.get('/helpdesk/api/v1/webhooks', { headers: { 'x-api-key': who.token, 'x-workspace-id': who.id } }),
    body: () => ({ error: expect.objectContaining({ code: 'RATE_LIMIT_EXCEEDED', status: 429 }) }),
  },
  {
    vendor: 'tsanet',
    read: (api, who) => api.get('/v1/webhooks', { token: who.token }),
    body: () => ({ message: expect.stringContaining('retry in'), validationErrors: [] }),
  },
  {
    vendor: 'rapidly',
    read: (api, who) => api.get('/api/webhooks/endpoints', { token: who.token }),
    body: () => ({ error: 'QuotaExceeded', detail: expect.stringContaining('retry in') }),
  },
  {
    vendor: 'xpath',
    read: (api, who) => api.get('/v2.3/webhooks/endpoints', { token: who.token }),
    body: () => ({ error: { code: 'rate_limited', message: expect.stringContaining('retry in') } }),
  },
];

describe.each(surfaces)('the $vendor surface', ({ vendor, read, body }) => {
  it('announces the quota, then answers 429 in its own error shape with Retry-After', async () => {
    const api = vendorApi(t, vendor);
    const who = await limitedTenant(t, [vendor]);
    await useUp(() => read(api, who));
    const before = await t.snapshot();
    const refused = await read(api, who);
    expectRefusal(refused);
    expect(refused.body).toEqual(body(who));
    expect(refused.headers.get('content-type')).toContain('application/json');
    expect(await t.snapshot()).toBe(before);
  });

  it('shares the token quota with the native API', async () => {
    const who = await limitedTenant(t, [vendor]);
    await useUp(() => t.api.get('/v1/endpoints', { token: who.token }));
    expectRefusal(await read(vendorApi(t, vendor), who));
  });
});

describe('a short window', () => {
  let s: TestHookport;
  beforeAll(async () => {
    s = await startHookport({ HOOKPORT_API_RATE_LIMIT: '2', HOOKPORT_API_RATE_WINDOW_SECONDS: '1' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('starts over once the window has passed', async () => {
    const a = await limitedTenant(s);
    expect((await s.api.get('/v1/endpoints', { token: a.token })).status).toBe(200);
    expect((await s.api.get('/v1/endpoints', { token: a.token })).status).toBe(200);
    const refused = await s.api.get('/v1/endpoints', { token: a.token });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');

    const next = await until('the window to start over', async () => {
      const res = await s.api.get('/v1/endpoints', { token: a.token });
      return res.status === 200 ? res : undefined;
    });
    expect(quotaOf(next.headers)).toEqual({ limit: 2, window: 1, remaining: 1, reset: 1 });
    // One row per token, reused: windows do not pile up.
    expect(await counterSubjects(s)).toEqual([a.tokenId]);
  });

  it('the SDK waits out a 429 by its Retry-After and then succeeds; rows of passed windows are swept', async () => {
    const a = await limitedTenant(s);
    const statuses: number[] = [];
    const sdk = new Hookport({
      baseUrl: 'http://hookport.test',
      token: a.token,
      fetch: async (request) => {
        const res = await s.hp.app.fetch(request);
        statuses.push(res.status);
        return res;
      },
    });
    await sdk.eventTypes.list();
    await sdk.eventTypes.list();
    const page = await sdk.eventTypes.list();
    expect(page.data.length).toBeGreaterThan(0);
    expect(statuses).toEqual([200, 200, 429, 200]);
    // A process sweeps at most once a window, at a request, so the previous test's row (its window long
    // passed) goes at one of the next requests; this token's row, in use, stays.
    await until('the row of the passed window to be swept', async () => {
      await s.api.get('/v1/endpoints', { token: a.token });
      const subjects = await counterSubjects(s);
      return subjects.length === 1 && subjects[0] === a.tokenId ? true : undefined;
    });
  });
});

describe('turned off', () => {
  it('HOOKPORT_API_RATE_LIMIT=0 counts nothing and announces nothing', async () => {
    const off = await startHookport({ HOOKPORT_API_RATE_LIMIT: '0' });
    try {
      const a = await limitedTenant(off);
      for (let i = 0; i < 10; i++) {
        const res = await off.api.get('/v1/endpoints', { token: a.token });
        expect(res.status).toBe(200);
        expect(quotaOf(res.headers)).toBeNull();
      }
      expect(await counterRows(off)).toBe(0);
    } finally {
      await off.close();
    }
  });
});

describe('configuration', () => {
  it('is on by default: 6000 requests per 60 s per token', () => {
    expect(loadConfig({})).toMatchObject({ apiRateLimit: 6000, apiRateWindowSeconds: 60 });
    expect(loadConfig({ HOOKPORT_API_RATE_LIMIT: '', HOOKPORT_API_RATE_WINDOW_SECONDS: '' })).toMatchObject({
      apiRateLimit: 6000,
      apiRateWindowSeconds: 60,
    });
  });

  it('reads both variables; 0 turns the limit off', () => {
    expect(loadConfig({ HOOKPORT_API_RATE_LIMIT: '100', HOOKPORT_API_RATE_WINDOW_SECONDS: '3600' })).toMatchObject({
      apiRateLimit: 100,
      apiRateWindowSeconds: 3600,
    });
    expect(loadConfig({ HOOKPORT_API_RATE_LIMIT: '0' }).apiRateLimit).toBe(0);
  });

  it.each([
    ['HOOKPORT_API_RATE_LIMIT', '-1'],
    ['HOOKPORT_API_RATE_LIMIT', '1.5'],
    ['HOOKPORT_API_RATE_LIMIT', 'lots'],
    ['HOOKPORT_API_RATE_WINDOW_SECONDS', '0'],
    ['HOOKPORT_API_RATE_WINDOW_SECONDS', '86401'],
    ['HOOKPORT_API_RATE_WINDOW_SECONDS', '1m'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
