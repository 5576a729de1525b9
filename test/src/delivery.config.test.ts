import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import type { Problem } from './support/types.ts';

/**
 * Settings an operator turns: a short delivery timeout and a smaller event
 * size limit. A file of its own, so no other test's receivers race the 500 ms
 * deadline.
 */

let t: TestHookport;
let kit: DeliveryKit;

beforeAll(async () => {
  t = await startHookport({
    HOOKPORT_RETRY_SCHEDULE: '1',
    HOOKPORT_DELIVERY_TIMEOUT_MS: '500',
    HOOKPORT_MAX_EVENT_BYTES: '2048',
  });
  kit = new DeliveryKit(t, await createTenant(t));
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

describe('HOOKPORT_DELIVERY_TIMEOUT_MS', () => {
  it('records a receiver that never answers as a timeout at that deadline, and retries it', async () => {
    const r = await kit.receiver(() => {
      // Never answers: the request hangs until the sender gives up.
    });
    const ep = await kit.endpoint(r.url);
    const event = await kit.accepted('ticket.created', { n: 1 });
    const d = await kit.settled((await kit.deliveryOf(event.id, ep.id)).id, 'failed');
    expect(d.attempts).toHaveLength(2);
    for (const a of d.attempts) {
      expect(a).toMatchObject({ httpStatus: null, errorKind: 'timeout', responseExcerpt: null });
      // Stopped at the 500 ms deadline, not the 15 s default.
      expect(a.durationMs).toBeGreaterThanOrEqual(450);
      expect(a.durationMs).toBeLessThan(5_000);
    }
    expect(d.attempts[0]?.nextAttemptAt).not.toBeNull();
    expect(d.attempts[1]?.nextAttemptAt).toBeNull();
    expect(r.received).toHaveLength(2);
  });
});

describe('HOOKPORT_MAX_EVENT_BYTES', () => {
  it('refuses a larger event with 413 and stores nothing, and accepts one within it', async () => {
    const r = await kit.receiver();
    await kit.endpoint(r.url, { eventTypes: ['ticket.updated'] });
    const before = await t.snapshot();
    const big = await kit.publish<Problem>('ticket.updated', { text: 'x'.repeat(3000) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
    expect(big.body.detail).toContain('2048');
    expect(await t.snapshot()).toBe(before);

    const small = await kit.publish('ticket.updated', { text: 'x'.repeat(1500) });
    expect(small.status).toBe(202);
    await r.waitFor(1);
  });
});
