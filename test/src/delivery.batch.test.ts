import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit, type EventBody, verifyWith } from './support/delivery.ts';
import {
  type ApiResponse,
  createTenant,
  startHookport,
  type TenantFixture,
  type TestHookport,
} from './support/harness.ts';
import { expectInvalid, expectProblem, expectUnchanged } from './support/problem-assertions.ts';
import type { PageOf } from './support/types.ts';

/**
 * POST /v1/events/batch (docs/api.md, "Publishing in batches"): up to 100 events in one transaction,
 * fanned out as POST /v1/events would, each with its own idempotency key; any refused event refuses
 * the batch, naming the event, and stores nothing; the daily quota counts the batch together.
 */

type Published = EventBody & { replayed: boolean };
interface BatchEvent {
  type: string;
  data: Record<string, unknown>;
  idempotencyKey?: string;
}

/** A small event limit, so one event over it is cheap to send. */
const maxEventBytes = 2048;
let t: TestHookport;
let kit: DeliveryKit;

const orderSchema = {
  type: 'object',
  required: ['orderId', 'amount'],
  properties: { orderId: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
};

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_MAX_EVENT_BYTES: String(maxEventBytes) });
  kit = new DeliveryKit(t, await createTenant(t));
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

function batch(fx: TenantFixture, events: readonly BatchEvent[]) {
  return t.api.post<{ events: Published[] }>('/v1/events/batch', { token: fx.token, json: { events } });
}

async function eventsOf(fx: TenantFixture): Promise<EventBody[]> {
  const res = await t.api.get<PageOf<EventBody>>('/v1/events?limit=100', { token: fx.token });
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

/** A tenant without presets, with an `order.placed` type that has a schema. */
async function orderTenant(quotas?: Record<string, unknown>): Promise<TenantFixture> {
  const fx = await createTenant(t, { presets: [] });
  const created = await t.api.post('/v1/event-types', {
    token: fx.token,
    json: { name: 'order.placed', schema: orderSchema },
  });
  expect(created.status, created.text).toBe(201);
  if (quotas) {
    const res = await t.api.patch(`/v1/tenants/${fx.id}`, { token: t.adminToken, json: { quotas } });
    expect(res.status, res.text).toBe(200);
  }
  return fx;
}

const order = (n: number, key?: string): BatchEvent => ({
  type: 'order.placed',
  data: { orderId: `o-${n}`, amount: n },
  ...(key ? { idempotencyKey: key } : {}),
});

/** The batch is refused with `code`, and nothing of it is stored anywhere. */
async function refusedWhole(fx: TenantFixture, events: readonly BatchEvent[]): Promise<ApiResponse> {
  const before = await eventsOf(fx);
  const res = await expectUnchanged(t, () => batch(fx, events));
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(await eventsOf(fx)).toEqual(before);
  return res;
}

describe('a batch', () => {
  it('fans every event out to the subscribed receiver, in order, signed as single publishes are', async () => {
    const receiver = await kit.receiver();
    const ep = await kit.endpoint(receiver.url, { eventTypes: ['ticket.*'] });
    const res = await batch(kit.tenant, [
      { type: 'ticket.created', data: { n: 0 } },
      { type: 'ticket.updated', data: { n: 1 } },
      { type: 'ticket.resolved', data: { n: 2 } },
    ]);
    expect(res.status, res.text).toBe(202);
    const published = res.body.events;
    expect(published.map((e) => [e.type, e.data, e.deliveryCount, e.replayed])).toEqual([
      ['ticket.created', { n: 0 }, 1, false],
      ['ticket.updated', { n: 1 }, 1, false],
      ['ticket.resolved', { n: 2 }, 1, false],
    ]);
    const received = await receiver.waitFor(3);
    // Each verifies with the endpoint's secret, and its webhook-id is one of the batch's events.
    const payloads = received.map((r) => verifyWith(ep.secret, r.body, r.headers));
    expect(payloads.map((p) => p.data).sort((x, y) => Number(x.n) - Number(y.n))).toEqual([
      { n: 0 },
      { n: 1 },
      { n: 2 },
    ]);
    const ids = received.map((r) => String(r.headers['webhook-id']));
    expect(ids.sort()).toEqual(published.map((e) => e.id).sort());
    for (const e of published) await kit.settled((await kit.deliveryOf(e.id, ep.id)).id, 'succeeded');
    // Stored in the request's order: ids are UUIDv7, so the newest-first list reverses it.
    const listed = (await eventsOf(kit.tenant)).slice(0, 3).map((e) => e.id);
    expect(listed).toEqual(published.map((e) => e.id).reverse());
  });

  it('takes 100 events and refuses 101 or none with a 422 on `events`', async () => {
    const fx = await orderTenant();
    const hundred = Array.from({ length: 100 }, (_, i) => order(i));
    const ok = await batch(fx, hundred);
    expect(ok.status, ok.text).toBe(202);
    expect(ok.body.events).toHaveLength(100);
    expect(ok.body.events.map((e) => e.data)).toEqual(hundred.map((e) => e.data));
    expectInvalid(await refusedWhole(fx, [...hundred, order(100)]), 'events');
    expectInvalid(await refusedWhole(fx, []), 'events');
  });
});

describe('all or nothing', () => {
  it('refuses the whole batch for one unknown type, naming its index', async () => {
    const fx = await orderTenant();
    const res = await refusedWhole(fx, [order(0), order(1), { type: 'order.lost', data: {} }]);
    const problem = expectInvalid(res, 'events.2.type');
    expect(problem.detail).toMatch(/^events\[2\]: /);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'events.2.type', code: 'unknown_event_type' })]);
  });

  it('refuses the whole batch for one event of a type Hookport publishes itself, naming its index', async () => {
    const fx = await orderTenant();
    const forged = { type: 'endpoint.disabled', data: { endpointId: 'ep_forged', reason: 'forged' } };
    const res = await refusedWhole(fx, [order(0), forged, order(1)]);
    const problem = expectInvalid(res, 'events.1.type');
    expect(problem.detail).toMatch(/^events\[1\]: /);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'events.1.type', code: 'reserved_event_type' })]);
    const ping = await refusedWhole(fx, [{ type: 'ping', data: {}, idempotencyKey: 'forged-ping' }]);
    expect(expectInvalid(ping, 'events.0.type').errors?.[0]?.code).toBe('reserved_event_type');
  });

  it("refuses the whole batch for one event's data failing its schema, naming the field", async () => {
    const fx = await orderTenant();
    const bad = { type: 'order.placed', data: { orderId: 'o-1', amount: -5 } };
    const problem = expectInvalid(await refusedWhole(fx, [order(0), order(1), order(2), bad]), 'events.3.data.amount');
    expect(problem.detail).toMatch(/^events\[3\]: /);
    // A shape error the body's own validation finds is named the same way.
    expectInvalid(await refusedWhole(fx, [order(0), { type: 'order.placed' } as BatchEvent]), 'events.1.data');
  });

  it('refuses the whole batch for one event over the event size limit with a 413 naming it', async () => {
    const fx = await orderTenant();
    const large = { type: 'order.placed', data: { orderId: 'x'.repeat(maxEventBytes), amount: 1 } };
    const problem = expectProblem(await refusedWhole(fx, [order(0), large]), 'payload_too_large');
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'events.1' })]);
    expect(problem.detail).toContain(`${maxEventBytes} bytes`);
  });

  it('refuses a key used twice in the batch', async () => {
    const fx = await orderTenant();
    expectInvalid(await refusedWhole(fx, [order(0, 'k'), order(1), order(2, 'k')]), 'events.2.idempotencyKey');
  });

  it("counts the whole batch against the tenant's daily quota", async () => {
    const fx = await orderTenant({ eventsPerDay: 3 });
    expect((await batch(fx, [order(0), order(1)])).status).toBe(202);
    const res = await refusedWhole(fx, [order(2), order(3)]);
    const problem = expectProblem(res, 'daily_quota_exceeded');
    expect(problem.detail).toContain('quota of 3 events');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // The refused batch counted nothing: the one event left still fits.
    expect((await batch(fx, [order(4)])).status).toBe(202);
    expectProblem(await batch(fx, [order(5)]), 'daily_quota_exceeded');
    // The server has no default limit: a single publish of this tenant is refused by its own quota too.
    const single = await t.api.post('/v1/events', {
      token: fx.token,
      json: { type: 'order.placed', data: order(6).data },
    });
    expectProblem(single, 'daily_quota_exceeded');
  });
});

describe('idempotency per event', () => {
  it('replays an earlier key as POST /v1/events does, and stores only the new events', async () => {
    const fx = await orderTenant();
    const first = await batch(fx, [order(0, 'k0'), order(1, 'k1')]);
    expect(first.status, first.text).toBe(202);
    const [e0, e1] = first.body.events;
    const again = await batch(fx, [order(1, 'k1'), order(2, 'k2'), order(3)]);
    expect(again.status, again.text).toBe(202);
    expect(again.body.events.map((e) => e.replayed)).toEqual([true, false, false]);
    expect(again.body.events[0]?.id).toBe(e1?.id);
    // A key a batch stored is the same key to POST /v1/events, and the other way round.
    const single = await t.api.post<EventBody>('/v1/events', {
      token: fx.token,
      json: { type: 'order.placed', data: order(0).data },
      headers: { 'idempotency-key': 'k0' },
    });
    expect(single.status).toBe(202);
    expect(single.headers.get('idempotent-replayed')).toBe('true');
    expect(single.body.id).toBe(e0?.id);
    expect(await eventsOf(fx)).toHaveLength(4);
    // The same key with another body refuses the batch, naming the event.
    const conflict = await refusedWhole(fx, [order(9), { ...order(1, 'k1'), data: { orderId: 'o-1', amount: 99 } }]);
    const problem = expectProblem(conflict, 'idempotency_conflict');
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'events.1' })]);
  });

  it('publishes each key once when batches share keys in opposite orders at the same time, without a deadlock', async () => {
    const fx = await orderTenant();
    const rounds = Array.from({ length: 5 }, (_, r) => [order(r, `a${r}`), order(100 + r, `b${r}`)]);
    const answers = await Promise.all(
      rounds.flatMap((events) => [batch(fx, events), batch(fx, [...events].reverse())]),
    );
    for (const res of answers) expect(res.status, res.text).toBe(202);
    expect(await eventsOf(fx)).toHaveLength(10);
  });
});

describe('tenants', () => {
  it("leaves another tenant's events and endpoints alone", async () => {
    const a = await orderTenant();
    const b = kit.forTenant(await createTenant(t, { presets: [] }));
    const created = await t.api.post('/v1/event-types', { token: b.tenant.token, json: { name: 'order.placed' } });
    expect(created.status).toBe(201);
    const bReceiver = await b.receiver();
    const bEndpoint = await b.endpoint(bReceiver.url, { eventTypes: ['*'] });
    const aKit = kit.forTenant(a);
    const aReceiver = await aKit.receiver();
    await aKit.endpoint(aReceiver.url, { eventTypes: ['order.placed'] });
    const res = await batch(a, [order(0), order(1)]);
    expect(res.status, res.text).toBe(202);
    await aReceiver.waitFor(2);
    for (const e of res.body.events) expect(await aKit.deliveriesOf(e.id)).toHaveLength(1);
    expect(await eventsOf(b.tenant)).toEqual([]);
    expect(await b.listAll({ endpointId: bEndpoint.id })).toEqual([]);
    // And B's token cannot read A's events.
    const foreign = await t.api.get(`/v1/events/${res.body.events[0]?.id}`, { token: b.tenant.token });
    expect(foreign.status).toBe(404);
  });
});
