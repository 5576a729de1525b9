import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { until } from './support/until.ts';

/**
 * Endpoints do not hold each other up, and a rate-limited endpoint is paced.
 * Both hold for seconds, so they run concurrently. Neither depends on how fast
 * the machine is: the slow endpoint answers only when the test lets it, and the
 * pacing is judged by lower bounds, which a late worker can only exceed.
 */

let t: TestHookport;
let kit: DeliveryKit;

beforeAll(async () => {
  t = await startHookport();
  kit = new DeliveryKit(t, await createTenant(t));
  await kit.warmUp();
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

describe.concurrent('isolation', () => {
  it('delivers to a healthy endpoint while a slow one has not answered', async ({ expect }) => {
    const k = kit.forTenant(await createTenant(t));
    // The slow endpoint holds every request until the test lets it answer.
    const held: ServerResponse[] = [];
    let answering = false;
    const slow = await k.receiver((_req, _n, res) => {
      if (answering) res.writeHead(204).end();
      else held.push(res);
    });
    const healthy = await k.receiver();
    await k.endpoint(slow.url, { eventTypes: ['ticket.created'] });
    await k.endpoint(healthy.url, { eventTypes: ['ticket.created'] });
    await k.accepted('ticket.created', { n: 0 });
    await until('the slow endpoint to hold a request', async () => (held.length > 0 ? true : undefined));
    for (let n = 1; n < 3; n++) await k.accepted('ticket.created', { n });

    // Every healthy delivery arrives while the slow endpoint still holds its first request unanswered.
    await healthy.waitFor(3);
    expect(slow.received.length).toBeGreaterThanOrEqual(1);
    answering = true;
    for (const res of held.splice(0)) res.writeHead(204).end();
    await slow.waitFor(3);
  });

  it('paces an endpoint with rateLimit 2 to at most two requests a second', async ({ expect }) => {
    const k = kit.forTenant(await createTenant(t));
    const r = await k.receiver();
    // Queued while paused and released at once, so the pacing alone spreads them out.
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.updated'], rateLimit: 2, status: 'paused' });
    for (let n = 0; n < 6; n++) await k.accepted('ticket.updated', { n });
    const releasedAt = Date.now();
    await k.setStatus(ep.id, 'active');

    const got = await r.waitFor(6);
    // Send times are reserved 500 ms apart from the first one, taken after the release, and a request
    // goes no sooner than its time (a busy worker only later): the k-th arrival is at least k × 500 ms
    // after the release. Requests bunched at the turn of a second, or let through early, break it.
    const times = got.map((g) => g.at).sort((a, b) => a - b);
    const seen = `arrivals at +${times.map((x) => x - releasedAt).join(', +')} ms after the release`;
    const early = times.filter((at, i) => at - releasedAt < i * 500 - 5);
    expect(early, seen).toEqual([]);
  });
});
