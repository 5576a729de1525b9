import { afterAll, describe, expect, it } from 'vitest';
import { type ApiResponse, createTenant, startHookport, type TenantFixture } from './support/harness.ts';
import { expectInvalid, expectProblem, expectUnchanged } from './support/problem-assertions.ts';
import type { CreatedToken, Tenant } from './support/types.ts';

/**
 * Per-tenant quotas on the native API (docs/api.md, "Quotas"): the server's defaults from
 * HOOKPORT_MAX_*, the admin's overrides per tenant, a 409 `quota_exceeded` for endpoints, event types
 * and tokens and a 429 `daily_quota_exceeded` for events per day, each naming the limit, with nothing
 * stored; parallel creates at the limit store exactly the limit; other tenants are not affected.
 */

// Small defaults, so a tenant without overrides reaches them in a few requests.
const t = await startHookport({
  HOOKPORT_MAX_ENDPOINTS_PER_TENANT: '3',
  HOOKPORT_MAX_EVENT_TYPES_PER_TENANT: '4',
  HOOKPORT_MAX_TOKENS_PER_TENANT: '3',
  HOOKPORT_MAX_EVENTS_PER_DAY: '4',
});
afterAll(() => t.close());

const admin = { token: t.adminToken };

/** A tenant with no presets (its event types are only those a test makes), one token, and these overrides. */
async function tenantWith(quotas: Record<string, unknown> = {}): Promise<TenantFixture> {
  const fx = await createTenant(t, { presets: [] });
  if (Object.keys(quotas).length > 0) {
    const res = await t.api.patch(`/v1/tenants/${fx.id}`, { ...admin, json: { quotas } });
    expect(res.status, res.text).toBe(200);
  }
  return fx;
}

function createEndpoint(fx: TenantFixture, n: number) {
  return t.api.post('/v1/endpoints', {
    token: fx.token,
    json: { url: `https://example.com/hook/${n}`, eventTypes: ['*'] },
  });
}

function createEventType(fx: TenantFixture, name: string) {
  return t.api.post('/v1/event-types', { token: fx.token, json: { name } });
}

function createApiToken(fx: TenantFixture, n: number) {
  return t.api.post<CreatedToken>(`/v1/tenants/${fx.id}/tokens`, { ...admin, json: { name: `t${n}`, scopes: ['*'] } });
}

async function publish(fx: TenantFixture, n: number, idempotencyKey?: string) {
  return t.api.post('/v1/events', {
    token: fx.token,
    json: { type: 'order.placed', data: { n } },
    ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
  });
}

/** A tenant with an `order.placed` event type to publish. */
async function publisher(quotas: Record<string, unknown> = {}): Promise<TenantFixture> {
  const fx = await tenantWith(quotas);
  expect((await createEventType(fx, 'order.placed')).status).toBe(201);
  return fx;
}

/** Asserts a quota refusal: its status and code, and the limit in the message. */
function expectQuota(res: ApiResponse, code: 'quota_exceeded' | 'daily_quota_exceeded', limit: number, noun: string) {
  const problem = expectProblem(res, code);
  expect(problem.detail).toContain(`quota of ${limit} ${noun}`);
  return problem;
}

describe('the admin API shows and sets quotas', () => {
  it('shows the defaults as limits, and the overrides it was given at creation', async () => {
    const res = await t.api.post<Tenant>('/v1/tenants', {
      ...admin,
      json: { name: 'Quota', quotas: { endpoints: 10, eventsPerDay: 'unlimited' } },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.quotas).toEqual({ endpoints: 10, eventsPerDay: 'unlimited' });
    expect(res.body.limits).toEqual({ endpoints: 10, eventTypes: 4, tokens: 3, eventsPerDay: 'unlimited' });
    const read = await t.api.get<Tenant>(`/v1/tenants/${res.body.id}`, admin);
    expect(read.body.limits).toEqual(res.body.limits);
  });

  it('changes one override, removes another with null, and leaves the rest', async () => {
    const fx = await tenantWith({ endpoints: 10, tokens: 7 });
    const res = await t.api.patch<Tenant>(`/v1/tenants/${fx.id}`, {
      ...admin,
      json: { quotas: { endpoints: null, eventTypes: 'unlimited' } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.quotas).toEqual({ eventTypes: 'unlimited', tokens: 7 });
    expect(res.body.limits).toEqual({ endpoints: 3, eventTypes: 'unlimited', tokens: 7, eventsPerDay: 4 });
    const renamed = await t.api.patch<Tenant>(`/v1/tenants/${fx.id}`, { ...admin, json: { name: 'Renamed' } });
    expect(renamed.body.quotas).toEqual({ eventTypes: 'unlimited', tokens: 7 });
  });

  it.each([
    [{ endpoints: 0 }, 'quotas.endpoints'],
    [{ tokens: -1 }, 'quotas.tokens'],
    [{ eventTypes: 1.5 }, 'quotas.eventTypes'],
    [{ eventsPerDay: 'lots' }, 'quotas.eventsPerDay'],
    [{ webhooks: 3 }, 'quotas.webhooks'],
  ])('refuses the quotas %j with a 422 naming %s, storing nothing', async (quotas, path) => {
    const fx = await tenantWith();
    await expectUnchanged(t, async () => {
      expectInvalid(await t.api.patch(`/v1/tenants/${fx.id}`, { ...admin, json: { quotas } }), path);
      expectInvalid(await t.api.post('/v1/tenants', { ...admin, json: { name: 'Bad', quotas } }), path);
    });
  });

  it('refuses a tenant whose presets exceed its event type quota, storing nothing', async () => {
    const res = await expectUnchanged(t, () =>
      t.api.post('/v1/tenants', { ...admin, json: { name: 'Big catalogue', presets: ['rapidly'] } }),
    );
    expectQuota(res, 'quota_exceeded', 4, 'event types');
    const raised = await t.api.post('/v1/tenants', {
      ...admin,
      json: { name: 'Big catalogue', presets: ['rapidly'], quotas: { eventTypes: 100 } },
    });
    expect(raised.status, raised.text).toBe(201);
  });
});

describe('endpoints', () => {
  it('refuses the endpoint over the default quota with a 409 naming the limit, storing nothing', async () => {
    const fx = await tenantWith();
    for (let i = 0; i < 3; i++) expect((await createEndpoint(fx, i)).status).toBe(201);
    const res = await expectUnchanged(t, () => createEndpoint(fx, 3));
    expectQuota(res, 'quota_exceeded', 3, 'endpoints');
    // Deleting one frees its place.
    const list = await t.api.get<{ data: { id: string }[] }>('/v1/endpoints', { token: fx.token });
    expect(list.body.data).toHaveLength(3);
    expect((await t.api.delete(`/v1/endpoints/${list.body.data[0]?.id}`, { token: fx.token })).status).toBe(204);
    expect((await createEndpoint(fx, 4)).status).toBe(201);
  });

  it("follows the tenant's override, lower or higher than the default, and no other tenant's", async () => {
    const lower = await tenantWith({ endpoints: 1 });
    const higher = await tenantWith({ endpoints: 5 });
    expect((await createEndpoint(lower, 0)).status).toBe(201);
    expectQuota(await createEndpoint(lower, 1), 'quota_exceeded', 1, 'endpoints');
    for (let i = 0; i < 5; i++) expect((await createEndpoint(higher, i)).status).toBe(201);
    expectQuota(await createEndpoint(higher, 5), 'quota_exceeded', 5, 'endpoints');
    const unlimited = await tenantWith({ endpoints: 'unlimited' });
    for (let i = 0; i < 6; i++) expect((await createEndpoint(unlimited, i)).status).toBe(201);
  });

  it('stores exactly the limit when creates race at it', async () => {
    const fx = await tenantWith({ endpoints: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => createEndpoint(fx, i)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of answers.filter((a) => a.status !== 201)) expectQuota(r, 'quota_exceeded', 3, 'endpoints');
    const list = await t.api.get<{ data: unknown[] }>('/v1/endpoints?limit=100', { token: fx.token });
    expect(list.body.data).toHaveLength(3);
  });
});

describe('event types', () => {
  it('refuses the event type over the quota with a 409 naming the limit; a name taken is still a conflict', async () => {
    const fx = await tenantWith();
    for (const name of ['a.one', 'a.two', 'a.three', 'a.four'])
      expect((await createEventType(fx, name)).status).toBe(201);
    const res = await expectUnchanged(t, () => createEventType(fx, 'a.five'));
    expectQuota(res, 'quota_exceeded', 4, 'event types');
    expectProblem(await createEventType(fx, 'a.one'), 'conflict');
    // Another tenant is not affected.
    expect((await createEventType(await tenantWith(), 'a.one')).status).toBe(201);
  });

  it('stores exactly the limit when creates race at it', async () => {
    const fx = await tenantWith({ eventTypes: 2 });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => createEventType(fx, `race.e${i}`)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(2);
    for (const r of answers.filter((a) => a.status !== 201)) expectQuota(r, 'quota_exceeded', 2, 'event types');
    const list = await t.api.get<{ data: unknown[] }>('/v1/event-types?limit=100', { token: fx.token });
    expect(list.body.data).toHaveLength(2);
  });
});

describe('tokens', () => {
  it('counts live tokens: over the quota a 409 naming the limit, and a revoked token frees its place', async () => {
    // The fixture's own token is the first.
    const fx = await tenantWith({ tokens: 2 });
    const second = await createApiToken(fx, 1);
    expect(second.status).toBe(201);
    const res = await expectUnchanged(t, () => createApiToken(fx, 2));
    expectQuota(res, 'quota_exceeded', 2, 'API tokens');
    expect((await t.api.delete(`/v1/tenants/${fx.id}/tokens/${second.body.id}`, admin)).status).toBe(204);
    expect((await createApiToken(fx, 3)).status).toBe(201);
  });

  it('stores exactly the limit when creates race at it, under the default quota', async () => {
    const fx = await tenantWith();
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => createApiToken(fx, i)));
    // One of the three is the fixture's.
    expect(answers.filter((r) => r.status === 201)).toHaveLength(2);
    for (const r of answers.filter((a) => a.status !== 201)) expectQuota(r, 'quota_exceeded', 3, 'API tokens');
    const list = await t.api.get<{ data: unknown[] }>(`/v1/tenants/${fx.id}/tokens?limit=100`, admin);
    expect(list.body.data).toHaveLength(3);
  });
});

describe('events per day', () => {
  it('refuses the publish over the daily quota with a 429 naming the limit and when it resumes, storing nothing', async () => {
    const fx = await publisher();
    for (let i = 0; i < 4; i++) expect((await publish(fx, i, i === 0 ? 'key-0' : undefined)).status).toBe(202);
    // A replay of an idempotent publish is not a new event: not counted, and still answered.
    expect((await publish(fx, 0, 'key-0')).status).toBe(202);
    const res = await expectUnchanged(t, () => publish(fx, 4));
    const problem = expectQuota(res, 'daily_quota_exceeded', 4, 'events');
    expect(problem.detail).toContain('00:00 UTC');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    expectQuota(await publish(fx, 5, 'key-5'), 'daily_quota_exceeded', 4, 'events');
  });

  it("follows the tenant's override: lower, higher, unlimited, and raised after it was reached", async () => {
    const lower = await publisher({ eventsPerDay: 1 });
    expect((await publish(lower, 0)).status).toBe(202);
    expectQuota(await publish(lower, 1), 'daily_quota_exceeded', 1, 'events');
    const unlimited = await publisher({ eventsPerDay: 'unlimited' });
    for (let i = 0; i < 6; i++) expect((await publish(unlimited, i)).status).toBe(202);
    // Raised: what was published today still counts.
    const raised = await t.api.patch(`/v1/tenants/${lower.id}`, { ...admin, json: { quotas: { eventsPerDay: 2 } } });
    expect(raised.status).toBe(200);
    expect((await publish(lower, 2)).status).toBe(202);
    expectQuota(await publish(lower, 3), 'daily_quota_exceeded', 2, 'events');
    // Another tenant still has the whole default.
    const other = await publisher();
    for (let i = 0; i < 4; i++) expect((await publish(other, i)).status).toBe(202);
  });

  it('stores exactly the limit when publishes race at it', async () => {
    const fx = await publisher({ eventsPerDay: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => publish(fx, i)));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(3);
    for (const r of answers.filter((a) => a.status !== 202)) expectQuota(r, 'daily_quota_exceeded', 3, 'events');
    const list = await t.api.get<{ data: unknown[] }>('/v1/events?limit=100', { token: fx.token });
    expect(list.body.data).toHaveLength(3);
  });
});
