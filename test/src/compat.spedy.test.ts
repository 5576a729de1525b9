import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createTenant, createToken } from './support/harness.ts';
import type { Endpoint, EndpointWithSecret } from './support/types.ts';
import { until } from './support/until.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * The Spedy surface (/api/v1/webhook-endpoints) against the real server: every
 * example of the seed document replayed, the routes vendors.md adds, and
 * deliveries to a real receiver verified with the standardwebhooks library.
 * Every answer of `spedy` is checked against compat/openapi/spedy.json by Ajv.
 */

interface SpedyEndpoint {
  id: string;
  name: string;
  url: string;
  events: string[];
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}
interface SpedyCreated extends SpedyEndpoint {
  secret: string;
}
interface SpedyDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  statusCode: number | null;
  success: boolean;
  attempt: number;
  error: string | null;
  createdAt: string;
}
interface SpedyError {
  statusCode: number;
  message: string | string[];
  error: string;
}

const base = '/api/v1/webhook-endpoints';
const secondsOnly = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const endpointIdPattern = /^wh_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const deliveryIdPattern = /^dlv_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

const { t, api: spedy, tenant, receiver } = await vendorFixture('spedy');

async function create(json: Record<string, unknown>, token = tenant.token) {
  const res = await spedy.post<SpedyCreated>(base, { token, json });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function publish(type: string, data: Record<string, unknown>, token = tenant.token) {
  const res = await t.api.post<{ id: string }>('/v1/events', { token, json: { type, data } });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

async function deliveries(id: string, query = '') {
  const res = await spedy.get<SpedyDelivery[]>(`${base}/${id}/deliveries${query}`, { token: tenant.token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The native TypeID of the same endpoint: one internal UUID, two renderings. */
const nativeId = (spedyId: string) => `ep_${spedyId.slice(3).toLowerCase()}`;

function expectEndpointShape(e: SpedyEndpoint) {
  expect(Object.keys(e).sort()).toEqual(['createdAt', 'events', 'id', 'isActive', 'name', 'updatedAt', 'url']);
  expect(e.id).toMatch(endpointIdPattern);
  expect(typeof e.name).toBe('string');
  expect(typeof e.url).toBe('string');
  expect(Array.isArray(e.events)).toBe(true);
  expect(typeof e.isActive).toBe('boolean');
  expect(e.createdAt).toMatch(secondsOnly);
  expect(e.updatedAt).toMatch(secondsOnly);
}

function expectDeliveryShape(d: SpedyDelivery) {
  expect(Object.keys(d).sort()).toEqual([
    'attempt',
    'createdAt',
    'endpointId',
    'error',
    'eventType',
    'id',
    'statusCode',
    'success',
  ]);
  expect(d.id).toMatch(deliveryIdPattern);
  expect(d.endpointId).toMatch(endpointIdPattern);
  expect(typeof d.eventType).toBe('string');
  expect(d.statusCode === null || Number.isInteger(d.statusCode)).toBe(true);
  expect(typeof d.success).toBe('boolean');
  expect(Number.isInteger(d.attempt)).toBe(true);
  expect(d.error === null || typeof d.error === 'string').toBe(true);
  expect(d.createdAt).toMatch(secondsOnly);
}

describe('the seed examples, replayed', () => {
  it('GET /events lists the catalogue with the seed descriptions', async () => {
    const res = await spedy.get<{ event: string; description: string }[]>(`${base}/events`, { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.arrayContaining([
        { event: 'ticket.created', description: 'A ticket was created' },
        { event: 'ticket.updated', description: 'A ticket was updated' },
        { event: 'ticket.deleted', description: 'A ticket was deleted' },
        { event: 'ticket.status_changed', description: "A ticket's status changed" },
        { event: 'ticket.assigned', description: 'A ticket was assigned or reassigned' },
        { event: 'ticket.comment_added', description: 'A comment was added to a ticket' },
        { event: 'board.created', description: 'A board was created' },
        { event: 'board.updated', description: 'A board was updated' },
      ]),
    );
    expect(res.body).toHaveLength(8);
  });

  it('POST / with the example request answers 201 with the example response fields and a whsec_ secret', async () => {
    const res = await spedy.post<SpedyCreated>(base, {
      token: tenant.token,
      json: {
        name: 'CI/CD Pipeline',
        url: 'https://ci.example.com/hooks/spedy',
        events: ['ticket.created', 'ticket.status_changed'],
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const { secret, ...endpoint } = res.body;
    expectEndpointShape(endpoint);
    expect(endpoint).toMatchObject({
      name: 'CI/CD Pipeline',
      url: 'https://ci.example.com/hooks/spedy',
      events: ['ticket.created', 'ticket.status_changed'],
      isActive: true,
    });
    expect(endpoint.createdAt).toBe(endpoint.updatedAt);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  });

  it('GET / is a bare array of endpoints without secrets', async () => {
    const created = await create({ name: 'Listed', url: 'https://list.example.com/h', events: ['board.created'] });
    const res = await spedy.get<SpedyEndpoint[]>(base, { token: tenant.token });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    for (const e of res.body) expectEndpointShape(e);
    const listed = res.body.find((e) => e.id === created.id);
    const { secret: _secret, ...expected } = created;
    expect(listed).toEqual(expected);
  });

  it('GET /{id} returns the endpoint; PATCH changes name, url, events and isActive; DELETE answers 204', async () => {
    const created = await create({ name: 'Life', url: 'https://life.example.com/h', events: ['ticket.created'] });
    const got = await spedy.get<SpedyEndpoint>(`${base}/${created.id}`, { token: tenant.token });
    expect(got.status).toBe(200);
    expectEndpointShape(got.body);
    expect(got.body.id).toBe(created.id);
    expect('secret' in got.body).toBe(false);

    const patched = await spedy.patch<SpedyEndpoint>(`${base}/${created.id}`, {
      token: tenant.token,
      json: { name: 'Renamed', url: 'https://other.example.com/h', events: ['ticket.updated', 'board.updated'] },
    });
    expect(patched.status).toBe(200);
    expectEndpointShape(patched.body);
    expect(patched.body).toMatchObject({
      id: created.id,
      name: 'Renamed',
      url: 'https://other.example.com/h',
      events: ['ticket.updated', 'board.updated'],
      isActive: true,
      createdAt: created.createdAt,
    });

    const paused = await spedy.patch<SpedyEndpoint>(`${base}/${created.id}`, {
      token: tenant.token,
      json: { isActive: false },
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ isActive: false, name: 'Renamed' });
    const resumed = await spedy.patch<SpedyEndpoint>(`${base}/${created.id}`, {
      token: tenant.token,
      json: { isActive: true },
    });
    expect(resumed.body.isActive).toBe(true);

    // Only the fields sent change; an empty PATCH changes nothing at all.
    const before = await t.snapshot();
    const empty = await spedy.patch<SpedyEndpoint>(`${base}/${created.id}`, { token: tenant.token, json: {} });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual(resumed.body);
    expect(await t.snapshot()).toBe(before);

    const deleted = await spedy.delete(`${base}/${created.id}`, { token: tenant.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const gone = await spedy.get<SpedyError>(`${base}/${created.id}`, { token: tenant.token });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ statusCode: 404, message: 'Webhook endpoint not found', error: 'Not Found' });
  });
});

describe('visibility across surfaces', () => {
  it('an endpoint created through Spedy is visible natively with profile spedy', async () => {
    const created = await create({ name: 'Both', url: 'https://both.example.com/h', events: ['ticket.created'] });
    const native = await t.api.get<Endpoint>(`/v1/endpoints/${nativeId(created.id)}`, { token: tenant.token });
    expect(native.status).toBe(200);
    expect(native.body).toMatchObject({
      profile: 'spedy',
      name: 'Both',
      url: 'https://both.example.com/h',
      eventTypes: ['ticket.created'],
      status: 'active',
    });
  });

  it('a natively created endpoint is neither listed nor addressable through Spedy', async () => {
    const native = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://native.example.com/h', eventTypes: ['ticket.created'] },
    });
    expect(native.status).toBe(201);
    const asSpedy = `wh_${native.body.id.slice(3).toUpperCase()}`;
    const list = await spedy.get<SpedyEndpoint[]>(base, { token: tenant.token });
    expect(list.body.map((e) => e.id)).not.toContain(asSpedy);
    const got = await spedy.get<SpedyError>(`${base}/${asSpedy}`, { token: tenant.token });
    expect(got.status).toBe(404);
    const del = await spedy.delete<SpedyError>(`${base}/${asSpedy}`, { token: tenant.token });
    expect(del.status).toBe(404);
    expect((await t.api.get(`/v1/endpoints/${native.body.id}`, { token: tenant.token })).status).toBe(200);
  });

  it("another tenant's Spedy endpoint is a 404", async () => {
    const other = await createTenant(t, { presets: ['spedy'], name: 'Other' });
    const theirs = await create(
      { name: 'Theirs', url: 'https://theirs.example.com/h', events: ['ticket.created'] },
      other.token,
    );
    for (const [method, path] of [
      ['GET', `${base}/${theirs.id}`],
      ['PATCH', `${base}/${theirs.id}`],
      ['DELETE', `${base}/${theirs.id}`],
      ['POST', `${base}/${theirs.id}/ping`],
      ['GET', `${base}/${theirs.id}/deliveries`],
    ] as const) {
      const res = await spedy.request<SpedyError>(method, path, {
        token: tenant.token,
        ...(method === 'PATCH' ? { json: { name: 'Mine now' } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Webhook endpoint not found', error: 'Not Found' });
    }
    const list = await spedy.get<SpedyEndpoint[]>(base, { token: tenant.token });
    expect(list.body.map((e) => e.id)).not.toContain(theirs.id);
  });
});

describe('delivery to a real receiver', () => {
  it('delivers a natively published event in the Spedy payload, verified by standardwebhooks', async () => {
    const r = await receiver();
    const ep = await create({ name: 'E2E', url: r.url, events: ['ticket.comment_added'] });
    const event = await publish('ticket.comment_added', { ticket: { id: 'T-1', title: 'Printer on fire' } });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(got.headers['content-type']).toBe('application/json');
    const headers = got.headers as Record<string, string>;
    const verified = new Webhook(ep.secret).verify(got.body, headers);
    expect(verified).toEqual({
      type: 'ticket.comment_added',
      timestamp: expect.stringMatching(secondsOnly),
      data: { ticket: { id: 'T-1', title: 'Printer on fire' } },
    });
    expect(headers['webhook-id']).toBe(`msg_${event.id.slice(4).toUpperCase()}`);

    const list = await until('the attempt to be listed', async () => {
      const d = await deliveries(ep.id);
      return d.length === 1 ? d : undefined;
    });
    const [attempt] = list;
    if (!attempt) throw new Error('no attempt');
    expectDeliveryShape(attempt);
    expect(attempt).toMatchObject({
      endpointId: ep.id,
      eventType: 'ticket.comment_added',
      statusCode: 204,
      success: true,
      attempt: 1,
      error: null,
    });

    // Redeliver: a new attempt of the same event, same webhook-id, listed first.
    const again = await spedy.post(`${base}/${ep.id}/deliveries/${attempt.id}/redeliver`, { token: tenant.token });
    expect(again.status).toBe(204);
    expect(again.text).toBe('');
    const [, second] = await r.waitFor(2);
    if (!second) throw new Error('no redelivery');
    expect(second.headers['webhook-id']).toBe(headers['webhook-id']);
    expect(new Webhook(ep.secret).verify(second.body, second.headers as Record<string, string>)).toMatchObject({
      type: 'ticket.comment_added',
    });
    const after = await until('the redelivery to be listed', async () => {
      const d = await deliveries(ep.id);
      return d.length === 2 ? d : undefined;
    });
    expect(after[0]).toMatchObject({ attempt: 2, success: true, eventType: 'ticket.comment_added' });
    expect(after[1]?.id).toBe(attempt.id);
    for (const d of after) expectDeliveryShape(d);
  });

  it('ping answers 204 and sends a real, signed ping that is listed in the deliveries', async () => {
    const r = await receiver();
    const ep = await create({ name: 'Ping', url: r.url, events: ['board.created'] });
    const res = await spedy.post(`${base}/${ep.id}/ping`, { token: tenant.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('no ping');
    expect(new Webhook(ep.secret).verify(got.body, got.headers as Record<string, string>)).toMatchObject({
      type: 'ping',
    });
    const listed = await until('the ping attempt', async () => {
      const d = await deliveries(ep.id);
      return d.length === 1 ? d : undefined;
    });
    expect(listed[0]).toMatchObject({ eventType: 'ping', success: true, statusCode: 204 });
  });

  it('lists failed attempts with their status and error, newest first, bounded by limit', async () => {
    const r = await receiver((_req, _n, res) => {
      res.writeHead(500).end('down');
    });
    const ep = await create({ name: 'Failing', url: r.url, events: ['ticket.deleted'] });
    await publish('ticket.deleted', { ticket: { id: 'T-9' } });
    const list = await until('two failed attempts', async () => {
      const d = await deliveries(ep.id);
      return d.length >= 2 ? d : undefined;
    });
    for (const d of list) {
      expectDeliveryShape(d);
      expect(d).toMatchObject({ success: false, statusCode: 500, eventType: 'ticket.deleted' });
      expect(typeof d.error).toBe('string');
    }
    const numbers = list.map((d) => d.attempt);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    const one = await deliveries(ep.id, '?limit=1');
    expect(one).toHaveLength(1);
    expect(one[0]?.attempt).toBe(Math.max(...numbers, one[0]?.attempt ?? 0));
    const max = await deliveries(ep.id, '?limit=200');
    expect(max.length).toBeGreaterThanOrEqual(2);
  });

  it('an inactive endpoint receives nothing; events published while inactive are not sent later', async () => {
    const r = await receiver();
    const ep = await create({ name: 'Off', url: r.url, events: ['ticket.assigned'] });
    await spedy.patch(`${base}/${ep.id}`, { token: tenant.token, json: { isActive: false } });
    await publish('ticket.assigned', { ticket: { id: 'T-2' } });
    await spedy.patch(`${base}/${ep.id}`, { token: tenant.token, json: { isActive: true } });
    await publish('ticket.assigned', { ticket: { id: 'T-3' } });
    const [got] = await r.waitFor(1);
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ data: { ticket: { id: 'T-3' } } });
    const listed = await until('the one attempt', async () => {
      const d = await deliveries(ep.id);
      return d.length === 1 ? d : undefined;
    });
    expect(listed).toHaveLength(1);
  });
});

describe('permissions and the Pro plan', () => {
  it('webhooks:view reads (endpoints:read, + deliveries:read for deliveries); webhooks:manage writes', async () => {
    // A real receiver: the ping below makes a real delivery.
    const r = await receiver();
    const ep = await create({ name: 'Scoped', url: r.url, events: ['ticket.created'] });
    const view = await createToken(t, tenant.id, ['endpoints:read']);
    const viewAll = await createToken(t, tenant.id, ['endpoints:read', 'deliveries:read']);
    const manage = await createToken(t, tenant.id, ['endpoints:write']);
    const manageAll = await createToken(t, tenant.id, ['endpoints:write', 'deliveries:write']);

    expect((await spedy.get(base, { token: view })).status).toBe(200);
    expect((await spedy.get(`${base}/events`, { token: view })).status).toBe(200);
    expect((await spedy.get(`${base}/${ep.id}`, { token: view })).status).toBe(200);
    expect((await spedy.get(`${base}/${ep.id}/deliveries`, { token: viewAll })).status).toBe(200);
    expect((await spedy.get(`${base}/${ep.id}/deliveries`, { token: manageAll })).status).toBe(200);
    expect((await spedy.patch(`${base}/${ep.id}`, { token: manage, json: { name: 'ok' } })).status).toBe(200);
    expect((await spedy.post(`${base}/${ep.id}/ping`, { token: manageAll })).status).toBe(204);

    const forbidden = [
      spedy.get<SpedyError>(`${base}/${ep.id}/deliveries`, { token: view }),
      spedy.post<SpedyError>(base, {
        token: view,
        json: { name: 'x', url: 'https://x.example.com', events: ['ticket.created'] },
      }),
      spedy.patch<SpedyError>(`${base}/${ep.id}`, { token: viewAll, json: { name: 'no' } }),
      spedy.delete<SpedyError>(`${base}/${ep.id}`, { token: view }),
      spedy.post<SpedyError>(`${base}/${ep.id}/ping`, { token: manage }),
      spedy.post<SpedyError>(`${base}/${ep.id}/deliveries/dlv_01JXB4Q7W8T9V2M3N4P5R6S7T9/redeliver`, {
        token: manage,
      }),
      spedy.get<SpedyError>(base, { token: await createToken(t, tenant.id, ['events:publish']) }),
    ];
    for (const res of await Promise.all(forbidden)) {
      expect(res.status, res.text).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(res.body.message).toMatch(/^Missing permission webhooks:(view|manage)/);
    }
    expect((await spedy.get(`${base}/${ep.id}`, { token: view })).status).toBe(200);
  });

  it('answers 401 without a valid token and 403 to the admin token, in the NestJS shape', async () => {
    for (const token of [undefined, 'nope', `${tenant.token}x`]) {
      const res = await spedy.get<SpedyError>(base, { token });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(typeof res.body.message).toBe('string');
    }
    const basic = await spedy.get<SpedyError>(base, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(basic.status).toBe(401);
    const admin = await spedy.get<SpedyError>(base, { token: t.adminToken });
    expect(admin.status).toBe(403);
    expect(admin.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('a tenant whose spedy.plan is not Pro gets 403 on every route; upgrading opens them', async () => {
    const created = await t.api.post<{ id: string }>('/v1/tenants', {
      token: t.adminToken,
      json: { name: 'Starter Co', presets: ['spedy'], metadata: { 'spedy.plan': 'starter' } },
    });
    expect(created.status).toBe(201);
    const token = await createToken(t, created.body.id, ['*']);
    const before = await t.snapshot();
    for (const [method, path] of [
      ['GET', base],
      ['GET', `${base}/events`],
      ['POST', base],
      ['GET', `${base}/wh_01JXB4Q7W8T9V2M3N4P5R6S7T8`],
      ['POST', `${base}/wh_01JXB4Q7W8T9V2M3N4P5R6S7T8/ping`],
    ] as const) {
      const res = await spedy.request<SpedyError>(method, path, {
        token,
        ...(method === 'POST' && path === base
          ? { json: { name: 'n', url: 'https://n.example.com', events: ['ticket.created'] } }
          : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({
        statusCode: 403,
        message: 'Webhook endpoints require a Pro plan subscription',
        error: 'Forbidden',
      });
    }
    expect(await t.snapshot()).toBe(before);

    const upgraded = await t.api.patch(`/v1/tenants/${created.body.id}`, {
      token: t.adminToken,
      json: { metadata: { 'spedy.plan': 'pro' } },
    });
    expect(upgraded.status).toBe(200);
    expect((await spedy.get(base, { token })).status).toBe(200);
  });
});

describe('the contract', () => {
  it('serves the committed compat/openapi/spedy.json and lists it on /docs', async () => {
    const committed = JSON.parse(readFileSync(new URL('../../compat/openapi/spedy.json', import.meta.url), 'utf8'));
    const served = await t.raw.get('/openapi/spedy.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(committed);
    expect(Object.keys(committed.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/webhook-endpoints',
        '/api/v1/webhook-endpoints/events',
        '/api/v1/webhook-endpoints/{id}',
        '/api/v1/webhook-endpoints/{id}/ping',
        '/api/v1/webhook-endpoints/{id}/deliveries',
        '/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
      ]),
    );
    const docs = await t.raw.get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/openapi/spedy.json');
  });

  it('shows a natively paused endpoint as inactive', async () => {
    const ep = await create({ name: 'Paused', url: 'https://paused.example.com/h', events: ['ticket.created'] });
    const paused = await t.api.patch(`/v1/endpoints/${nativeId(ep.id)}`, {
      token: tenant.token,
      json: { status: 'paused' },
    });
    expect(paused.status).toBe(200);
    const got = await spedy.get<SpedyEndpoint>(`${base}/${ep.id}`, { token: tenant.token });
    expect(got.body.isActive).toBe(false);
  });
});
