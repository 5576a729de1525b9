import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  type Delivery,
  DeliveryKit,
  type EventBody,
  signaturesOf,
  verifyWith,
  withSignatures,
} from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import type { Received } from './support/receiver.ts';
import type { Endpoint, Problem, RotatedSecret } from './support/types.ts';

/**
 * What the tenant does to an endpoint and how deliveries follow: secret
 * rotation, pause and resume, disable and recover, redeliver, ping. Each test
 * runs on a tenant of its own, concurrently. The 2 s retry step leaves room to
 * pause an endpoint between two attempts.
 */

let t: TestHookport;
let kit: DeliveryKit;

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '2' });
  kit = new DeliveryKit(t, await createTenant(t));
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function freshTenant(): Promise<DeliveryKit> {
  return kit.forTenant(await createTenant(t));
}

function randomSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** True when the standardwebhooks library accepts the request under this secret. */
function verifies(secret: string, got: Received, headers: Record<string, string> = {}): boolean {
  try {
    new Webhook(secret).verify(got.body, { ...(got.headers as Record<string, string>), ...headers });
    return true;
  } catch {
    return false;
  }
}

function webhookIds(received: readonly Received[]): string[] {
  return received.map((r) => String(r.headers['webhook-id'])).sort();
}

describe.concurrent('endpoint lifecycle', () => {
  it('signs with both the old and the new secret during a rotation grace period', async ({ expect }) => {
    const k = await freshTenant();
    const r = await k.receiver();
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.created'] });
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${ep.id}/secret/rotate`, {
      token: k.tenant.token,
      json: { gracePeriodSeconds: 3600 },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(ep.secret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt ?? '');
    expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(60_000);

    await k.accepted('ticket.created', { n: 1 });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const signatures = signaturesOf(got.headers);
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
    // A receiver holding either secret accepts the request; one holding neither does not.
    expect(verifyWith(ep.secret, got.body, got.headers)).toMatchObject({ type: 'ticket.created' });
    expect(verifyWith(rotated.body.secret, got.body, got.headers)).toMatchObject({ type: 'ticket.created' });
    expect(verifies(randomSecret(), got)).toBe(false);
    // Each signature on its own is the work of exactly one of the two secrets.
    for (const signature of signatures) {
      const alone = withSignatures(got.headers, [signature]);
      const byOld = verifies(ep.secret, got, alone);
      const byNew = verifies(rotated.body.secret, got, alone);
      expect(byOld !== byNew).toBe(true);
    }
  });

  it('signs with the new secret only after a rotation with gracePeriodSeconds 0', async ({ expect }) => {
    const k = await freshTenant();
    const r = await k.receiver();
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.created'] });
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${ep.id}/secret/rotate`, {
      token: k.tenant.token,
      json: { gracePeriodSeconds: 0 },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousSecretExpiresAt).toBeNull();

    await k.accepted('ticket.created', { n: 2 });
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(signaturesOf(got.headers)).toHaveLength(1);
    expect(verifies(rotated.body.secret, got)).toBe(true);
    expect(verifies(ep.secret, got)).toBe(false);
  });

  it('holds deliveries of a paused endpoint and sends them when it is made active', async ({ expect }) => {
    const k = await freshTenant();
    const r = await k.receiver();
    const sibling = await k.receiver();
    const ep = await k.endpoint(r.url, { status: 'paused', eventTypes: ['ticket.created'] });
    await k.endpoint(sibling.url, { eventTypes: ['ticket.created'] });
    const events = [await k.accepted('ticket.created', { n: 3 }), await k.accepted('ticket.created', { n: 4 })];

    // The active sibling got both events; the paused endpoint got nothing and its deliveries wait.
    await sibling.waitFor(2);
    const held = await k.listAll({ endpointId: ep.id });
    expect(held.map((d) => [d.status, d.attemptCount])).toEqual([
      ['held', 0],
      ['held', 0],
    ]);
    expect(r.received).toHaveLength(0);

    await k.setStatus(ep.id, 'active');
    const got = await r.waitFor(2);
    expect(webhookIds(got)).toEqual(events.map((e) => e.id).sort());
    for (const g of got) expect(verifyWith(ep.secret, g.body, g.headers).type).toBe('ticket.created');
    for (const d of held) await k.settled(d.id, 'succeeded');
  });

  it('holds a delivery whose endpoint is paused between two attempts, and finishes it on resume', async ({
    expect,
  }) => {
    const k = await freshTenant();
    const r = await k.receiver((_req, n, res) => {
      res.writeHead(n === 1 ? 500 : 204).end();
    });
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.updated'] });
    const event = await k.accepted('ticket.updated', { n: 5 });
    const d = await k.deliveryOf(event.id, ep.id);
    await k.waitForDelivery(d.id, 'to have failed once', (x) => x.attemptCount === 1);
    await k.setStatus(ep.id, 'paused');

    // The retry comes due while paused: the worker parks it instead of sending.
    const parked = await k.settled(d.id, 'held');
    expect(parked.attempts).toHaveLength(1);
    expect(r.received).toHaveLength(1);

    await k.setStatus(ep.id, 'active');
    const done = await k.settled(d.id, 'succeeded');
    expect(done.attempts.map((a) => a.httpStatus)).toEqual([500, 204]);
    expect(webhookIds(r.received)).toEqual([event.id, event.id]);
  });

  it('skips deliveries of a disabled endpoint, refuses recover until it is active, then replays them', async ({
    expect,
  }) => {
    const k = await freshTenant();
    // The first request is answered 410, which disables the endpoint; later ones succeed.
    const r = await k.receiver((_req, n, res) => {
      res.writeHead(n === 1 ? 410 : 204).end();
    });
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.created'] });
    const gone = await k.accepted('ticket.created', { n: 6 });
    const goneDelivery = await k.settled((await k.deliveryOf(gone.id, ep.id)).id, 'failed');
    const disabled = await t.api.get<Endpoint>(`/v1/endpoints/${ep.id}`, { token: k.tenant.token });
    expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'gone' });

    const skipped: EventBody[] = [
      await k.accepted('ticket.created', { n: 7 }),
      await k.accepted('ticket.created', { n: 8 }),
    ];
    for (const e of skipped) expect((await k.deliveryOf(e.id, ep.id)).status).toBe('skipped');

    const refused = await t.api.post<Problem>(`/v1/endpoints/${ep.id}/recover`, {
      token: k.tenant.token,
      json: { since: gone.createdAt },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('conflict');

    await k.setStatus(ep.id, 'active');
    const reactivated = await t.api.get<Endpoint>(`/v1/endpoints/${ep.id}`, { token: k.tenant.token });
    expect(reactivated.body.disabledReason).toBeNull();

    // `since` the first skipped event: the two skipped ones, not the older failed one.
    const first = skipped[0];
    if (!first) throw new Error('no skipped event');
    const recovered = await t.api.post<{ recovered: number }>(`/v1/endpoints/${ep.id}/recover`, {
      token: k.tenant.token,
      json: { since: first.createdAt },
    });
    expect(recovered.status).toBe(202);
    expect(recovered.body.recovered).toBe(2);
    const got = await r.waitFor(3);
    expect(webhookIds(got.slice(1))).toEqual(skipped.map((e) => e.id).sort());
    for (const g of got.slice(1)) expect(verifyWith(ep.secret, g.body, g.headers).type).toBe('ticket.created');

    // Then the failed one, by going back further: only it is still failed or skipped.
    const again = await t.api.post<{ recovered: number }>(`/v1/endpoints/${ep.id}/recover`, {
      token: k.tenant.token,
      json: { since: gone.createdAt },
    });
    expect(again.body.recovered).toBe(1);
    await r.waitFor(4);
    const replayed = await k.settled(goneDelivery.id, 'succeeded');
    expect(replayed.attempts.map((a) => a.httpStatus)).toEqual([410, 204]);
    expect(r.received[3]?.headers['webhook-id']).toBe(gone.id);
  });

  it('redelivers a succeeded delivery as a new attempt with the same webhook-id', async ({ expect }) => {
    const k = await freshTenant();
    const r = await k.receiver();
    const ep = await k.endpoint(r.url, { eventTypes: ['ticket.resolved'] });
    const event = await k.accepted('ticket.resolved', { n: 9 });
    const d = await k.settled((await k.deliveryOf(event.id, ep.id)).id, 'succeeded');

    const res = await t.api.post<Delivery>(`/v1/deliveries/${d.id}/redeliver`, { token: k.tenant.token });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: d.id, status: 'pending' });
    const got = await r.waitFor(2);
    expect(webhookIds(got)).toEqual([event.id, event.id]);
    const second = got[1];
    if (!second) throw new Error('no redelivery');
    expect(verifyWith(ep.secret, second.body, second.headers)).toMatchObject({
      type: 'ticket.resolved',
      data: { n: 9 },
    });
    const done = await k.waitForDelivery(
      d.id,
      'to succeed a second time',
      (x) => x.status === 'succeeded' && x.attemptCount === 2,
    );
    expect(done.attempts.map((a) => [a.number, a.httpStatus])).toEqual([
      [1, 204],
      [2, 204],
    ]);

    // A paused endpoint cannot be redelivered to.
    await k.setStatus(ep.id, 'paused');
    const paused = await t.api.post<Problem>(`/v1/deliveries/${d.id}/redeliver`, { token: k.tenant.token });
    expect(paused.status).toBe(409);
  });

  it('pings one endpoint with a real signed delivery that no other endpoint receives', async ({ expect }) => {
    const k = await freshTenant();
    const target = await k.receiver();
    const everything = await k.receiver();
    const ep = await k.endpoint(target.url, { eventTypes: ['ticket.created'] });
    const all = await k.endpoint(everything.url, { eventTypes: ['*'] });

    const ping = await t.api.post<Delivery>(`/v1/endpoints/${ep.id}/ping`, { token: k.tenant.token });
    expect(ping.status).toBe(202);
    expect(ping.body).toMatchObject({ endpointId: ep.id, eventType: 'ping' });
    const [got] = await target.waitFor(1);
    if (!got) throw new Error('no ping received');
    expect(got.headers['webhook-id']).toBe(ping.body.eventId);
    expect(verifyWith(ep.secret, got.body, got.headers)).toMatchObject({ type: 'ping' });
    await k.settled(ping.body.id, 'succeeded');
    const event = await t.api.get<EventBody>(`/v1/events/${ping.body.eventId}`, { token: k.tenant.token });
    expect(event.body).toMatchObject({ type: 'ping', deliveryCount: 1 });

    // A later event reaches the catch-all endpoint: it is the first and only thing it got.
    const later = await k.accepted('ticket.created', { n: 10 });
    const [first] = await everything.waitFor(1);
    expect(first?.headers['webhook-id']).toBe(later.id);
    expect(everything.received).toHaveLength(1);
    expect((await k.listAll({ endpointId: all.id })).map((d) => d.eventType)).toEqual(['ticket.created']);

    // A disabled endpoint cannot be pinged.
    await k.setStatus(all.id, 'disabled');
    const refused = await t.api.post<Problem>(`/v1/endpoints/${all.id}/ping`, { token: k.tenant.token });
    expect(refused.status).toBe(409);
  });
});
