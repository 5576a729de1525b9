/**
 * The SDK against the real server (in-process, through the app's fetch) and a
 * real receiver on 127.0.0.1: every call goes through the generated types,
 * the transport and the server's actual answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Delivery,
  type EndpointWithSecret,
  Hookport,
  HookportError,
  verifyWebhook,
  WebhookVerificationError,
} from '../../sdk/src/index.ts';
import { startHookport, type TestHookport } from './support/harness.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import { until } from './support/until.ts';

let t: TestHookport;
let admin: Hookport;
let hp: Hookport;
let tenantId: string;
const receivers: Receiver[] = [];

function client(token: string) {
  return new Hookport({ baseUrl: 'http://hookport.test', token, fetch: (request) => t.hp.app.fetch(request) });
}

async function receiver() {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function endpointAt(r: Receiver, eventTypes = ['order.*']): Promise<EndpointWithSecret> {
  return hp.endpoints.create({ url: r.url, eventTypes, name: 'sdk e2e' });
}

async function settled(deliveryId: string, status: Delivery['status']) {
  return until(`delivery ${deliveryId} to be ${status}`, async () => {
    const d = await hp.deliveries.get(deliveryId);
    return d.status === status ? d : undefined;
  });
}

beforeAll(async () => {
  t = await startHookport();
  admin = client(t.adminToken);
  const tenant = await admin.tenants.create({ name: 'SDK e2e', metadata: { suite: 'sdk' } });
  tenantId = tenant.id;
  const token = await admin.tokens.create(tenant.id, { name: 'sdk', scopes: ['*'] });
  hp = client(token.token);
  await hp.eventTypes.create({ name: 'order.paid', description: 'An order was paid' });
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

describe('the SDK against the real server', () => {
  it('creates, publishes, delivers, and the receiver verifies the delivery with verifyWebhook', async () => {
    const r = await receiver();
    const ep = await endpointAt(r);
    expect(ep.secret).toMatch(/^whsec_/);

    const event = await hp.events.publish({ type: 'order.paid', data: { orderId: 'O-1', total: 42 } });
    expect(event).toMatchObject({ type: 'order.paid', deliveryCount: 1 });

    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    const payload = await verifyWebhook(got.body, got.headers, ep.secret);
    expect(payload).toMatchObject({ type: 'order.paid', data: { orderId: 'O-1', total: 42 } });
    expect(got.headers['webhook-id']).toBe(event.id);
    await expect(verifyWebhook(got.body.replace('42', '43'), got.headers, ep.secret)).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );

    const [delivery] = (await hp.deliveries.list({ eventId: event.id })).data;
    if (!delivery) throw new Error('no delivery listed');
    expect(delivery.endpointId).toBe(ep.id);
    const done = await settled(delivery.id, 'succeeded');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ httpStatus: 204 });
    await expect(hp.events.get(event.id)).resolves.toMatchObject({ id: event.id, data: { orderId: 'O-1' } });
  });

  it('verifies both signatures during a secret rotation, and a redelivery keeps the webhook-id', async () => {
    const r = await receiver();
    const ep = await endpointAt(r);
    const rotated = await hp.endpoints.rotateSecret(ep.id, { gracePeriodSeconds: 3600 });
    expect(rotated.secret).not.toBe(ep.secret);
    expect(rotated.previousSecretExpiresAt).not.toBeNull();

    const event = await hp.events.publish({ type: 'order.paid', data: { orderId: 'O-2' } });
    const [first] = await r.waitFor(1);
    if (!first) throw new Error('nothing received');
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [ep.secret, rotated.secret]) {
      await expect(verifyWebhook(first.body, first.headers, secret)).resolves.toMatchObject({ type: 'order.paid' });
    }

    const delivery = await until('the delivery to be listed', async () => {
      for await (const d of hp.deliveries.list({ endpointId: ep.id, eventType: 'order.paid' })) {
        if (d.eventId === event.id && d.status === 'succeeded') return d;
      }
      return undefined;
    });
    await hp.deliveries.redeliver(delivery.id);
    const [, again] = await r.waitFor(2);
    if (!again) throw new Error('no redelivery');
    expect(again.headers['webhook-id']).toBe(event.id);
    await expect(verifyWebhook(again.body, again.headers, rotated.secret)).resolves.toMatchObject({
      data: { orderId: 'O-2' },
    });
  });

  it('returns the same event for a repeated idempotency key', async () => {
    const body = { type: 'order.paid', data: { orderId: 'O-3' } };
    const first = await hp.events.publish(body, { idempotencyKey: 'sdk-e2e-order-3' });
    const second = await hp.events.publish(body, { idempotencyKey: 'sdk-e2e-order-3' });
    expect(second.id).toBe(first.id);
    const conflict = await hp.events
      .publish({ ...body, data: { orderId: 'other' } }, { idempotencyKey: 'sdk-e2e-order-3' })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(HookportError);
    expect(conflict).toMatchObject({ status: 409, code: 'idempotency_conflict' });
  });

  it('pages through a list with for await, and gives one page when awaited', async () => {
    await hp.eventTypes.create({ name: 'page.test' });
    const r = await receiver();
    const created = [];
    for (let i = 0; i < 3; i++) created.push((await hp.endpoints.create({ url: r.url, eventTypes: ['page.*'] })).id);
    const ids: string[] = [];
    for await (const ep of hp.endpoints.list({ limit: 1, eventType: 'page.test' })) ids.push(ep.id);
    expect(ids.toSorted()).toEqual(created.toSorted());

    const page = await hp.endpoints.list({ limit: 2, eventType: 'page.test' });
    expect(page.data).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));

    const tenants = [];
    for await (const tenant of admin.tenants.list({ limit: 1 })) tenants.push(tenant.id);
    expect(tenants).toContain(tenantId);
  });

  it('throws HookportError with the problem fields of the server', async () => {
    const missing = await hp.endpoints.get('ep_01jbz8c1x9f8r5m6w0q2v3t4yz').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HookportError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found', requestId: expect.any(String) });

    const invalid = await hp.endpoints.create({ url: 'ftp://example.com', eventTypes: [] }).catch((e: unknown) => e);
    if (!(invalid instanceof HookportError)) throw new Error(`expected a HookportError, got ${invalid}`);
    expect(invalid).toMatchObject({ status: 422, code: 'validation_failed' });
    expect(invalid.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['url', 'eventTypes']));

    const readOnly = client(
      await admin.tokens.create(tenantId, { name: 'ro', scopes: ['endpoints:read'] }).then((x) => x.token),
    );
    await expect(readOnly.events.publish({ type: 'order.paid', data: {} })).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    await expect(client('hp_not_a_token').endpoints.list()).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
  });
});
