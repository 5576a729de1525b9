/**
 * The test kit as an integrator uses it: msw's setupServer with
 * hookportHandlers(), driven through the SDK client and through plain fetch
 * for the requests the client would never send.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Hookport } from '../client.ts';
import { HookportError } from '../errors.ts';
import type { Problem } from '../types.ts';
import { hookportHandlers } from './handlers.ts';

const baseUrl = 'https://hookport.test';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function client(token = 'test-token') {
  return new Hookport({ baseUrl, token, maxRetries: 0 });
}

async function problemOf(promise: Promise<unknown>): Promise<HookportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HookportError)) throw new Error(`expected a HookportError, got ${String(error)}`);
  return error;
}

function raw(path: string, init: RequestInit = {}) {
  return fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { authorization: 'Bearer test-token', ...(init.headers as Record<string, string>) },
  });
}

describe('the covered operations', () => {
  it('create, list, publish and read deliveries against one in-memory tenant', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    const type = await hp.eventTypes.create({ name: 'order.paid', description: 'An order was paid' });
    expect(type).toMatchObject({ name: 'order.paid', description: 'An order was paid', schema: null });

    const endpoint = await hp.endpoints.create({ url: 'https://example.com/hooks', eventTypes: ['order.*'] });
    expect(endpoint.id).toMatch(/^ep_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ status: 'active', profile: 'native', headers: {}, disabledReason: null });

    const event = await hp.events.publish({ type: 'order.paid', data: { id: 'o-1' } });
    expect(event).toMatchObject({ type: 'order.paid', data: { id: 'o-1' }, deliveryCount: 1 });
    expect(await hp.events.get(event.id)).toEqual(event);

    const page = await hp.deliveries.list({ eventId: event.id });
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({ endpointId: endpoint.id, eventType: 'order.paid', status: 'pending' });
    const delivery = await hp.deliveries.get(page.data[0]?.id ?? '');
    expect(delivery.attempts).toEqual([]);

    const updated = await hp.endpoints.update(endpoint.id, { status: 'paused' });
    expect(updated.status).toBe('paused');
    await hp.endpoints.delete(endpoint.id);
    expect((await problemOf(hp.endpoints.get(endpoint.id))).status).toBe(404);
  });

  it('pages with cursors, newest endpoint first', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    await hp.eventTypes.create({ name: 'a.b' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await hp.endpoints.create({ url: 'https://e.test/', eventTypes: ['*'] })).id);
    const first = await hp.endpoints.list({ limit: 2 });
    expect(first.data.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    const seen: string[] = [];
    for await (const e of hp.endpoints.list({ limit: 2 })) seen.push(e.id);
    expect(seen).toEqual([...ids].reverse());
  });

  it('replays a publish with the same Idempotency-Key and refuses another body under it', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    await hp.eventTypes.create({ name: 'order.paid' });
    const once = await hp.events.publish({ type: 'order.paid', data: { n: 1 } }, { idempotencyKey: 'k1' });
    const again = await hp.events.publish({ type: 'order.paid', data: { n: 1 } }, { idempotencyKey: 'k1' });
    expect(again.id).toBe(once.id);
    const conflict = await problemOf(
      hp.events.publish({ type: 'order.paid', data: { n: 2 } }, { idempotencyKey: 'k1' }),
    );
    expect([conflict.status, conflict.code]).toEqual([409, 'idempotency_conflict']);
  });

  it('publishes a batch all or none, replaying per event and naming a refused event by its index', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    await hp.eventTypes.create({ name: 'order.paid' });
    const first = await hp.events.publishBatch([
      { type: 'order.paid', data: { n: 1 }, idempotencyKey: 'k1' },
      { type: 'order.paid', data: { n: 2 } },
    ]);
    expect(first.map((e) => e.replayed)).toEqual([false, false]);
    const again = await hp.events.publishBatch([
      { type: 'order.paid', data: { n: 3 } },
      { type: 'order.paid', data: { n: 1 }, idempotencyKey: 'k1' },
    ]);
    expect(again.map((e) => e.replayed)).toEqual([false, true]);
    expect(again[1]?.id).toBe(first[0]?.id);
    const refused = await problemOf(
      hp.events.publishBatch([
        { type: 'order.paid', data: { n: 4 } },
        { type: 'order.lost', data: {} },
      ]),
    );
    expect([refused.status, refused.code, refused.errors?.map((e) => e.path)]).toEqual([
      422,
      'validation_failed',
      ['events.1.type'],
    ]);
    // Nothing of the refused batch was stored.
    expect((await hp.events.list()).data).toHaveLength(3);
  });

  it('starts every handlers() call with an empty store', async () => {
    server.use(...hookportHandlers());
    await client().eventTypes.create({ name: 'order.paid' });
    server.resetHandlers(...hookportHandlers());
    expect((await client().eventTypes.list()).data).toEqual([]);
  });
});

describe('bad input gets the server problem', () => {
  it('422 validation_failed with a field error per bad field', async () => {
    server.use(...hookportHandlers());
    const error = await problemOf(
      // @ts-expect-error: eventTypes is missing and colour is not a field, as a JavaScript caller might send
      client().endpoints.create({ url: 'not a url', colour: 'red' }),
    );
    expect([error.status, error.code, error.title]).toEqual([422, 'validation_failed', 'Validation failed']);
    expect(error.errors.map((e) => [e.path, e.code])).toEqual([
      ['eventTypes', 'invalid_type'],
      ['url', 'invalid_format'],
      ['colour', 'unrecognized_keys'],
    ]);
  });

  it('422 when a subscription selects no known event type, or a publish names an unknown type', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    const subscribe = await problemOf(hp.endpoints.create({ url: 'https://e.test/', eventTypes: ['nope.*'] }));
    expect(subscribe.errors).toEqual([
      { path: 'eventTypes.0', message: 'nope.* matches no event type of this tenant', code: 'unknown_event_type' },
    ]);
    const publish = await problemOf(hp.events.publish({ type: 'nope', data: {} }));
    expect(publish.errors.map((e) => [e.path, e.code])).toEqual([['type', 'unknown_event_type']]);
  });

  it('422 for a publish (alone or in a batch) or a catalogue entry of a type Hookport publishes itself', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    const one = await problemOf(hp.events.publish({ type: 'endpoint.disabled', data: {} }));
    expect(one.errors.map((e) => [e.path, e.code])).toEqual([['type', 'reserved_event_type']]);
    // The server's words (core/events.ts systemTypeRefusal), as for the catalogue's refusal.
    expect(one.detail).toBe('endpoint.disabled is an event type only Hookport itself publishes.');
    await hp.eventTypes.create({ name: 'order.paid', description: 'An order was paid' });
    const batch = await problemOf(
      hp.events.publishBatch([
        { type: 'order.paid', data: {} },
        { type: 'ping', data: {} },
      ]),
    );
    expect(batch.errors.map((e) => [e.path, e.code])).toEqual([['events.1.type', 'reserved_event_type']]);
    const type = await problemOf(hp.eventTypes.create({ name: 'delivery.exhausted' }));
    expect(type.errors.map((e) => [e.path, e.code])).toEqual([['name', 'reserved_event_type']]);
  });

  it('422 for an unknown query parameter, naming the ones the operation takes', async () => {
    server.use(...hookportHandlers());
    const response = await raw('/v1/endpoints?page=2');
    const body = (await response.json()) as Problem;
    expect(response.status).toBe(422);
    expect(body.errors).toEqual([
      {
        path: 'page',
        message: 'is not a known query parameter; this operation takes limit, cursor, status, profile, eventType',
        code: 'unrecognized_keys',
      },
    ]);
    const limit = (await (await raw('/v1/endpoints?limit=0')).json()) as Problem;
    expect(limit.errors?.map((e) => [e.path, e.code])).toEqual([['limit', 'too_small']]);
  });

  it('401, 403, 404, 405, 409, 415, 400 as the server answers them', async () => {
    server.use(...hookportHandlers({ tokens: { reader: ['endpoints:read'], writer: ['endpoints:write'] } }));
    const unauthorized = await problemOf(client('nobody').endpoints.list());
    expect([unauthorized.status, unauthorized.code]).toEqual([401, 'unauthorized']);
    const forbidden = await problemOf(client('reader').eventTypes.create({ name: 'x' }));
    expect([forbidden.status, forbidden.code]).toEqual([403, 'forbidden']);
    expect((await client('writer').endpoints.list()).data).toEqual([]);
    const malformed = await problemOf(client('reader').endpoints.get('not-an-id'));
    expect([malformed.status, malformed.code]).toEqual([404, 'not_found']);
    await client('writer').eventTypes.create({ name: 'x' });
    const duplicate = await problemOf(client('writer').eventTypes.create({ name: 'x' }));
    expect([duplicate.status, duplicate.code]).toEqual([409, 'conflict']);

    const auth = { authorization: 'Bearer writer' };
    const put = await fetch(`${baseUrl}/v1/endpoints`, { method: 'PUT', headers: auth });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'POST, GET, HEAD']);
    const text = await fetch(`${baseUrl}/v1/event-types`, { method: 'POST', headers: auth, body: '{"name":"y"}' });
    expect(text.status).toBe(415);
    const broken = await fetch(`${baseUrl}/v1/event-types`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(((await broken.json()) as Problem).code).toBe('invalid_json');
    expect(broken.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers statistics with empty buckets over the range, checked as the server checks it', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    const endpoint = await hp.endpoints.create({ url: 'https://example.com/hooks', eventTypes: ['*'] });
    const stats = await hp.endpoints.stats(endpoint.id, {
      since: '2026-01-01T10:30:00Z',
      until: '2026-01-01T13:00:00Z',
      bucket: 'hour',
    });
    expect(stats.since).toBe('2026-01-01T10:00:00.000Z');
    expect(stats.buckets.map((b) => b.start)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T11:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
    ]);
    expect(stats.total).toMatchObject({ attempts: { total: 0 }, successRatio: null, latencyMs: { p50: null } });
    expect(
      (await hp.stats.get({ bucket: 'day', eventType: 'a.b', until: '2026-01-02T06:00:00Z' })).buckets,
    ).toHaveLength(2);
    const tooMany = await problemOf(
      hp.stats.get({ since: '2026-01-01T00:00:00Z', until: '2026-01-03T00:00:00Z', bucket: 'minute' }),
    );
    expect(tooMany.status).toBe(422);
    expect(tooMany.errors.map((e) => e.path)).toEqual(['since']);
    expect((await problemOf(hp.endpoints.stats('ep_01jbz8c1x9f8r5m6w0q2v3t4yz'))).status).toBe(404);
  });

  it('answers the operations it does not cover with a 501 naming them', async () => {
    server.use(...hookportHandlers());
    const response = await raw('/v1/tenants');
    expect(response.status).toBe(501);
    expect(((await response.json()) as Problem).detail).toBe(
      'listTenants (GET /v1/tenants) is not implemented by @hookport/sdk/testing.',
    );
  });

  it('stores and returns an endpoint filter, and answers test-filter with a 501', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    await hp.eventTypes.create({ name: 'order.paid' });
    const filter = { 'data.total': { $gte: 100 } };
    const created = await hp.endpoints.create({ url: 'https://example.com/a', eventTypes: ['order.paid'], filter });
    expect(created.filter).toEqual(filter);
    expect((await hp.endpoints.update(created.id, { name: 'kept' })).filter).toEqual(filter);
    expect((await hp.endpoints.update(created.id, { filter: {} })).filter).toBeNull();
    expect((await hp.endpoints.create({ url: 'https://example.com/b', eventTypes: ['order.paid'] })).filter).toBeNull();
    const error = await problemOf(hp.endpoints.testFilter({ filter, event: { type: 'order.paid', data: {} } }));
    expect(error.status).toBe(501);
  });

  it('masks custom header values on every answer and keeps a stored one sent back as read', async () => {
    server.use(...hookportHandlers());
    const hp = client();
    await hp.eventTypes.create({ name: 'order.paid' });
    const headers = { Authorization: 'Bearer sk_live_51Hx0123453f9a', 'X-Short': 'hunter2' };
    const created = await hp.endpoints.create({ url: 'https://example.com/a', eventTypes: ['order.paid'], headers });
    const masked = { Authorization: 'Bearer ••••3f9a', 'X-Short': '••••' };
    expect(created.headers).toEqual(masked);
    expect((await hp.endpoints.get(created.id)).headers).toEqual(masked);
    const listed = await hp.endpoints.list();
    expect(listed.data[0]?.headers).toEqual(masked);
    // A read-modify-write round trip keeps the credentials; a new clear value replaces one.
    const updated = await hp.endpoints.update(created.id, { headers: { ...masked, 'X-Short': 'swordfish-2' } });
    expect(updated.headers).toEqual({ Authorization: 'Bearer ••••3f9a', 'X-Short': '••••sh-2' });
    // A mask that stands for nothing stored is refused, and nothing changes.
    const refused = await problemOf(hp.endpoints.update(created.id, { headers: { 'X-Other': '••••3f9a' } }));
    expect(refused.status).toBe(422);
    expect(refused.errors.map((e) => [e.path, e.code])).toEqual([['headers.X-Other', 'masked_value']]);
    expect((await hp.endpoints.get(created.id)).headers).toEqual(updated.headers);
    const onCreate = await problemOf(
      hp.endpoints.create({ url: 'https://example.com/b', eventTypes: ['order.paid'], headers: masked }),
    );
    expect(onCreate.status).toBe(422);
  });

  it('serves under a base path', async () => {
    server.use(...hookportHandlers({ baseUrl: 'https://api.example.test/hookport' }));
    const hp = new Hookport({ baseUrl: 'https://api.example.test/hookport', token: 't' });
    expect((await hp.eventTypes.create({ name: 'a' })).name).toBe('a');
  });
});
