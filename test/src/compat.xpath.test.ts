import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  createTenant,
  createToken,
  startHookport,
  type TenantFixture,
  vendorApi,
} from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import type { Endpoint, EndpointWithSecret, PageOf } from './support/types.ts';
import { until } from './support/until.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * The XPath v2.3 surface: every example of the vendor's document replayed,
 * tenant and profile isolation, scopes, and real deliveries verified with the
 * public `standardwebhooks` library. Every response is checked against
 * compat/openapi/xpath.json by Ajv (vendorApi).
 */

interface XpathWebhook {
  id: string;
  url: string;
  description: string;
  events: string[];
  status: 'active' | 'paused';
  created_at: string;
  updated_at: string;
}
interface WebhookWithSecret extends XpathWebhook {
  secret: string;
}
interface XpathError {
  error: { code: string; message: string };
}

const base = '/v2.3/webhooks/endpoints';
const idPattern = /^wh_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const secondsTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const accept = { accept: 'application/json' };
const seedCreate = {
  url: 'https://partner.example.com/webhooks/xpath',
  events: ['cases.*', 'assignments.*'],
  description: 'Partner production endpoint',
};

const { t, api: xp, tenant, receiver } = await vendorFixture('xpath');

async function create(
  json: Record<string, unknown>,
  token = tenant.token,
): Promise<ApiResponse<{ data: WebhookWithSecret }>> {
  const res = await xp.post<{ data: WebhookWithSecret }>(base, { token, json, headers: accept });
  expect(res.status, res.text).toBe(201);
  return res;
}

function expectError(res: ApiResponse, status: number, code: string): XpathError {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = res.body as XpathError;
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

/** Field names and types of the seed's endpoint object, exactly (no secret). */
function expectWebhookShape(w: unknown): asserts w is XpathWebhook {
  const o = w as Record<string, unknown>;
  expect(Object.keys(o).sort()).toEqual(
    ['created_at', 'description', 'events', 'id', 'status', 'updated_at', 'url'].sort(),
  );
  expect(o.id).toMatch(idPattern);
  expect(typeof o.url).toBe('string');
  expect(typeof o.description).toBe('string');
  expect(Array.isArray(o.events)).toBe(true);
  expect(['active', 'paused']).toContain(o.status);
  expect(o.created_at).toMatch(secondsTimestamp);
  expect(o.updated_at).toMatch(secondsTimestamp);
}

describe('the seed examples, replayed', () => {
  it('POST creates an endpoint: 201, {data} with the secret, shown only here', async () => {
    const res = await create(seedCreate);
    const { secret, ...rest } = res.body.data;
    expectWebhookShape(rest);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Object.keys(res.body)).toEqual(['data']);
    // The seed's key order, secret before the timestamps.
    expect(Object.keys(res.body.data)).toEqual([
      'id',
      'url',
      'description',
      'events',
      'status',
      'secret',
      'created_at',
      'updated_at',
    ]);
    expect(rest).toMatchObject({ ...seedCreate, status: 'active' });
    expect(rest.updated_at).toBe(rest.created_at);
    // The secret is a real Standard Webhooks key.
    expect(() => new Webhook(secret)).not.toThrow();
  });

  it('GET lists the endpoints in {data: [...]}, without secrets', async () => {
    const created = (await create(seedCreate)).body.data;
    const res = await xp.get<{ data: XpathWebhook[] }>(base, { token: tenant.token, headers: accept });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    for (const w of res.body.data) expectWebhookShape(w);
    const { secret: _secret, ...shown } = created;
    expect(res.body.data).toContainEqual(shown);
  });

  it('GET /{webhookId} returns one endpoint', async () => {
    const created = (await create(seedCreate)).body.data;
    const res = await xp.get<{ data: XpathWebhook }>(`${base}/${created.id}`, { token: tenant.token, headers: accept });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    expectWebhookShape(res.body.data);
    expect(res.body.data).toMatchObject({ id: created.id, ...seedCreate, status: 'active' });
  });

  it('PATCH updates status and events only', async () => {
    const created = (await create(seedCreate)).body.data;
    const res = await xp.patch<{ data: XpathWebhook }>(`${base}/${created.id}`, {
      token: tenant.token,
      headers: accept,
      json: { status: 'paused', events: ['cases.*'] },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    expectWebhookShape(res.body.data);
    expect(res.body.data).toMatchObject({
      id: created.id,
      url: seedCreate.url,
      description: seedCreate.description,
      events: ['cases.*'],
      status: 'paused',
      created_at: created.created_at,
    });
    expect(res.body.data.updated_at >= created.updated_at).toBe(true);
    const read = await xp.get<{ data: XpathWebhook }>(`${base}/${created.id}`, { token: tenant.token });
    expect(read.body.data).toEqual(res.body.data);
  });

  it('DELETE answers 204 with an empty body, and the endpoint is gone', async () => {
    const created = (await create(seedCreate)).body.data;
    const res = await xp.delete(`${base}/${created.id}`, { token: tenant.token, headers: accept });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await xp.get(`${base}/${created.id}`, { token: tenant.token }), 404, 'not_found');
    expectError(await xp.delete(`${base}/${created.id}`, { token: tenant.token }), 404, 'not_found');
  });
});

describe('fields', () => {
  it('creates a paused endpoint, and an endpoint without description', async () => {
    const paused = (await create({ url: 'https://a.example.com/h', events: ['cases.created'], status: 'paused' })).body
      .data;
    expect(paused).toMatchObject({ status: 'paused', description: '', events: ['cases.created'] });
  });

  it('PATCH changes only the fields sent; an empty PATCH changes nothing', async () => {
    const created = (await create(seedCreate)).body.data;
    const url = await xp.patch<{ data: XpathWebhook }>(`${base}/${created.id}`, {
      token: tenant.token,
      json: { url: 'https://other.example.com/hook', description: 'Moved' },
    });
    expect(url.body.data).toMatchObject({
      url: 'https://other.example.com/hook',
      description: 'Moved',
      events: seedCreate.events,
      status: 'active',
    });
    const before = await t.snapshot();
    const empty = await xp.patch<{ data: XpathWebhook }>(`${base}/${created.id}`, { token: tenant.token, json: {} });
    expect(empty.status).toBe(200);
    expect(empty.body.data).toEqual(url.body.data);
    expect(await t.snapshot()).toBe(before);
  });

  it('lists every endpoint, oldest first, with no pagination', async () => {
    const other = await createTenant(t, { presets: ['xpath'] });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push(
        (await create({ url: `https://n${i}.example.com/h`, events: ['cases.created'] }, other.token)).body.data.id,
      );
    }
    const res = await xp.get<{ data: XpathWebhook[] }>(base, { token: other.token });
    expect(res.body.data.map((w) => w.id)).toEqual(ids);
  });

  it('shows a disabled endpoint as paused, and setting it active resumes it', async () => {
    const created = (await create(seedCreate)).body.data;
    const nativeId = `ep_${created.id.slice(3).toLowerCase()}`;
    const disabled = await t.api.patch<Endpoint>(`/v1/endpoints/${nativeId}`, {
      token: tenant.token,
      json: { status: 'disabled' },
    });
    expect(disabled.body.status).toBe('disabled');
    const read = await xp.get<{ data: XpathWebhook }>(`${base}/${created.id}`, { token: tenant.token });
    expect(read.body.data.status).toBe('paused');
    const resumed = await xp.patch<{ data: XpathWebhook }>(`${base}/${created.id}`, {
      token: tenant.token,
      json: { status: 'active' },
    });
    expect(resumed.body.data.status).toBe('active');
    const native = await t.api.get<Endpoint>(`/v1/endpoints/${nativeId}`, { token: tenant.token });
    expect(native.body).toMatchObject({ status: 'active', disabledReason: null });
  });
});

describe('visibility', () => {
  it('an endpoint created through XPath is visible natively with profile xpath', async () => {
    const created = (await create(seedCreate)).body.data;
    const nativeId = `ep_${created.id.slice(3).toLowerCase()}`;
    const native = await t.api.get<Endpoint>(`/v1/endpoints/${nativeId}`, { token: tenant.token });
    expect(native.status).toBe(200);
    expect(native.body).toMatchObject({
      profile: 'xpath',
      url: seedCreate.url,
      description: seedCreate.description,
      eventTypes: seedCreate.events,
      status: 'active',
    });
    expect(uuidOf(native.body.id)).toBe(uuidOf(created.id));
  });

  it('a natively created endpoint is not visible through XPath', async () => {
    const native = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://native.example.com/h', eventTypes: ['cases.*'] },
    });
    expect(native.status).toBe(201);
    const asXpath = `wh_${native.body.id.slice(3).toUpperCase()}`;
    const list = await xp.get<{ data: XpathWebhook[] }>(base, { token: tenant.token });
    expect(list.body.data.map((w) => w.id)).not.toContain(asXpath);
    const unchanged = await t.snapshot();
    expectError(await xp.get(`${base}/${asXpath}`, { token: tenant.token }), 404, 'not_found');
    expectError(
      await xp.patch(`${base}/${asXpath}`, { token: tenant.token, json: { status: 'paused' } }),
      404,
      'not_found',
    );
    expectError(await xp.delete(`${base}/${asXpath}`, { token: tenant.token }), 404, 'not_found');
    expect(await t.snapshot()).toBe(unchanged);
  });

  it("another tenant's endpoint is a 404 and is not listed", async () => {
    const other = await createTenant(t, { presets: ['xpath'] });
    const theirs = (await create(seedCreate, other.token)).body.data;
    const list = await xp.get<{ data: XpathWebhook[] }>(base, { token: tenant.token });
    expect(list.body.data.map((w) => w.id)).not.toContain(theirs.id);
    const unchanged = await t.snapshot();
    expectError(await xp.get(`${base}/${theirs.id}`, { token: tenant.token }), 404, 'not_found');
    expectError(
      await xp.patch(`${base}/${theirs.id}`, { token: tenant.token, json: { status: 'paused' } }),
      404,
      'not_found',
    );
    expectError(await xp.delete(`${base}/${theirs.id}`, { token: tenant.token }), 404, 'not_found');
    expect(await t.snapshot()).toBe(unchanged);
  });
});

describe('authentication and scopes', () => {
  let id = '';
  beforeAll(async () => {
    id = (await create(seedCreate)).body.data.id;
  });

  const calls: [string, string, () => string, Record<string, unknown> | undefined][] = [
    ['GET', 'list', () => base, undefined],
    ['POST', 'create', () => base, seedCreate],
    ['GET', 'get', () => `${base}/${id}`, undefined],
    ['PATCH', 'update', () => `${base}/${id}`, { status: 'paused' }],
    ['DELETE', 'delete', () => `${base}/${id}`, undefined],
  ];

  it('no token, a malformed header or an unknown token: 401 with a Bearer challenge', async () => {
    for (const [method, , path, json] of calls) {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer not-a-token' }] as Record<
        string,
        string
      >[]) {
        const before = await t.snapshot();
        const res = await xp.request(method, path(), { headers, ...(json ? { json } : {}) });
        expectError(res, 401, 'unauthorized');
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="xpath"');
        expect(await t.snapshot()).toBe(before);
      }
    }
  });

  it('the admin token has no tenant: 403', async () => {
    for (const [method, , path, json] of calls) {
      const res = await xp.request(method, path(), { token: t.adminToken, ...(json ? { json } : {}) });
      expectError(res, 403, 'forbidden');
    }
  });

  it('endpoints:read reads but cannot write; a token without it cannot read', async () => {
    const reader = await createToken(t, tenant.id, ['endpoints:read']);
    const publisher = await createToken(t, tenant.id, ['events:publish', 'deliveries:write']);
    for (const [method, kind, path, json] of calls) {
      const before = await t.snapshot();
      const asReader = await xp.request(method, path(), { token: reader, ...(json ? { json } : {}) });
      if (kind === 'list' || kind === 'get') expect(asReader.status).toBe(200);
      else expect(expectError(asReader, 403, 'forbidden').error.message).toContain('endpoints:write');
      const asPublisher = await xp.request(method, path(), { token: publisher, ...(json ? { json } : {}) });
      expectError(asPublisher, 403, 'forbidden');
      expect(await t.snapshot()).toBe(before);
    }
  });

  it('endpoints:write does everything', async () => {
    const writer = await createToken(t, tenant.id, ['endpoints:write']);
    const created = (await create(seedCreate, writer)).body.data;
    expect((await xp.get(`${base}/${created.id}`, { token: writer })).status).toBe(200);
    expect((await xp.get(base, { token: writer })).status).toBe(200);
    expect((await xp.patch(`${base}/${created.id}`, { token: writer, json: { status: 'paused' } })).status).toBe(200);
    expect((await xp.delete(`${base}/${created.id}`, { token: writer })).status).toBe(204);
  });
});

describe('delivery', () => {
  interface Published {
    id: string;
    deliveryCount: number;
  }
  interface Delivery {
    id: string;
    endpointId: string;
    eventId: string;
    status: string;
    attempts: { httpStatus: number | null }[];
  }
  let own: TenantFixture;

  beforeAll(async () => {
    own = await createTenant(t, { presets: ['xpath'] });
  });

  async function publish(type: string, data: Record<string, unknown>): Promise<Published> {
    const res = await t.api.post<Published>('/v1/events', { token: own.token, json: { type, data } });
    expect(res.status, res.text).toBe(202);
    return res.body;
  }

  async function deliveryOf(eventId: string, endpointXpathId: string, status: string): Promise<Delivery> {
    const endpointId = `ep_${endpointXpathId.slice(3).toLowerCase()}`;
    return until(`the delivery of ${eventId} to be ${status}`, async () => {
      const page = await t.api.get<PageOf<Delivery>>(`/v1/deliveries?endpointId=${endpointId}&limit=100`, {
        token: own.token,
      });
      const d = page.body.data.find((x) => x.eventId === eventId);
      if (!d || d.status !== status) return undefined;
      const full = await t.api.get<Delivery>(`/v1/deliveries/${d.id}`, { token: own.token });
      return full.body;
    });
  }

  function verify(secret: string, got: { body: string; headers: Record<string, unknown> }): unknown {
    return new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
  }

  it('a nested type reaches a prefix.* endpoint in the XPath payload, verified by standardwebhooks', async () => {
    const r = await receiver();
    const ep = (await create({ url: r.url, events: ['cases.*'] }, own.token)).body.data;
    const event = await publish('cases.tasks.created', { case: { id: 'C-1' }, task: { id: 'T-9' } });
    expect(event.deliveryCount).toBe(1);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(got.headers['content-type']).toBe('application/json');
    const payload = verify(ep.secret, got);
    expect(payload).toEqual({
      type: 'cases.tasks.created',
      timestamp: expect.stringMatching(secondsTimestamp),
      data: { case: { id: 'C-1' }, task: { id: 'T-9' } },
    });
    expect(Object.keys(JSON.parse(got.body))).toEqual(['type', 'timestamp', 'data']);
    expect(got.headers['webhook-id']).toBe(`evt_${event.id.slice(4).toUpperCase()}`);
    const done = await deliveryOf(event.id, ep.id, 'succeeded');
    expect(done.attempts).toHaveLength(1);
    // A wrong secret does not verify.
    const wrong = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    expect(() => verify(wrong, got)).toThrow();
    await xp.delete(`${base}/${ep.id}`, { token: own.token });
  });

  it('wildcards select by prefix at any depth and nothing else', async () => {
    const r = await receiver();
    const tasks = (await create({ url: r.url, events: ['cases.tasks.*'] }, own.token)).body.data;
    const assignments = (await create({ url: r.url, events: ['assignments.*'] }, own.token)).body.data;
    expect((await publish('cases.created', {})).deliveryCount).toBe(0);
    expect((await publish('cases.tasks.completed', {})).deliveryCount).toBe(1);
    expect((await publish('assignments.billing-details.updated', {})).deliveryCount).toBe(1);
    expect((await publish('assignments.status.updated', {})).deliveryCount).toBe(1);
    const got = await r.waitFor(3);
    expect(got.map((g) => (JSON.parse(g.body) as { type: string }).type).sort()).toEqual([
      'assignments.billing-details.updated',
      'assignments.status.updated',
      'cases.tasks.completed',
    ]);
    await xp.delete(`${base}/${tasks.id}`, { token: own.token });
    await xp.delete(`${base}/${assignments.id}`, { token: own.token });
  });

  it('retries a failure keeping the webhook-id, each attempt signed', async () => {
    const r = await receiver((_req, n, res) => {
      res.writeHead(n < 2 ? 500 : 200).end('ok');
    });
    const ep = (await create({ url: r.url, events: ['assignments.created'] }, own.token)).body.data;
    const event = await publish('assignments.created', { assignment: { id: 'A-1' } });
    const got = await r.waitFor(2);
    expect(new Set(got.map((g) => g.headers['webhook-id']))).toEqual(
      new Set([`evt_${event.id.slice(4).toUpperCase()}`]),
    );
    for (const g of got) expect(verify(ep.secret, g)).toMatchObject({ type: 'assignments.created' });
    // Same body on every attempt: the timestamp is the event's.
    expect(got[1]?.body).toBe(got[0]?.body);
    const done = await deliveryOf(event.id, ep.id, 'succeeded');
    expect(done.attempts.map((a) => a.httpStatus)).toEqual([500, 200]);
    await xp.delete(`${base}/${ep.id}`, { token: own.token });
  });

  it('a native redelivery reaches the endpoint in the XPath shape with the same webhook-id', async () => {
    const r = await receiver();
    const ep = (await create({ url: r.url, events: ['assignments.contacts.*'] }, own.token)).body.data;
    const event = await publish('assignments.contacts.created', { contact: { id: 'P-1' } });
    const first = await deliveryOf(event.id, ep.id, 'succeeded');
    const again = await t.api.post(`/v1/deliveries/${first.id}/redeliver`, { token: own.token });
    expect(again.status, again.text).toBeLessThan(300);
    const got = await r.waitFor(2);
    expect(got[1]?.headers['webhook-id']).toBe(got[0]?.headers['webhook-id']);
    for (const g of got) expect(verify(ep.secret, g)).toMatchObject({ type: 'assignments.contacts.created' });
    await xp.delete(`${base}/${ep.id}`, { token: own.token });
  });

  it('a paused endpoint holds deliveries until it is set active again', async () => {
    const r = await receiver();
    const ep = (await create({ url: r.url, events: ['cases.closed'], status: 'paused' }, own.token)).body.data;
    const event = await publish('cases.closed', { case: { id: 'C-2' } });
    expect(event.deliveryCount).toBe(1);
    await deliveryOf(event.id, ep.id, 'held');
    expect(r.received).toHaveLength(0);
    await xp.patch(`${base}/${ep.id}`, { token: own.token, json: { status: 'active' } });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(verify(ep.secret, got)).toMatchObject({ type: 'cases.closed', data: { case: { id: 'C-2' } } });
    await xp.delete(`${base}/${ep.id}`, { token: own.token });
  });
});

describe('the OpenAPI document', () => {
  it('is served at /openapi/xpath.json as committed, and listed on /docs', async () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../compat/openapi/xpath.json', import.meta.url), 'utf8'),
    ) as object;
    const served = await t.raw.get('/openapi/xpath.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(committed);
    const docs = await t.raw.get('/docs');
    expect(docs.text).toContain('/openapi/xpath.json');
  });
});

describe('the retry schedule, when the operator sets none', () => {
  interface Attempt {
    startedAt: string;
    durationMs: number;
    nextAttemptAt: string | null;
  }
  interface DeliveryWithAttempts {
    id: string;
    eventId: string;
    endpointId: string;
    attempts: Attempt[];
  }

  it('is the vendor one for XPath endpoints (10 s first) and the native one for native endpoints (5 s)', async () => {
    const own = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '' });
    try {
      const ownXp = vendorApi(own, 'xpath');
      const fixture = await createTenant(own, { presets: ['xpath'] });
      const r = await receiver((_req, _n, res) => {
        res.writeHead(500).end();
      });
      const xpathEp = await ownXp.post<{ data: WebhookWithSecret }>(base, {
        token: fixture.token,
        json: { url: r.url, events: ['cases.created'] },
      });
      const nativeEp = await own.api.post<EndpointWithSecret>('/v1/endpoints', {
        token: fixture.token,
        json: { url: r.url, eventTypes: ['cases.created'] },
      });
      const event = await own.api.post<{ id: string }>('/v1/events', {
        token: fixture.token,
        json: { type: 'cases.created', data: {} },
      });
      const firstRetryIn = async (endpointId: string): Promise<number> => {
        const attempt = await until(`a first attempt to ${endpointId}`, async () => {
          const page = await own.api.get<PageOf<DeliveryWithAttempts>>(`/v1/deliveries?endpointId=${endpointId}`, {
            token: fixture.token,
          });
          const d = page.body.data.find((x) => x.eventId === event.body.id);
          if (!d) return undefined;
          const full = await own.api.get<DeliveryWithAttempts>(`/v1/deliveries/${d.id}`, { token: fixture.token });
          return full.body.attempts[0]?.nextAttemptAt ? full.body.attempts[0] : undefined;
        });
        const ended = Date.parse(attempt.startedAt) + attempt.durationMs;
        return (Date.parse(attempt.nextAttemptAt ?? '') - ended) / 1000;
      };
      // The planned delay ±20 % jitter, plus a second for recording the attempt on a busy machine.
      const xpathDelay = await firstRetryIn(`ep_${xpathEp.body.data.id.slice(3).toLowerCase()}`);
      expect(xpathDelay).toBeGreaterThanOrEqual(7.9);
      expect(xpathDelay).toBeLessThanOrEqual(13);
      const nativeDelay = await firstRetryIn(nativeEp.body.id);
      expect(nativeDelay).toBeGreaterThanOrEqual(3.9);
      expect(nativeDelay).toBeLessThanOrEqual(7);
    } finally {
      await own.close();
    }
  });
});
