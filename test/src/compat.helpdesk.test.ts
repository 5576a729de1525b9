import { readFileSync } from 'node:fs';
import { uuidToUlid } from '@hookport/spec';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, createTenant, createToken, type TenantFixture } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import type { Endpoint, EndpointWithSecret, PageOf } from './support/types.ts';
import { until } from './support/until.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * The Helpdesk (Airclou) surface: every example of the vendor's document
 * replayed, both body forms, partial PUT, X-API-Key, tenant and profile
 * isolation, and real deliveries verified with the public `standardwebhooks`
 * library. Every response is checked against compat/openapi/helpdesk.json by
 * Ajv (vendorApi). Error cases live in compat.helpdesk.error.test.ts.
 */

interface HelpdeskWebhook {
  id: string;
  name: string;
  targetUrl: string;
  events: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}
interface WithSecret extends HelpdeskWebhook {
  signingSecret: string;
}
interface HelpdeskPayload {
  event: string;
  timestamp: string;
  data: { ticket: Record<string, unknown> };
}

const base = '/helpdesk/api/v1/webhooks';
const ticketEvents = [
  'ticket.created',
  'ticket.updated',
  'ticket.deleted',
  'ticket.assignment.changed',
  'ticket.resolved',
];
const idPattern = /^whk_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const millisTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// The seed's create example, with its documented HTTPS target.
const seedCreate = {
  webhook: {
    name: 'My Integration',
    targetUrl: 'https://example.com/webhook',
    events: ['ticket.created', 'ticket.updated'],
    active: true,
  },
};
const seedUpdate = { webhook: { name: 'Updated Name', events: ['ticket.created'], active: false } };

const { t, api, tenant, receiver } = await vendorFixture('helpdesk');

interface Call {
  json?: unknown;
  /** Another tenant's key and workspace. */
  as?: TenantFixture;
  headers?: Record<string, string>;
}

function hd<T = unknown>(method: string, path: string, call: Call = {}): Promise<ApiResponse<T>> {
  const who = call.as ?? tenant;
  return api.request<T>(method, path, {
    token: who.token,
    headers: { 'x-workspace-id': who.id, ...call.headers },
    ...(call.json !== undefined ? { json: call.json } : {}),
  });
}

async function create(body: unknown = seedCreate, as?: TenantFixture): Promise<WithSecret> {
  const res = await hd<{ webhook: WithSecret }>('POST', base, { json: body, ...(as ? { as } : {}) });
  expect(res.status, res.text).toBe(201);
  return res.body.webhook;
}

/** Ajv over the committed document's payload schema: an independent check of what receivers get. */
function payloadValidator() {
  const doc: unknown = JSON.parse(readFileSync(new URL('../../compat/openapi/helpdesk.json', import.meta.url), 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc as object, 'helpdesk');
  const validate = ajv.getSchema('helpdesk#/components/schemas/HelpdeskPayload');
  if (!validate) throw new Error('HelpdeskPayload is not in the document');
  return validate;
}

/** A native endpoint id (`ep_…`) as Helpdesk shows the same endpoint (`whk_…`). */
function whkOf(nativeId: string): string {
  return `whk_${uuidToUlid(uuidOf(nativeId))}`;
}

function expectWebhookShape(w: HelpdeskWebhook) {
  expect(Object.keys(w).sort()).toEqual(['active', 'createdAt', 'events', 'id', 'name', 'targetUrl', 'updatedAt']);
  expect(w.id).toMatch(idPattern);
  expect(typeof w.name).toBe('string');
  expect(typeof w.targetUrl).toBe('string');
  expect(Array.isArray(w.events)).toBe(true);
  expect(typeof w.active).toBe('boolean');
  expect(w.createdAt).toMatch(millisTimestamp);
  expect(w.updatedAt).toMatch(millisTimestamp);
}

describe('the seed examples', () => {
  it('POST /webhooks {"webhook": …} → 201 {"webhook": …} with signingSecret', async () => {
    const res = await hd<{ webhook: WithSecret }>('POST', base, { json: seedCreate });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.body)).toEqual(['webhook']);
    const { signingSecret, ...rest } = res.body.webhook;
    expectWebhookShape(rest);
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(rest).toMatchObject(seedCreate.webhook);
    expect(rest.createdAt).toBe(rest.updatedAt);
  });

  it('GET /webhooks → {"webhooks": […]}, without secrets', async () => {
    const made = await create();
    const res = await hd<{ webhooks: HelpdeskWebhook[] }>('GET', base);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['webhooks']);
    const found = res.body.webhooks.find((w) => w.id === made.id);
    if (!found) throw new Error('created webhook not listed');
    expectWebhookShape(found);
    for (const w of res.body.webhooks) expect(w).not.toHaveProperty('signingSecret');
  });

  it('GET /webhooks/:id → {"webhook": …}, without the secret', async () => {
    const made = await create();
    const res = await hd<{ webhook: HelpdeskWebhook }>('GET', `${base}/${made.id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['webhook']);
    expectWebhookShape(res.body.webhook);
    const { signingSecret: _secret, ...expected } = made;
    expect(res.body.webhook).toEqual(expected);
  });

  it('PUT /webhooks/:id changes only the fields given', async () => {
    const made = await create();
    const res = await hd<{ webhook: HelpdeskWebhook }>('PUT', `${base}/${made.id}`, { json: seedUpdate });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['webhook']);
    expectWebhookShape(res.body.webhook);
    expect(res.body.webhook).toMatchObject({
      id: made.id,
      name: 'Updated Name',
      targetUrl: made.targetUrl,
      events: ['ticket.created'],
      active: false,
      createdAt: made.createdAt,
    });
    expect(Date.parse(res.body.webhook.updatedAt)).toBeGreaterThanOrEqual(Date.parse(made.updatedAt));
    const read = await hd<{ webhook: HelpdeskWebhook }>('GET', `${base}/${made.id}`);
    expect(read.body.webhook).toEqual(res.body.webhook);
  });

  it('DELETE /webhooks/:id → 204 with no body, then 404', async () => {
    const made = await create();
    const res = await hd('DELETE', `${base}/${made.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const gone = await hd<{ error: { code: string } }>('GET', `${base}/${made.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('NOT_FOUND');
  });
});

describe('bodies, partial updates and access', () => {
  it('accepts a bare body as well as the {"webhook": …} envelope', async () => {
    const made = await create(seedCreate.webhook);
    expect(made).toMatchObject(seedCreate.webhook);
    const res = await hd<{ webhook: HelpdeskWebhook }>('PUT', `${base}/${made.id}`, { json: { name: 'Bare' } });
    expect(res.status).toBe(200);
    expect(res.body.webhook.name).toBe('Bare');
  });

  it('defaults active to true, and creates an inactive webhook when asked', async () => {
    const { active: _active, ...withoutActive } = seedCreate.webhook;
    expect((await create({ webhook: withoutActive })).active).toBe(true);
    expect((await create({ webhook: { ...withoutActive, active: false } })).active).toBe(false);
  });

  it('PUT of each field alone leaves the others as they were', async () => {
    const made = await create();
    const steps: [Record<string, unknown>, Partial<HelpdeskWebhook>][] = [
      [{ name: 'Only name' }, { name: 'Only name' }],
      [{ targetUrl: 'https://example.org/other' }, { targetUrl: 'https://example.org/other' }],
      [{ events: ['ticket.resolved', 'ticket.deleted'] }, { events: ['ticket.resolved', 'ticket.deleted'] }],
      [{ active: false }, { active: false }],
      [{ active: true }, { active: true }],
    ];
    let expected: HelpdeskWebhook = { ...made };
    for (const [change, effect] of steps) {
      const res = await hd<{ webhook: HelpdeskWebhook }>('PUT', `${base}/${made.id}`, { json: { webhook: change } });
      expect(res.status, res.text).toBe(200);
      expected = { ...expected, ...effect, updatedAt: res.body.webhook.updatedAt };
      const { signingSecret: _s, ...shown } = expected as WithSecret;
      expect(res.body.webhook).toEqual(shown);
    }
  });

  it('an empty PUT changes nothing, not even updatedAt', async () => {
    const made = await create();
    const before = await t.snapshot();
    for (const json of [{}, { webhook: {} }]) {
      const res = await hd<{ webhook: HelpdeskWebhook }>('PUT', `${base}/${made.id}`, { json });
      expect(res.status).toBe(200);
      expect(res.body.webhook.updatedAt).toBe(made.updatedAt);
    }
    expect(await t.snapshot()).toBe(before);
  });

  it('ignores fields it does not know, so a webhook read can be sent back', async () => {
    const made = await create();
    const { signingSecret: _s, ...read } = made;
    const res = await hd<{ webhook: HelpdeskWebhook }>('PUT', `${base}/${made.id}`, {
      json: { webhook: { ...read, name: 'Round trip', id: 'whk_other', createdAt: 'yesterday', color: 'blue' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.webhook).toMatchObject({ id: made.id, name: 'Round trip', createdAt: made.createdAt });
  });

  it('accepts the key as X-API-Key as well as Authorization: Bearer', async () => {
    const made = await create();
    const res = await api.get<{ webhook: HelpdeskWebhook }>(`${base}/${made.id}`, {
      headers: { 'x-api-key': tenant.token, 'x-workspace-id': tenant.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.webhook.id).toBe(made.id);
  });

  it('grants admin to a token with endpoints:write, or *', async () => {
    const writer = await createToken(t, tenant.id, ['endpoints:write']);
    const res = await hd('GET', base, { as: { id: tenant.id, token: writer } });
    expect(res.status).toBe(200);
  });

  it('lists every webhook of the workspace, oldest first', async () => {
    const other = await createTenant(t, { presets: ['helpdesk'] });
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.push((await create({ ...seedCreate.webhook, name: `n${i}` }, other)).id);
    const res = await hd<{ webhooks: HelpdeskWebhook[] }>('GET', base, { as: other });
    expect(res.body.webhooks.map((w) => w.id)).toEqual(made);
  });
});

describe('isolation', () => {
  it("another workspace's webhook is a 404 on every route, and stays as it was", async () => {
    const other = await createTenant(t, { presets: ['helpdesk'] });
    const theirs = await create(seedCreate, other);
    const before = await t.snapshot();
    for (const [method, json] of [
      ['GET', undefined],
      ['PUT', { webhook: { name: 'x' } }],
      ['DELETE', undefined],
    ] as const) {
      const res = await hd<{ error: { code: string } }>(method, `${base}/${theirs.id}`, json ? { json } : {});
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect(await t.snapshot()).toBe(before);
    const mine = await hd<{ webhooks: HelpdeskWebhook[] }>('GET', base);
    expect(mine.body.webhooks.map((w) => w.id)).not.toContain(theirs.id);
  });

  it('an endpoint created natively is not visible through Helpdesk, even by its own id', async () => {
    const native = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://example.com/native', eventTypes: ['ticket.created'] },
    });
    expect(native.status).toBe(201);
    const list = await hd<{ webhooks: HelpdeskWebhook[] }>('GET', base);
    expect(list.body.webhooks.map((w) => w.targetUrl)).not.toContain('https://example.com/native');
    // The same internal id, in Helpdesk's format.
    const asWhk = whkOf(native.body.id);
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await hd(method, `${base}/${asWhk}`, method === 'PUT' ? { json: { name: 'x' } } : {});
      expect(res.status).toBe(404);
    }
    const still = await t.api.get<Endpoint>(`/v1/endpoints/${native.body.id}`, { token: tenant.token });
    expect(still.status).toBe(200);
  });

  it('a webhook created through Helpdesk is visible natively with profile helpdesk', async () => {
    const made = await create();
    const page = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?profile=helpdesk&limit=100', {
      token: tenant.token,
    });
    const native = page.body.data.find((e) => whkOf(e.id) === made.id);
    if (!native) throw new Error('not visible natively');
    expect(native).toMatchObject({
      profile: 'helpdesk',
      url: made.targetUrl,
      name: made.name,
      eventTypes: made.events,
      status: 'active',
    });
  });
});

describe('delivery', () => {
  // A workspace of its own, so no other test's webhook receives these events.
  let ws: TenantFixture;
  beforeAll(async () => {
    ws = await createTenant(t, { presets: ['helpdesk'] });
  });

  async function publish(type: string, data: Record<string, unknown>) {
    const res = await t.api.post<{ id: string; deliveryCount: number }>('/v1/events', {
      token: ws.token,
      json: { type, data },
    });
    expect(res.status).toBe(202);
    return res.body;
  }

  it('delivers a natively published event in Helpdesk shape, verified by standardwebhooks', async () => {
    const r = await receiver();
    const made = await create({ webhook: { ...seedCreate.webhook, targetUrl: r.url } }, ws);
    const ticket = { id: 'tkt_abc123', subject: 'Printer on fire', status: 'open' };
    const event = await publish('ticket.created', { ticket });
    expect(event.deliveryCount).toBe(1);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(got.headers['content-type']).toBe('application/json');
    const verified = new Webhook(made.signingSecret).verify(got.body, got.headers as Record<string, string>);
    expect(verified).toEqual({
      event: 'ticket.created',
      timestamp: expect.stringMatching(millisTimestamp),
      data: { ticket },
    });
    expect(got.headers['webhook-id']).toBe(event.id);
  });

  it('ticket.updated carries updatedFields inside the ticket; bare data is wrapped as the ticket', async () => {
    const r = await receiver();
    const made = await create({ webhook: { ...seedCreate.webhook, targetUrl: r.url, events: ['ticket.updated'] } }, ws);
    const updatedFields = { status: { from: 'open', to: 'pending' } };
    await publish('ticket.updated', { ticket: { id: 'tkt_abc123', updatedFields } });
    await publish('ticket.updated', { id: 'tkt_bare', updatedFields });
    const got = await r.waitFor(2);
    const bodies = got.map(
      (g) => new Webhook(made.signingSecret).verify(g.body, g.headers as Record<string, string>) as HelpdeskPayload,
    );
    const byId = new Map(bodies.map((b) => [b.data.ticket.id, b]));
    expect(byId.get('tkt_abc123')).toMatchObject({
      event: 'ticket.updated',
      data: { ticket: { id: 'tkt_abc123', updatedFields } },
    });
    expect(byId.get('tkt_bare')?.data).toEqual({ ticket: { id: 'tkt_bare', updatedFields } });
  });

  it('sends nothing to an inactive webhook, and only subscribed events to an active one', async () => {
    const r = await receiver();
    const made = await create(
      {
        webhook: { ...seedCreate.webhook, targetUrl: r.url, events: ['ticket.resolved'], active: false },
      },
      ws,
    );
    await publish('ticket.resolved', { ticket: { id: 'held' } });
    await publish('ticket.deleted', { ticket: { id: 'not subscribed' } });
    expect(r.received).toHaveLength(0);
    // Re-activating releases what waited while it was paused.
    await hd('PUT', `${base}/${made.id}`, { json: { webhook: { active: true } }, as: ws });
    const [got] = await r.waitFor(1);
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ event: 'ticket.resolved', data: { ticket: { id: 'held' } } });
  });

  it('retries with the same webhook-id until the receiver accepts', async () => {
    const r = await receiver((_req, n, res) => {
      res.writeHead(n < 2 ? 500 : 200).end();
    });
    const made = await create({ webhook: { ...seedCreate.webhook, targetUrl: r.url, events: ['ticket.deleted'] } }, ws);
    const event = await publish('ticket.deleted', { ticket: { id: 'tkt_gone' } });
    const got = await r.waitFor(2);
    expect(got.map((g) => g.headers['webhook-id'])).toEqual([event.id, event.id]);
    for (const g of got) {
      expect(new Webhook(made.signingSecret).verify(g.body, g.headers as Record<string, string>)).toMatchObject({
        event: 'ticket.deleted',
      });
    }
    const firstBody = JSON.parse(got[0]?.body ?? '{}') as HelpdeskPayload;
    const secondBody = JSON.parse(got[1]?.body ?? '{}') as HelpdeskPayload;
    expect(secondBody.timestamp).toBe(firstBody.timestamp);
    const delivery = await until('the delivery to succeed', async () => {
      const page = await t.api.get<PageOf<{ id: string; eventId: string; status: string }>>(
        '/v1/deliveries?limit=100',
        { token: ws.token },
      );
      return page.body.data.find((d) => d.eventId === event.id && d.status === 'succeeded');
    });
    // A native redelivery is the same message again: same webhook-id, same body.
    const again = await t.api.post(`/v1/deliveries/${delivery.id}/redeliver`, { token: ws.token });
    expect(again.status).toBeLessThan(300);
    const [, , third] = await r.waitFor(3);
    expect(third?.headers['webhook-id']).toBe(event.id);
    expect(third?.body).toBe(got[1]?.body);
  });

  it('every delivered body matches the HelpdeskPayload schema of the document', async () => {
    const r = await receiver();
    await create({ webhook: { ...seedCreate.webhook, targetUrl: r.url, events: ticketEvents } }, ws);
    for (const type of ticketEvents) await publish(type, { ticket: { id: `tkt_${type}` } });
    const got = await r.waitFor(ticketEvents.length);
    const validate = payloadValidator();
    for (const g of got) {
      const body: unknown = JSON.parse(g.body);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(new Set(got.map((g) => (JSON.parse(g.body) as HelpdeskPayload).event))).toEqual(new Set(ticketEvents));
  });
});

describe('documents', () => {
  it('serves its OpenAPI document and lists it on /docs', async () => {
    const doc = await t.raw.get<{ openapi: string; paths: Record<string, unknown> }>('/openapi/helpdesk.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual([base, `${base}/{id}`]);
    const docs = await t.raw.get('/docs');
    expect(docs.text).toContain('/openapi/helpdesk.json');
  });
});
