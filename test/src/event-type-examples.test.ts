import { fromTypeId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWith } from './support/delivery.ts';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { expectInvalid, expectProblem, expectUnchanged } from './support/problem-assertions.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import type { EndpointWithSecret, EventType } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * Example events (docs/delivery.md, "Example events"): an event type carries up to 5 example `data`
 * payloads, each at most 16 KiB and valid against the type's schema as it will be after the write; an
 * invalid one is a 422 naming `examples.<i>.<field>` and nothing is stored. POST
 * /v1/endpoints/{id}/send-example delivers one of them to one endpoint, subscribed or not, as a test send
 * (like ping), and the event reads back marked `example: true`.
 */

let t: TestHookport;
let tenant: TenantFixture;
const receivers: Receiver[] = [];
beforeAll(async () => {
  t = await startHookport();
  tenant = await createTenant(t, { presets: [] });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

const invoiceSchema = {
  type: 'object',
  required: ['invoiceId', 'amount'],
  properties: { invoiceId: { type: 'string' }, amount: { type: 'integer', minimum: 0 } },
};
const good = { invoiceId: 'in-1', amount: 250 };

function create(json: Record<string, unknown>) {
  return t.api.post<EventType>('/v1/event-types', { token: tenant.token, json });
}
function update(name: string, json: Record<string, unknown>) {
  return t.api.patch<EventType>(`/v1/event-types/${name}`, { token: tenant.token, json });
}

describe('event type examples', () => {
  it('stores, reads, replaces and removes examples', async () => {
    const created = await create({ name: 'invoice.paid', schema: invoiceSchema, examples: [good] });
    expect(created.status, created.text).toBe(201);
    expect(created.body.examples).toEqual([good]);
    const plain = await create({ name: 'invoice.sent' });
    expect(plain.body.examples).toEqual([]);
    const read = await t.api.get<EventType>('/v1/event-types/invoice.paid', { token: tenant.token });
    expect(read.body.examples).toEqual([good]);
    const replaced = await update('invoice.paid', { examples: [good, { invoiceId: 'in-2', amount: 0 }] });
    expect(replaced.body.examples).toHaveLength(2);
    // An update without examples leaves them.
    expect((await update('invoice.paid', { description: 'Paid' })).body.examples).toHaveLength(2);
    expect((await update('invoice.paid', { examples: [] })).body.examples).toEqual([]);
  });

  it('refuses examples the schema refuses, too many or too large, with their paths, storing nothing', async () => {
    const base = await create({ name: 'invoice.void', schema: invoiceSchema, examples: [good] });
    expect(base.status, base.text).toBe(201);
    await expectUnchanged(t, async () => {
      expectInvalid(
        await create({ name: 'invoice.late', schema: invoiceSchema, examples: [good, { invoiceId: 'x', amount: -1 }] }),
        'examples.1.amount',
      );
      expectInvalid(await update('invoice.void', { examples: [good, { amount: 3 }] }), 'examples.1.invoiceId');
      // A new schema is checked against the stored examples as well.
      const stricter = { ...invoiceSchema, properties: { ...invoiceSchema.properties, amount: { type: 'string' } } };
      expectInvalid(await update('invoice.void', { schema: stricter }), 'examples.0.amount');
      expectInvalid(await update('invoice.void', { examples: Array.from({ length: 6 }, () => good) }), 'examples');
      expectInvalid(
        await update('invoice.void', { examples: [{ ...good, pad: 'x'.repeat(16 * 1024) }] }),
        'examples.0',
      );
    });
  });
});

interface DeliveryBody {
  id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  status: string;
}
interface EventBody {
  id: string;
  deliveryCount: number;
  type: string;
  data: Record<string, unknown> | null;
  example: boolean;
}

async function endpointFor(owner: TenantFixture, url: string, eventTypes: string[]) {
  const res = await t.api.post<EndpointWithSecret>('/v1/endpoints', { token: owner.token, json: { url, eventTypes } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
function sendExample(endpointId: string, json: Record<string, unknown>, token = tenant.token) {
  return t.api.post<DeliveryBody>(`/v1/endpoints/${endpointId}/send-example`, { token, json });
}

describe('send-example', () => {
  it("delivers the example's data, signed, to an endpoint that does not subscribe to the type", async () => {
    const second = { invoiceId: 'in-9', amount: 7 };
    expect((await create({ name: 'invoice.refunded', schema: invoiceSchema, examples: [good, second] })).status).toBe(
      201,
    );
    const r = await startReceiver();
    receivers.push(r);
    // Subscribed to something else entirely: a published invoice.refunded would not reach it.
    expect((await create({ name: 'receipt.issued' })).status).toBe(201);
    const ep = await endpointFor(tenant, r.url, ['receipt.issued']);
    const sent = await sendExample(ep.id, { eventType: 'invoice.refunded', example: 1 });
    expect(sent.status, sent.text).toBe(202);
    expect(sent.body).toMatchObject({ endpointId: ep.id, eventType: 'invoice.refunded', status: 'pending' });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(verifyWith(ep.secret, got.body, got.headers)).toMatchObject({ type: 'invoice.refunded', data: second });
    expect(got.headers['webhook-id']).toBe(sent.body.eventId);
    const event = await t.api.get<EventBody>(`/v1/events/${sent.body.eventId}`, { token: tenant.token });
    expect(event.body).toMatchObject({ type: 'invoice.refunded', data: second, example: true });
    await until('the example delivery to succeed', async () => {
      const d = await t.api.get<DeliveryBody>(`/v1/deliveries/${sent.body.id}`, { token: tenant.token });
      return d.body.status === 'succeeded' ? d.body : undefined;
    });
    // The first example is the default; a published event is not an example.
    const first = await sendExample(ep.id, { eventType: 'invoice.refunded' });
    expect(first.status, first.text).toBe(202);
    await until('the first example to arrive', async () =>
      r.received.some((g) => g.headers['webhook-id'] === first.body.eventId) ? true : undefined,
    );
    const firstBody = r.received.find((g) => g.headers['webhook-id'] === first.body.eventId);
    expect(JSON.parse(firstBody?.body ?? '{}')).toMatchObject({ data: good });
    const published = await t.api.post<EventBody>('/v1/events', {
      token: tenant.token,
      json: { type: 'invoice.refunded', data: good },
    });
    expect(published.status, published.text).toBe(202);
    expect(published.body.example).toBe(false);
    expect(published.body.deliveryCount).toBe(0);
  });

  it('refuses a type Hookport publishes itself: not in the catalogue, and not sent from a row that predates that', async () => {
    const fx = await createTenant(t, { presets: [] });
    const forged = { name: 'endpoint.disabled', examples: [{ endpointId: 'ep_forged', reason: 'forged' }] };
    const refused = await expectUnchanged(t, () => t.api.post('/v1/event-types', { token: fx.token, json: forged }));
    expect(expectInvalid(refused, 'name').errors).toEqual([
      expect.objectContaining({ path: 'name', code: 'reserved_event_type' }),
    ]);
    // A catalogue row of that name stored before the refusal existed.
    const tenantId = fromTypeId('tenant', fx.id);
    await t.hp.db.query(
      `insert into event_types (tenant_id, name, description, examples) values ($1, $2, '', $3::text::jsonb)`,
      [tenantId, forged.name, JSON.stringify(forged.examples)],
    );
    const r = await startReceiver();
    receivers.push(r);
    const ep = await endpointFor(fx, r.url, ['*']);
    const sent = await expectUnchanged(t, () =>
      t.api.post(`/v1/endpoints/${ep.id}/send-example`, { token: fx.token, json: { eventType: forged.name } }),
    );
    expect(expectInvalid(sent, 'eventType').errors).toEqual([
      expect.objectContaining({ path: 'eventType', code: 'reserved_event_type' }),
    ]);
  });

  it('refuses an unknown type, a type without examples, an index past them and a foreign endpoint, storing nothing', async () => {
    expect((await create({ name: 'invoice.drafted', examples: [good] })).status).toBe(201);
    expect((await create({ name: 'invoice.archived' })).status).toBe(201);
    const r = await startReceiver();
    receivers.push(r);
    const ep = await endpointFor(tenant, r.url, ['*']);
    const other = await createTenant(t, { presets: [] });
    const foreign = await endpointFor(other, r.url, ['*']);
    await expectUnchanged(t, async () => {
      expectInvalid(await sendExample(ep.id, { eventType: 'invoice.unknown' }), 'eventType');
      const none = expectProblem(await sendExample(ep.id, { eventType: 'invoice.archived' }), 'conflict');
      expect(none.detail).toMatch(/no examples/);
      expectInvalid(await sendExample(ep.id, { eventType: 'invoice.drafted', example: 1 }), 'example');
      expectInvalid(await sendExample(ep.id, { eventType: 'invoice.drafted', example: -1 }), 'example');
      expectProblem(await sendExample(foreign.id, { eventType: 'invoice.drafted' }), 'not_found');
    });
    expect(r.received).toHaveLength(0);
  });
});
