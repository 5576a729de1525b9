import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, databaseKind, startHookport, type TestHookport } from './support/harness.ts';
import {
  figuresLine,
  type HealthyFigures,
  healthyBurst,
  hostileProblems,
  startZoo,
  type Zoo,
} from './support/hostile-receivers.ts';
import type { Receiver } from './support/receiver.ts';
import { until } from './support/until.ts';

/**
 * Misbehaving receivers next to healthy ones (issue 6). A zoo of raw TCP
 * receivers — slow headers, header floods, slow and endless bodies, resets,
 * random bytes, an HTTP/0.9 answer, a TLS handshake answered with junk, a
 * redirect loop, 429s with absurd Retry-After values — plus a crowd of
 * endpoints that all time out at once, each sent one event; meanwhile the
 * healthy endpoints get a burst. Asserted: every healthy delivery arrives
 * (a count, not a speed: the speed against a control run without the zoo is
 * printed, and measured for real by test/soak/receivers.soak.test.ts), and
 * each hostile attempt is recorded with the right error kind and retried on
 * the schedule or the bounded Retry-After, never more.
 */

const schedule = [2, 2];
const healthyEndpoints = 4;
const events = 40;
const crowdSize = 20;

let t: TestHookport;
let kit: DeliveryKit;
let zoo: Zoo | undefined;
let control: HealthyFigures | undefined;

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_DELIVERY_TIMEOUT_MS: '1500', HOOKPORT_RETRY_SCHEDULE: schedule.join(',') });
  kit = new DeliveryKit(t, await createTenant(t));
  await kit.warmUp();
});
afterAll(async () => {
  await zoo?.close();
  await kit?.close();
  await t?.close();
});

/** A tenant of its own with `healthyEndpoints` receivers subscribed to ticket.updated. */
async function healthyTenant(): Promise<{ k: DeliveryKit; receivers: Receiver[] }> {
  const k = kit.forTenant(await createTenant(t));
  const receivers: Receiver[] = [];
  for (let i = 0; i < healthyEndpoints; i++) {
    const r = await k.receiver();
    await k.endpoint(r.url, { eventTypes: ['ticket.updated'] });
    receivers.push(r);
  }
  return { k, receivers };
}

const burst = { events, type: 'ticket.updated', parallel: 4, waitMs: 20_000 };

describe('misbehaving receivers', () => {
  it('control: the healthy endpoints alone get every delivery', async () => {
    const { k, receivers } = await healthyTenant();
    control = await healthyBurst(k, receivers, burst);
    console.info(`[${databaseKind}] ${figuresLine('control', control)}`);
    expect(control.deliveries).toBe(events * healthyEndpoints);
  });

  it('healthy endpoints get every delivery next to the zoo; each hostile attempt is recorded and retried by the rules', async () => {
    const { k, receivers } = await healthyTenant();
    const z = await startZoo(crowdSize);
    zoo = z;
    const hostile = [...z.members.map((m) => m.receiver), ...z.crowd];
    const endpointOf = new Map<string, string>();
    for (const h of hostile) endpointOf.set(h.url, (await k.endpoint(h.url, { eventTypes: ['ticket.created'] })).id);

    const storm = await k.accepted('ticket.created', { storm: true });
    expect(storm.deliveryCount).toBe(hostile.length);
    // The healthy burst starts once every dead endpoint of the crowd holds a request open.
    await until('the crowd to hold requests', async () => (z.crowd.every((c) => c.hits > 0) ? true : undefined), {
      timeoutMs: 10_000,
    });
    const withZoo = await healthyBurst(k, receivers, burst);
    console.info(`[${databaseKind}] ${figuresLine('with the zoo', withZoo)}`);
    if (control) {
      console.info(
        `[${databaseKind}] healthy deliveries/s with the zoo ÷ control: ${(withZoo.perSecond / control.perSecond).toFixed(2)}; ` +
          `p99 ${withZoo.p99Ms} vs ${control.p99Ms} ms`,
      );
    }
    expect(withZoo.deliveries).toBe(events * healthyEndpoints);

    // Each zoo member's delivery, once settled (or parked behind its bounded Retry-After).
    const deliveries = await k.deliveriesOf(storm.id);
    const byEndpoint = new Map(deliveries.map((d) => [d.endpointId, d.id]));
    const problems: string[] = [];
    for (const { member, receiver } of z.members) {
      const id = byEndpoint.get(endpointOf.get(receiver.url) ?? '');
      if (!id) throw new Error(`no delivery to ${member.name}`);
      const d = await k.waitForDelivery(
        id,
        'to settle',
        (x) => (member.expect.outcome === 'parks' ? x.attempts.length >= 1 : x.status !== 'pending'),
        30_000,
      );
      problems.push(...hostileProblems(member, d, receiver.hits, schedule));
    }
    expect(problems).toEqual([]);

    const parked = z.members.filter((m) => m.member.expect.outcome === 'parks').length;
    // The crowd: every delivery failed after the whole schedule, every attempt a timeout.
    await until(
      'the crowd to settle',
      async () => ((await k.listAll({ status: 'pending' })).length <= parked ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    // Only the storm is of type ticket.created; the URLs pick out the crowd's deliveries.
    const crowdRows = await t.hp.db.query<{ url: string; status: string; attempts: number; kinds: string }>(
      `select p.url, d.status, count(a.id)::int as attempts,
         string_agg(distinct coalesce(a.error_kind, 'ok'), ',') as kinds
       from deliveries d join endpoints p on p.id = d.endpoint_id join attempts a on a.delivery_id = d.id
       where d.event_type = 'ticket.created'
       group by d.id, p.url, d.status`,
    );
    const crowdUrls = new Set(z.crowd.map((c) => c.url));
    const crowd = crowdRows.filter((r) => crowdUrls.has(r.url));
    expect(crowd).toHaveLength(crowdSize);
    expect(crowd.filter((r) => r.status !== 'failed' || r.attempts !== 3 || r.kinds !== 'timeout')).toEqual([]);
    expect(z.crowd.map((c) => c.hits)).toEqual(z.crowd.map(() => schedule.length + 1));
  });
});
