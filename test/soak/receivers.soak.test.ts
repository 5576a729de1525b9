import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit } from '../src/support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from '../src/support/harness.ts';
import {
  figuresLine,
  type HealthyFigures,
  healthyBurst,
  hostileProblems,
  rssMiB,
  startZoo,
  type Zoo,
} from '../src/support/hostile-receivers.ts';
import type { Receiver } from '../src/support/receiver.ts';
import { until } from '../src/support/until.ts';
import { killProcesses, startWorkerProcess, type WorkerProcess } from '../src/support/worker-process.ts';

/**
 * The long run of misbehaving receivers (`pnpm test:soak`, PostgreSQL only:
 * the worker is a separate OS process so that its memory can be sampled).
 * A crowd of endpoints that never answer (RECEIVERS_SOAK_CROWD, 1,000) and the
 * zoo of test/src/receivers.hostile.test.ts are each sent one event; while
 * they hold the worker's sockets, the healthy endpoints
 * (RECEIVERS_SOAK_HEALTHY, 10) get a burst of RECEIVERS_SOAK_EVENTS (500)
 * events. The same burst runs first without the zoo (the control). Figures
 * go to docs/reliability/receivers.md.
 */

const crowdSize = Number(process.env.RECEIVERS_SOAK_CROWD ?? 1000);
const healthyEndpoints = Number(process.env.RECEIVERS_SOAK_HEALTHY ?? 10);
const events = Number(process.env.RECEIVERS_SOAK_EVENTS ?? 500);
const timeoutMs = Number(process.env.RECEIVERS_SOAK_TIMEOUT_MS ?? 5000);
const schedule = [2, 2];
/** A generous bound on the worker's resident memory: a leak per held socket or per body would pass it. */
const rssCapMiB = 768;

let t: TestHookport;
let kit: DeliveryKit;
let worker: WorkerProcess;
let zoo: Zoo | undefined;
let sampler: NodeJS.Timeout | undefined;
const rss: number[] = [];

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the receivers soak needs DATABASE_URL (a PostgreSQL database)');
  // The API and the worker share their delivery settings: a worker whose own differ is refused.
  const delivery = { HOOKPORT_DELIVERY_TIMEOUT_MS: String(timeoutMs), HOOKPORT_RETRY_SCHEDULE: schedule.join(',') };
  t = await startHookport(delivery, 'api');
  kit = new DeliveryKit(t, await createTenant(t));
  worker = await startWorkerProcess(t, delivery);
  const w = worker;
  sampler = setInterval(() => {
    if (!w.exit) rss.push(rssMiB(w.pid));
  }, 250);
});
afterAll(async () => {
  clearInterval(sampler);
  // Children first: the harness drops the schema they work in.
  await killProcesses();
  await zoo?.close();
  await kit?.close();
  await t?.close();
});

/**
 * A tenant of its own with `healthyEndpoints` receivers, each already known
 * to answer (one ticket.resolved delivered, then forgotten by the receiver):
 * healthy endpoints are endpoints that have been delivering.
 */
async function healthyTenant(): Promise<{ k: DeliveryKit; receivers: Receiver[] }> {
  const k = kit.forTenant(await createTenant(t));
  const receivers: Receiver[] = [];
  for (let i = 0; i < healthyEndpoints; i++) {
    const r = await k.receiver();
    await k.endpoint(r.url, { eventTypes: ['ticket.updated', 'ticket.resolved'] });
    receivers.push(r);
  }
  await k.accepted('ticket.resolved', { before: true });
  for (const r of receivers) {
    await r.waitFor(1, 60_000);
    r.received.splice(0);
  }
  return { k, receivers };
}

const burst = (n: number) => ({ events: n, type: 'ticket.updated', parallel: 10, waitMs: 10 * 60_000 });

describe('soak: misbehaving receivers', () => {
  it(`keeps ${healthyEndpoints} healthy endpoints delivering next to ${crowdSize} dead endpoints and the zoo`, async () => {
    // Warm-up (JIT, pools, prepared statements), then the control: the healthy endpoints alone.
    const warm = await healthyTenant();
    await healthyBurst(warm.k, warm.receivers, burst(50));
    const c = await healthyTenant();
    const control: HealthyFigures = await healthyBurst(c.k, c.receivers, burst(events));
    console.info(figuresLine('control', control));
    expect(control.deliveries).toBe(control.expected);
    const rssBefore = Math.max(...rss.slice(-8));

    const { k, receivers } = await healthyTenant();
    const z = await startZoo(crowdSize);
    zoo = z;
    const hostile = [...z.members.map((m) => m.receiver), ...z.crowd];
    const endpointOf = new Map<string, string>();
    for (const h of hostile) endpointOf.set(h.url, (await k.endpoint(h.url, { eventTypes: ['ticket.created'] })).id);

    const storm = await k.accepted('ticket.created', { storm: true });
    expect(storm.deliveryCount).toBe(hostile.length);
    const crowdStarted = Date.now();
    // The burst starts once the dead endpoints hold requests open.
    await until(
      'the crowd to hold requests',
      async () => (z.crowd.filter((x) => x.open > 0).length >= Math.min(50, crowdSize) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const heldAtStart = z.crowd.reduce((n, x) => n + x.open, 0);
    const withZoo = await healthyBurst(k, receivers, burst(events));
    console.info(figuresLine(`with ${crowdSize} dead endpoints and the zoo`, withZoo));
    console.info(
      `ratio (deliveries/s with ÷ without): ${(withZoo.perSecond / control.perSecond).toFixed(2)}; ` +
        `p50 ${withZoo.p50Ms} vs ${control.p50Ms} ms, p99 ${withZoo.p99Ms} vs ${control.p99Ms} ms; ` +
        `${heldAtStart} requests held open by the crowd when the burst started`,
    );
    expect(withZoo.deliveries).toBe(withZoo.expected);

    // Every hostile attempt recorded with its kind, retried by the rules.
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
        10 * 60_000,
      );
      problems.push(...hostileProblems(member, d, receiver.hits, schedule));
    }
    expect(problems).toEqual([]);

    const parked = z.members.filter((m) => m.member.expect.outcome === 'parks').length;
    await until(
      'the crowd to settle',
      async () => {
        const [row] = await t.hp.db.query<{ n: number }>(
          `select count(*)::int as n from deliveries where event_type = 'ticket.created' and status = 'pending'`,
        );
        return (row?.n ?? 0) <= parked ? true : undefined;
      },
      { timeoutMs: 20 * 60_000, intervalMs: 1000 },
    );
    const crowdSeconds = (Date.now() - crowdStarted) / 1000;
    const rows = await t.hp.db.query<{ url: string; status: string; attempts: number; kinds: string }>(
      `select p.url, d.status, count(a.id)::int as attempts,
         string_agg(distinct coalesce(a.error_kind, 'ok'), ',') as kinds
       from deliveries d join endpoints p on p.id = d.endpoint_id join attempts a on a.delivery_id = d.id
       where d.event_type = 'ticket.created'
       group by d.id, p.url, d.status`,
    );
    const crowdUrls = new Set(z.crowd.map((x) => x.url));
    const crowd = rows.filter((r) => crowdUrls.has(r.url));
    expect(crowd).toHaveLength(crowdSize);
    expect(crowd.filter((r) => r.status !== 'failed' || r.attempts !== 3 || r.kinds !== 'timeout')).toEqual([]);
    expect(z.crowd.filter((x) => x.hits !== schedule.length + 1)).toEqual([]);

    // Losses: every healthy delivery of both runs succeeded in the database too.
    const healthy = await t.hp.db.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from deliveries where event_type = 'ticket.updated' group by status`,
    );
    expect(healthy).toEqual([{ status: 'succeeded', n: (50 + 2 * events) * healthyEndpoints }]);

    const byKind = await t.hp.db.query<{ kind: string; n: number }>(
      `select coalesce(error_kind, 'ok') as kind, count(*)::int as n from attempts group by 1 order by 2 desc`,
    );
    const peak = Math.max(...rss);
    console.info(
      `crowd of ${crowdSize} settled ${crowdSeconds.toFixed(0)} s after the storm; attempts by kind: ` +
        `${byKind.map((r) => `${r.kind} ${r.n}`).join(', ')}; worker RSS ${rssBefore.toFixed(0)} MiB before the zoo, ` +
        `peak ${peak.toFixed(0)} MiB (${rss.length} samples)`,
    );
    expect(worker.exit).toBeUndefined();
    expect(peak).toBeLessThan(rssCapMiB);
  });
});
