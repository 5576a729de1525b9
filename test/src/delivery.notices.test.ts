import { fromTypeId } from '@hookport/spec';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DeliveryKit, type NativePayload, verifyWith } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import type { Receiver } from './support/receiver.ts';
import { until } from './support/until.ts';

/**
 * The operational events (docs/delivery.md, "Operational events"): endpoint.failing at 50 % and 90 %
 * of the disable threshold, endpoint.recovered after it, delivery.exhausted at most once an hour per
 * endpoint with the count of what it covers. Real receivers; a one-step schedule (two attempts per
 * delivery) and a threshold of 10 failed deliveries keep it quick. Each test has a tenant of its own,
 * since operational events go to every endpoint of the tenant that subscribes to them.
 */

let t: TestHookport;
let kit: DeliveryKit;

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '1', HOOKPORT_DISABLE_AFTER_FAILURES: '10' });
  kit = new DeliveryKit(t, await createTenant(t));
  await kit.warmUp();
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function freshTenant(): Promise<DeliveryKit> {
  return kit.forTenant(await createTenant(t));
}

const operationalTypes = ['endpoint.failing', 'endpoint.recovered', 'delivery.exhausted'];
const failingReceiver = (k: DeliveryKit) =>
  k.receiver((_req, _n, res) => {
    res.writeHead(500).end();
  });

/** The verified payloads a watcher received, in arrival order. */
function payloadsOf(r: Receiver, secret: string): NativePayload[] {
  return r.received.map((got) => verifyWith(secret, got.body, got.headers));
}

/** Waits until the watcher has received a payload matching `wanted`, and returns it. */
function noticeOf(r: Receiver, secret: string, what: string, wanted: (p: NativePayload) => boolean) {
  return until(`${what} at the watcher`, async () => payloadsOf(r, secret).find(wanted), { timeoutMs: 30_000 });
}

/** Publishes n ticket events and waits until each delivery to the endpoint has failed for good. */
async function failDeliveries(k: DeliveryKit, endpointId: string, n: number, from: number): Promise<string[]> {
  const events = await Promise.all(Array.from({ length: n }, (_, i) => k.accepted('ticket.created', { n: from + i })));
  const ids = await Promise.all(events.map(async (e) => (await k.deliveryOf(e.id, endpointId)).id));
  await Promise.all(ids.map((id) => k.settled(id, 'failed', 30_000)));
  return ids;
}

describe.concurrent('operational events', () => {
  it('accepts subscriptions to the operational types, by name or prefix, and still refuses unknown ones', async ({
    expect,
  }) => {
    const k = await freshTenant();
    for (const eventTypes of [['endpoint.*'], ['delivery.*'], operationalTypes, ['endpoint.disabled']]) {
      const res = await t.api.post('/v1/endpoints', {
        token: k.tenant.token,
        json: { url: 'http://127.0.0.1:9/hook', eventTypes },
      });
      expect(res.status, `${eventTypes.join(', ')}: ${res.text}`).toBe(201);
    }
    const refused = await t.api.post('/v1/endpoints', {
      token: k.tenant.token,
      json: { url: 'http://127.0.0.1:9/hook', eventTypes: ['endpoint.failed'] },
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('endpoint.failed is not an event type of this tenant');
  });

  it('tells at 50 % and 90 % of the threshold once each, then disabled, then recovered at the first success', async ({
    expect,
  }) => {
    const k = await freshTenant();
    const failing = await failingReceiver(k);
    const watcher = await k.receiver();
    // Subscribed to everything: it must still never be sent the news about itself.
    const ep = await k.endpoint(failing.url, { eventTypes: ['*'] });
    const watch = await k.endpoint(watcher.url, { eventTypes: ['endpoint.*'] });

    await failDeliveries(k, ep.id, 5, 1);
    const half = await noticeOf(
      watcher,
      watch.secret,
      'endpoint.failing at 50 %',
      (p) => p.type === 'endpoint.failing',
    );
    expect(half.data).toEqual({
      endpointId: ep.id,
      url: failing.url,
      percent: 50,
      consecutiveFailures: 5,
      failingSince: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    await failDeliveries(k, ep.id, 4, 6);
    const ninety = await noticeOf(
      watcher,
      watch.secret,
      'endpoint.failing at 90 %',
      (p) => p.type === 'endpoint.failing' && p.data.percent === 90,
    );
    expect(ninety.data).toMatchObject({ endpointId: ep.id, percent: 90, consecutiveFailures: 9 });
    expect(ninety.data.failingSince).toBe(half.data.failingSince);

    // The tenth disables it: endpoint.disabled says so, no third endpoint.failing.
    await failDeliveries(k, ep.id, 1, 10);
    await noticeOf(watcher, watch.secret, 'endpoint.disabled', (p) => p.type === 'endpoint.disabled');

    // Re-enabled and answering: the first success ends the failing spell the tenant was told of.
    failing.respond((_req, _n, res) => {
      res.writeHead(204).end();
    });
    await k.setStatus(ep.id, 'active');
    const ok = await k.accepted('ticket.created', { n: 11 });
    await k.settled((await k.deliveryOf(ok.id, ep.id)).id, 'succeeded');
    const recovered = await noticeOf(
      watcher,
      watch.secret,
      'endpoint.recovered',
      (p) => p.type === 'endpoint.recovered',
    );
    // The re-enable reset the streak (so no start to report); the notice it ends was at 90 %.
    expect(recovered.data).toEqual({ endpointId: ep.id, url: failing.url, percent: 90, failingSince: null });

    // Once each: a later success sends nothing more.
    const again = await k.accepted('ticket.created', { n: 12 });
    await k.settled((await k.deliveryOf(again.id, ep.id)).id, 'succeeded');
    await k.quiescent(30_000);
    const told = payloadsOf(watcher, watch.secret).map((p) => `${p.type}${p.data.percent ? ` ${p.data.percent}` : ''}`);
    expect(told.sort()).toEqual([
      'endpoint.disabled',
      'endpoint.failing 50',
      'endpoint.failing 90',
      'endpoint.recovered 90',
    ]);
    // The endpoint itself, subscribed to *, got none of the operational events about itself.
    const own = await k.listAll({ endpointId: ep.id });
    expect(own.filter((d) => operationalTypes.includes(d.eventType))).toEqual([]);
  });

  it('tells of a recovery after a failing spell without a disable, with the streak it ended', async ({ expect }) => {
    const k = await freshTenant();
    const failing = await failingReceiver(k);
    const watcher = await k.receiver();
    const ep = await k.endpoint(failing.url);
    const watch = await k.endpoint(watcher.url, { eventTypes: ['endpoint.failing', 'endpoint.recovered'] });

    await failDeliveries(k, ep.id, 5, 1);
    const half = await noticeOf(watcher, watch.secret, 'endpoint.failing', (p) => p.type === 'endpoint.failing');
    failing.respond((_req, _n, res) => {
      res.writeHead(200).end();
    });
    const ok = await k.accepted('ticket.updated', { n: 6 });
    await k.settled((await k.deliveryOf(ok.id, ep.id)).id, 'succeeded');
    const recovered = await noticeOf(
      watcher,
      watch.secret,
      'endpoint.recovered',
      (p) => p.type === 'endpoint.recovered',
    );
    expect(recovered.data).toEqual({
      endpointId: ep.id,
      url: failing.url,
      percent: 50,
      failingSince: half.data.failingSince,
    });

    // A new spell starts from nothing: half the threshold again is told again.
    failing.respond((_req, _n, res) => {
      res.writeHead(503).end();
    });
    await failDeliveries(k, ep.id, 5, 7);
    await until(
      'a second endpoint.failing',
      async () => {
        const notices = payloadsOf(watcher, watch.secret).filter((p) => p.type === 'endpoint.failing');
        return notices.length === 2 ? notices : undefined;
      },
      { timeoutMs: 30_000 },
    );
    await k.quiescent(30_000);
    expect(payloadsOf(watcher, watch.secret).map((p) => p.type)).toHaveLength(3);
  });

  it('tells of exhausted deliveries at most once an hour, the next notice counting all since the last', async ({
    expect,
  }) => {
    const k = await freshTenant();
    const failing = await failingReceiver(k);
    const watcher = await k.receiver();
    const ep = await k.endpoint(failing.url, { eventTypes: ['*'] });
    const watch = await k.endpoint(watcher.url, { eventTypes: ['delivery.*'] });
    const endpointUuid = fromTypeId('endpoint', ep.id);
    const noticeRow = async () => {
      const [row] = await t.hp.db.query<{ exhausted_notice_at: Date; exhausted_pending: number }>(
        'select exhausted_notice_at, exhausted_pending from endpoint_notices where endpoint_id = $1',
        [endpointUuid],
      );
      return row;
    };

    const [first] = await failDeliveries(k, ep.id, 1, 1);
    const notice = await noticeOf(watcher, watch.secret, 'delivery.exhausted', (p) => p.type === 'delivery.exhausted');
    const firstDelivery = await k.delivery(first ?? '');
    expect(notice.data).toEqual({
      endpointId: ep.id,
      url: failing.url,
      count: 1,
      since: null,
      deliveryId: first,
      eventId: firstDelivery.eventId,
      eventType: 'ticket.created',
    });

    // Within the hour: counted, not told.
    await failDeliveries(k, ep.id, 2, 2);
    expect(await noticeRow()).toMatchObject({ exhausted_pending: 2 });
    const toWatcher = await k.listAll({ endpointId: watch.id });
    expect(toWatcher).toHaveLength(1);

    // The hour has passed (the notice's time moved back by it): the next exhaustion tells of all three.
    await t.hp.db.query(
      `update endpoint_notices set exhausted_notice_at = exhausted_notice_at - interval '1 hour' where endpoint_id = $1`,
      [endpointUuid],
    );
    const movedAt = (await noticeRow())?.exhausted_notice_at;
    if (!movedAt) throw new Error('no notice row');
    const [fourth] = await failDeliveries(k, ep.id, 1, 4);
    const next = await noticeOf(watcher, watch.secret, 'a second delivery.exhausted', (p) => p.data.count === 3);
    expect(next.data).toMatchObject({
      endpointId: ep.id,
      count: 3,
      since: new Date(movedAt).toISOString(),
      deliveryId: fourth,
      eventType: 'ticket.created',
    });
    expect(await noticeRow()).toMatchObject({ exhausted_pending: 0 });

    await k.quiescent(30_000);
    expect(payloadsOf(watcher, watch.secret).map((p) => p.data.count)).toEqual([1, 3]);
    // The exhausted endpoint, subscribed to *, was told nothing about itself.
    const own = await k.listAll({ endpointId: ep.id });
    expect(own.filter((d) => operationalTypes.includes(d.eventType))).toEqual([]);
  });
});
