import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { expectProblem, storedRows } from './support/problem-assertions.ts';
import type { Endpoint, EndpointWithSecret, PageOf, RotatedSecret } from './support/types.ts';

let t: TestHookport;
beforeAll(async () => {
  t = await startHookport();
});
afterAll(async () => {
  await t.close();
});

/** `whsec_` and the base64 of 24 to 64 random bytes (design §5). */
function expectEndpointSecret(secret: string) {
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
  const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
  expect(bytes).toBeGreaterThanOrEqual(24);
  expect(bytes).toBeLessThanOrEqual(64);
}

function ownSecret(bytes = 32): string {
  return `whsec_${randomBytes(bytes).toString('base64')}`;
}

type CreateBody = Record<string, unknown> & { eventTypes?: string[] };

async function create(tenant: TenantFixture, body: CreateBody = {}) {
  const res = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url: 'https://receiver.example.com/hooks', eventTypes: ['ticket.created'], ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function listIds(tenant: TenantFixture, query: string): Promise<string[]> {
  const res = await t.api.get<PageOf<Endpoint>>(`/v1/endpoints?limit=100&${query}`, { token: tenant.token });
  expect(res.status, res.text).toBe(200);
  return res.body.data.map((e) => e.id);
}

/** The stored row of an endpoint, found by its (test-unique) URL. */
async function storedEndpoint(url: string): Promise<Record<string, unknown>> {
  const row = (await storedRows(t, 'endpoints')).find((r) => r.url === url);
  if (!row) throw new Error(`no stored endpoint with url ${url}`);
  return row;
}

describe('create and read', () => {
  let tenant: TenantFixture;
  beforeAll(async () => {
    tenant = await createTenant(t);
  });

  it('creates an endpoint with defaults and returns its secret once', async () => {
    const created = await create(tenant);
    expect(created.id).toMatch(/^ep_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    expect(created).toMatchObject({
      url: 'https://receiver.example.com/hooks',
      name: '',
      description: '',
      eventTypes: ['ticket.created'],
      status: 'active',
      profile: 'native',
      headers: {},
      rateLimit: null,
      metadata: {},
      disabledReason: null,
    });
    expectEndpointSecret(created.secret);
    expect(created.createdAt).toBe(created.updatedAt);

    const got = await t.api.get<Endpoint>(`/v1/endpoints/${created.id}`, { token: tenant.token });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.text).not.toContain(created.secret);
    const { secret: _secret, ...withoutSecret } = created;
    expect(got.body).toEqual(withoutSecret);
  });

  it('stores every field given', async () => {
    const created = await create(tenant, {
      url: 'https://hooks.example.org/in?source=hookport',
      name: '  Billing receiver  ',
      description: 'Where invoices go',
      eventTypes: ['ticket.created', 'ticket.*', '*'],
      status: 'paused',
      profile: 'helpdesk',
      headers: { 'X-Team': 'billing', Authorization: 'Bearer receiver-token' },
      rateLimit: 25,
      metadata: { owner: 'billing', tier: 'gold' },
    });
    expect(created).toMatchObject({
      url: 'https://hooks.example.org/in?source=hookport',
      name: 'Billing receiver',
      description: 'Where invoices go',
      eventTypes: ['ticket.created', 'ticket.*', '*'],
      status: 'paused',
      profile: 'helpdesk',
      // Values are masked on every read (docs/api.md, "Custom headers").
      headers: { 'X-Team': '••••', Authorization: 'Bearer ••••oken' },
      rateLimit: 25,
      metadata: { owner: 'billing', tier: 'gold' },
      disabledReason: null,
    });
    const got = await t.api.get<Endpoint>(`/v1/endpoints/${created.id}`, { token: tenant.token });
    expect(got.body.headers).toEqual({ 'X-Team': '••••', Authorization: 'Bearer ••••oken' });
  });

  it('accepts `*` and prefix.* subscriptions at any depth', async () => {
    const all = await create(tenant, { eventTypes: ['*'] });
    expect(all.eventTypes).toEqual(['*']);
    const family = await create(tenant, { eventTypes: ['ticket.*'] });
    expect(family.eventTypes).toEqual(['ticket.*']);
    // ticket.assignment.changed is two levels below `ticket.`
    const deep = await create(tenant, { eventTypes: ['ticket.assignment.*'] });
    expect(deep.eventTypes).toEqual(['ticket.assignment.*']);
  });

  it('keeps each subscription once', async () => {
    const created = await create(tenant, { eventTypes: ['ticket.created', 'ticket.updated', 'ticket.created'] });
    expect(created.eventTypes).toEqual(['ticket.created', 'ticket.updated']);
  });

  it('keeps a secret brought from another vendor', async () => {
    const secret = ownSecret(24);
    const created = await create(tenant, { secret, url: 'https://byo.example.com/create' });
    expect(created.secret).toBe(secret);
    expect((await storedEndpoint('https://byo.example.com/create')).secret_enc).not.toContain(secret);
  });

  it('gives each endpoint its own secret', async () => {
    const a = await create(tenant);
    const b = await create(tenant);
    expect(a.secret).not.toBe(b.secret);
  });
});

describe('list', () => {
  let tenant: TenantFixture;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    tenant = await createTenant(t, { presets: ['helpdesk', 'xpath'] });
    const make = async (key: string, body: CreateBody) => {
      ids[key] = (await create(tenant, body)).id;
    };
    await make('exact', { eventTypes: ['ticket.created'] });
    await make('family', { eventTypes: ['ticket.*'] });
    await make('all', { eventTypes: ['*'], profile: 'spedy' });
    await make('cases', { eventTypes: ['cases.*'], status: 'paused', profile: 'xpath' });
    await make('tasks', { eventTypes: ['cases.tasks.*', 'ticket.resolved'], profile: 'xpath' });
    const disabled = await create(tenant, { eventTypes: ['ticket.updated'] });
    ids.disabled = disabled.id;
    await t.api.patch(`/v1/endpoints/${disabled.id}`, { token: tenant.token, json: { status: 'disabled' } });
  });

  const pick = (...keys: string[]) => keys.map((k) => ids[k]);

  it('lists every endpoint of the tenant, newest first, without secrets', async () => {
    const res = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?limit=100', { token: tenant.token });
    expect(res.body.data.map((e) => e.id)).toEqual(pick('disabled', 'tasks', 'cases', 'all', 'family', 'exact'));
    expect(res.body.nextCursor).toBeNull();
    for (const e of res.body.data) expect(e).not.toHaveProperty('secret');
  });

  it('filters by status', async () => {
    expect(await listIds(tenant, 'status=active')).toEqual(pick('tasks', 'all', 'family', 'exact'));
    expect(await listIds(tenant, 'status=paused')).toEqual(pick('cases'));
    expect(await listIds(tenant, 'status=disabled')).toEqual(pick('disabled'));
  });

  it('filters by profile', async () => {
    expect(await listIds(tenant, 'profile=xpath')).toEqual(pick('tasks', 'cases'));
    expect(await listIds(tenant, 'profile=spedy')).toEqual(pick('all'));
    expect(await listIds(tenant, 'profile=tsanet')).toEqual([]);
  });

  it('filters by the event type an endpoint would receive, wildcards included', async () => {
    expect(await listIds(tenant, 'eventType=ticket.created')).toEqual(pick('all', 'family', 'exact'));
    expect(await listIds(tenant, 'eventType=ticket.assignment.changed')).toEqual(pick('all', 'family'));
    expect(await listIds(tenant, 'eventType=ticket.resolved')).toEqual(pick('tasks', 'all', 'family'));
    expect(await listIds(tenant, 'eventType=cases.tasks.created')).toEqual(pick('tasks', 'cases', 'all'));
    expect(await listIds(tenant, 'eventType=cases.created')).toEqual(pick('cases', 'all'));
    // `ticket.*` selects what is below `ticket.`, not `ticket` itself nor `tickets.x`.
    expect(await listIds(tenant, 'eventType=ticket')).toEqual(pick('all'));
    expect(await listIds(tenant, 'eventType=tickets.created')).toEqual(pick('all'));
  });

  it('combines filters', async () => {
    expect(await listIds(tenant, 'eventType=cases.tasks.created&status=active')).toEqual(pick('tasks', 'all'));
    expect(await listIds(tenant, 'eventType=cases.tasks.created&profile=xpath&status=paused')).toEqual(pick('cases'));
    expect(await listIds(tenant, 'eventType=ticket.updated&status=disabled')).toEqual(pick('disabled'));
  });

  it('pages with a cursor, newest first, without repeats, filters kept', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await t.api.get<PageOf<Endpoint>>(`/v1/endpoints?limit=2${q}`, { token: tenant.token });
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(pick('disabled', 'tasks', 'cases', 'all', 'family', 'exact'));

    const first = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?limit=1&status=active', { token: tenant.token });
    expect(first.body.data.map((e) => e.id)).toEqual(pick('tasks'));
    const next = first.body.nextCursor ?? '';
    const second = await t.api.get<PageOf<Endpoint>>(`/v1/endpoints?limit=2&status=active&cursor=${next}`, {
      token: tenant.token,
    });
    expect(second.body.data.map((e) => e.id)).toEqual(pick('all', 'family'));
  });

  it('ends on an exactly full page with a null cursor', async () => {
    const res = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?limit=6', { token: tenant.token });
    expect(res.body.data).toHaveLength(6);
    expect(res.body.nextCursor).toBeNull();
  });
});

describe('update', () => {
  let tenant: TenantFixture;
  beforeAll(async () => {
    tenant = await createTenant(t);
  });

  it('changes only the fields given', async () => {
    const created = await create(tenant, {
      name: 'Before',
      description: 'Kept',
      headers: { 'X-Kept': '1' },
      rateLimit: 10,
      metadata: { kept: 'yes' },
    });
    const renamed = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, {
      token: tenant.token,
      json: { name: 'After' },
    });
    expect(renamed.status).toBe(200);
    const { secret: _secret, name: _name, updatedAt: _updatedAt, ...unchanged } = created;
    expect(renamed.body).toMatchObject({ ...unchanged, name: 'After' });
    expect(renamed.body).not.toHaveProperty('secret');
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    const everything = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, {
      token: tenant.token,
      json: {
        url: 'https://moved.example.com/new',
        description: 'New',
        eventTypes: ['ticket.*'],
        headers: { 'X-New': '2' },
        rateLimit: 500,
        metadata: { fresh: 'true' },
      },
    });
    expect(everything.body).toMatchObject({
      id: created.id,
      url: 'https://moved.example.com/new',
      name: 'After',
      description: 'New',
      eventTypes: ['ticket.*'],
      headers: { 'X-New': '••••' },
      rateLimit: 500,
      metadata: { fresh: 'true' },
      createdAt: created.createdAt,
    });
    const got = await t.api.get<Endpoint>(`/v1/endpoints/${created.id}`, { token: tenant.token });
    expect(got.body).toEqual(everything.body);
  });

  it('removes the rate limit with `rateLimit: null` and keeps it when absent', async () => {
    const created = await create(tenant, { rateLimit: 5 });
    const kept = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, {
      token: tenant.token,
      json: { description: 'no change to the limit' },
    });
    expect(kept.body.rateLimit).toBe(5);
    const removed = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, {
      token: tenant.token,
      json: { rateLimit: null },
    });
    expect(removed.body.rateLimit).toBeNull();
    const set = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, {
      token: tenant.token,
      json: { rateLimit: 10_000 },
    });
    expect(set.body.rateLimit).toBe(10_000);
  });

  it('accepts an empty update', async () => {
    const created = await create(tenant);
    const res = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, { token: tenant.token, json: {} });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(created.id);
  });

  it('pauses, disables and re-activates, recording why it was disabled', async () => {
    const created = await create(tenant);
    const setStatus = async (status: string) => {
      const res = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, { token: tenant.token, json: { status } });
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(await setStatus('paused')).toMatchObject({ status: 'paused', disabledReason: null });
    expect(await setStatus('disabled')).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    // Changing something else leaves the reason in place.
    const renamed = await t.api.patch<Endpoint>(`/v1/endpoints/${created.id}`, {
      token: tenant.token,
      json: { name: 'still disabled' },
    });
    expect(renamed.body).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    expect(await setStatus('active')).toMatchObject({ status: 'active', disabledReason: null });
  });
});

describe('delete', () => {
  it('deletes an endpoint; it is gone afterwards', async () => {
    const tenant = await createTenant(t);
    const created = await create(tenant);
    const other = await create(tenant);

    const deleted = await t.api.delete(`/v1/endpoints/${created.id}`, { token: tenant.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');

    expectProblem(await t.api.get(`/v1/endpoints/${created.id}`, { token: tenant.token }), 'not_found');
    expectProblem(await t.api.delete(`/v1/endpoints/${created.id}`, { token: tenant.token }), 'not_found');
    expectProblem(
      await t.api.patch(`/v1/endpoints/${created.id}`, { token: tenant.token, json: { name: 'x' } }),
      'not_found',
    );
    expect(await listIds(tenant, '')).toEqual([other.id]);
  });
});

describe('secret rotation', () => {
  let tenant: TenantFixture;
  beforeAll(async () => {
    tenant = await createTenant(t);
  });

  it('returns a new secret; the old one keeps signing for 24 h by default', async () => {
    const url = 'https://rotate.example.com/default';
    const created = await create(tenant, { url });
    const before = await storedEndpoint(url);

    const startedAt = Date.now();
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${created.id}/secret/rotate`, {
      token: tenant.token,
    });
    expect(rotated.status).toBe(200);
    expectEndpointSecret(rotated.body.secret);
    expect(rotated.body.secret).not.toBe(created.secret);

    const expiresAt = Date.parse(rotated.body.previousSecretExpiresAt ?? '');
    const day = 24 * 3600 * 1000;
    expect(expiresAt).toBeGreaterThanOrEqual(startedAt + day - 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + day + 60_000);

    // The sealed old secret moved to the previous slot; the new one is sealed in its place.
    const after = await storedEndpoint(url);
    expect(after.previous_secret_enc).toBe(before.secret_enc);
    expect(after.secret_enc).not.toBe(before.secret_enc);

    const got = await t.api.get<Endpoint>(`/v1/endpoints/${created.id}`, { token: tenant.token });
    expect(got.text).not.toContain(rotated.body.secret);
  });

  it('accepts an explicit empty JSON body as all defaults', async () => {
    const created = await create(tenant);
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${created.id}/secret/rotate`, {
      token: tenant.token,
      json: {},
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
  });

  it('drops the old secret at once with gracePeriodSeconds 0', async () => {
    const url = 'https://rotate.example.com/now';
    const created = await create(tenant, { url });
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${created.id}/secret/rotate`, {
      token: tenant.token,
      json: { gracePeriodSeconds: 0 },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousSecretExpiresAt).toBeNull();
    const after = await storedEndpoint(url);
    expect(after.previous_secret_enc).toBeNull();
    expect(after.previous_secret_expires_at).toBeNull();
  });

  it('honours a custom grace period', async () => {
    const created = await create(tenant);
    const startedAt = Date.now();
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${created.id}/secret/rotate`, {
      token: tenant.token,
      json: { gracePeriodSeconds: 3600 },
    });
    const expiresAt = Date.parse(rotated.body.previousSecretExpiresAt ?? '');
    expect(expiresAt).toBeGreaterThanOrEqual(startedAt + 3600_000 - 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 60_000);
  });

  it('takes a secret brought by the caller', async () => {
    const created = await create(tenant);
    const secret = ownSecret(64);
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${created.id}/secret/rotate`, {
      token: tenant.token,
      json: { secret, gracePeriodSeconds: 60 },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toBe(secret);
  });

  it('rotates again: the previous slot holds the secret just replaced', async () => {
    const url = 'https://rotate.example.com/twice';
    const created = await create(tenant, { url });
    await t.api.post(`/v1/endpoints/${created.id}/secret/rotate`, { token: tenant.token });
    const middle = await storedEndpoint(url);
    const second = await t.api.post<RotatedSecret>(`/v1/endpoints/${created.id}/secret/rotate`, {
      token: tenant.token,
    });
    expect(second.status).toBe(200);
    expect((await storedEndpoint(url)).previous_secret_enc).toBe(middle.secret_enc);
  });
});
