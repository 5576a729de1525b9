import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit, secondsBetween } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { expectInvalid, expectUnchanged } from './support/problem-assertions.ts';
import type { Endpoint } from './support/types.ts';

/*
 * Per-endpoint delivery settings (docs/delivery.md, "Per-endpoint delivery settings"): an endpoint's own
 * retrySchedule and timeoutMs replace its profile's for its deliveries only; null goes back to the
 * profile's; out-of-bounds values are 422s naming their path and store nothing. The server runs the native
 * schedule (5 s, then 5 min …) and the 15 s default timeout, so only the override can make these quick.
 */

let t: TestHookport;
let kit: DeliveryKit;

beforeAll(async () => {
  t = await startHookport({});
  kit = new DeliveryKit(t, await createTenant(t));
  await kit.warmUp();
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

function updateEndpoint(id: string, json: Record<string, unknown>) {
  return t.api.patch<Endpoint>(`/v1/endpoints/${id}`, { token: kit.tenant.token, json });
}

describe('settings round-trip and validation', () => {
  it('stores, reads and clears retrySchedule and timeoutMs', async () => {
    const r = await kit.receiver();
    const ep = await kit.endpoint(r.url, { retrySchedule: [2, 30], timeoutMs: 4000 });
    expect(ep).toMatchObject({ retrySchedule: [2, 30], timeoutMs: 4000 });
    const plain = await kit.endpoint(r.url);
    expect(plain).toMatchObject({ retrySchedule: null, timeoutMs: null });

    const changed = await updateEndpoint(ep.id, { retrySchedule: [] });
    expect(changed.status, changed.text).toBe(200);
    // An empty schedule is kept (one attempt, no retry); the timeout untouched by an update without it.
    expect(changed.body).toMatchObject({ retrySchedule: [], timeoutMs: 4000 });
    const cleared = await updateEndpoint(ep.id, { retrySchedule: null, timeoutMs: null });
    expect(cleared.body).toMatchObject({ retrySchedule: null, timeoutMs: null });
  });

  it('refuses out-of-bounds settings with a 422 naming each path, storing nothing', async () => {
    const r = await kit.receiver();
    const ep = await kit.endpoint(r.url);
    await expectUnchanged(t, async () => {
      const created = await t.api.post('/v1/endpoints', {
        token: kit.tenant.token,
        json: { url: r.url, eventTypes: ['ticket.*'], retrySchedule: [1, 2, 3, 0, 86_401], timeoutMs: 999 },
      });
      expectInvalid(created, 'retrySchedule.3', 'retrySchedule.4', 'timeoutMs');
      const tooLong = await updateEndpoint(ep.id, { retrySchedule: Array.from({ length: 21 }, () => 1) });
      expectInvalid(tooLong, 'retrySchedule');
      const fractional = await updateEndpoint(ep.id, { retrySchedule: [1.5], timeoutMs: 60_001 });
      expectInvalid(fractional, 'retrySchedule.0', 'timeoutMs');
    });
  });
});

describe('settings used by the delivery', () => {
  it("retries on the endpoint's own schedule and succeeds on the third attempt", async () => {
    const r = await kit.receiver((_req, n, res) => res.writeHead(n <= 2 ? 500 : 200).end());
    const ep = await kit.endpoint(r.url, { retrySchedule: [1, 1] });
    const event = await kit.accepted('ticket.created', { n: 1 });
    const d = await kit.deliveryOf(event.id, ep.id);
    const done = await kit.settled(d.id, 'succeeded');
    expect(done.attempts.map((a) => a.httpStatus)).toEqual([500, 500, 200]);
    const [a1] = done.attempts;
    if (!a1?.nextAttemptAt) throw new Error('first attempt has no next attempt time');
    // 1 s ± 20 % jitter from the answer, not the profile's 5 s.
    const answeredAt = new Date(Date.parse(a1.startedAt) + a1.durationMs).toISOString();
    const wait = secondsBetween(answeredAt, a1.nextAttemptAt);
    expect(wait).toBeGreaterThanOrEqual(0.8 - 0.01);
    expect(wait).toBeLessThanOrEqual(1.2 + 0.01);
  });

  it("fails for good after the override's last step", async () => {
    const r = await kit.receiver((_req, _n, res) => res.writeHead(500).end());
    const ep = await kit.endpoint(r.url, { retrySchedule: [1, 1] });
    const event = await kit.accepted('ticket.created', { n: 2 });
    const d = await kit.deliveryOf(event.id, ep.id);
    const failed = await kit.settled(d.id, 'failed');
    expect(failed.attempts).toHaveLength(3);
    expect(failed.attempts[2]?.nextAttemptAt ?? null).toBeNull();
    expect(failed.nextAttemptAt).toBeNull();
  });

  it("times out at the endpoint's own deadline", async () => {
    const r = await kit.receiver((_req, _n, res) => {
      // Answers after 1.5 s: within the profile's 15 s, past the endpoint's 1 s.
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200).end();
      }, 1500);
    });
    const ep = await kit.endpoint(r.url, { retrySchedule: [], timeoutMs: 1000 });
    const event = await kit.accepted('ticket.created', { n: 3 });
    const d = await kit.deliveryOf(event.id, ep.id);
    const failed = await kit.settled(d.id, 'failed');
    expect(failed.attempts).toHaveLength(1);
    expect(failed.attempts[0]).toMatchObject({ httpStatus: null, errorKind: 'timeout' });
  });
});
