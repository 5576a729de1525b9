import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  closedPortUrl,
  DeliveryKit,
  type StreamedBody,
  secondsBetween,
  streamLargeBody,
  verifyWith,
} from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import type { Endpoint } from './support/types.ts';

/**
 * How the engine treats receivers that fail: Retry-After, 410, refused
 * connections, huge bodies, and endpoints that keep failing. A one-step
 * schedule (two attempts) keeps it quick; the tests run concurrently, each on
 * its own tenant. Timeouts have a file of their own (delivery.timeout), since
 * a short delivery timeout would also catch answers delayed by load here.
 */

let t: TestHookport;
let kit: DeliveryKit;

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '1', HOOKPORT_DISABLE_AFTER_FAILURES: '2' });
  kit = new DeliveryKit(t, await createTenant(t));
  await kit.warmUp();
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

/** A kit on a tenant of its own, so tenant-wide events (endpoint.disabled) stay within one test. */
async function freshTenant(): Promise<DeliveryKit> {
  return kit.forTenant(await createTenant(t));
}

async function endpointState(k: DeliveryKit, id: string): Promise<Endpoint> {
  const res = await t.api.get<Endpoint>(`/v1/endpoints/${id}`, { token: k.tenant.token });
  if (res.status !== 200) throw new Error(`endpoint get failed: ${res.text}`);
  return res.body;
}

describe.concurrent('receiver failures', () => {
  it('waits as long as a 429 Retry-After (seconds) asks before the next attempt', async ({ expect }) => {
    const k = await freshTenant();
    const r = await k.receiver((_req, n, res) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '2' }).end('slow down');
      else res.writeHead(200).end();
    });
    const ep = await k.endpoint(r.url);
    const event = await k.accepted('ticket.created', { n: 1 });
    const d = await k.deliveryOf(event.id, ep.id);
    const first = await k.waitForDelivery(d.id, 'to have one attempt', (x) => x.attempts.length >= 1);
    const [a1] = first.attempts;
    if (!a1?.nextAttemptAt) throw new Error('first attempt has no next attempt time');
    expect(a1).toMatchObject({ number: 1, httpStatus: 429, errorKind: 'http_status', responseExcerpt: 'slow down' });
    // Retry-After 2, counted from the answer, not the schedule's 1 s ± 20 %.
    const answeredAt = new Date(Date.parse(a1.startedAt) + a1.durationMs).toISOString();
    const wait = secondsBetween(answeredAt, a1.nextAttemptAt);
    expect(wait).toBeGreaterThanOrEqual(2 - 0.01);
    expect(wait).toBeLessThan(2 + 1);

    const done = await k.settled(d.id, 'succeeded');
    const a2 = done.attempts[1];
    if (!a2) throw new Error('no second attempt');
    expect(a2.httpStatus).toBe(200);
    // The queue held the job until then (100 ms allows for the database clock).
    expect(secondsBetween(a1.nextAttemptAt, a2.startedAt)).toBeGreaterThan(-0.1);
  });

  it('waits until the HTTP date of a 503 Retry-After before the next attempt', async ({ expect }) => {
    const k = await freshTenant();
    let retryAt = 0;
    const r = await k.receiver((_req, n, res) => {
      if (n === 1) {
        // A whole second 2 to 3 s ahead: HTTP dates have no fractions.
        retryAt = Math.ceil(Date.now() / 1000) * 1000 + 2000;
        res.writeHead(503, { 'retry-after': new Date(retryAt).toUTCString() }).end();
      } else {
        res.writeHead(204).end();
      }
    });
    const ep = await k.endpoint(r.url);
    const event = await k.accepted('ticket.updated', { n: 2 });
    const d = await k.deliveryOf(event.id, ep.id);
    const first = await k.waitForDelivery(d.id, 'to have one attempt', (x) => x.attempts.length >= 1);
    const [a1] = first.attempts;
    if (!a1?.nextAttemptAt) throw new Error('first attempt has no next attempt time');
    expect(a1.httpStatus).toBe(503);
    expect(Math.abs(Date.parse(a1.nextAttemptAt) - retryAt)).toBeLessThan(250);

    const done = await k.settled(d.id, 'succeeded');
    const a2 = done.attempts[1];
    if (!a2) throw new Error('no second attempt');
    expect(secondsBetween(a1.nextAttemptAt, a2.startedAt)).toBeGreaterThan(-0.1);
  });

  it('on 410 fails at once, disables the endpoint as gone and tells the tenant through endpoint.disabled', async ({
    expect,
  }) => {
    const k = await freshTenant();
    const gone = await k.receiver((_req, _n, res) => {
      res.writeHead(410).end();
    });
    const watcher = await k.receiver();
    const ep = await k.endpoint(gone.url);
    const watch = await k.endpoint(watcher.url, { eventTypes: ['endpoint.disabled'] });
    const event = await k.accepted('ticket.created', { n: 3 });
    expect(event.deliveryCount).toBe(1);

    const d = await k.settled((await k.deliveryOf(event.id, ep.id)).id, 'failed');
    expect(d.attempts).toHaveLength(1);
    expect(d.attempts[0]).toMatchObject({ httpStatus: 410, errorKind: 'http_status', nextAttemptAt: null });
    expect(d.nextAttemptAt).toBeNull();
    expect(await endpointState(k, ep.id)).toMatchObject({ status: 'disabled', disabledReason: 'gone' });

    const [notice] = await watcher.waitFor(1);
    if (!notice) throw new Error('no endpoint.disabled delivery');
    const payload = verifyWith(watch.secret, notice.body, notice.headers);
    expect(payload).toMatchObject({
      type: 'endpoint.disabled',
      data: { endpointId: ep.id, url: gone.url, reason: 'gone' },
    });
    // The 410 was not retried: the receiver saw the one attempt.
    expect(gone.received).toHaveLength(1);

    // Later events to the gone endpoint are recorded as skipped, not sent.
    const later = await k.accepted('ticket.updated', { n: 4 });
    expect((await k.deliveryOf(later.id, ep.id)).status).toBe('skipped');
  });

  it('records a refused connection as errorKind connection', async ({ expect }) => {
    const k = await freshTenant();
    const ep = await k.endpoint(await closedPortUrl());
    const event = await k.accepted('ticket.created', { n: 6 });
    const d = await k.settled((await k.deliveryOf(event.id, ep.id)).id, 'failed');
    expect(d.attempts.map((a) => a.errorKind)).toEqual(['connection', 'connection']);
    expect(d.attempts.every((a) => a.httpStatus === null && typeof a.errorMessage === 'string')).toBe(true);
    expect(d.lastError).toEqual(expect.any(String));
  });

  it('succeeds on a 10 MB response but reads and stores at most 16 KiB of it', async ({ expect }) => {
    const k = await freshTenant();
    const total = 10 * 1024 * 1024;
    let streamed: Promise<StreamedBody> | undefined;
    const r = await k.receiver((_req, _n, res) => {
      streamed = streamLargeBody(res, total);
    });
    const ep = await k.endpoint(r.url);
    const event = await k.accepted('ticket.created', { n: 7 });
    const d = await k.settled((await k.deliveryOf(event.id, ep.id)).id, 'succeeded');
    expect(d.attempts).toHaveLength(1);
    const [a] = d.attempts;
    expect(a).toMatchObject({ httpStatus: 200, errorKind: null, responseTruncated: true });
    const excerpt = a?.responseExcerpt ?? '';
    expect(excerpt.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(16 * 1024);

    // The receiver, writing only as fast as the worker takes it, saw the connection closed long before the end.
    if (!streamed) throw new Error('the receiver never answered');
    const body = await streamed;
    expect(body.finished).toBe(false);
    expect(body.written).toBeLessThan(total);
  });

  it('disables an endpoint after HOOKPORT_DISABLE_AFTER_FAILURES failed deliveries in a row', async ({ expect }) => {
    const k = await freshTenant();
    const failing = await k.receiver((_req, _n, res) => {
      res.writeHead(500).end();
    });
    const watcher = await k.receiver();
    const ep = await k.endpoint(failing.url);
    const watch = await k.endpoint(watcher.url, { eventTypes: ['endpoint.disabled'] });

    const first = await k.accepted('ticket.created', { n: 8 });
    await k.settled((await k.deliveryOf(first.id, ep.id)).id, 'failed');
    expect((await endpointState(k, ep.id)).status).toBe('active');

    const second = await k.accepted('ticket.created', { n: 9 });
    await k.settled((await k.deliveryOf(second.id, ep.id)).id, 'failed');
    const disabled = await endpointState(k, ep.id);
    expect(disabled.status).toBe('disabled');
    expect(disabled.disabledReason).toMatch(/2 deliveries/);

    const [notice] = await watcher.waitFor(1);
    if (!notice) throw new Error('no endpoint.disabled delivery');
    expect(verifyWith(watch.secret, notice.body, notice.headers)).toMatchObject({
      type: 'endpoint.disabled',
      data: { endpointId: ep.id, reason: disabled.disabledReason },
    });
    expect(failing.received).toHaveLength(4);
  });
});
