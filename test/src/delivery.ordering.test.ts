import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { type OrderedReceiver, startOrderedReceiver } from './support/ordered-receiver.ts';
import type { Problem } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * Ordered delivery (docs/delivery.md, "Ordered delivery"): a fifo endpoint's receiver gets its events one
 * at a time in publish order, the next only once the previous succeeded, was exhausted or was skipped;
 * retries, pause and resume, skip and recover keep the order. The receivers check the order themselves
 * (support/ordered-receiver.ts). Retry schedules of 1 s keep the waits short.
 */

let t: TestHookport;
let kit: DeliveryKit;
const ordered: OrderedReceiver[] = [];

beforeAll(async () => {
  t = await startHookport({});
  kit = new DeliveryKit(t, await createTenant(t));
  await kit.warmUp();
});
afterAll(async () => {
  await Promise.all(ordered.map((r) => r.close()));
  await kit?.close();
  await t?.close();
});

async function orderedReceiver(policy: Parameters<typeof startOrderedReceiver>[0]) {
  const r = await startOrderedReceiver(policy);
  ordered.push(r);
  return r;
}

/** Publishes events 1..count in order (each one accepted before the next is sent). */
async function publishNumbered(count: number, from = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let n = from; n < from + count; n++) ids.push((await kit.accepted('ticket.created', { n })).id);
  return ids;
}

/** The endpoint's deliveries in publish order. */
async function deliveriesOf(endpointId: string): Promise<Delivery[]> {
  return (await kit.listAll({ endpointId })).reverse();
}

/** The endpoint's deliveries once none is pending (the receiver answers before the worker records). */
function finished(endpointId: string): Promise<Delivery[]> {
  return until(`the deliveries of ${endpointId} to finish`, async () => {
    const all = await deliveriesOf(endpointId);
    return all.every((d) => d.status !== 'pending') ? all : undefined;
  });
}

const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('a fifo endpoint', () => {
  it('receives events one at a time in publish order, retries included; an unordered one in parallel', async () => {
    // Events 3 and 6 fail their first attempt: the events after them wait for the retry.
    const r = await orderedReceiver((n, attempt) => ((n === 3 || n === 6) && attempt === 1 ? 500 : 204));
    const ep = await kit.endpoint(r.url, { ordering: 'fifo', retrySchedule: [1, 1] });
    expect(ep.ordering).toBe('fifo');
    // The unordered endpoint answers its first request only once a second one arrived: it would wait
    // forever if its deliveries went one at a time.
    let waiting: (() => void) | undefined;
    const parallel = await kit.receiver((_req, n, res) => {
      if (n === 1) waiting = () => res.writeHead(204).end();
      else {
        waiting?.();
        waiting = undefined;
        res.writeHead(204).end();
      }
    });
    const unordered = await kit.endpoint(parallel.url);
    expect(unordered.ordering).toBe('unordered');

    await publishNumbered(8);
    await r.waitForSucceeded(8);
    await parallel.waitFor(8);
    expect(r.violations).toEqual([]);
    expect(r.maxInFlight).toBe(1);
    expect(r.succeeded()).toEqual(numbers(1, 8));
    expect(r.arrivals).toEqual([1, 2, 3, 3, 4, 5, 6, 6, 7, 8]);
    const deliveries = await finished(ep.id);
    expect(deliveries.map((d) => [d.status, d.attemptCount])).toEqual(
      numbers(1, 8).map((n) => ['succeeded', n === 3 || n === 6 ? 2 : 1]),
    );
  });

  it('is held up by an event that keeps failing until an operator skips it; recover sends it again', async () => {
    let poisoned = true;
    const r = await orderedReceiver((n) => (n === 1 && poisoned ? 500 : 204));
    const ep = await kit.endpoint(r.url, { ordering: 'fifo', retrySchedule: [60] });
    await publishNumbered(3);
    const [first, second, third] = await deliveriesOf(ep.id);
    if (!first || !second || !third) throw new Error('three deliveries expected');
    // The first failed and waits a minute for its retry; the others wait behind it, not attempted.
    await kit.waitForDelivery(first.id, 'to have failed once', (d) => d.attempts.length === 1);
    expect((await kit.delivery(second.id)).attempts).toEqual([]);
    expect((await kit.delivery(third.id)).status).toBe('pending');
    expect(r.arrivals).toEqual([1]);

    // A waiting delivery cannot be redelivered (it has its place); a skip of the head lets the rest go.
    const redeliver = await t.api.post<Problem>(`/v1/deliveries/${second.id}/redeliver`, { token: kit.tenant.token });
    expect(redeliver.status).toBe(409);
    const skipped = await t.api.post<Delivery>(`/v1/deliveries/${first.id}/skip`, { token: kit.tenant.token });
    expect(skipped.status, skipped.text).toBe(200);
    expect(skipped.body).toMatchObject({ status: 'skipped', lastError: 'Skipped by an operator.' });
    await kit.settled(third.id, 'succeeded');
    expect(r.arrivals).toEqual([1, 2, 3]);
    const again = await t.api.post<Problem>(`/v1/deliveries/${first.id}/skip`, { token: kit.tenant.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');

    // Recover replays the skipped one (now answered), still one at a time.
    poisoned = false;
    const recovered = await t.api.post<{ recovered: number }>(`/v1/endpoints/${ep.id}/recover`, {
      token: kit.tenant.token,
      json: { since: first.createdAt },
    });
    expect(recovered.body.recovered).toBe(1);
    await kit.settled(first.id, 'succeeded');
    expect(r.arrivals).toEqual([1, 2, 3, 1]);
    expect(r.maxInFlight).toBe(1);
  });

  it('moves on once an event is exhausted', async () => {
    const r = await orderedReceiver((n) => (n === 1 ? 500 : 204));
    const ep = await kit.endpoint(r.url, { ordering: 'fifo', retrySchedule: [1] });
    await publishNumbered(3);
    await r.waitForSucceeded(2);
    expect(r.arrivals).toEqual([1, 1, 2, 3]);
    expect(r.maxInFlight).toBe(1);
    expect((await finished(ep.id)).map((d) => d.status)).toEqual(['failed', 'succeeded', 'succeeded']);
  });

  it('keeps the order through pause and resume', async () => {
    const r = await orderedReceiver(() => 204);
    const ep = await kit.endpoint(r.url, { ordering: 'fifo', retrySchedule: [1] });
    await kit.setStatus(ep.id, 'paused');
    await publishNumbered(3);
    await kit.setStatus(ep.id, 'active');
    await publishNumbered(2, 4);
    await r.waitForSucceeded(5);
    expect(r.violations).toEqual([]);
    expect(r.arrivals).toEqual(numbers(1, 5));
  });

  it('refuses an unknown ordering with a 422', async () => {
    const r = await kit.receiver();
    const res = await t.api.post<Problem>('/v1/endpoints', {
      token: kit.tenant.token,
      json: { url: r.url, eventTypes: ['ticket.*'], ordering: 'lifo' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors?.[0]?.path).toBe('ordering');
  });
});
