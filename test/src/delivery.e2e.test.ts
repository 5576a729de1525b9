import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import type { EndpointWithSecret } from './support/types.ts';
import { until } from './support/until.ts';

interface EventBody {
  id: string;
  type: string;
  createdAt: string;
  deliveryCount: number;
}
interface DeliveryBody {
  id: string;
  status: string;
  attemptCount: number;
  attempts: { number: number; httpStatus: number | null; errorKind: string | null }[];
}
interface Page<T> {
  data: T[];
}

let t: TestHookport;
let tenant: TenantFixture;
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await startHookport();
  tenant = await createTenant(t);
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

async function endpoint(url: string, eventTypes = ['ticket.*']) {
  const res = await t.api.post<EndpointWithSecret>('/v1/endpoints', { token: tenant.token, json: { url, eventTypes } });
  expect(res.status).toBe(201);
  return res.body;
}

async function publish(type: string, data: Record<string, unknown>, headers?: Record<string, string>) {
  const res = await t.api.post<EventBody>('/v1/events', {
    token: tenant.token,
    json: { type, data },
    ...(headers ? { headers } : {}),
  });
  return res;
}

async function deliveriesOf(eventId: string) {
  const all = await t.api.get<Page<DeliveryBody & { eventId: string }>>('/v1/deliveries?limit=100', {
    token: tenant.token,
  });
  return all.body.data.filter((d) => d.eventId === eventId);
}

async function settled(deliveryId: string, status: string) {
  return until(`delivery ${deliveryId} to be ${status}`, async () => {
    const d = await t.api.get<DeliveryBody>(`/v1/deliveries/${deliveryId}`, { token: tenant.token });
    return d.body.status === status ? d.body : undefined;
  });
}

describe('delivery', () => {
  it('delivers a published event, signed so that the standardwebhooks library verifies it', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    const res = await publish('ticket.created', { ticket: { id: 'T-1' } });
    expect(res.status).toBe(202);
    expect(res.body.deliveryCount).toBe(1);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const verified = new Webhook(ep.secret).verify(got.body, got.headers as Record<string, string>);
    expect(verified).toMatchObject({ type: 'ticket.created', data: { ticket: { id: 'T-1' } } });
    expect(got.headers['webhook-id']).toBe(res.body.id);
    expect(got.headers['user-agent']).toMatch(/^Hookport\//);
    const [d] = await deliveriesOf(res.body.id);
    if (!d) throw new Error('no delivery');
    const done = await settled(d.id, 'succeeded');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ number: 1, httpStatus: 204, errorKind: null });
  });

  it('retries on failure until the receiver accepts, keeping the webhook-id and the event time', async () => {
    const r = await receiver((_req, n, res) => {
      res.writeHead(n < 3 ? 500 : 200).end('ok');
    });
    await endpoint(r.url);
    const res = await publish('ticket.updated', { n: 1 });
    const got = await r.waitFor(3);
    expect(new Set(got.map((g) => g.headers['webhook-id']))).toEqual(new Set([res.body.id]));
    // The payload's timestamp is the event's time on every attempt; the signature's is the attempt's.
    const stamps = got.map((g) => (JSON.parse(g.body) as { timestamp: string }).timestamp);
    expect(new Set(stamps)).toEqual(new Set([res.body.createdAt]));
    expect(new Set(got.map((g) => g.headers['webhook-timestamp'])).size).toBeGreaterThan(1);
    const [d] = await deliveriesOf(res.body.id);
    if (!d) throw new Error('no delivery');
    const done = await settled(d.id, 'succeeded');
    expect(done.attempts.map((a) => a.httpStatus)).toEqual([500, 500, 200]);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    const target = await receiver();
    const r = await receiver((_req, _n, res) => {
      res.writeHead(302, { location: target.url }).end();
    });
    await endpoint(r.url);
    const res = await publish('ticket.deleted', {});
    const [d] = await deliveriesOf(res.body.id);
    if (!d) throw new Error('no delivery');
    const done = await settled(d.id, 'failed');
    expect(done.attempts.every((a) => a.httpStatus === 302 && a.errorKind === 'http_status')).toBe(true);
    expect(target.received).toHaveLength(0);
  });

  it('replays the original event for a repeated Idempotency-Key and refuses it with another body', async () => {
    const r = await receiver();
    await endpoint(r.url, ['ticket.resolved']);
    const first = await publish('ticket.resolved', { a: 1 }, { 'idempotency-key': 'k-1' });
    const again = await publish('ticket.resolved', { a: 1 }, { 'idempotency-key': 'k-1' });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await publish('ticket.resolved', { a: 2 }, { 'idempotency-key': 'k-1' });
    expect(other.status).toBe(409);
    await r.waitFor(1);
    // The replay fanned out nothing new: one event of the type, with the deliveries of the first publish.
    const events = await t.api.get<Page<EventBody>>('/v1/events?type=ticket.resolved', { token: tenant.token });
    expect(events.body.data.map((e) => e.id)).toEqual([first.body.id]);
    expect(await deliveriesOf(first.body.id)).toHaveLength(first.body.deliveryCount);
  });
});
