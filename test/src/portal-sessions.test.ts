/**
 * Portal sessions (docs/api.md, "Portal sessions"): who may open them, what a portal token may do on
 * the native API (its tenant, a fixed scope set, and with endpointMetadata only the matching
 * endpoints), expiry and revocation, and the console's branding and framing settings.
 */
import { fromTypeId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, createToken, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';

interface Session {
  id: string;
  url: string;
  token: string;
  expiresAt: string;
}
interface Endpoint {
  id: string;
  metadata: Record<string, string>;
}
interface Page<T> {
  data: T[];
}

describe('portal sessions', () => {
  let t: TestHookport;
  let acme: TenantFixture;
  let other: TenantFixture;
  let mine: Endpoint;
  let theirs: Endpoint;

  async function endpoint(tenant: TenantFixture, metadata: Record<string, string>): Promise<Endpoint> {
    const res = await t.api.post<Endpoint>('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://example.com/hook', eventTypes: ['ticket.created'], metadata },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function open(json: Record<string, unknown>, token = t.adminToken): Promise<Session> {
    const res = await t.api.post<Session>('/v1/portal-sessions', { token, json });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  beforeAll(async () => {
    t = await startHookport({ HOOKPORT_PUBLIC_URL: 'https://hooks.example.com/' });
    acme = await createTenant(t, { name: 'Acme' });
    other = await createTenant(t, { name: 'Other' });
    mine = await endpoint(acme, { customer: 'c1', team: 'x' });
    theirs = await endpoint(acme, { customer: 'c2' });
    await endpoint(other, { customer: 'c1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('opens a session as the admin: hpp_ token, console link with the token in the fragment, 1 h by default', async () => {
    const s = await open({ tenantId: acme.id });
    expect(s.token).toMatch(/^hpp_[A-Za-z0-9_-]{43}$/);
    expect(s.id).toMatch(/^psn_/);
    expect(s.url).toBe(`https://hooks.example.com/console#portal=${s.token}`);
    const lifetime = new Date(s.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(3500_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    // Only the hash is stored.
    expect(await t.snapshot()).not.toContain(s.token);
  });

  it('needs tenantId with the admin token, and a tenant token with endpoints:write for its own tenant', async () => {
    const noTenant = await t.api.post('/v1/portal-sessions', { token: t.adminToken, json: {} });
    expect(noTenant.status).toBe(422);
    await open({}, acme.token);
    await open({ tenantId: acme.id }, acme.token);
    const foreign = await t.api.post('/v1/portal-sessions', { token: acme.token, json: { tenantId: other.id } });
    expect(foreign.status).toBe(403);
    const reader = await createToken(t, acme.id, ['endpoints:read', 'deliveries:read']);
    const refused = await t.api.post('/v1/portal-sessions', { token: reader, json: {} });
    expect(refused.status).toBe(403);
  });

  it('bounds the lifetime: over 24 h or under a minute is a 422, and nothing is stored', async () => {
    const before = await t.snapshot();
    for (const ttlSeconds of [86_401, 59, 1.5]) {
      const res = await t.api.post('/v1/portal-sessions', {
        token: t.adminToken,
        json: { tenantId: acme.id, ttlSeconds },
      });
      expect(res.status).toBe(422);
    }
    expect(await t.snapshot()).toBe(before);
    await open({ tenantId: acme.id, ttlSeconds: 86_400 });
  });

  it('a filtered portal sees and acts on its endpoints only; others are 404s', async () => {
    const { token } = await open({ tenantId: acme.id, endpointMetadata: { customer: 'c1' } });
    const list = await t.api.get<Page<Endpoint>>('/v1/endpoints', { token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((e) => e.id)).toEqual([mine.id]);
    expect((await t.api.get(`/v1/endpoints/${mine.id}`, { token })).status).toBe(200);
    expect((await t.api.get(`/v1/endpoints/${theirs.id}`, { token })).status).toBe(404);
    expect((await t.api.patch(`/v1/endpoints/${theirs.id}`, { token, json: { description: 'x' } })).status).toBe(404);
    expect((await t.api.delete(`/v1/endpoints/${theirs.id}`, { token })).status).toBe(404);
    expect((await t.api.post(`/v1/endpoints/${theirs.id}/ping`, { token })).status).toBe(404);
    expect((await t.api.post(`/v1/endpoints/${theirs.id}/secret/rotate`, { token, json: {} })).status).toBe(404);
    expect((await t.api.get(`/v1/endpoints/${theirs.id}/stats`, { token })).status).toBe(404);
    expect((await t.api.get(`/v1/endpoints/${mine.id}/stats`, { token })).status).toBe(200);
    // Tenant-wide views would show traffic of endpoints it cannot see.
    expect((await t.api.get('/v1/stats', { token })).status).toBe(403);
    expect((await t.api.get('/v1/events', { token })).status).toBe(403);
    expect((await t.api.get('/v1/event-types', { token })).status).toBe(200);
    // The endpoint still exists for the tenant.
    expect((await t.api.get(`/v1/endpoints/${theirs.id}`, { token: acme.token })).status).toBe(200);
  });

  it('limits a filtered portal to its endpoints deliveries', async () => {
    const { token } = await open({ tenantId: acme.id, endpointMetadata: { customer: 'c1' } });
    const pinged = await t.api.post<{ id: string; endpointId: string }>(`/v1/endpoints/${mine.id}/ping`, { token });
    expect(pinged.status).toBe(202);
    const theirsPing = await t.api.post<{ id: string }>(`/v1/endpoints/${theirs.id}/ping`, { token: acme.token });
    expect(theirsPing.status).toBe(202);
    const list = await t.api.get<Page<{ endpointId: string }>>('/v1/deliveries', { token });
    expect(list.status).toBe(200);
    expect(list.body.data.length).toBeGreaterThan(0);
    expect(new Set(list.body.data.map((d) => d.endpointId))).toEqual(new Set([mine.id]));
    expect((await t.api.get(`/v1/deliveries/${pinged.body.id}`, { token })).status).toBe(200);
    expect((await t.api.get(`/v1/deliveries/${theirsPing.body.id}`, { token })).status).toBe(404);
    expect((await t.api.post(`/v1/deliveries/${theirsPing.body.id}/redeliver`, { token })).status).toBe(404);
  });

  it('forces the metadata pairs onto endpoints a filtered portal creates or updates', async () => {
    const { token } = await open({ tenantId: acme.id, endpointMetadata: { customer: 'c1' } });
    const created = await t.api.post<Endpoint>('/v1/endpoints', {
      token,
      json: { url: 'https://example.com/new', eventTypes: ['ticket.created'], metadata: { customer: 'c2', a: 'b' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toEqual({ customer: 'c1', a: 'b' });
    const updated = await t.api.patch<Endpoint>(`/v1/endpoints/${created.body.id}`, {
      token,
      json: { metadata: { customer: 'c2' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.metadata).toEqual({ customer: 'c1' });
  });

  it('refuses a portal token everything outside its fixed scopes, and other tenants', async () => {
    const { token } = await open({ tenantId: acme.id });
    expect((await t.api.get('/v1/endpoints', { token })).status).toBe(200);
    expect((await t.api.get('/v1/stats', { token })).status).toBe(200);
    expect((await t.api.get('/v1/tenants', { token })).status).toBe(403);
    expect((await t.api.get(`/v1/tenants/${acme.id}/tokens`, { token })).status).toBe(403);
    expect((await t.api.post('/v1/portal-sessions', { token, json: {} })).status).toBe(403);
    const publish = await t.api.post('/v1/events', { token, json: { type: 'ticket.created', data: {} } });
    expect(publish.status).toBe(403);
    const eventType = await t.api.post('/v1/event-types', { token, json: { name: 'portal.made' } });
    expect(eventType.status).toBe(403);
    const otherEndpoints = await t.api.get<Page<Endpoint>>('/v1/endpoints', { token: other.token });
    const foreign = otherEndpoints.body.data[0];
    expect(foreign).toBeDefined();
    expect((await t.api.get(`/v1/endpoints/${foreign?.id}`, { token })).status).toBe(404);
    // Vendor surfaces refuse it like any non-tenant token.
    const vendor = await t.raw.get('/helpdesk/v1/webhooks', { token });
    expect([401, 403, 404]).toContain(vendor.status);
    expect(vendor.status).not.toBe(200);
  });

  it('a read-only portal reads but cannot change endpoints or redeliver', async () => {
    const { token } = await open({ tenantId: acme.id, readOnly: true });
    expect((await t.api.get(`/v1/endpoints/${mine.id}`, { token })).status).toBe(200);
    expect((await t.api.patch(`/v1/endpoints/${mine.id}`, { token, json: { description: 'x' } })).status).toBe(403);
    expect((await t.api.post(`/v1/endpoints/${mine.id}/ping`, { token })).status).toBe(403);
    const create = await t.api.post('/v1/endpoints', {
      token,
      json: { url: 'https://example.com/ro', eventTypes: ['ticket.created'] },
    });
    expect(create.status).toBe(403);
  });

  it('GET /v1/portal-sessions/current tells a portal token its own session; other tokens get a 403 problem', async () => {
    const filtered = await open({ tenantId: acme.id, endpointMetadata: { customer: 'c1' }, readOnly: true });
    const res = await t.api.get<Record<string, unknown>>('/v1/portal-sessions/current', { token: filtered.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      id: filtered.id,
      tenantId: acme.id,
      readOnly: true,
      endpointMetadata: { customer: 'c1' },
      createdAt: expect.any(String),
      expiresAt: filtered.expiresAt,
    });
    // Nothing secret comes back: not the token, nor its hash.
    expect(res.text).not.toContain('hpp_');

    const writer = await open({ tenantId: acme.id });
    const mineToo = await t.api.get<Record<string, unknown>>('/v1/portal-sessions/current', { token: writer.token });
    expect(mineToo.body).toMatchObject({ id: writer.id, readOnly: false, endpointMetadata: null });

    for (const token of [t.adminToken, acme.token]) {
      const refused = await t.api.get<{ code: string; detail: string }>('/v1/portal-sessions/current', { token });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.code).toBe('forbidden');
      expect(refused.body.detail).toMatch(/portal session/);
    }

    await t.api.delete(`/v1/portal-sessions/${writer.id}`, { token: t.adminToken });
    expect((await t.api.get('/v1/portal-sessions/current', { token: writer.token })).status).toBe(401);
    expect((await t.api.get('/v1/portal-sessions/current')).status).toBe(401);
  });

  it('an expired or revoked session is a 401; revoke is the admin or the tenant, others get 404/403', async () => {
    const expiring = await open({ tenantId: acme.id });
    expect((await t.api.get('/v1/endpoints', { token: expiring.token })).status).toBe(200);
    await t.hp.db.query(`update portal_sessions set expires_at = now() - interval '1 second' where id = $1`, [
      fromTypeId('portalSession', expiring.id),
    ]);
    expect((await t.api.get('/v1/endpoints', { token: expiring.token })).status).toBe(401);

    const byTenant = await open({}, acme.token);
    expect((await t.api.delete(`/v1/portal-sessions/${byTenant.id}`, { token: other.token })).status).toBe(404);
    expect((await t.api.delete(`/v1/portal-sessions/${byTenant.id}`, { token: byTenant.token })).status).toBe(403);
    expect((await t.api.delete(`/v1/portal-sessions/${byTenant.id}`, { token: acme.token })).status).toBe(204);
    expect((await t.api.get('/v1/endpoints', { token: byTenant.token })).status).toBe(401);

    const byAdmin = await open({ tenantId: acme.id });
    expect((await t.api.delete(`/v1/portal-sessions/${byAdmin.id}`, { token: t.adminToken })).status).toBe(204);
    expect((await t.api.get('/v1/endpoints', { token: byAdmin.token })).status).toBe(401);
    expect((await t.api.delete(`/v1/portal-sessions/${byAdmin.id}`, { token: t.adminToken })).status).toBe(404);
  });
});

describe('console branding and framing', () => {
  it('serves the configured branding and frame-ancestors, without X-Frame-Options', async () => {
    const t = await startHookport({
      HOOKPORT_PORTAL_NAME: 'Acme Hooks',
      HOOKPORT_PORTAL_LOGO_URL: 'https://cdn.example.com/logo.svg',
      HOOKPORT_PORTAL_ACCENT: '#0a7cff',
      HOOKPORT_PORTAL_FRAME_ANCESTORS: 'https://app.example.com https://admin.example.com',
    });
    try {
      const branding = await t.raw.get('/console/branding.json');
      expect(branding.status).toBe(200);
      expect(branding.body).toEqual({
        name: 'Acme Hooks',
        logoUrl: 'https://cdn.example.com/logo.svg',
        accent: '#0a7cff',
      });
      const page = await t.raw.get('/console');
      expect(page.headers.get('content-security-policy')).toContain(
        'frame-ancestors https://app.example.com https://admin.example.com',
      );
      expect(page.headers.get('x-frame-options')).toBeNull();
      // The logo's origin, and no other, may serve images to the page.
      expect(page.headers.get('content-security-policy')).toContain("img-src 'self' https://cdn.example.com;");
    } finally {
      await t.close();
    }
  });

  it('defaults to no branding and no framing', async () => {
    const t = await startHookport();
    try {
      const branding = await t.raw.get('/console/branding.json');
      expect(branding.body).toEqual({ name: null, logoUrl: null, accent: null });
      const page = await t.raw.get('/console');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('content-security-policy')).toContain("img-src 'self';");
    } finally {
      await t.close();
    }
  });

  it('refuses a bad accent or logo URL at start-up', async () => {
    await expect(startHookport({ HOOKPORT_PORTAL_ACCENT: 'red; background: url(x)' })).rejects.toThrow();
    await expect(startHookport({ HOOKPORT_PORTAL_LOGO_URL: 'javascript:alert(1)' })).rejects.toThrow();
  });
});
