import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { expectProblem, expectUnchanged } from './support/problem-assertions.ts';
import type { EndpointWithSecret, EventType, PageOf } from './support/types.ts';

let t: TestHookport;
let tenant: TenantFixture;
beforeAll(async () => {
  t = await startHookport();
  // No preset: this tenant's catalogue holds only what these tests create.
  tenant = await createTenant(t, { presets: [] });
});
afterAll(async () => {
  await t.close();
});

const invoiceSchema = {
  type: 'object',
  required: ['invoiceId', 'amount'],
  properties: { invoiceId: { type: 'string' }, amount: { type: 'integer', minimum: 0 } },
  additionalProperties: false,
};

async function createType(
  name: string,
  extra: { description?: string; schema?: Record<string, unknown>; deprecated?: boolean } = {},
) {
  const res = await t.api.post<EventType>('/v1/event-types', { token: tenant.token, json: { name, ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function createEndpoint(eventTypes: string[]) {
  const res = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url: 'https://receiver.example.com/hooks', eventTypes },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('event types', () => {
  it('creates an event type with a JSON Schema and reads it back', async () => {
    const created = await createType('invoice.created', {
      description: 'An invoice was issued',
      schema: invoiceSchema,
    });
    expect(created).toMatchObject({
      name: 'invoice.created',
      description: 'An invoice was issued',
      schema: invoiceSchema,
      deprecated: false,
    });
    expect(created.createdAt).toBe(created.updatedAt);

    const got = await t.api.get<EventType>('/v1/event-types/invoice.created', { token: tenant.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);
  });

  it('fills defaults when only a name is given', async () => {
    const created = await createType('user_profile.updated-v2');
    expect(created).toMatchObject({
      name: 'user_profile.updated-v2',
      description: '',
      schema: null,
      deprecated: false,
    });
  });

  it('lists by name with a prefix, page by page, without repeats', async () => {
    const names = ['shop.order.created', 'shop.order.paid', 'shop.order.shipped', 'shop.refund.issued', 'shop.cart'];
    for (const name of names) await createType(name);
    await createType('shopping.list.created'); // shares the letters but not the `shop.` prefix

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await t.api.get<PageOf<EventType>>(`/v1/event-types?prefix=shop.&limit=2${query}`, {
        token: tenant.token,
      });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((e) => e.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].sort());

    const narrower = await t.api.get<PageOf<EventType>>('/v1/event-types?prefix=shop.order.', { token: tenant.token });
    expect(narrower.body.data.map((e) => e.name)).toEqual([
      'shop.order.created',
      'shop.order.paid',
      'shop.order.shipped',
    ]);
    expect(narrower.body.nextCursor).toBeNull();

    const none = await t.api.get<PageOf<EventType>>('/v1/event-types?prefix=nothing.here', { token: tenant.token });
    expect(none.body).toEqual({ data: [], nextCursor: null });
  });

  it('lists the whole catalogue in byte order of names', async () => {
    const all = await t.api.get<PageOf<EventType>>('/v1/event-types?limit=100', { token: tenant.token });
    const names = all.body.data.map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('invoice.created');
  });

  it('updates only the fields given, and replaces a schema', async () => {
    const created = await createType('report.ready', { description: 'Before', schema: invoiceSchema });

    const described = await t.api.patch<EventType>('/v1/event-types/report.ready', {
      token: tenant.token,
      json: { description: 'After' },
    });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ description: 'After', schema: invoiceSchema, deprecated: false });
    expect(described.body.createdAt).toBe(created.createdAt);
    expect(Date.parse(described.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    const newSchema = { type: 'object', properties: { url: { type: 'string', minLength: 1 } } };
    const replaced = await t.api.patch<EventType>('/v1/event-types/report.ready', {
      token: tenant.token,
      json: { schema: newSchema, deprecated: true },
    });
    expect(replaced.body).toMatchObject({ description: 'After', schema: newSchema, deprecated: true });

    const got = await t.api.get<EventType>('/v1/event-types/report.ready', { token: tenant.token });
    expect(got.body).toEqual(replaced.body);
  });

  it('removes the schema with `schema: null` and keeps it when schema is absent', async () => {
    await createType('audit.logged', { schema: invoiceSchema });

    const kept = await t.api.patch<EventType>('/v1/event-types/audit.logged', {
      token: tenant.token,
      json: { deprecated: true },
    });
    expect(kept.body.schema).toEqual(invoiceSchema);

    const removed = await t.api.patch<EventType>('/v1/event-types/audit.logged', {
      token: tenant.token,
      json: { schema: null },
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ schema: null, deprecated: true });
    const got = await t.api.get<EventType>('/v1/event-types/audit.logged', { token: tenant.token });
    expect(got.body.schema).toBeNull();
  });

  it('deletes an event type', async () => {
    await createType('temp.thing');
    const deleted = await t.api.delete('/v1/event-types/temp.thing', { token: tenant.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');

    expectProblem(await t.api.get('/v1/event-types/temp.thing', { token: tenant.token }), 'not_found');
    expectProblem(await t.api.delete('/v1/event-types/temp.thing', { token: tenant.token }), 'not_found');
    // The name is free again.
    await createType('temp.thing');
  });

  it('refuses to delete a type an endpoint subscribes to by exact name, until it no longer does', async () => {
    await createType('ledger.posted');
    await createType('ledger.voided');
    const endpoint = await createEndpoint(['ledger.posted', 'ledger.voided']);

    const refused = await expectUnchanged(t, () =>
      t.api.delete('/v1/event-types/ledger.posted', { token: tenant.token }),
    );
    const problem = expectProblem(refused, 'conflict');
    expect(problem.detail).toContain('ledger.posted');

    const changed = await t.api.patch(`/v1/endpoints/${endpoint.id}`, {
      token: tenant.token,
      json: { eventTypes: ['ledger.voided'] },
    });
    expect(changed.status).toBe(200);
    const deleted = await t.api.delete('/v1/event-types/ledger.posted', { token: tenant.token });
    expect(deleted.status).toBe(204);
  });

  it('lets a type go when endpoints only reach it through a wildcard', async () => {
    await createType('metrics.cpu');
    await createType('metrics.disk');
    await createEndpoint(['metrics.*']);
    await createEndpoint(['*']);

    const deleted = await t.api.delete('/v1/event-types/metrics.cpu', { token: tenant.token });
    expect(deleted.status).toBe(204);
    const rest = await t.api.get<PageOf<EventType>>('/v1/event-types?prefix=metrics.', { token: tenant.token });
    expect(rest.body.data.map((e) => e.name)).toEqual(['metrics.disk']);
  });
});
