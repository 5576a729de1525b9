import { ulidToUuid, uuidToUlid } from '@hookport/spec';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createTenant } from './support/harness.ts';
import { until } from './support/until.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * The Rapidly surface (/api/webhooks): every example request of the seed
 * document replayed, plus end-to-end delivery to a real receiver verified
 * with the `standardwebhooks` library keyed by the base64 of the whole secret.
 */

interface RapidlyEndpoint {
  id: string;
  created_at: string;
  modified_at: string | null;
  url: string;
  format: string;
  secret: string;
  workspace_id: string;
  events: string[];
  enabled: boolean;
}
interface WebhookEvent {
  id: string;
  created_at: string;
  modified_at: string | null;
  last_http_code: number | null;
  succeeded: boolean | null;
  skipped: boolean;
  payload: string | null;
  type: string;
  is_archived: boolean;
}
interface RapidlyDelivery {
  id: string;
  created_at: string;
  modified_at: string | null;
  succeeded: boolean;
  http_code: number | null;
  response: string | null;
  webhook_event: WebhookEvent;
}
interface Paginated<T> {
  data: T[];
  meta: { total: number; page: number; per_page: number; pages: number };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const { t, api, tenant, receiver } = await vendorFixture('rapidly');
const workspaceId = ulidToUuid(tenant.id.slice('tnt_'.length).toUpperCase()) ?? '';

async function create(json: Record<string, unknown>) {
  const res = await api.post<RapidlyEndpoint>('/api/webhooks/endpoints', { token: tenant.token, json });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function publish(type: string, data: Record<string, unknown>) {
  const res = await t.api.post<{ id: string }>('/v1/events', { token: tenant.token, json: { type, data } });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

function expectEndpointShape(e: RapidlyEndpoint) {
  expect(Object.keys(e).sort()).toEqual(
    ['created_at', 'enabled', 'events', 'format', 'id', 'modified_at', 'secret', 'url', 'workspace_id'].sort(),
  );
  expect(e.id).toMatch(uuid);
  expect(e.created_at).toMatch(iso);
  expect(e.modified_at === null || iso.test(e.modified_at)).toBe(true);
  expect(e.secret).toMatch(/^rapidly_whs_[A-Za-z0-9_-]{43,}$/);
  expect(e.workspace_id).toBe(workspaceId);
  expect(typeof e.enabled).toBe('boolean');
}

async function deliveries(query = '') {
  const res = await api.get<Paginated<RapidlyDelivery>>(`/api/webhooks/deliveries${query}`, { token: tenant.token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('Rapidly seed examples', () => {
  it('POST /api/webhooks/endpoints → 201 WebhookEndpoint', async () => {
    const e = await create({ url: 'https://127.0.0.1:9/hooks', format: 'raw', events: ['customer.created'] });
    expectEndpointShape(e);
    expect(e).toMatchObject({
      url: 'https://127.0.0.1:9/hooks',
      format: 'raw',
      events: ['customer.created'],
      enabled: true,
    });
    expect(e.modified_at).toBeNull();
  });

  it('GET /api/webhooks/endpoints → 200 PaginatedList_WebhookEndpoint_, newest first, secret on every read', async () => {
    const older = await create({ url: 'https://127.0.0.1:9/a', format: 'raw', events: ['share.created'] });
    const newer = await create({ url: 'https://127.0.0.1:9/b', format: 'slack', events: ['share.updated'] });
    const res = await api.get<Paginated<RapidlyEndpoint>>('/api/webhooks/endpoints', { token: tenant.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data', 'meta']);
    expect(res.body.meta).toEqual({
      total: res.body.meta.total,
      page: 1,
      per_page: 10,
      pages: Math.ceil(res.body.meta.total / 10),
    });
    const ids = res.body.data.map((e) => e.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    for (const e of res.body.data) expectEndpointShape(e);
    expect(res.body.data.find((e) => e.id === older.id)?.secret).toBe(older.secret);
  });

  it('GET /api/webhooks/endpoints/{id} → 200 WebhookEndpoint with its secret', async () => {
    const e = await create({ url: 'https://127.0.0.1:9/get', format: 'discord', events: ['customer.updated'] });
    const res = await api.get<RapidlyEndpoint>(`/api/webhooks/endpoints/${e.id}`, { token: tenant.token });
    expect(res.status).toBe(200);
    expectEndpointShape(res.body);
    expect(res.body).toEqual(e);
  });

  it('PATCH /api/webhooks/endpoints/{id} → 200, only the given fields change', async () => {
    const e = await create({ url: 'https://127.0.0.1:9/p', format: 'raw', events: ['customer.created'] });
    const res = await api.patch<RapidlyEndpoint>(`/api/webhooks/endpoints/${e.id}`, {
      token: tenant.token,
      json: { format: 'slack', enabled: false, url: null },
    });
    expect(res.status).toBe(200);
    expectEndpointShape(res.body);
    expect(res.body).toMatchObject({ url: e.url, format: 'slack', events: e.events, enabled: false, secret: e.secret });
    expect(res.body.modified_at).toMatch(iso);
    const again = await api.patch<RapidlyEndpoint>(`/api/webhooks/endpoints/${e.id}`, {
      token: tenant.token,
      json: { enabled: true, events: ['customer.deleted', 'customer.updated'], url: 'https://127.0.0.1:9/q' },
    });
    expect(again.body).toMatchObject({
      url: 'https://127.0.0.1:9/q',
      format: 'slack',
      events: ['customer.deleted', 'customer.updated'],
      enabled: true,
    });
  });

  it('PATCH /api/webhooks/endpoints/{id}/secret → 200 with a new secret that every read then shows', async () => {
    const e = await create({ url: 'https://127.0.0.1:9/s', format: 'raw', events: ['customer.created'] });
    const res = await api.patch<RapidlyEndpoint>(`/api/webhooks/endpoints/${e.id}/secret`, { token: tenant.token });
    expect(res.status).toBe(200);
    expectEndpointShape(res.body);
    expect(res.body.secret).not.toBe(e.secret);
    const read = await api.get<RapidlyEndpoint>(`/api/webhooks/endpoints/${e.id}`, { token: tenant.token });
    expect(read.body.secret).toBe(res.body.secret);
  });

  it('DELETE /api/webhooks/endpoints/{id} → 204, then 404', async () => {
    const e = await create({ url: 'https://127.0.0.1:9/d', format: 'raw', events: ['customer.created'] });
    const res = await api.delete(`/api/webhooks/endpoints/${e.id}`, { token: tenant.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const gone = await api.get(`/api/webhooks/endpoints/${e.id}`, { token: tenant.token });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
  });

  it('GET /api/webhooks/deliveries → 200 PaginatedList_WebhookDelivery_', async () => {
    const r = await receiver();
    const e = await create({ url: r.url, format: 'raw', events: ['share.created'] });
    const event = await publish('share.created', { id: 'sh_1', name: 'Deck' });
    await r.waitFor(1);
    const page = await until('the attempt to be listed', async () => {
      const p = await deliveries(`?endpoint_id=${e.id}`);
      return p.data.length > 0 ? p : undefined;
    });
    expect(page.meta).toEqual({ total: 1, page: 1, per_page: 10, pages: 1 });
    const [d] = page.data;
    if (!d) throw new Error('no delivery');
    expect(Object.keys(d).sort()).toEqual(
      ['created_at', 'http_code', 'id', 'modified_at', 'response', 'succeeded', 'webhook_event'].sort(),
    );
    expect(d).toMatchObject({ succeeded: true, http_code: 204, response: null, modified_at: null });
    expect(d.id).toMatch(uuid);
    expect(d.created_at).toMatch(iso);
    expect(Object.keys(d.webhook_event).sort()).toEqual(
      [
        'created_at',
        'id',
        'is_archived',
        'last_http_code',
        'modified_at',
        'payload',
        'skipped',
        'succeeded',
        'type',
      ].sort(),
    );
    expect(d.webhook_event).toMatchObject({
      last_http_code: 204,
      succeeded: true,
      skipped: false,
      type: 'share.created',
      is_archived: false,
    });
    expect(d.webhook_event.id).toMatch(uuid);
    const payload = JSON.parse(d.webhook_event.payload ?? '');
    expect(payload).toEqual({
      type: 'share.created',
      timestamp: expect.stringMatching(iso),
      data: { id: 'sh_1', name: 'Deck' },
    });
    // The stored payload is exactly what the receiver got.
    expect(r.received[0]?.body).toBe(d.webhook_event.payload);
    expect(event.id).toMatch(/^evt_/);
  });

  it('POST /api/webhooks/events/{id}/redeliver → 202 null, and the event is sent again with the same webhook-id', async () => {
    const r = await receiver();
    const e = await create({ url: r.url, format: 'raw', events: ['customer.created'] });
    await publish('customer.created', { id: 'cus_1' });
    const [first] = await r.waitFor(1);
    const page = await until('the attempt to be listed', async () => {
      const p = await deliveries(`?endpoint_id=${e.id}`);
      return p.data.length > 0 ? p : undefined;
    });
    const eventId = page.data[0]?.webhook_event.id ?? '';
    const res = await api.post(`/api/webhooks/events/${eventId}/redeliver`, { token: tenant.token });
    expect(res.status).toBe(202);
    expect(res.body).toBeNull();
    const [, second] = await r.waitFor(2);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(second?.body).toBe(first?.body);
    const stranger = await createTenant(t, { presets: ['rapidly'] });
    const foreign = await api.post(`/api/webhooks/events/${eventId}/redeliver`, { token: stranger.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
    const after = await until('the second attempt to be listed', async () => {
      const p = await deliveries(`?endpoint_id=${e.id}`);
      return p.meta.total === 2 ? p : undefined;
    });
    expect(after.data.every((d) => d.webhook_event.id === eventId)).toBe(true);
  });
});

describe('Rapidly delivery end to end', () => {
  it('delivers a natively published event in the raw format, verified with the base64 of the whole secret', async () => {
    const r = await receiver();
    const e = await create({ url: r.url, format: 'raw', events: ['customer.created'] });
    const event = await publish('customer.created', { id: 'cus_42', email: 'a@example.com' });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const verified = new Webhook(Buffer.from(e.secret).toString('base64')).verify(
      got.body,
      got.headers as Record<string, string>,
    );
    expect(verified).toEqual({
      type: 'customer.created',
      timestamp: expect.stringMatching(iso),
      data: { id: 'cus_42', email: 'a@example.com' },
    });
    expect(got.headers['content-type']).toBe('application/json');
    // webhook-id is the event id, as a UUID.
    expect(got.headers['webhook-id']).toBe(ulidToUuid(event.id.slice('evt_'.length).toUpperCase()));
    // A receiver that used the secret as a whsec_ key would not verify it.
    expect(() => new Webhook(e.secret).verify(got.body, got.headers as Record<string, string>)).toThrow();
  });

  it('signs with the new secret right after a reset (no grace period)', async () => {
    const r = await receiver();
    const e = await create({ url: r.url, format: 'raw', events: ['workspace.updated'] });
    const reset = await api.patch<RapidlyEndpoint>(`/api/webhooks/endpoints/${e.id}/secret`, { token: tenant.token });
    await publish('workspace.updated', { id: 'ws_1' });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const headers = got.headers as Record<string, string>;
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(1);
    new Webhook(Buffer.from(reset.body.secret).toString('base64')).verify(got.body, headers);
  });

  it('keeps a secret the client brings (≥ 32 characters) and signs with it', async () => {
    const r = await receiver();
    const secret = 'my-own-rapidly-secret-0123456789abcdef';
    const e = await create({ url: r.url, format: 'raw', events: ['share.updated'], secret, workspace_id: workspaceId });
    expect(e.secret).toBe(secret);
    await publish('share.updated', { id: 'sh_9' });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    new Webhook(Buffer.from(secret).toString('base64')).verify(got.body, got.headers as Record<string, string>);
  });

  it('renders discord and slack endpoints as chat messages, still signed', async () => {
    const discord = await receiver();
    const slack = await receiver();
    const d = await create({ url: discord.url, format: 'discord', events: ['file_sharing_session.created'] });
    const s = await create({ url: slack.url, format: 'slack', events: ['file_sharing_session.created'] });
    await publish('file_sharing_session.created', { id: 'fss_7' });
    const [dGot] = await discord.waitFor(1);
    const [sGot] = await slack.waitFor(1);
    if (!dGot || !sGot) throw new Error('nothing received');
    const dBody = new Webhook(Buffer.from(d.secret).toString('base64')).verify(
      dGot.body,
      dGot.headers as Record<string, string>,
    );
    expect(dBody).toMatchObject({
      content: 'file_sharing_session.created',
      embeds: [{ title: 'file_sharing_session.created', fields: [{ name: 'Object', value: 'fss_7' }] }],
    });
    const sBody = new Webhook(Buffer.from(s.secret).toString('base64')).verify(
      sGot.body,
      sGot.headers as Record<string, string>,
    );
    expect(sBody).toMatchObject({
      text: 'file_sharing_session.created',
      blocks: [{ type: 'section', fields: [{ type: 'mrkdwn', text: '*Object*\nfss_7' }] }, { type: 'context' }],
    });
  });

  it('a disabled endpoint receives nothing; enabling it again delivers new events', async () => {
    const r = await receiver();
    const e = await create({ url: r.url, format: 'raw', events: ['customer.deleted'] });
    await api.patch(`/api/webhooks/endpoints/${e.id}`, { token: tenant.token, json: { enabled: false } });
    await publish('customer.deleted', { id: 'cus_gone' });
    const skipped = await until('the skipped delivery', async () => {
      const native = await t.api.get<{ data: { endpointId: string; status: string; id: string }[] }>(
        '/v1/deliveries?limit=100',
        { token: tenant.token },
      );
      return native.body.data.find(
        (d) => d.status === 'skipped' && d.endpointId === `ep_${uuidToUlid(e.id).toLowerCase()}`,
      );
    });
    expect(skipped.status).toBe('skipped');
    // Redelivering to a disabled endpoint is accepted and, as in Rapidly, skipped.
    const redeliver = await api.post(
      `/api/webhooks/events/${ulidToUuid(skipped.id.slice('dlv_'.length).toUpperCase())}/redeliver`,
      { token: tenant.token },
    );
    expect(redeliver.status).toBe(202);
    await api.patch(`/api/webhooks/endpoints/${e.id}`, { token: tenant.token, json: { enabled: true } });
    await publish('customer.deleted', { id: 'cus_next' });
    const [got] = await r.waitFor(1);
    expect(JSON.parse(got?.body ?? '{}').data).toEqual({ id: 'cus_next' });
    expect(r.received).toHaveLength(1);
  });

  it('lists failed attempts with their http code and response, filterable', async () => {
    const r = await receiver((_req, _n, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
    });
    const e = await create({ url: r.url, format: 'raw', events: ['share.created', 'share.updated'] });
    await publish('share.updated', { id: 'sh_f' });
    await r.waitFor(1);
    const failed = await until('the failed attempt', async () => {
      const p = await deliveries(`?endpoint_id=${e.id}&succeeded=false`);
      return p.data.length > 0 ? p.data[0] : undefined;
    });
    expect(failed).toMatchObject({ succeeded: false, http_code: 500, response: 'boom' });
    expect(failed.webhook_event.type).toBe('share.updated');
    expect(failed.webhook_event.last_http_code).toBe(500);
    expect((await deliveries(`?endpoint_id=${e.id}&succeeded=true`)).data).toEqual([]);
    expect((await deliveries(`?endpoint_id=${e.id}&succeeded=False`)).data.length).toBeGreaterThan(0);
    expect((await deliveries(`?endpoint_id=${e.id}&http_code_class=5xx`)).data.length).toBeGreaterThan(0);
    expect((await deliveries(`?endpoint_id=${e.id}&http_code_class=2xx`)).data).toEqual([]);
    expect((await deliveries(`?endpoint_id=${e.id}&event_type=share.created`)).data).toEqual([]);
    expect(
      (await deliveries(`?endpoint_id=${e.id}&event_type=share.created&event_type=share.updated`)).data.length,
    ).toBeGreaterThan(0);
    expect(
      (await deliveries(`?endpoint_id=${e.id}&query=${failed.webhook_event.id.slice(0, 13)}`)).data.length,
    ).toBeGreaterThan(0);
    expect((await deliveries(`?endpoint_id=${e.id}&query=zzz`)).data).toEqual([]);
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    expect((await deliveries(`?endpoint_id=${e.id}&start_timestamp=${future}`)).data).toEqual([]);
    expect((await deliveries(`?endpoint_id=${e.id}&end_timestamp=${future}`)).data.length).toBeGreaterThan(0);
  });
});

describe('Rapidly pagination', () => {
  it('pages endpoints by number; limit above 100 is clamped to 100', async () => {
    const own = await createTenant(t, { presets: ['rapidly'] });
    const make = (i: number) =>
      api.post('/api/webhooks/endpoints', {
        token: own.token,
        json: { url: `https://127.0.0.1:9/${i}`, format: 'raw', events: ['customer.created'] },
      });
    for (let i = 0; i < 3; i++) expect((await make(i)).status).toBe(201);
    const page2 = await api.get<Paginated<RapidlyEndpoint>>('/api/webhooks/endpoints?page=2&limit=2', {
      token: own.token,
    });
    expect(page2.body.meta).toEqual({ total: 3, page: 2, per_page: 2, pages: 2 });
    expect(page2.body.data.map((e) => e.url)).toEqual(['https://127.0.0.1:9/0']);
    const beyond = await api.get<Paginated<RapidlyEndpoint>>('/api/webhooks/endpoints?page=9', { token: own.token });
    expect(beyond.body).toEqual({ data: [], meta: { total: 3, page: 9, per_page: 10, pages: 1 } });
    const clamped = await api.get<Paginated<RapidlyEndpoint>>('/api/webhooks/endpoints?limit=1000', {
      token: own.token,
    });
    expect(clamped.body.meta.per_page).toBe(100);
    const other = await api.get<Paginated<RapidlyEndpoint>>(`/api/webhooks/endpoints?workspace_id=${workspaceId}`, {
      token: own.token,
    });
    expect(other.body).toEqual({ data: [], meta: { total: 0, page: 1, per_page: 10, pages: 0 } });
    const emptyDeliveries = await api.get<Paginated<RapidlyDelivery>>('/api/webhooks/deliveries?limit=500', {
      token: own.token,
    });
    expect(emptyDeliveries.body).toEqual({ data: [], meta: { total: 0, page: 1, per_page: 100, pages: 0 } });
  });
});

describe('Rapidly surface extras', () => {
  it('the deprecated secret field of an update still sets the secret, effective at once', async () => {
    const r = await receiver();
    const e = await create({ url: r.url, format: 'raw', events: ['customer.state_changed'] });
    const secret = 'an-updated-secret-of-enough-length-0123456789';
    const res = await api.patch<RapidlyEndpoint>(`/api/webhooks/endpoints/${e.id}`, {
      token: tenant.token,
      json: { secret },
    });
    expect(res.status).toBe(200);
    expect(res.body.secret).toBe(secret);
    await publish('customer.state_changed', { id: 'cus_s' });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const headers = got.headers as Record<string, string>;
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(1);
    new Webhook(Buffer.from(secret).toString('base64')).verify(got.body, headers);
  });

  it('accepts an empty events list (the endpoint then receives nothing)', async () => {
    const r = await receiver();
    const e = await create({ url: r.url, format: 'raw', events: [] });
    expect(e.events).toEqual([]);
    const other = await create({ url: r.url, format: 'raw', events: ['share.created'] });
    await publish('share.created', { id: 'sh_only_other' });
    const [got] = await r.waitFor(1);
    expect(got?.body).toContain('sh_only_other');
    const both = await until('the attempt to be listed', async () => {
      const p = await deliveries(`?endpoint_id=${other.id}&endpoint_id=${e.id}`);
      return p.data.length > 0 ? p : undefined;
    });
    expect(both.meta.total).toBe(1);
    expect((await deliveries(`?endpoint_id=${e.id}`)).data).toEqual([]);
  });

  it('serves its OpenAPI document and lists it on /docs', async () => {
    const doc = await t.raw.get<{ openapi: string; paths: Record<string, unknown> }>('/openapi/rapidly.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/webhooks/endpoints',
        '/api/webhooks/endpoints/{id}',
        '/api/webhooks/endpoints/{id}/secret',
        '/api/webhooks/deliveries',
        '/api/webhooks/events/{id}/redeliver',
      ]),
    );
    const docs = await t.raw.get('/docs');
    expect(docs.text).toContain('/openapi/rapidly.json');
  });
});

describe('Rapidly and the native API', () => {
  it('an endpoint created through Rapidly is visible natively with profile rapidly; a native one is not visible here', async () => {
    const e = await create({
      url: 'https://127.0.0.1:9/native-check',
      format: 'discord',
      events: ['customer.created'],
    });
    const native = await t.api.get<{
      data: { id: string; profile: string; url: string; metadata: Record<string, string> }[];
    }>('/v1/endpoints?limit=100', { token: tenant.token });
    const mine = native.body.data.find((n) => n.url === 'https://127.0.0.1:9/native-check');
    expect(mine?.profile).toBe('rapidly');
    expect(mine?.metadata).toEqual({ 'rapidly.format': 'discord' });
    expect(ulidToUuid(mine?.id.slice('ep_'.length).toUpperCase() ?? '')).toBe(e.id);

    const made = await t.api.post<{ id: string }>('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://127.0.0.1:9/native-only', eventTypes: ['customer.created'] },
    });
    expect(made.status).toBe(201);
    const nativeUuid = ulidToUuid(made.body.id.slice('ep_'.length).toUpperCase()) ?? '';
    const res = await api.get(`/api/webhooks/endpoints/${nativeUuid}`, { token: tenant.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
    const all = await api.get<Paginated<RapidlyEndpoint>>('/api/webhooks/endpoints?limit=100', { token: tenant.token });
    expect(all.body.data.some((x) => x.id === nativeUuid)).toBe(false);
    for (const method of ['patch', 'delete'] as const) {
      const r = await api[method](`/api/webhooks/endpoints/${nativeUuid}`, { token: tenant.token, json: {} });
      expect(r.status).toBe(404);
    }
    // Its attempts are not Rapidly deliveries either, and its deliveries cannot be redelivered here.
    await publish('customer.created', { id: 'cus_native' });
    const attempted = await until('the native endpoint to be attempted', async () => {
      const d = await t.api.get<{ data: { id: string; attemptCount: number }[] }>(
        `/v1/deliveries?endpointId=${made.body.id}`,
        { token: tenant.token },
      );
      return d.body.data.find((x) => x.attemptCount > 0);
    });
    expect((await deliveries(`?endpoint_id=${nativeUuid}`)).data).toEqual([]);
    const deliveryUuid = ulidToUuid(attempted.id.slice('dlv_'.length).toUpperCase()) ?? '';
    expect((await deliveries('?limit=100')).data.some((d) => d.webhook_event.id === deliveryUuid)).toBe(false);
    const redeliver = await api.post(`/api/webhooks/events/${deliveryUuid}/redeliver`, { token: tenant.token });
    expect(redeliver.status).toBe(404);
  });

  it("another tenant's endpoint is a 404", async () => {
    const e = await create({ url: 'https://127.0.0.1:9/mine', format: 'raw', events: ['customer.created'] });
    const other = await createTenant(t, { presets: ['rapidly'] });
    const res = await api.get(`/api/webhooks/endpoints/${e.id}`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
    const secret = await api.patch(`/api/webhooks/endpoints/${e.id}/secret`, { token: other.token });
    expect(secret.status).toBe(404);
  });
});
