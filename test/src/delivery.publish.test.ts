import { systemEventTypes } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, DeliveryKit, type EventBody } from './support/delivery.ts';
import {
  type ApiResponse,
  createTenant,
  createToken,
  startHookport,
  type TenantFixture,
  type TestHookport,
} from './support/harness.ts';
import type { Receiver } from './support/receiver.ts';
import type { PageOf, Problem } from './support/types.ts';

/**
 * Publishing as the API sees it: what is refused (and then leaves no trace),
 * reading events back, tenant isolation and the scopes each route needs.
 */

let t: TestHookport;
let kit: DeliveryKit;
let tenant: TenantFixture;
/** An endpoint subscribed to everything, so any event that slipped through would leave a delivery. */
let catchAllReceiver: Receiver;

const orderSchema = {
  type: 'object',
  required: ['orderId', 'amount'],
  properties: {
    orderId: { type: 'string' },
    amount: { type: 'number', minimum: 0 },
    customer: {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' } },
      additionalProperties: false,
    },
  },
};

beforeAll(async () => {
  t = await startHookport();
  tenant = await createTenant(t);
  kit = new DeliveryKit(t, tenant);
  const created = await t.api.post('/v1/event-types', {
    token: tenant.token,
    json: { name: 'order.placed', description: 'An order was placed', schema: orderSchema },
  });
  if (created.status !== 201) throw new Error(`event type create failed: ${created.text}`);
  catchAllReceiver = await kit.receiver();
  await kit.endpoint(catchAllReceiver.url, { eventTypes: ['*'] });
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

function problemOf(res: ApiResponse): Problem {
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  return res.body as Problem;
}

/** Runs a request that must be refused and proves it stored nothing: no event, no delivery, no job row. */
async function refusedWithoutTrace(act: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const before = await t.snapshot();
  const res = await act();
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(await t.snapshot()).toBe(before);
  return res;
}

describe('publish validation', () => {
  it('refuses an event type outside the catalogue with 422 naming `type`', async () => {
    const res = await refusedWithoutTrace(() => kit.publish('invoice.paid', { id: 1 }));
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'type', code: 'unknown_event_type' })]);
  });

  it.each(systemEventTypes)('refuses %s, a type Hookport publishes itself, with 422 naming `type`', async (type) => {
    const reserved = [expect.objectContaining({ path: 'type', code: 'reserved_event_type' })];
    const res = await refusedWithoutTrace(() => kit.publish(type, { endpointId: 'ep_forged', reason: 'forged' }));
    expect(res.status).toBe(422);
    expect(problemOf(res)).toMatchObject({ code: 'validation_failed', errors: reserved });
    // With an Idempotency-Key too: that path reads the type on its own, before the key's lock.
    const keyed = await refusedWithoutTrace(() => kit.publish(type, {}, { 'idempotency-key': `forge-${type}` }));
    expect(problemOf(keyed)).toMatchObject({ code: 'validation_failed', errors: reserved });
  });

  it("still delivers Hookport's own ping to an endpoint subscribed to every type", async () => {
    // A tenant of its own: the shared tenant's endpoints are counted by the tests below.
    const own = kit.forTenant(await createTenant(t));
    const receiver = await own.receiver();
    const ep = await own.endpoint(receiver.url, { eventTypes: ['*'] });
    const ping = await t.api.post<Delivery>(`/v1/endpoints/${ep.id}/ping`, { token: own.tenant.token });
    expect(ping.status, ping.text).toBe(202);
    // Settled, so that the tests after this one compare snapshots of a quiet database.
    await own.settled(ping.body.id, 'succeeded');
    const [got] = await receiver.waitFor(1);
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ type: 'ping' });
  });

  it("refuses data that fails the type's JSON Schema with 422 naming each failing path under data.", async () => {
    const res = await refusedWithoutTrace(() =>
      kit.publish('order.placed', { orderId: 42, customer: { name: 'Ann' } }),
    );
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(problem.code).toBe('validation_failed');
    const paths = (problem.errors ?? []).map((e) => e.path);
    // A wrong type, a missing property (top level and nested) and an unknown one, each at its own field.
    expect(paths).toEqual(
      expect.arrayContaining(['data.orderId', 'data.amount', 'data.customer.id', 'data.customer.name']),
    );
    for (const path of paths) expect(path).toMatch(/^data\./);
  });

  it('refuses data over the default 256 KiB with 413', async () => {
    const res = await refusedWithoutTrace(() => kit.publish('ticket.created', { blob: 'x'.repeat(257 * 1024) }));
    expect(res.status).toBe(413);
    expect(problemOf(res).code).toBe('payload_too_large');
  });

  it('accepts valid data near the limit and fans it out', async () => {
    const ok = await kit.publish('order.placed', { orderId: 'O-1', amount: 3, note: 'y'.repeat(200 * 1024) });
    expect(ok.status).toBe(202);
    expect(ok.body.deliveryCount).toBe(1);
    const got = await catchAllReceiver.waitFor(1);
    expect(got.some((g) => g.headers['webhook-id'] === ok.body.id)).toBe(true);
  });
});

describe('events', () => {
  it('lists events newest first with type filter and cursor paging, and gets one', async () => {
    const k = kit.forTenant(await createTenant(t));
    const published = [
      await k.accepted('ticket.created', { n: 1 }),
      await k.accepted('ticket.updated', { n: 2 }),
      await k.accepted('ticket.created', { n: 3 }),
    ];
    const [e1, e2, e3] = published;
    if (!e1 || !e2 || !e3) throw new Error('publish failed');

    const all = await t.api.get<PageOf<EventBody>>('/v1/events', { token: k.tenant.token });
    expect(all.status).toBe(200);
    expect(all.body.data.map((e) => e.id)).toEqual([e3.id, e2.id, e1.id]);

    const created = await t.api.get<PageOf<EventBody>>('/v1/events?type=ticket.created', { token: k.tenant.token });
    expect(created.body.data.map((e) => e.id)).toEqual([e3.id, e1.id]);

    const since = await t.api.get<PageOf<EventBody>>(`/v1/events?since=${encodeURIComponent(e2.createdAt)}`, {
      token: k.tenant.token,
    });
    expect(since.body.data.map((e) => e.id)).toEqual([e3.id, e2.id]);

    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page: ApiResponse<PageOf<EventBody>> = await t.api.get<PageOf<EventBody>>(`/v1/events?limit=1${query}`, {
        token: k.tenant.token,
      });
      expect(page.body.data.length).toBeLessThanOrEqual(1);
      paged.push(...page.body.data.map((e) => e.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(paged).toEqual([e3.id, e2.id, e1.id]);

    const one = await t.api.get<EventBody>(`/v1/events/${e2.id}`, { token: k.tenant.token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(e2);
  });

  it("answers 404 for another tenant's event, delivery and endpoint actions", async () => {
    const r = await kit.receiver();
    const ep = await kit.endpoint(r.url, { eventTypes: ['ticket.deleted'] });
    const event = await kit.accepted('ticket.deleted', { n: 4 });
    const delivery = await kit.settled((await kit.deliveryOf(event.id, ep.id)).id, 'succeeded');

    const other = await createTenant(t, { name: 'Other' });
    const as = { token: other.token };
    expect((await t.api.get(`/v1/events/${event.id}`, as)).status).toBe(404);
    expect((await t.api.get(`/v1/deliveries/${delivery.id}`, as)).status).toBe(404);
    expect((await t.api.post(`/v1/deliveries/${delivery.id}/redeliver`, as)).status).toBe(404);
    expect((await t.api.post(`/v1/endpoints/${ep.id}/ping`, as)).status).toBe(404);
    expect(
      (await t.api.post(`/v1/endpoints/${ep.id}/recover`, { ...as, json: { since: event.createdAt } })).status,
    ).toBe(404);
    const theirs = await t.api.get<PageOf<Delivery>>(`/v1/deliveries?endpointId=${ep.id}`, as);
    expect(theirs.body.data).toEqual([]);
    const events = await t.api.get<PageOf<EventBody>>('/v1/events', as);
    expect(events.body.data).toEqual([]);
    // Nothing was sent again on the other tenant's behalf.
    expect(r.received).toHaveLength(1);
  });
});

describe('scopes', () => {
  it('needs events:publish to publish, deliveries:read to read, deliveries:write to redeliver and recover', async () => {
    const publishOnly = await createToken(t, tenant.id, ['events:publish']);
    const readOnly = await createToken(t, tenant.id, ['deliveries:read']);
    const writeOnly = await createToken(t, tenant.id, ['deliveries:write']);
    const r = await kit.receiver();
    const ep = await kit.endpoint(r.url, { eventTypes: ['ticket.assignment.changed'] });
    const json = { type: 'ticket.assignment.changed', data: { n: 5 } };
    await kit.quiescent();

    for (const token of [readOnly, writeOnly]) {
      const res = await refusedWithoutTrace(() => t.api.post('/v1/events', { token, json }));
      expect(res.status).toBe(403);
      expect(problemOf(res).code).toBe('forbidden');
    }
    const published = await t.api.post<EventBody>('/v1/events', { token: publishOnly, json });
    expect(published.status).toBe(202);

    for (const path of ['/v1/deliveries', '/v1/events', `/v1/events/${published.body.id}`]) {
      expect((await t.api.get(path, { token: publishOnly })).status).toBe(403);
      expect((await t.api.get(path, { token: readOnly })).status).toBe(200);
      // Writing deliveries includes reading them.
      expect((await t.api.get(path, { token: writeOnly })).status).toBe(200);
    }
    const delivery = await kit.settled((await kit.deliveryOf(published.body.id, ep.id)).id, 'succeeded');
    expect((await t.api.get(`/v1/deliveries/${delivery.id}`, { token: publishOnly })).status).toBe(403);
    await kit.quiescent();

    const redeliver = `/v1/deliveries/${delivery.id}/redeliver`;
    const recover = { path: `/v1/endpoints/${ep.id}/recover`, json: { since: published.body.createdAt } };
    for (const token of [readOnly, publishOnly]) {
      expect((await refusedWithoutTrace(() => t.api.post(redeliver, { token }))).status).toBe(403);
      expect((await refusedWithoutTrace(() => t.api.post(recover.path, { token, json: recover.json }))).status).toBe(
        403,
      );
    }
    expect((await t.api.post(redeliver, { token: writeOnly })).status).toBe(202);
    await r.waitFor(2);
    const recovered = await t.api.post<{ recovered: number }>(recover.path, { token: writeOnly, json: recover.json });
    expect(recovered.status).toBe(202);
  });
});
