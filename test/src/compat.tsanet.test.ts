import { verify } from '@octokit/webhooks-methods';
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
 * The TSANet Connect surface: every example of the vendor's document
 * replayed, tenant and profile isolation, scopes, and real deliveries whose
 * X-Hub-Signature-256 the public `@octokit/webhooks-methods` verifies. Every
 * response is checked against compat/openapi/tsanet.json by Ajv (vendorApi).
 */

interface Subscription {
  id: number;
  callbackUrl: string;
  eventTypes: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}
interface Created {
  id: number;
  callbackUrl: string;
  eventTypes: string[];
  active: boolean;
  secret: string;
  createdAt: string;
}
interface DeliveryLog {
  id: number;
  cloudEventId: string;
  eventType: string;
  httpStatus: number | null;
  attemptNumber: number;
  success: boolean;
  requestBody: string | null;
  responseBody: string | null;
  createdAt: string;
}
interface SpringPage<T> {
  content: T[];
  totalElements: number;
  totalPages: number;
  size: number;
  number: number;
  numberOfElements: number;
  first: boolean;
  last: boolean;
  empty: boolean;
}
interface TsanetError {
  message: string;
  validationErrors: { field: string; message: string }[];
}

const base = '/v1/webhooks';
const seedUrl = 'https://api.example.com/webhooks/tsanet';
const catalogue = ['collaboration-request.created', 'note.created'];
const secondsTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const { t, api: ts, tenant, receiver } = await vendorFixture('tsanet');

async function create(json: Record<string, unknown>, token = tenant.token): Promise<Created> {
  const res = await ts.post<Created>(base, { token, json });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function publish(type: string, data: Record<string, unknown>, token = tenant.token) {
  const res = await t.api.post<{ id: string; deliveryCount: number }>('/v1/events', { token, json: { type, data } });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

/** The internal UUID of the endpoint with this sequence number, read from the stored rows. */
async function uuidOfSeq(seq: number): Promise<string | undefined> {
  const rows = (JSON.parse(await t.snapshot()) as { endpoints: { id: string; seq: string | number }[] }).endpoints;
  return rows.find((r) => Number(r.seq) === seq)?.id;
}

async function nativeEndpoints(token = tenant.token): Promise<Endpoint[]> {
  const res = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?limit=100', { token });
  expect(res.status).toBe(200);
  return res.body.data;
}

function expectError(res: ApiResponse, status: number, fields: string[] = []): TsanetError {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = res.body as TsanetError;
  expect(Object.keys(body).sort()).toEqual(['message', 'validationErrors']);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.validationErrors.map((e) => e.field)).toEqual(expect.arrayContaining(fields));
  if (fields.length === 0) expect(body.validationErrors).toEqual([]);
  for (const e of body.validationErrors) {
    expect(Object.keys(e).sort()).toEqual(['field', 'message']);
    expect(e.message.length).toBeGreaterThan(0);
  }
  return body;
}

/** Runs a request and proves that nothing stored changed because of it. */
async function unchanged<T>(act: () => Promise<T>): Promise<T> {
  const before = await t.snapshot();
  const result = await act();
  expect(await t.snapshot()).toBe(before);
  return result;
}

/** Field names and types of the seed's subscription object, exactly. */
function expectSubscriptionShape(s: unknown): asserts s is Subscription {
  const o = s as Record<string, unknown>;
  expect(Object.keys(o).sort()).toEqual(['active', 'callbackUrl', 'createdAt', 'eventTypes', 'id', 'updatedAt']);
  expect(Number.isInteger(o.id)).toBe(true);
  expect(typeof o.callbackUrl).toBe('string');
  expect(Array.isArray(o.eventTypes)).toBe(true);
  expect(typeof o.active).toBe('boolean');
  expect(o.createdAt).toMatch(secondsTimestamp);
  expect(o.updatedAt).toMatch(secondsTimestamp);
}

function expectPageShape(p: unknown, page: number, size: number): asserts p is SpringPage<DeliveryLog> {
  const o = p as Record<string, unknown>;
  expect(Object.keys(o).sort()).toEqual(
    ['content', 'empty', 'first', 'last', 'number', 'numberOfElements', 'size', 'totalElements', 'totalPages'].sort(),
  );
  expect(o.number).toBe(page);
  expect(o.size).toBe(size);
  expect(Array.isArray(o.content)).toBe(true);
  expect(o.numberOfElements).toBe((o.content as unknown[]).length);
  expect(o.empty).toBe((o.content as unknown[]).length === 0);
  expect(o.first).toBe(page === 0);
}

describe('the seed examples, replayed', () => {
  it('POST /v1/webhooks registers a subscription: 200 with the secret, all event types when none are named', async () => {
    const created = await create({ callbackUrl: seedUrl });
    expect(Object.keys(created).sort()).toEqual(['active', 'callbackUrl', 'createdAt', 'eventTypes', 'id', 'secret']);
    expect(Number.isInteger(created.id)).toBe(true);
    expect(created.id).toBeGreaterThan(0);
    expect(created).toMatchObject({ callbackUrl: seedUrl, active: true, eventTypes: catalogue });
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.createdAt).toMatch(secondsTimestamp);
  });

  it('GET /v1/webhooks lists the subscriptions as a bare array, without secrets', async () => {
    const created = await create({ callbackUrl: seedUrl, eventTypes: ['note.created'] });
    const res = await ts.get<Subscription[]>(base, { token: tenant.token });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    for (const s of res.body) expectSubscriptionShape(s);
    const listed = res.body.find((s) => s.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      callbackUrl: seedUrl,
      eventTypes: ['note.created'],
      active: true,
      createdAt: created.createdAt,
      updatedAt: created.createdAt,
    });
    expect(res.text).not.toContain(created.secret);
  });

  it('GET /v1/webhooks/{id}/deliveries?page=0&size=20 is a Spring page, empty before any event', async () => {
    const created = await create({ callbackUrl: seedUrl });
    const res = await ts.get<SpringPage<DeliveryLog>>(`${base}/${created.id}/deliveries?page=0&size=20`, {
      token: tenant.token,
    });
    expect(res.status).toBe(200);
    expectPageShape(res.body, 0, 20);
    expect(res.body).toMatchObject({ content: [], totalElements: 0, totalPages: 0, empty: true, last: true });
    // page and size default to 0 and 20.
    const defaults = await ts.get<SpringPage<DeliveryLog>>(`${base}/${created.id}/deliveries`, { token: tenant.token });
    expect(defaults.body).toEqual(res.body);
  });

  it('DELETE /v1/webhooks/{id} answers 204 with no body; the subscription is gone', async () => {
    const created = await create({ callbackUrl: seedUrl });
    const res = await ts.delete(`${base}/${created.id}`, { token: tenant.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await ts.delete(`${base}/${created.id}`, { token: tenant.token }), 404);
    expectError(await ts.get(`${base}/${created.id}/deliveries`, { token: tenant.token }), 404);
    const list = await ts.get<Subscription[]>(base, { token: tenant.token });
    expect(list.body.map((s) => s.id)).not.toContain(created.id);
  });
});

describe('subscriptions and the native API', () => {
  it('a subscription is a native endpoint with profile tsanet; omitted eventTypes are stored as *', async () => {
    const all = await create({ callbackUrl: seedUrl });
    const some = await create({ callbackUrl: seedUrl, eventTypes: ['collaboration-request.created'] });
    const nullTypes = await create({ callbackUrl: seedUrl, eventTypes: null });
    const emptyTypes = await create({ callbackUrl: seedUrl, eventTypes: [] });
    const natives = await nativeEndpoints();
    const bySeq = async (seq: number) => {
      const id = await uuidOfSeq(seq);
      return natives.find((e) => uuidOf(e.id) === id);
    };
    expect((await bySeq(all.id))?.eventTypes).toEqual(['*']);
    expect((await bySeq(some.id))?.eventTypes).toEqual(['collaboration-request.created']);
    expect((await bySeq(nullTypes.id))?.eventTypes).toEqual(['*']);
    expect((await bySeq(emptyTypes.id))?.eventTypes).toEqual(['*']);
    expect((await bySeq(all.id))?.profile).toBe('tsanet');
    expect(nullTypes.eventTypes).toEqual(catalogue);
    expect(emptyTypes.eventTypes).toEqual(catalogue);
  });

  it('ignores unknown fields, as Spring does', async () => {
    const created = await create({ callbackUrl: seedUrl, name: 'ignored', active: false, secret: 'mine' });
    expect(created.active).toBe(true);
    expect(created.secret).not.toBe('mine');
  });

  it('a natively created endpoint is not visible through TSANet, not even by its number', async () => {
    const native = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
      token: tenant.token,
      json: { url: seedUrl, eventTypes: ['note.created'] },
    });
    expect(native.status).toBe(201);
    const rows = (JSON.parse(await t.snapshot()) as { endpoints: { id: string; seq: string | number }[] }).endpoints;
    const seq = Number(rows.find((r) => r.id === uuidOf(native.body.id))?.seq);
    expect(seq).toBeGreaterThan(0);
    const list = await ts.get<Subscription[]>(base, { token: tenant.token });
    expect(list.body.map((s) => s.id)).not.toContain(seq);
    await unchanged(async () => {
      expectError(await ts.get(`${base}/${seq}/deliveries`, { token: tenant.token }), 404);
      expectError(await ts.delete(`${base}/${seq}`, { token: tenant.token }), 404);
    });
  });

  it("another tenant's subscription is a 404, and its list is its own", async () => {
    const other = await createTenant(t, { presets: ['tsanet'], name: 'Other' });
    const theirs = await create({ callbackUrl: seedUrl }, other.token);
    await unchanged(async () => {
      expectError(await ts.get(`${base}/${theirs.id}/deliveries`, { token: tenant.token }), 404);
      expectError(await ts.delete(`${base}/${theirs.id}`, { token: tenant.token }), 404);
    });
    const mine = await ts.get<Subscription[]>(base, { token: tenant.token });
    expect(mine.body.map((s) => s.id)).not.toContain(theirs.id);
    const list = await ts.get<Subscription[]>(base, { token: other.token });
    expect(list.body.map((s) => s.id)).toEqual([theirs.id]);
  });

  it('native /v1 routes keep their own auth and RFC 9457 errors', async () => {
    const res = await t.api.get('/v1/endpoints');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const unknown = await t.raw.get('/v1/webhooksx', { token: tenant.token });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('auth and scopes', () => {
  it('no token or an unknown token: 401 in the TSANet shape with a Bearer challenge', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const res = await unchanged(() => ts.get(base, { token }));
      expectError(res, 401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expectError(await unchanged(() => ts.post(base, { token, json: { callbackUrl: seedUrl } })), 401);
      expectError(await unchanged(() => ts.delete(`${base}/1`, { token })), 401);
      expectError(await unchanged(() => ts.get(`${base}/1/deliveries`, { token })), 401);
    }
  });

  it('authentication comes before validation: a bad body without a token is a 401', async () => {
    expectError(await ts.post(base, { json: { callbackUrl: 5 } }), 401);
  });

  it('the admin token has no tenant: 403', async () => {
    expectError(await ts.get(base, { token: t.adminToken }), 403);
    expectError(await unchanged(() => ts.post(base, { token: t.adminToken, json: { callbackUrl: seedUrl } })), 403);
  });

  it('maps endpoints:read, endpoints:write and deliveries:read; a token without the scope gets 403', async () => {
    const created = await create({ callbackUrl: seedUrl });
    const publisher = await createToken(t, tenant.id, ['events:publish']);
    const reader = await createToken(t, tenant.id, ['endpoints:read']);
    const writer = await createToken(t, tenant.id, ['endpoints:write']);
    const deliveries = await createToken(t, tenant.id, ['deliveries:read']);
    await unchanged(async () => {
      expectError(await ts.get(base, { token: publisher }), 403);
      expectError(await ts.get(`${base}/${created.id}/deliveries`, { token: publisher }), 403);
      expectError(await ts.delete(`${base}/${created.id}`, { token: publisher }), 403);
      expect((await ts.get(base, { token: reader })).status).toBe(200);
      expectError(await ts.post(base, { token: reader, json: { callbackUrl: seedUrl } }), 403);
      expectError(await ts.delete(`${base}/${created.id}`, { token: reader }), 403);
      expectError(await ts.get(`${base}/${created.id}/deliveries`, { token: reader }), 403);
      expect((await ts.get(base, { token: writer })).status).toBe(200);
      expect((await ts.get(`${base}/${created.id}/deliveries`, { token: deliveries })).status).toBe(200);
      expectError(await ts.get(base, { token: deliveries }), 403);
    });
    await create({ callbackUrl: seedUrl }, writer);
    expect((await ts.delete(`${base}/${created.id}`, { token: writer })).status).toBe(204);
  });
});

describe('bad input: a 4xx in the TSANet shape, nothing stored changes', () => {
  let fixture: Created;
  beforeAll(async () => {
    fixture = await create({ callbackUrl: seedUrl });
  });

  const badBodies: [string, unknown, string[]][] = [
    ['missing callbackUrl', {}, ['callbackUrl']],
    ['callbackUrl of the wrong type', { callbackUrl: 5 }, ['callbackUrl']],
    ['callbackUrl not a URL', { callbackUrl: 'not a url' }, ['callbackUrl']],
    ['callbackUrl over plain http', { callbackUrl: 'http://api.example.com/hook' }, ['callbackUrl']],
    ['callbackUrl too long', { callbackUrl: `https://example.com/${'x'.repeat(2100)}` }, ['callbackUrl']],
    ['eventTypes not an array', { callbackUrl: seedUrl, eventTypes: 'note.created' }, ['eventTypes']],
    ['eventTypes of numbers', { callbackUrl: seedUrl, eventTypes: [1] }, ['eventTypes[0]']],
    ['an event type not in the catalogue', { callbackUrl: seedUrl, eventTypes: ['ticket.created'] }, ['eventTypes[0]']],
    ['a wildcard', { callbackUrl: seedUrl, eventTypes: ['note.*'] }, ['eventTypes[0]']],
    ['the second type unknown', { callbackUrl: seedUrl, eventTypes: ['note.created', 'nope'] }, ['eventTypes[1]']],
    ['a JSON array', [], ['body']],
    ['a JSON string', 'https://api.example.com', ['body']],
    ['JSON null', null, ['body']],
  ];
  for (const [what, json, fields] of badBodies) {
    it(`POST with ${what}: 400 naming ${fields.join(', ')}`, async () => {
      const res = await unchanged(() =>
        ts.post(base, {
          token: tenant.token,
          body: JSON.stringify(json),
          headers: { 'content-type': 'application/json' },
        }),
      );
      expectError(res, 400, fields);
    });
  }

  it('refuses a loopback target the egress guard does not allow, as a 400 on callbackUrl', async () => {
    const strict = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: '' });
    try {
      const tenantHere = await createTenant(strict, { presets: ['tsanet'] });
      const api = vendorApi(strict, 'tsanet');
      const before = await strict.snapshot();
      const res = await api.post(base, { token: tenantHere.token, json: { callbackUrl: 'http://127.0.0.1:9/hook' } });
      expectError(res, 400, ['callbackUrl']);
      expect(await strict.snapshot()).toBe(before);
    } finally {
      await strict.close();
    }
  });

  it('a +json media type is JSON too, and validated like it', async () => {
    const headers = { 'content-type': 'application/vnd.api+json; charset=utf-8' };
    const res = await unchanged(() => ts.post(base, { token: tenant.token, body: '{}', headers }));
    expectError(res, 400, ['callbackUrl']);
  });

  it('malformed JSON: 400 with no field errors', async () => {
    const res = await unchanged(() =>
      ts.post(base, { token: tenant.token, body: '{"callbackUrl":', headers: { 'content-type': 'application/json' } }),
    );
    expectError(res, 400);
  });

  it('a body that is not JSON, or no body: 415', async () => {
    expectError(
      await unchanged(() =>
        ts.post(base, {
          token: tenant.token,
          body: `callbackUrl=${seedUrl}`,
          headers: { 'content-type': 'text/plain' },
        }),
      ),
      415,
    );
    expectError(await unchanged(() => ts.post(base, { token: tenant.token })), 415);
  });

  const badIds = [
    'abc',
    '-1',
    '0',
    '1.5',
    '1e3',
    ' 1',
    '99999999999999999999',
    '9223372036854775807',
    '9223372036854775808',
    'wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW',
    'whk_01J1C6ZGQ6FQTH2X6M2VS3P0XW',
    'dlv_01J1C6ZGQ6FQTH2X6M2VS3P0XW',
    'ep_01jbz8c1x9f8r5m6w0q2v3t4yz',
    '0190b6f2-6c3e-7a4b-9c1d-2e3f4a5b6c7d',
    '999999',
  ];
  for (const id of badIds) {
    it(`a subscription id of the wrong shape or unknown (${JSON.stringify(id)}) is a 404`, async () => {
      const path = `${base}/${encodeURIComponent(id)}`;
      await unchanged(async () => {
        expectError(await ts.get(`${path}/deliveries`, { token: tenant.token }), 404);
        expectError(await ts.delete(path, { token: tenant.token }), 404);
      });
    });
  }

  const badQueries: [string, string][] = [
    ['page=-1', 'page'],
    ['page=abc', 'page'],
    ['page=1.5', 'page'],
    ['page=2147483648', 'page'],
    ['size=0', 'size'],
    ['size=-5', 'size'],
    ['size=2001', 'size'],
    ['size=ten', 'size'],
  ];
  for (const [query, field] of badQueries) {
    it(`deliveries?${query}: 400 naming ${field}`, async () => {
      const res = await unchanged(() => ts.get(`${base}/${fixture.id}/deliveries?${query}`, { token: tenant.token }));
      expectError(res, 400, [field]);
    });
  }

  it('a method the path does not have: 405 in the TSANet shape, with Allow', async () => {
    const res = await unchanged(() => t.raw.get(`${base}/${fixture.id}`, { token: tenant.token }));
    expectError(res, 405);
    expect(res.headers.get('allow')).toContain('DELETE');
    expectError(await unchanged(() => t.raw.put(base, { token: tenant.token, json: { callbackUrl: seedUrl } })), 405);
    expectError(await unchanged(() => t.raw.patch(`${base}/${fixture.id}`, { token: tenant.token, json: {} })), 405);
  });

  it('an unknown path under /v1/webhooks: 404 in the TSANet shape', async () => {
    expectError(await unchanged(() => t.raw.get(`${base}/${fixture.id}/secret`, { token: tenant.token })), 404);
    expectError(await unchanged(() => t.raw.get(`${base}/`, { token: tenant.token })), 404);
  });

  it('a body over HOOKPORT_MAX_REQUEST_BYTES: 413 in the TSANet shape', async () => {
    const small = await startHookport({ HOOKPORT_MAX_REQUEST_BYTES: '1024' });
    try {
      const tenantHere = await createTenant(small, { presets: ['tsanet'] });
      const api = vendorApi(small, 'tsanet');
      const before = await small.snapshot();
      const res = await api.post(base, {
        token: tenantHere.token,
        json: { callbackUrl: seedUrl, padding: 'x'.repeat(4096) },
      });
      expectError(res, 413);
      // Streamed with no Content-Length, the server can only count: still the TSANet 413.
      const bytes = new TextEncoder().encode(JSON.stringify({ callbackUrl: seedUrl, padding: 'x'.repeat(70_000) }));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 16_384) controller.enqueue(bytes.slice(at, at + 16_384));
          controller.close();
        },
      });
      // `duplex` is required by undici for a streamed request body; lib.dom's RequestInit does not know it yet.
      const init: RequestInit & { duplex: 'half' } = {
        method: 'POST',
        headers: { authorization: `Bearer ${tenantHere.token}`, 'content-type': 'application/json' },
        body,
        duplex: 'half',
      };
      const streamed = await small.hp.app.fetch(new Request(`http://hookport.test${base}`, init));
      const text = await streamed.text();
      expectError({ status: streamed.status, headers: streamed.headers, body: JSON.parse(text), text }, 413);
      expect(await small.snapshot()).toBe(before);
    } finally {
      await small.close();
    }
  });
});

describe('deliveries', () => {
  // A tenant of its own, so no other subscription receives these events.
  let d: TenantFixture;
  beforeAll(async () => {
    d = await createTenant(t, { presets: ['tsanet'], name: 'Deliveries' });
  });

  it('delivers a natively published event in the TSANet payload, verified by @octokit/webhooks-methods', async () => {
    const r = await receiver();
    const created = await create({ callbackUrl: r.url, eventTypes: ['note.created'] }, d.token);
    const event = await publish('note.created', { requestToken: 'REQ-1', noteToken: 'NOTE-7', extra: true }, d.token);
    expect(event.deliveryCount).toBe(1);
    // Not subscribed: no delivery to this subscription.
    const other = await publish('collaboration-request.created', { requestToken: 'REQ-2' }, d.token);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const signature = got.headers['x-hub-signature-256'];
    expect(typeof signature).toBe('string');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verify(created.secret, got.body, String(signature))).toBe(true);
    expect(await verify('another secret', got.body, String(signature))).toBe(false);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(got.body) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['eventType', 'noteToken', 'requestToken', 'timestamp']);
    expect(payload).toMatchObject({ eventType: 'note.created', requestToken: 'REQ-1', noteToken: 'NOTE-7' });
    expect(payload.timestamp).toMatch(secondsTimestamp);
    const log = await ts.get<SpringPage<DeliveryLog>>(`${base}/${created.id}/deliveries`, { token: d.token });
    expect(log.body.content.map((d) => d.cloudEventId)).not.toContain(uuidOf(other.id));
  });

  it('retries on the schedule; the log lists every attempt, newest first, with what was sent and answered', async () => {
    const r = await receiver((_req, n, res) => {
      if (n === 1) res.writeHead(500, { 'content-type': 'text/plain' }).end('try again');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    const created = await create({ callbackUrl: r.url, eventTypes: ['collaboration-request.created'] }, d.token);
    const event = await publish('collaboration-request.created', { requestToken: 'REQ-42' }, d.token);
    const got = await r.waitFor(2);
    const first = got[0];
    const second = got[1];
    if (!first || !second) throw new Error('two attempts expected');
    // Same bytes, each signed.
    expect(second.body).toBe(first.body);
    for (const g of got)
      expect(await verify(created.secret, g.body, String(g.headers['x-hub-signature-256']))).toBe(true);
    expect(JSON.parse(first.body)).toEqual({
      eventType: 'collaboration-request.created',
      requestToken: 'REQ-42',
      timestamp: expect.stringMatching(secondsTimestamp),
    });

    const path = `${base}/${created.id}/deliveries`;
    const log = await until('two attempts in the log', async () => {
      const res = await ts.get<SpringPage<DeliveryLog>>(`${path}?page=0&size=20`, { token: d.token });
      return res.body.totalElements === 2 ? res.body : undefined;
    });
    expectPageShape(log, 0, 20);
    expect(log).toMatchObject({ totalElements: 2, totalPages: 1, numberOfElements: 2, last: true, empty: false });
    const [newest, oldest] = log.content;
    if (!newest || !oldest) throw new Error('two entries expected');
    for (const d of log.content) {
      expect(Object.keys(d).sort()).toEqual(
        [
          'attemptNumber',
          'cloudEventId',
          'createdAt',
          'eventType',
          'httpStatus',
          'id',
          'requestBody',
          'responseBody',
          'success',
        ].sort(),
      );
      expect(Number.isInteger(d.id)).toBe(true);
      expect(d.cloudEventId).toBe(uuidOf(event.id));
      expect(d.eventType).toBe('collaboration-request.created');
      expect(d.requestBody).toBe(first.body);
      expect(d.createdAt).toMatch(secondsTimestamp);
    }
    expect(newest).toMatchObject({ attemptNumber: 2, httpStatus: 200, success: true, responseBody: 'ok' });
    expect(oldest).toMatchObject({ attemptNumber: 1, httpStatus: 500, success: false, responseBody: 'try again' });
    expect(newest.id).toBeGreaterThan(oldest.id);
    // The ids are the attempts' seq, the same in the core's delivery view (attempts in order).
    const endpointId = await uuidOfSeq(created.id);
    const views = await t.hp.core.attempts.list(uuidOf(d.id), {
      offset: 0,
      limit: 10,
      endpointIds: [endpointId ?? ''],
    });
    expect(views.items.map((a) => a.seq)).toEqual([newest.id, oldest.id]);
    const deliveryId = views.items[0]?.deliveryId ?? '';
    const { attempts } = await t.hp.core.deliveries.get(uuidOf(d.id), deliveryId);
    expect(attempts.map((a) => a.seq)).toEqual([oldest.id, newest.id]);

    // 0-based pages of one.
    const p0 = await ts.get<SpringPage<DeliveryLog>>(`${path}?page=0&size=1`, { token: d.token });
    expectPageShape(p0.body, 0, 1);
    expect(p0.body).toMatchObject({ totalElements: 2, totalPages: 2, first: true, last: false, numberOfElements: 1 });
    expect(p0.body.content[0]?.id).toBe(newest.id);
    const p1 = await ts.get<SpringPage<DeliveryLog>>(`${path}?page=1&size=1`, { token: d.token });
    expectPageShape(p1.body, 1, 1);
    expect(p1.body).toMatchObject({ totalElements: 2, totalPages: 2, first: false, last: true });
    expect(p1.body.content[0]?.id).toBe(oldest.id);
    const past = await ts.get<SpringPage<DeliveryLog>>(`${path}?page=5&size=1`, { token: d.token });
    expectPageShape(past.body, 5, 1);
    expect(past.body).toMatchObject({ content: [], totalElements: 2, totalPages: 2, empty: true, last: true });
  });

  it('an attempt that got no response is logged with httpStatus and responseBody null', async () => {
    const r = await receiver();
    await r.close();
    const created = await create({ callbackUrl: r.url, eventTypes: ['note.created'] }, d.token);
    await publish('note.created', { requestToken: 'REQ-DOWN' }, d.token);
    const log = await until('a failed attempt in the log', async () => {
      const res = await ts.get<SpringPage<DeliveryLog>>(`${base}/${created.id}/deliveries`, { token: d.token });
      return res.body.totalElements >= 1 ? res.body : undefined;
    });
    const oldest = log.content[log.content.length - 1];
    expect(oldest).toMatchObject({ attemptNumber: 1, httpStatus: null, success: false, responseBody: null });
    expect(JSON.parse(oldest?.requestBody ?? '{}')).toMatchObject({ requestToken: 'REQ-DOWN' });
    // Deleting a subscription with a log removes it and stops its retries (its port may be reused).
    expect((await ts.delete(`${base}/${created.id}`, { token: d.token })).status).toBe(204);
    expectError(await ts.get(`${base}/${created.id}/deliveries`, { token: d.token }), 404);
  });

  it('a natively sent ping carries the event id as requestToken, so the SDK parser accepts it', async () => {
    const r = await receiver();
    const created = await create({ callbackUrl: r.url }, d.token);
    const native = (await nativeEndpoints(d.token)).find((e) => e.url === r.url);
    if (!native) throw new Error('the subscription should be visible natively');
    expect(native.profile).toBe('tsanet');
    expect(native.eventTypes).toEqual(['*']);
    const ping = await t.api.post(`/v1/endpoints/${native.id}/ping`, { token: d.token });
    expect(ping.status).toBe(202);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(await verify(created.secret, got.body, String(got.headers['x-hub-signature-256']))).toBe(true);
    const payload = JSON.parse(got.body) as Record<string, unknown>;
    expect(payload.eventType).toBe('ping');
    expect(payload.requestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload).not.toHaveProperty('noteToken');
  });

  it('after a native secret rotation, one signature with the new secret (no second, space-separated one)', async () => {
    const r = await receiver();
    const created = await create({ callbackUrl: r.url, eventTypes: ['note.created'] }, d.token);
    const native = (await nativeEndpoints(d.token)).find((e) => e.url === r.url);
    if (!native) throw new Error('the subscription should be visible natively');
    const rotated = await t.api.post<{ secret: string }>(`/v1/endpoints/${native.id}/secret/rotate`, {
      token: d.token,
      json: { gracePeriodSeconds: 3600 },
    });
    expect(rotated.status).toBe(200);
    await publish('note.created', { requestToken: 'REQ-9', noteToken: 'N-9' }, d.token);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const signature = String(got.headers['x-hub-signature-256']);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verify(rotated.body.secret, got.body, signature)).toBe(true);
    expect(await verify(created.secret, got.body, signature)).toBe(false);
  });
});

describe('the document', () => {
  it('is served at /openapi/tsanet.json and listed on /docs', async () => {
    const doc = await t.raw.get<{ paths: Record<string, unknown> }>('/openapi/tsanet.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths).sort()).toEqual([
      '/v1/webhooks',
      '/v1/webhooks/{id}',
      '/v1/webhooks/{id}/deliveries',
    ]);
    const docs = await t.raw.get('/docs');
    expect(docs.text).toContain('/openapi/tsanet.json');
  });
});
