import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  createTenant,
  createToken,
  startHookport,
  type TenantFixture,
  type TestHookport,
} from './support/harness.ts';
import { expectInvalid, expectProblem, expectUnchanged } from './support/problem-assertions.ts';
import type { CreatedToken, Endpoint, EndpointWithSecret, EventType, PageOf, RotatedSecret } from './support/types.ts';
import { until } from './support/until.ts';

let t: TestHookport;
beforeAll(async () => {
  // Trace level: the most the server ever logs, so the leak checks below see everything.
  t = await startHookport({ LOG_LEVEL: 'trace' });
});
afterAll(async () => {
  await t.close();
});

const url = 'https://receiver.example.com/hooks';

async function newEndpoint(tenant: TenantFixture, body: Record<string, unknown> = {}) {
  const res = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url, eventTypes: ['ticket.created'], ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function expectUnauthorized(res: ApiResponse) {
  expectProblem(res, 'unauthorized');
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="hookport"/);
}

// The admin token is random base64url: a fixed replacement character would leave it unchanged one time in 64.
function withLastCharacterChanged(token: string): string {
  const last = token.at(-1);
  return `${token.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
}

describe('authentication → 401 with WWW-Authenticate', () => {
  let tenant: TenantFixture;
  beforeAll(async () => {
    tenant = await createTenant(t);
  });

  const tenantRoutes: [string, string][] = [
    ['GET', '/v1/endpoints'],
    ['POST', '/v1/endpoints'],
    ['GET', '/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz'],
    ['PATCH', '/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz'],
    ['DELETE', '/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz'],
    ['POST', '/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz/secret/rotate'],
    ['GET', '/v1/event-types'],
    ['POST', '/v1/event-types'],
    ['GET', '/v1/event-types/ticket.created'],
    ['PATCH', '/v1/event-types/ticket.created'],
    ['DELETE', '/v1/event-types/ticket.created'],
    ['GET', '/v1/tenants'],
    ['POST', '/v1/tenants'],
    ['GET', '/v1/tenants/tnt_01jbz8c1x9f8r5m6w0q2v3t4yz'],
    ['PATCH', '/v1/tenants/tnt_01jbz8c1x9f8r5m6w0q2v3t4yz'],
    ['POST', '/v1/tenants/tnt_01jbz8c1x9f8r5m6w0q2v3t4yz/tokens'],
    ['GET', '/v1/tenants/tnt_01jbz8c1x9f8r5m6w0q2v3t4yz/tokens'],
    ['DELETE', '/v1/tenants/tnt_01jbz8c1x9f8r5m6w0q2v3t4yz/tokens/tok_01jbz8c1x9f8r5m6w0q2v3t4yz'],
  ];

  const badAuthorization: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer with no token', { authorization: 'Bearer ' }],
    ['Bearer with two words', { authorization: 'Bearer one two' }],
    ['a bare token with no scheme', { authorization: 'hp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['a token of 600 characters', { authorization: `Bearer hp_${'A'.repeat(600)}` }],
    ['an unknown hp_ token', { authorization: 'Bearer hp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['an unknown token of another shape', { authorization: 'Bearer sk_live_1234567890' }],
    ['the admin token with one character changed', { authorization: 'Bearer {admin}' }],
  ];

  it.each(tenantRoutes)('%s %s refuses every bad Authorization', async (method, path) => {
    for (const [label, headers] of badAuthorization) {
      const auth = headers.authorization?.replace('{admin}', withLastCharacterChanged(t.adminToken));
      const sent: Record<string, string> = auth === undefined ? {} : { authorization: auth };
      const body = method === 'GET' || method === 'DELETE' ? {} : { body: '{}' };
      const res = await expectUnchanged(t, () =>
        t.api.request(method, path, { headers: { ...sent, 'content-type': 'application/json' }, ...body }),
      );
      expect(res.status, label).toBe(401);
      expectUnauthorized(res);
    }
  });

  it('accepts the scheme in any case', async () => {
    const res = await t.api.get('/v1/endpoints', { headers: { authorization: `bearer ${tenant.token}` } });
    expect(res.status).toBe(200);
  });

  it('refuses a revoked token at once', async () => {
    const created = await t.api.post<CreatedToken>(`/v1/tenants/${tenant.id}/tokens`, {
      token: t.adminToken,
      json: { name: 'to revoke', scopes: ['*'] },
    });
    expect((await t.api.get('/v1/endpoints', { token: created.body.token })).status).toBe(200);
    const revoked = await t.api.delete(`/v1/tenants/${tenant.id}/tokens/${created.body.id}`, { token: t.adminToken });
    expect(revoked.status).toBe(204);
    expectUnauthorized(await t.api.get('/v1/endpoints', { token: created.body.token }));
    expectUnauthorized(
      await t.api.post('/v1/endpoints', { token: created.body.token, json: { url, eventTypes: ['*'] } }),
    );
    // Revoking twice names nothing.
    expectProblem(
      await t.api.delete(`/v1/tenants/${tenant.id}/tokens/${created.body.id}`, { token: t.adminToken }),
      'not_found',
    );
  });

  it('refuses a token whose expiry is already past when it is created', async () => {
    const res = await expectUnchanged(t, () =>
      t.api.post(`/v1/tenants/${tenant.id}/tokens`, {
        token: t.adminToken,
        json: { name: 'stale', scopes: ['*'], expiresAt: new Date(Date.now() - 1000).toISOString() },
      }),
    );
    expectInvalid(res, 'expiresAt');
  });

  it('stops accepting a token once it expires', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const created = await t.api.post<CreatedToken>(`/v1/tenants/${tenant.id}/tokens`, {
      token: t.adminToken,
      json: { name: 'short-lived', scopes: ['*'], expiresAt },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.expiresAt).toBe(expiresAt);
    expect((await t.api.get('/v1/endpoints', { token: created.body.token })).status).toBe(200);

    const refusedAfter = await until('the token to expire', async () => {
      const res = await t.api.get('/v1/endpoints', { token: created.body.token });
      return res.status === 401 ? res : undefined;
    });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expectUnauthorized(refusedAfter);
  });
});

describe('the admin token and tenant tokens keep to their own routes → 403', () => {
  let tenant: TenantFixture;
  let endpoint: EndpointWithSecret;
  let tokenId: string;
  beforeAll(async () => {
    tenant = await createTenant(t);
    endpoint = await newEndpoint(tenant);
    const listed = await t.api.get<PageOf<{ id: string }>>(`/v1/tenants/${tenant.id}/tokens`, {
      token: t.adminToken,
    });
    tokenId = listed.body.data[0]?.id ?? '';
  });

  const adminRoutes = (): [string, string, unknown][] => [
    ['POST', '/v1/tenants', { name: 'x' }],
    ['GET', '/v1/tenants', undefined],
    ['GET', `/v1/tenants/${tenant.id}`, undefined],
    ['PATCH', `/v1/tenants/${tenant.id}`, { name: 'x' }],
    ['POST', `/v1/tenants/${tenant.id}/tokens`, { name: 'x', scopes: ['*'] }],
    ['GET', `/v1/tenants/${tenant.id}/tokens`, undefined],
    ['DELETE', `/v1/tenants/${tenant.id}/tokens/${tokenId}`, undefined],
  ];

  const tenantRoutes = (): [string, string, unknown][] => [
    ['POST', '/v1/endpoints', { url, eventTypes: ['*'] }],
    ['GET', '/v1/endpoints', undefined],
    ['GET', `/v1/endpoints/${endpoint.id}`, undefined],
    ['PATCH', `/v1/endpoints/${endpoint.id}`, { name: 'x' }],
    ['DELETE', `/v1/endpoints/${endpoint.id}`, undefined],
    ['POST', `/v1/endpoints/${endpoint.id}/secret/rotate`, {}],
    ['POST', '/v1/event-types', { name: 'x.y' }],
    ['GET', '/v1/event-types', undefined],
    ['GET', '/v1/event-types/ticket.created', undefined],
    ['PATCH', '/v1/event-types/ticket.created', { description: 'x' }],
    ['DELETE', '/v1/event-types/ticket.updated', undefined],
  ];

  it('a tenant token, even with every scope, is refused on every tenant-management route', async () => {
    for (const [method, path, json] of adminRoutes()) {
      const res = await expectUnchanged(t, () => t.api.request(method, path, { token: tenant.token, json }));
      expect(res.status, `${method} ${path}`).toBe(403);
      expectProblem(res, 'forbidden');
    }
  });

  it('the admin token is refused on every tenant route', async () => {
    for (const [method, path, json] of tenantRoutes()) {
      const res = await expectUnchanged(t, () => t.api.request(method, path, { token: t.adminToken, json }));
      expect(res.status, `${method} ${path}`).toBe(403);
      expectProblem(res, 'forbidden');
    }
  });

  it('checks access before the body: a caller without it learns nothing of the input rules', async () => {
    const reader = await createToken(t, tenant.id, ['endpoints:read']);
    for (const [method, path] of tenantRoutes().filter(([m]) => m !== 'GET' && m !== 'DELETE')) {
      for (const opts of [
        { json: { bogus: true } },
        { body: '{not json', headers: { 'content-type': 'application/json' } },
        { body: 'text', headers: { 'content-type': 'text/plain' } },
      ]) {
        const res = await expectUnchanged(t, () => t.api.request(method, path, { token: reader, ...opts }));
        expect(res.status, `${method} ${path}`).toBe(403);
        expectProblem(res, 'forbidden');
      }
    }
  });
});

describe('scopes', () => {
  let tenant: TenantFixture;
  let endpoint: EndpointWithSecret;
  beforeAll(async () => {
    tenant = await createTenant(t);
    endpoint = await newEndpoint(tenant);
  });

  type Op = { method: string; path: () => string; json?: unknown; ok: number };
  const reads: Op[] = [
    { method: 'GET', path: () => '/v1/endpoints', ok: 200 },
    { method: 'GET', path: () => `/v1/endpoints/${endpoint.id}`, ok: 200 },
    { method: 'GET', path: () => '/v1/event-types', ok: 200 },
    { method: 'GET', path: () => '/v1/event-types/ticket.created', ok: 200 },
  ];
  const writes: Op[] = [
    { method: 'POST', path: () => '/v1/endpoints', json: { url, eventTypes: ['*'] }, ok: 201 },
    { method: 'PATCH', path: () => `/v1/endpoints/${endpoint.id}`, json: { name: 'renamed' }, ok: 200 },
    { method: 'POST', path: () => `/v1/endpoints/${endpoint.id}/secret/rotate`, json: {}, ok: 200 },
    { method: 'POST', path: () => '/v1/event-types', json: { name: 'scoped.new' }, ok: 201 },
    { method: 'PATCH', path: () => '/v1/event-types/ticket.created', json: { description: 'd' }, ok: 200 },
    { method: 'DELETE', path: () => '/v1/event-types/scoped.new', ok: 204 },
  ];

  async function expectForbidden(token: string, ops: Op[]) {
    for (const op of ops) {
      const res = await expectUnchanged(t, () => t.api.request(op.method, op.path(), { token, json: op.json }));
      expect(res.status, `${op.method} ${op.path()}`).toBe(403);
      expect(expectProblem(res, 'forbidden').detail).toMatch(/endpoints:(read|write)/);
    }
  }

  async function expectAllowed(token: string, ops: Op[]) {
    for (const op of ops) {
      const res = await t.api.request(op.method, op.path(), { token, json: op.json });
      expect(res.status, `${op.method} ${op.path()}: ${res.text}`).toBe(op.ok);
    }
  }

  it('endpoints:read reads but cannot write', async () => {
    const token = await createToken(t, tenant.id, ['endpoints:read']);
    await expectAllowed(token, reads);
    await expectForbidden(token, writes);
    await expectForbidden(token, [{ method: 'DELETE', path: () => `/v1/endpoints/${endpoint.id}`, ok: 204 }]);
  });

  it('endpoints:write writes, and reads too (writing a resource includes reading it)', async () => {
    const token = await createToken(t, tenant.id, ['endpoints:write']);
    await expectAllowed(token, writes);
    await expectAllowed(token, reads);
  });

  it.each([['events:publish'], ['deliveries:read'], ['deliveries:write']])(
    '%s can neither read nor change endpoints and event types',
    async (scope) => {
      const token = await createToken(t, tenant.id, [scope]);
      await expectForbidden(token, [...reads, ...writes]);
    },
  );

  it('`*` can do everything a tenant can', async () => {
    const token = await createToken(t, tenant.id, ['*']);
    await expectAllowed(token, [...reads, ...writes]);
    const res = await t.api.delete(`/v1/endpoints/${endpoint.id}`, { token });
    expect(res.status).toBe(204);
  });

  it('scopes add up', async () => {
    const token = await createToken(t, tenant.id, ['endpoints:read', 'endpoints:write']);
    const created = await t.api.post<EndpointWithSecret>('/v1/endpoints', { token, json: { url, eventTypes: ['*'] } });
    expect(created.status).toBe(201);
    expect((await t.api.get(`/v1/endpoints/${created.body.id}`, { token })).status).toBe(200);
  });
});

describe('tenant isolation: another tenant’s resources are 404, never 403', () => {
  let a: TenantFixture;
  let b: TenantFixture;
  let aEndpoint: EndpointWithSecret;
  let aTokenId: string;
  beforeAll(async () => {
    a = await createTenant(t, { name: 'Tenant A' });
    b = await createTenant(t, { name: 'Tenant B' });
    await t.api.post('/v1/event-types', { token: a.token, json: { name: 'a.private', description: 'A’s own' } });
    aEndpoint = await newEndpoint(a, { eventTypes: ['ticket.created', 'a.private'], name: 'A endpoint' });
    const tokens = await t.api.get<PageOf<{ id: string }>>(`/v1/tenants/${a.id}/tokens`, { token: t.adminToken });
    aTokenId = tokens.body.data[0]?.id ?? '';
  });

  it('B cannot see, change, rotate or delete A’s endpoint', async () => {
    const id = aEndpoint.id;
    const attempts: [string, string, unknown][] = [
      ['GET', `/v1/endpoints/${id}`, undefined],
      ['PATCH', `/v1/endpoints/${id}`, { name: 'taken over', url: 'https://attacker.example.com/' }],
      ['PATCH', `/v1/endpoints/${id}`, { status: 'disabled' }],
      ['POST', `/v1/endpoints/${id}/secret/rotate`, {}],
      ['POST', `/v1/endpoints/${id}/secret/rotate`, { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }],
      ['DELETE', `/v1/endpoints/${id}`, undefined],
    ];
    for (const [method, path, json] of attempts) {
      const res = await expectUnchanged(t, () => t.api.request(method, path, { token: b.token, json }));
      expect(res.status, `${method} ${path}`).toBe(404);
      expectProblem(res, 'not_found');
    }
    // Same answer as for an id that exists nowhere.
    const nowhere = await t.api.get<{ detail: string }>('/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz', {
      token: b.token,
    });
    const across = await t.api.get<{ detail: string }>(`/v1/endpoints/${id}`, { token: b.token });
    expect(across.body.detail).toBe(nowhere.body.detail);

    const still = await t.api.get<Endpoint>(`/v1/endpoints/${id}`, { token: a.token });
    expect(still.body).toMatchObject({ name: 'A endpoint', url, status: 'active' });
  });

  it('B cannot see, change or delete A’s event type', async () => {
    for (const [method, json] of [
      ['GET', undefined],
      ['PATCH', { description: 'taken over' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await expectUnchanged(t, () =>
        t.api.request(method, '/v1/event-types/a.private', { token: b.token, json }),
      );
      expectProblem(res, 'not_found');
    }
  });

  it('B’s lists never show A’s resources, whatever the filter', async () => {
    const mine = await newEndpoint(b, { eventTypes: ['*'] });
    for (const query of [
      '',
      '?status=active',
      '?profile=native',
      '?eventType=ticket.created',
      '?eventType=a.private',
    ]) {
      const res = await t.api.get<PageOf<Endpoint>>(`/v1/endpoints${query || '?'}&limit=100`, { token: b.token });
      expect(res.body.data.map((e) => e.id)).not.toContain(aEndpoint.id);
      expect(res.text).not.toContain('A endpoint');
    }
    const all = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?limit=100', { token: b.token });
    expect(all.body.data.map((e) => e.id)).toEqual([mine.id]);

    // A cursor names a position, not a resource: one cut from A's list still yields only B's.
    await newEndpoint(a, { name: 'A second endpoint' });
    const aPage = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?limit=1', { token: a.token });
    expect(aPage.body.nextCursor).not.toBeNull();
    const fromA = await t.api.get<PageOf<Endpoint>>(`/v1/endpoints?cursor=${aPage.body.nextCursor ?? ''}`, {
      token: b.token,
    });
    expect(fromA.status).toBe(200);
    for (const e of fromA.body.data) expect(e.id).not.toBe(aEndpoint.id);

    for (const query of ['?limit=100', '?prefix=a.', '?prefix=a.private']) {
      const types = await t.api.get<PageOf<EventType>>(`/v1/event-types${query}`, { token: b.token });
      expect(types.body.data.map((e) => e.name)).not.toContain('a.private');
    }
  });

  it('B cannot subscribe to A’s event type', async () => {
    const res = await expectUnchanged(t, () =>
      t.api.post('/v1/endpoints', { token: b.token, json: { url, eventTypes: ['a.private'] } }),
    );
    expectInvalid(res, 'eventTypes.0');
  });

  it('A’s subscriptions do not pin B’s catalogue', async () => {
    // A's endpoint subscribes to A's ticket.created by name; B's own ticket.created is free to go.
    const res = await t.api.delete('/v1/event-types/ticket.created', { token: b.token });
    expect(res.status).toBe(204);
    const aType = await t.api.get('/v1/event-types/ticket.created', { token: a.token });
    expect(aType.status).toBe(200);
    expectProblem(await t.api.delete('/v1/event-types/ticket.created', { token: a.token }), 'conflict');
  });

  it('a token id is revoked only under its own tenant', async () => {
    const res = await expectUnchanged(t, () =>
      t.api.delete(`/v1/tenants/${b.id}/tokens/${aTokenId}`, { token: t.adminToken }),
    );
    expectProblem(res, 'not_found');
    expect((await t.api.get('/v1/endpoints', { token: a.token })).status).toBe(200);
  });
});

describe('secrets and tokens never leak', () => {
  it('endpoint secrets are sealed in storage and never logged', async () => {
    const tenant = await createTenant(t);
    const generated = await newEndpoint(tenant, { headers: { 'X-Receiver-Key': 'receiver-side-value' } });
    const own = `whsec_${Buffer.from('a secret the caller brought along!!').toString('base64')}`;
    const brought = await newEndpoint(tenant, { secret: own });
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${generated.id}/secret/rotate`, {
      token: tenant.token,
    });
    const rotatedOwn = `whsec_${Buffer.from('another secret, rotated in by hand').toString('base64')}`;
    await t.api.post(`/v1/endpoints/${brought.id}/secret/rotate`, {
      token: tenant.token,
      json: { secret: rotatedOwn },
    });

    const secrets = [generated.secret, brought.secret, rotated.body.secret, rotatedOwn];
    const snapshot = await t.snapshot();
    const logs = t.logs.join('');
    for (const secret of secrets) {
      const material = secret.slice('whsec_'.length);
      expect(snapshot).not.toContain(material);
      expect(logs).not.toContain(material);
      // Not even the raw key bytes in another encoding.
      const raw = Buffer.from(material, 'base64');
      expect(snapshot).not.toContain(raw.toString('hex'));
      expect(snapshot).not.toContain(raw.toString('base64url'));
    }
    // Reads never carry a secret either.
    const list = await t.api.get('/v1/endpoints?limit=100', { token: tenant.token });
    for (const secret of secrets) expect(list.text).not.toContain(secret);
  });

  it('tokens are stored only as hashes and never logged; the admin token is never logged', async () => {
    const tenant = await createTenant(t);
    const scoped = await createToken(t, tenant.id, ['endpoints:read']);
    // Use every token, including in failing requests, so that each passes through the logger.
    await t.api.get('/v1/endpoints', { token: tenant.token });
    await t.api.get('/v1/endpoints', { token: scoped });
    await t.api.post('/v1/endpoints', { token: scoped, json: { url, eventTypes: ['*'] } });
    await t.api.get('/v1/tenants', { token: t.adminToken });
    await t.api.get('/v1/endpoints', { token: t.adminToken });
    const unknown = 'hp_UnknownTokenThatMustNotBeLoggedEither000000';
    await t.api.get('/v1/endpoints', { token: unknown });
    await t.raw.get('/v1/nope', { token: t.adminToken });

    const snapshot = await t.snapshot();
    const logs = t.logs.join('');
    for (const token of [tenant.token, scoped]) {
      expect(snapshot).not.toContain(token);
      expect(snapshot).not.toContain(token.slice('hp_'.length));
      expect(snapshot).toContain(createHash('sha256').update(token).digest('hex'));
      expect(logs).not.toContain(token.slice('hp_'.length));
    }
    expect(logs).not.toContain(unknown);
    expect(snapshot).not.toContain(t.adminToken);
    expect(logs).not.toContain(t.adminToken.slice('hpa_'.length));
    const secretKey = t.config.secretKey?.toString('hex') ?? '';
    expect(secretKey).not.toBe('');
    expect(logs).not.toContain(secretKey);
    expect(snapshot).not.toContain(secretKey);
  });

  it('a listed token never shows its value', async () => {
    const tenant = await createTenant(t);
    const listed = await t.api.get(`/v1/tenants/${tenant.id}/tokens`, { token: t.adminToken });
    expect(listed.text).not.toContain(tenant.token);
  });
});

describe('every response carries x-request-id', () => {
  it('on success and on every kind of failure, matching the problem’s requestId', async () => {
    const tenant = await createTenant(t);
    const endpoint = await newEndpoint(tenant);
    const json = { 'content-type': 'application/json' };
    const responses: [string, ApiResponse][] = [
      ['200', await t.api.get('/v1/endpoints', { token: tenant.token })],
      ['201', await t.api.post('/v1/event-types', { token: tenant.token, json: { name: 'rid.x' } })],
      ['204', await t.api.delete('/v1/event-types/rid.x', { token: tenant.token })],
      ['health', await t.raw.get('/health')],
      ['ready', await t.raw.get('/ready')],
      ['openapi', await t.raw.get('/openapi.json')],
      ['docs', await t.raw.get('/docs')],
      ['400', await t.api.post('/v1/event-types', { token: tenant.token, body: '{', headers: json })],
      ['401', await t.api.get('/v1/endpoints')],
      ['403', await t.api.get('/v1/tenants', { token: tenant.token })],
      ['404 resource', await t.api.get('/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz', { token: tenant.token })],
      ['404 route', await t.raw.get('/nowhere')],
      ['405', await t.raw.request('PUT', `/v1/endpoints/${endpoint.id}`, { token: tenant.token })],
      ['409', await t.api.post('/v1/event-types', { token: tenant.token, json: { name: 'ticket.created' } })],
      [
        '413',
        await t.api.post('/v1/event-types', {
          token: tenant.token,
          body: '{}',
          headers: { ...json, 'content-length': String(2 * 1024 * 1024) },
        }),
      ],
      [
        '415',
        await t.api.post('/v1/event-types', {
          token: tenant.token,
          body: 'x',
          headers: { 'content-type': 'text/plain' },
        }),
      ],
      ['422', await t.api.post('/v1/event-types', { token: tenant.token, json: { name: '' } })],
    ];
    const ids = new Set<string>();
    for (const [label, res] of responses) {
      const id = res.headers.get('x-request-id');
      expect(id, label).toBeTruthy();
      ids.add(id ?? '');
      if (res.status >= 400 && res.headers.get('content-type')?.startsWith('application/problem+json')) {
        expect((res.body as { requestId?: string }).requestId, label).toBe(id);
      }
    }
    expect(ids.size).toBe(responses.length);
  });

  it('echoes a sane caller request id and replaces an unusable one', async () => {
    const echoed = await t.raw.get('/health', { headers: { 'x-request-id': 'trace-abc_123=' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc_123=');

    const problem = await t.api.get('/v1/endpoints', { headers: { 'x-request-id': 'trace-for-a-401' } });
    expect(problem.headers.get('x-request-id')).toBe('trace-for-a-401');
    expect((problem.body as { requestId?: string }).requestId).toBe('trace-for-a-401');

    for (const bad of ['x'.repeat(200), 'has spaces in it', '<script>']) {
      const res = await t.raw.get('/health', { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id).toBeTruthy();
      expect(id).not.toBe(bad);
    }
  });
});
