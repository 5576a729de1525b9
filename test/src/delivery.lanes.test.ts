import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import { until } from './support/until.ts';

/**
 * Lanes (docs/delivery.md): an endpoint that holds every slot it may hold
 * with requests that do not answer is saturated, and its next jobs go to the
 * slow lane's queue, out of the way of the main queue's fetch. Nothing is lost
 * on the way there or back.
 */

let t: TestHookport;
let kit: DeliveryKit;
/** Every lane move the worker made, in order, as its admission reported them. */
const moves: { endpointId: string; lane: string }[] = [];

beforeAll(async () => {
  t = await startHookport();
  if (!t.hp.worker) throw new Error('this process runs no worker');
  t.hp.worker.onLaneMove((move) => moves.push(move));
  kit = new DeliveryKit(t, await createTenant(t));
  await kit.warmUp();
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function laneOf(endpointId: string): Promise<'main' | 'slow'> {
  const [row] = await t.hp.db.query<{ slow: boolean }>(
    'select slow_lane_since is not null as slow from endpoints where id = $1',
    [uuidOf(endpointId)],
  );
  if (!row) throw new Error('no such endpoint');
  return row.slow ? 'slow' : 'main';
}

/** The lanes the worker moved this endpoint to, in order. */
function movesOf(endpointId: string): string[] {
  const uuid = uuidOf(endpointId);
  return moves.filter((m) => m.endpointId === uuid).map((m) => m.lane);
}

/** The queues holding jobs of these deliveries (one entry per job). */
async function queuesOf(deliveryIds: readonly string[]): Promise<string[]> {
  const rows = await t.hp.db.query<{ name: string }>(
    `select name from "${t.hp.db.schema}_boss".job where data->>'deliveryId' = any($1::text::text[]) order by name`,
    [`{${deliveryIds.map(uuidOf).join(',')}}`],
  );
  return rows.map((r) => r.name);
}

describe('delivery lanes', () => {
  it('moves a saturated endpoint to the slow lane and back, and delivers every event to it', async () => {
    const k = kit.forTenant(await createTenant(t));
    let answering = false;
    const open: ServerResponse[] = [];
    const stuck = await k.receiver((_req, _n, res) => {
      if (answering) res.writeHead(204).end();
      else open.push(res);
    });
    const healthy = await k.receiver();
    const ep = await k.endpoint(stuck.url, { eventTypes: ['ticket.created'] });
    await k.endpoint(healthy.url, { eventTypes: ['ticket.created'] });
    expect(await laneOf(ep.id)).toBe('main');

    // Four events take the four slots the endpoint may hold (HOOKPORT_ENDPOINT_CONCURRENCY), and hang.
    const events = [];
    for (let n = 0; n < 4; n++) events.push(await k.accepted('ticket.created', { n }));
    await stuck.waitFor(4);
    await until('the saturated endpoint to be moved to the slow lane', async () =>
      (await laneOf(ep.id)) === 'slow' ? true : undefined,
    );

    // Published now, its deliveries are queued in the slow lane; the healthy endpoint's in the main one.
    const later = [];
    for (let n = 4; n < 10; n++) later.push(await k.accepted('ticket.created', { n }));
    events.push(...later);
    const stuckLater = await Promise.all(later.map((e) => k.deliveryOf(e.id, ep.id)));
    expect(await queuesOf(stuckLater.map((d) => d.id))).toEqual(Array(6).fill('hookport.deliver.slow'));
    await healthy.waitFor(10);
    const healthyLater = await Promise.all(
      later.map(async (e) => (await k.deliveriesOf(e.id)).find((d) => d.endpointId !== ep.id)),
    );
    expect(await queuesOf(healthyLater.map((d) => d?.id ?? 'missing'))).toEqual(Array(6).fill('hookport.deliver'));
    // Still holding the first four: nothing more was sent to it than its slots.
    expect(stuck.received).toHaveLength(4);

    // Paused and resumed while saturated: its held deliveries are queued in the slow lane too.
    await k.setStatus(ep.id, 'paused');
    const whilePaused = [await k.accepted('ticket.created', { n: 10 }), await k.accepted('ticket.created', { n: 11 })];
    events.push(...whilePaused);
    const parked = await Promise.all(whilePaused.map((e) => k.deliveryOf(e.id, ep.id)));
    expect(parked.map((d) => d.status)).toEqual(['held', 'held']);
    await k.setStatus(ep.id, 'active');
    expect(await queuesOf(parked.map((d) => d.id))).toEqual(Array(2).fill('hookport.deliver.slow'));

    // It answers again: the open requests, then the slow lane's jobs, each event once.
    answering = true;
    for (const res of open.splice(0)) res.writeHead(204).end();
    for (const e of events) await k.settled((await k.deliveryOf(e.id, ep.id)).id, 'succeeded');
    const seen = stuck.received
      .map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n)
      .sort((a, b) => a - b);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    // Quick successes: back in the main lane, where its next job goes.
    await until('the endpoint to be back in the main lane', async () =>
      (await laneOf(ep.id)) === 'main' ? true : undefined,
    );
    expect(movesOf(ep.id)).toEqual(['slow', 'main']);
    const last = await k.accepted('ticket.created', { n: 12 });
    const lastDelivery = await k.deliveryOf(last.id, ep.id);
    expect(await queuesOf([lastDelivery.id])).toEqual(['hookport.deliver']);
    await k.settled(lastDelivery.id, 'succeeded');
  });

  it('moves a busy endpoint that answers in 300 ms back once it has slots to spare', async () => {
    const k = kit.forTenant(await createTenant(t));
    const r = await k.receiver((_req, _n, res) => {
      setTimeout(() => res.writeHead(204).end(), 300);
    });
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.resolved'] });
    // Twelve at once: three rounds of four slots, each request answered after 300 ms.
    const events = [];
    for (let n = 0; n < 12; n++) events.push(await k.accepted('ticket.resolved', { n }));
    const deliveries = await Promise.all(events.map((e) => k.deliveryOf(e.id, ep.id)));
    for (const d of deliveries) await k.settled(d.id, 'succeeded');
    expect(movesOf(ep.id)[0]).toBe('slow');

    // One more, alone: it too takes 300 ms, so only its free slots can bring the endpoint back.
    const one = await k.accepted('ticket.resolved', { n: 12 });
    await k.settled((await k.deliveryOf(one.id, ep.id)).id, 'succeeded');
    await until('the endpoint to be back in the main lane', async () =>
      (await laneOf(ep.id)) === 'main' ? true : undefined,
    );
    // Back and forth as its backlog filled its slots or not, starting in the slow lane, ending in the main.
    const moves = movesOf(ep.id);
    expect(moves.at(-1)).toBe('main');
    expect(moves.every((lane, i) => lane === (i % 2 === 0 ? 'slow' : 'main'))).toBe(true);
    expect(r.received).toHaveLength(13);
  });

  it('leaves a rate-limited endpoint that answers at once in the main lane while its attempts wait for their slots', async () => {
    const k = kit.forTenant(await createTenant(t));
    const r = await k.receiver();
    // Queued while paused and released at once: the backlog keeps all four slots taken by attempts that
    // hold up to a second each for their turn under rateLimit 4 (later turns go back to the queue).
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.updated'], rateLimit: 4, status: 'paused' });
    const events = [];
    for (let n = 0; n < 16; n++) events.push(await k.accepted('ticket.updated', { n }));
    await k.setStatus(ep.id, 'active');
    await r.waitFor(16);
    const deliveries = await Promise.all(events.map((e) => k.deliveryOf(e.id, ep.id)));
    for (const d of deliveries) await k.settled(d.id, 'succeeded');

    // Waiting for a rate-limit slot is not being slow to answer: never moved, every job in the main lane.
    expect(movesOf(ep.id)).toEqual([]);
    expect(await laneOf(ep.id)).toBe('main');
    const queues = await queuesOf(deliveries.map((d) => d.id));
    expect(queues.length).toBeGreaterThanOrEqual(16);
    expect(new Set(queues)).toEqual(new Set(['hookport.deliver']));
  });
});
