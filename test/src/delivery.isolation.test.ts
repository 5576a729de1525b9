import { afterAll, beforeAll, describe, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { until } from './support/until.ts';

/**
 * Endpoints do not hold each other up, and a rate-limited endpoint is paced.
 * Both tests wait on receivers for seconds, so they run concurrently; each
 * judges only the timestamps its receivers recorded.
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

/** The most timestamps that fall within any window of `windowMs`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i] ?? 0;
    most = Math.max(most, sorted.filter((x) => x >= start && x < start + windowMs).length);
  }
  return most;
}

describe.concurrent('isolation', () => {
  it('delivers to a healthy endpoint while a slow one (3 s) still has not answered', async ({ expect }) => {
    const k = kit.forTenant(await createTenant(t));
    const slowAnsweredAt: number[] = [];
    const slow = await k.receiver((_req, _n, res) => {
      setTimeout(() => {
        slowAnsweredAt.push(Date.now());
        res.writeHead(204).end();
      }, 3_000);
    });
    const healthy = await k.receiver();
    await k.endpoint(slow.url, { eventTypes: ['ticket.created'] });
    await k.endpoint(healthy.url, { eventTypes: ['ticket.created'] });
    for (let n = 0; n < 3; n++) await k.accepted('ticket.created', { n });

    const got = await healthy.waitFor(3);
    await until('the slow endpoint to answer', async () => (slowAnsweredAt.length > 0 ? true : undefined));
    const lastHealthy = Math.max(...got.map((g) => g.at));
    const firstSlowAnswer = Math.min(...slowAnsweredAt);
    // Every healthy delivery arrived, with time to spare, before the slow endpoint answered even once.
    expect(firstSlowAnswer - lastHealthy).toBeGreaterThan(1_000);
    expect(slow.received.length).toBeGreaterThanOrEqual(1);
  });

  it('paces an endpoint with rateLimit 2 to about two requests a second', async ({ expect }) => {
    const k = kit.forTenant(await createTenant(t));
    const r = await k.receiver();
    // Queued while paused and released at once, so the pacing alone spreads them out.
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.updated'], rateLimit: 2, status: 'paused' });
    for (let n = 0; n < 6; n++) await k.accepted('ticket.updated', { n });
    await k.setStatus(ep.id, 'active');

    const got = await r.waitFor(6);
    const times = got.map((g) => g.at);
    // Six requests at two a second take at least two seconds from the first to the last.
    const first = Math.min(...times);
    const seen = `arrivals at +${times.map((x) => x - first).join(', +')} ms`;
    expect(Math.max(...times) - first, seen).toBeGreaterThanOrEqual(2_000);
    expect(busiestWindow(times, 1_000), seen).toBeLessThanOrEqual(3);
  });
});
