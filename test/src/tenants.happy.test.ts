import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookport, type TestHookport } from './support/harness.ts';
import type { CreatedToken, EventType, PageOf, Tenant, Token } from './support/types.ts';

let t: TestHookport;
beforeAll(async () => {
  t = await startHookport();
});
afterAll(async () => {
  await t.close();
});

describe('tenants (admin token)', () => {
  it('creates, reads, lists and updates a tenant', async () => {
    const created = await t.api.post<Tenant>('/v1/tenants', {
      token: t.adminToken,
      json: { name: 'Acme', metadata: { plan: 'pro' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Acme', metadata: { plan: 'pro' } });
    expect(created.body.id).toMatch(/^tnt_/);

    const got = await t.api.get<Tenant>(`/v1/tenants/${created.body.id}`, { token: t.adminToken });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const updated = await t.api.patch<Tenant>(`/v1/tenants/${created.body.id}`, {
      token: t.adminToken,
      json: { name: 'Acme Corp' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, name: 'Acme Corp', metadata: { plan: 'pro' } });

    const list = await t.api.get<PageOf<Tenant>>('/v1/tenants?limit=100', { token: t.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.data.map((x) => x.id)).toContain(created.body.id);
  });

  it('pages through tenants with a cursor, newest first, without repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.api.post<Tenant>('/v1/tenants', { token: t.adminToken, json: { name: `page ${i}` } });
      ids.push(r.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await t.api.get<PageOf<Tenant>>(`/v1/tenants${q}`, { token: t.adminToken });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((x) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const mine = seen.filter((id) => ids.includes(id));
    expect(mine).toEqual([...ids].reverse());
  });

  it('loads vendor catalogues as event types at creation', async () => {
    const tenant = await t.api.post<Tenant>('/v1/tenants', {
      token: t.adminToken,
      json: { name: 'Migrating', presets: ['spedy', 'helpdesk'] },
    });
    const token = await t.api.post<CreatedToken>(`/v1/tenants/${tenant.body.id}/tokens`, {
      token: t.adminToken,
      json: { name: 'reader', scopes: ['endpoints:read'] },
    });
    const types = await t.api.get<PageOf<EventType>>('/v1/event-types?limit=100', { token: token.body.token });
    const names = types.body.data.map((e) => e.name);
    expect(names).toContain('ticket.status_changed');
    expect(names).toContain('ticket.assignment.changed');
    // ticket.created is in both catalogues and is loaded once.
    expect(names.filter((n) => n === 'ticket.created')).toHaveLength(1);
  });
});

describe('tokens', () => {
  it('creates a token shown once, lists it without the secret, and revokes it', async () => {
    const tenant = await t.api.post<Tenant>('/v1/tenants', { token: t.adminToken, json: { name: 'Tok' } });
    const created = await t.api.post<CreatedToken>(`/v1/tenants/${tenant.body.id}/tokens`, {
      token: t.adminToken,
      json: { name: 'ci', scopes: ['endpoints:read', 'events:publish'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^hp_[A-Za-z0-9_-]{43}$/);
    expect(created.body.scopes).toEqual(['endpoints:read', 'events:publish']);

    const listed = await t.api.get<PageOf<Token>>(`/v1/tenants/${tenant.body.id}/tokens`, { token: t.adminToken });
    expect(listed.body.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    const works = await t.api.get('/v1/endpoints', { token: created.body.token });
    expect(works.status).toBe(200);

    const revoked = await t.api.delete(`/v1/tenants/${tenant.body.id}/tokens/${created.body.id}`, {
      token: t.adminToken,
    });
    expect(revoked.status).toBe(204);
    const after = await t.api.get('/v1/endpoints', { token: created.body.token });
    expect(after.status).toBe(401);
    const listedAfter = await t.api.get<PageOf<Token>>(`/v1/tenants/${tenant.body.id}/tokens`, { token: t.adminToken });
    expect(listedAfter.body.data).toHaveLength(0);
  });
});
