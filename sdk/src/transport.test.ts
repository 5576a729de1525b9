import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Hookport, type HookportOptions } from './client.ts';
import { HookportNetworkError, HookportTimeoutError } from './errors.ts';
import { backoffMs, type Clock, createTransport, retryAfterMs } from './transport.ts';
import type { Endpoint, Event } from './types.ts';

const baseUrl = 'https://api.hookport.test';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

function hookport(options: Partial<HookportOptions> = {}) {
  return new Hookport({ baseUrl, token: 'hp_test_token', ...options });
}

const endpointId = 'ep_01jbz8c1x9f8r5m6w0q2v3t4yz';
const event: Event = {
  id: 'evt_01jbz8c1x9f8r5m6w0q2v3t4yz',
  type: 'ticket.created',
  data: { id: 'T-1' },
  deliveryCount: 1,
  createdAt: '2026-01-15T10:30:00.000Z',
  expungedAt: null,
  example: false,
};
const endpoint = { id: endpointId, url: 'https://example.com/hook' } as Endpoint;

function problem(status: number, headers: Record<string, string> = {}) {
  const code = status === 429 ? 'rate_limited' : status === 409 ? 'conflict' : 'unavailable';
  return HttpResponse.json(
    { type: `https://hookport.dev/problems/${code}`, title: code, status, detail: code, code },
    { status, headers: { 'content-type': 'application/problem+json', ...headers } },
  );
}

/** Answers request n (0-based) with answers[n], the last one for every later request; records each request. */
function sequence(method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string, answers: (() => Response)[]) {
  const seen: { headers: Headers; body: string }[] = [];
  server.use(
    http[method](`${baseUrl}${path}`, async ({ request }) => {
      seen.push({ headers: request.headers, body: await request.text() });
      const answer = answers[Math.min(seen.length, answers.length) - 1];
      if (!answer) throw new Error('no answer');
      return answer();
    }),
  );
  return seen;
}

/** A clock that records each wait and moves its own time on instead of sleeping. */
function fakeClock() {
  const state = { now: Date.parse('2026-01-15T10:30:00.000Z'), waits: [] as number[] };
  const clock: Clock = {
    now: () => state.now,
    random: () => 0.5,
    async sleep(ms, signal) {
      signal.throwIfAborted();
      state.waits.push(ms);
      state.now += ms;
    },
  };
  return { clock, state };
}

function transport(clock: Clock, maxRetries = 2) {
  return createTransport({ fetch: (request) => fetch(request), baseUrl, timeoutMs: 5_000, maxRetries }, clock);
}

const endpointUrl = `${baseUrl}/v1/endpoints/${endpointId}`;

describe('backoff', () => {
  it('grows exponentially with jitter, capped at 8 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffMs(n, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffMs(n, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-15T10:30:00.000Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('Thu, 15 Jan 2026 10:30:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Thu, 15 Jan 2026 10:29:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('transport: when and how long it waits', () => {
  it('retries a GET on 5xx after growing, jittered delays, then returns the success', async () => {
    const { clock, state } = fakeClock();
    const seen = sequence('get', '/v1/endpoints/:id', [
      () => problem(503),
      () => problem(500),
      () => HttpResponse.json(endpoint),
    ]);
    const response = await transport(clock)(new Request(endpointUrl));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(endpoint);
    expect(seen).toHaveLength(3);
    expect(state.waits).toEqual([375, 750]);
  });

  it('waits as long as Retry-After says on 429, in seconds or as a date', async () => {
    const { clock, state } = fakeClock();
    const start = state.now;
    sequence('get', '/v1/endpoints/:id', [
      () => problem(429, { 'retry-after': '2' }),
      () => problem(429, { 'retry-after': new Date(start + 5_000).toUTCString() }),
      () => HttpResponse.json(endpoint),
    ]);
    const response = await transport(clock)(new Request(endpointUrl));
    expect(response.status).toBe(200);
    expect(state.waits).toEqual([2_000, 3_000]);
  });

  it('does not wait for a Retry-After past 60 s: the 429 comes back at once', async () => {
    const { clock, state } = fakeClock();
    const seen = sequence('get', '/v1/endpoints/:id', [() => problem(429, { 'retry-after': '3600' })]);
    const response = await transport(clock)(new Request(endpointUrl));
    expect(response.status).toBe(429);
    expect(seen).toHaveLength(1);
    expect(state.waits).toEqual([]);
  });

  it('returns the last answer once maxRetries are spent', async () => {
    const { clock, state } = fakeClock();
    const seen = sequence('delete', '/v1/endpoints/:id', [() => problem(503)]);
    const response = await transport(clock, 4)(new Request(endpointUrl, { method: 'DELETE' }));
    expect(response.status).toBe(503);
    expect(seen).toHaveLength(5);
    expect(state.waits).toEqual([375, 750, 1500, 3000]);
  });

  it('backs off on network errors too, and throws HookportNetworkError with the cause when they persist', async () => {
    const { clock, state } = fakeClock();
    const seen = sequence('get', '/v1/endpoints/:id', [() => HttpResponse.error()]);
    const error = await transport(clock)(new Request(endpointUrl)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookportNetworkError);
    expect(error).not.toBeInstanceOf(HookportTimeoutError);
    expect(String(error)).toMatch(
      /^HookportNetworkError: GET https:\/\/api\.hookport\.test\/v1\/endpoints\/ep_\S+ failed/,
    );
    expect(error).toHaveProperty('cause');
    expect(seen).toHaveLength(3);
    expect(state.waits).toEqual([375, 750]);
  });

  it('never retries 4xx other than 429, a PATCH, or a POST other than publishing and replay', async () => {
    const { clock, state } = fakeClock();
    const conflict = sequence('get', '/v1/endpoints/:id', [() => problem(409)]);
    const created = sequence('post', '/v1/endpoints', [() => problem(503)]);
    const patched = sequence('patch', '/v1/endpoints/:id', [() => HttpResponse.error()]);
    const pinged = sequence('post', '/v1/endpoints/:id/ping', [() => problem(429, { 'retry-after': '1' })]);
    const send = transport(clock, 5);
    expect((await send(new Request(endpointUrl))).status).toBe(409);
    expect((await send(new Request(`${baseUrl}/v1/endpoints`, { method: 'POST', body: '{}' }))).status).toBe(503);
    await expect(send(new Request(endpointUrl, { method: 'PATCH', body: '{}' }))).rejects.toBeInstanceOf(
      HookportNetworkError,
    );
    expect((await send(new Request(`${endpointUrl}/ping`, { method: 'POST' }))).status).toBe(429);
    expect([conflict.length, created.length, patched.length, pinged.length]).toEqual([1, 1, 1, 1]);
    expect(state.waits).toEqual([]);
  });

  it('retries POST /v1/events under a base path, with the same body and one generated Idempotency-Key', async () => {
    const { clock } = fakeClock();
    const seen = sequence('post', '/api/v1/events', [
      () => problem(503),
      () => HttpResponse.error(),
      () => HttpResponse.json(event, { status: 202 }),
    ]);
    const send = createTransport(
      { fetch: (request) => fetch(request), baseUrl: `${baseUrl}/api/`, timeoutMs: 5_000, maxRetries: 2 },
      clock,
    );
    const body = JSON.stringify({ type: 'ticket.created', data: { id: 'T-1' } });
    const response = await send(new Request(`${baseUrl}/api/v1/events`, { method: 'POST', body }));
    expect(response.status).toBe(202);
    expect(seen.map((s) => s.body)).toEqual([body, body, body]);
    const keys = seen.map((s) => s.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(1);
  });
});

describe('retries through the client', () => {
  it('retries a read and returns its result', async () => {
    const seen = sequence('get', '/v1/endpoints/:id', [
      () => problem(503, { 'retry-after': '0' }),
      () => problem(429, { 'retry-after': '0' }),
      () => HttpResponse.json(endpoint),
    ]);
    await expect(hookport().endpoints.get(endpointId)).resolves.toEqual(endpoint);
    expect(seen).toHaveLength(3);
  });

  it('throws the last HookportError once the retries are spent', async () => {
    const seen = sequence('delete', '/v1/endpoints/:id', [() => problem(503, { 'retry-after': '0' })]);
    await expect(hookport({ maxRetries: 3 }).endpoints.delete(endpointId)).rejects.toMatchObject({
      name: 'HookportError',
      status: 503,
      code: 'unavailable',
    });
    expect(seen).toHaveLength(4);
  });

  it('throws HookportNetworkError when the network keeps failing', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const seen = sequence('get', '/v1/endpoints/:id', [() => HttpResponse.error()]);
    // One backoff of 250 ms with this jitter: a real but short wait.
    await expect(hookport({ maxRetries: 1 }).endpoints.get(endpointId)).rejects.toBeInstanceOf(HookportNetworkError);
    expect(seen).toHaveLength(2);
  });

  it('does not retry creating an endpoint', async () => {
    const seen = sequence('post', '/v1/endpoints', [() => problem(503, { 'retry-after': '0' })]);
    await expect(
      hookport({ maxRetries: 5 }).endpoints.create({ url: 'https://example.com', eventTypes: ['*'] }),
    ).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('retries publishing under one generated key; a new call gets a new key; a given key is used as is', async () => {
    const seen = sequence('post', '/v1/events', [
      () => problem(503, { 'retry-after': '0' }),
      () => HttpResponse.json(event, { status: 202 }),
    ]);
    const hp = hookport();
    await expect(hp.events.publish({ type: 'ticket.created', data: { id: 'T-1' } })).resolves.toEqual(event);
    await hp.events.publish({ type: 'ticket.created', data: { id: 'T-1' } });
    await hp.events.publish({ type: 'ticket.created', data: { id: 'T-1' } }, { idempotencyKey: 'order-42' });
    const keys = seen.map((s) => s.headers.get('idempotency-key'));
    expect(keys).toHaveLength(4);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[3]).toBe('order-42');
  });

  it('retries a bulk replay under one generated key, and sends a given key as is', async () => {
    const answer = { dryRun: false, matched: 3, queued: 2, skipped: 1 };
    const seen = sequence('post', '/v1/deliveries/replay', [
      () => problem(503, { 'retry-after': '0' }),
      () => HttpResponse.json(answer, { status: 202 }),
    ]);
    const hp = hookport();
    const body = { since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z', status: 'failed' as const };
    await expect(hp.deliveries.replay(body)).resolves.toEqual(answer);
    await hp.deliveries.replay(body, { idempotencyKey: 'replay-7' });
    const keys = seen.map((s) => s.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe('replay-7');
    expect(seen.map((s) => JSON.parse(s.body))).toEqual([body, body, body]);
  });

  it('adds the key on the raw client too', async () => {
    const seen = sequence('post', '/v1/events', [
      () => problem(500, { 'retry-after': '0' }),
      () => HttpResponse.json(event, { status: 202 }),
    ]);
    const { data } = await hookport().raw.POST('/v1/events', { body: { type: 'a', data: {} } });
    expect(data).toEqual(event);
    expect(seen[0]?.headers.get('idempotency-key')).toBeTruthy();
    expect(seen[1]?.headers.get('idempotency-key')).toBe(seen[0]?.headers.get('idempotency-key'));
  });

  it('stops waiting between retries when the caller aborts', async () => {
    const seen = sequence('get', '/v1/endpoints/:id', [() => problem(503, { 'retry-after': '30' })]);
    const signal = AbortSignal.timeout(50);
    const started = Date.now();
    await expect(hookport().endpoints.get(endpointId, { signal })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('throws HookportTimeoutError when no response arrives in time', async () => {
    server.use(http.get(`${baseUrl}/v1/endpoints/:id`, () => delay('infinite')));
    const error = await hookport({ timeoutMs: 20, maxRetries: 0 })
      .endpoints.get(endpointId)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookportTimeoutError);
    expect(error).toBeInstanceOf(HookportNetworkError);
    expect(error).toMatchObject({ name: 'HookportTimeoutError', timeoutMs: 20, message: 'No response within 20 ms' });
  });

  it('counts the body: a response that stalls half-way times out', async () => {
    // A fetch of our own rather than msw: its mock socket trips over an abort in the middle of a body.
    const stalled = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"id":'));
          },
        }),
        { headers: { 'content-type': 'application/json' } },
      );
    const error = await hookport({ fetch: stalled, timeoutMs: 50, maxRetries: 0 })
      .endpoints.get(endpointId)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookportTimeoutError);
  });

  it('retries a timed-out attempt', async () => {
    let calls = 0;
    server.use(
      http.get(`${baseUrl}/v1/endpoints/:id`, () => {
        calls += 1;
        return calls === 1 ? delay('infinite') : HttpResponse.json(endpoint);
      }),
    );
    vi.spyOn(Math, 'random').mockReturnValue(0);
    // The first backoff is 250 ms with this jitter: a real, short wait.
    await expect(hookport({ timeoutMs: 20, maxRetries: 1 }).endpoints.get(endpointId)).resolves.toEqual(endpoint);
    expect(calls).toBe(2);
  });
});
