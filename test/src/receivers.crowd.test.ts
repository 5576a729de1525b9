import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { type HostileReceiver, startHostile } from './support/hostile-receivers.ts';
import { until } from './support/until.ts';

/**
 * A crowd of dead endpoints bigger than the worker's slow allowance, queued
 * ahead of a healthy endpoint. With HOOKPORT_WORKER_CONCURRENCY=1 the
 * allowance is 3 requests: the crowd of 8 must not make the healthy
 * deliveries wait for its timeouts. Judged by order, not by time: every
 * healthy delivery arrives before the crowd has even been tried in full
 * (before the fix, all 8 dead endpoints were attempted first, 4 at a time,
 * each holding its slot for the whole timeout).
 */

const crowdSize = 8;
const events = 10;

interface Setup {
  t: TestHookport;
  kit: DeliveryKit;
  /** The crowd's receivers, closed after the block. */
  crowd: HostileReceiver[];
}

/** A Hookport with these settings for the tests of one describe block; the returned function gives it to them. */
function hookportFor(env: Record<string, string>): () => Setup {
  let setup: Setup | undefined;
  beforeAll(async () => {
    const t = await startHookport(env);
    setup = { t, kit: new DeliveryKit(t, await createTenant(t)), crowd: [] };
    await setup.kit.warmUp();
  });
  afterAll(async () => {
    await Promise.all(setup?.crowd.map((c) => c.close()) ?? []);
    await setup?.kit.close();
    await setup?.t.close();
  });
  return () => {
    if (!setup) throw new Error('the Hookport of this block did not start');
    return setup;
  };
}

/**
 * A new tenant with an endpoint that has delivered before (the worker knows it answers; it takes
 * ticket.updated) and `size` dead endpoints that take ticket.created.
 */
async function healthyAndCrowd({ t, kit, crowd }: Setup, size: number) {
  const k = kit.forTenant(await createTenant(t));
  const healthy = await k.receiver();
  await k.endpoint(healthy.url, { eventTypes: ['ticket.updated', 'ticket.resolved'] });
  await k.accepted('ticket.resolved', { before: true });
  await healthy.waitFor(1);
  for (let i = 0; i < size; i++) {
    const c = await startHostile('silent');
    crowd.push(c);
    await k.endpoint(c.url, { eventTypes: ['ticket.created'] });
  }
  return { k, healthy };
}

describe('a crowd of dead endpoints over the slow allowance', () => {
  const setup = hookportFor({
    HOOKPORT_WORKER_CONCURRENCY: '1',
    HOOKPORT_DELIVERY_TIMEOUT_MS: '1500',
    HOOKPORT_RETRY_SCHEDULE: '1',
  });

  it('does not hold up the deliveries of an endpoint that answers', async () => {
    const { t, crowd } = setup();
    const { k, healthy } = await healthyAndCrowd(setup(), crowdSize);

    const storm = await k.accepted('ticket.created', { storm: true });
    expect(storm.deliveryCount).toBe(crowdSize);
    await until('the crowd to hold requests', async () => (crowd.some((c) => c.open > 0) ? true : undefined));
    for (let n = 0; n < events; n++) await k.accepted('ticket.updated', { n });
    await healthy.waitFor(1 + events, 30_000);
    const triedWhenHealthyDone = crowd.filter((c) => c.hits > 0).length;

    // Jobs of the crowd that found the allowance full went back to the queue, not into a slot.
    expect(triedWhenHealthyDone).toBeLessThan(crowdSize);
    // And the crowd is still attempted: every dead endpoint gets both of its attempts in the end.
    await until('the crowd to be tried twice', async () => (crowd.every((c) => c.hits >= 2) ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    await until(
      'the crowd to settle',
      async () => {
        const left = await t.hp.db.query(
          `select 1 from deliveries where event_type = 'ticket.created' and status = 'pending'`,
        );
        return left.length === 0 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const settled = await t.hp.db.query<{ status: string; attempts: number; kinds: string }>(
      `select d.status, d.attempt_count as attempts, string_agg(distinct a.error_kind, ',') as kinds
       from deliveries d join attempts a on a.delivery_id = d.id
       where d.event_type = 'ticket.created' group by d.id`,
    );
    expect(settled).toHaveLength(crowdSize);
    expect(settled.filter((r) => r.status !== 'failed' || r.attempts !== 2 || r.kinds !== 'timeout')).toEqual([]);
    console.info(
      `crowd: ${crowdSize} dead endpoints, slow allowance 3; ${events} healthy deliveries done with ` +
        `${triedWhenHealthyDone} of the crowd tried`,
    );
  });
});

/**
 * The same crowd, with a timeout longer than the test: the slow allowance
 * stays full throughout. The crowd's jobs that do not fit must stay queued,
 * not be claimed, loaded and handed back one after another (each hand-back
 * is a new pg-boss job for the same attempt). Before the worker skipped the
 * crowded endpoints, every one of the crowd's queued jobs was handed back
 * once while the healthy deliveries waited behind them; now at most one per
 * endpoint is, the one that showed the endpoint cannot get a place.
 */
describe('a crowd of dead endpoints that keeps the slow allowance full', () => {
  const size = 6;
  const perEndpoint = 5;
  const setup = hookportFor({ HOOKPORT_WORKER_CONCURRENCY: '1', HOOKPORT_DELIVERY_TIMEOUT_MS: '60000' });

  it('leaves the jobs it cannot start in the queue instead of handing them back one by one', async () => {
    const { t, crowd } = setup();
    const { k, healthy } = await healthyAndCrowd(setup(), size);
    for (let n = 0; n < perEndpoint; n++) await k.accepted('ticket.created', { n });
    // The allowance (3 × HOOKPORT_WORKER_CONCURRENCY) is full of the crowd's requests.
    await until('the crowd to fill the slow allowance', async () => {
      const open = crowd.reduce((sum, c) => sum + c.open, 0);
      return open >= 3 ? true : undefined;
    });
    // The healthy endpoint's deliveries, queued behind the crowd's: every fetch that brings them walks past it.
    for (let n = 0; n < 10; n++) await k.accepted('ticket.updated', { n });
    await healthy.waitFor(11, 30_000);

    const [row] = await t.hp.db.query<{ deliveries: number; jobs: number }>(
      `with crowd as (
         select d.id::text as id from deliveries d where d.event_type = 'ticket.created'
       )
       select (select count(*)::int from crowd) as deliveries,
              (select count(*)::int from "${t.hp.db.schema}_boss".job j
               where j.name like 'hookport.deliver%' and j.data->>'deliveryId' in (select id from crowd)) as jobs`,
    );
    expect(row?.deliveries).toBe(size * perEndpoint);
    const handedBack = (row?.jobs ?? 0) - size * perEndpoint;
    console.info(`crowd of ${size} over a full allowance: ${handedBack} of its jobs handed back`);
    expect(handedBack).toBeGreaterThanOrEqual(0);
    expect(handedBack).toBeLessThanOrEqual(size);
  }, 90_000);
});
