/**
 * The test kit keeps its promise: one integrator scenario, run with the SDK
 * client against hookportHandlers() (msw) and against the real server, gets
 * the same statuses, the same problem codes and field errors, and bodies of
 * the same shape (the same keys with values of the same types; ids and
 * times differ, and a value the real server has already filled in, such as
 * a delivery's last status, may be null on the mock).
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Hookport, HookportError } from '../../sdk/src/index.ts';
import { hookportHandlers } from '../../sdk/src/testing/index.ts';
import { createTenant, createToken, startHookport, type TestHookport } from './support/harness.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';

type Fetch = (request: Request) => Response | Promise<Response>;

interface Target {
  fetch: Fetch;
  token: string;
  readerToken: string;
}

interface Observation {
  step: string;
  status: number;
  shape: unknown;
  problem?: { code: unknown; title: unknown; errors: string[] };
  headers?: Record<string, string | null>;
  /** Values both must answer exactly (what the shape alone would not show, such as a masked header). */
  values?: unknown;
}

const baseUrl = 'https://hookport.test';
const mockServer = setupServer();
let t: TestHookport;
let receiver: Receiver;
let real: Target;

beforeAll(async () => {
  mockServer.listen({ onUnhandledFrame: 'bypass' });
  receiver = await startReceiver();
  t = await startHookport();
  const tenant = await createTenant(t, { presets: [] });
  real = {
    fetch: (request) => t.hp.app.fetch(request),
    token: tenant.token,
    readerToken: await createToken(t, tenant.id, ['endpoints:read']),
  };
}, 60_000);

afterAll(async () => {
  mockServer.close();
  await receiver?.close();
  await t?.close();
});

/** Keys and value types, recursively; an array by its first item. */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries.map(([k, v]) => [k, shapeOf(v)]));
  }
  return typeof value;
}

/** A null on either side matches any value on the other, and so does an empty array: both become `any`. */
function align(a: unknown, b: unknown): [unknown, unknown] {
  if (a === 'null' || b === 'null' || (Array.isArray(a) && a.length === 0) || (Array.isArray(b) && b.length === 0)) {
    return Array.isArray(a) === Array.isArray(b) || a === 'null' || b === 'null' ? ['any', 'any'] : [a, b];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const [x, y] = align(a[0], b[0]);
    return [[x], [y]];
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const left: Record<string, unknown> = {};
    const right: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [x, y] = align((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
      if (key in a) left[key] = x;
      if (key in b) right[key] = y;
    }
    return [left, right];
  }
  return [a, b];
}

/** The scenario an integrator's tests would run, recorded step by step. */
async function scenario(target: Target): Promise<Observation[]> {
  const out: Observation[] = [];
  // The status of the last answer: the resource methods give the body only.
  let lastStatus = 0;
  let lastProblem: unknown;
  const recording: Fetch = async (request) => {
    const response = await target.fetch(request);
    lastStatus = response.status;
    lastProblem = response.ok ? undefined : await response.clone().json();
    return response;
  };
  const client = (token: string) => new Hookport({ baseUrl, token, fetch: recording, maxRetries: 0 });
  const hp = client(target.token);
  const reader = client(target.readerToken);

  async function step<T>(name: string, call: () => Promise<T>, values?: (body: T) => unknown): Promise<T | undefined> {
    try {
      const body = await call();
      out.push({ step: name, status: lastStatus, shape: shapeOf(body), ...(values ? { values: values(body) } : {}) });
      return body;
    } catch (error) {
      if (!(error instanceof HookportError)) throw error;
      out.push({
        step: name,
        status: error.status,
        shape: shapeOf(lastProblem),
        problem: {
          code: error.code,
          title: error.title,
          errors: error.errors.map((e) => `${e.path} ${e.code}`).sort(),
        },
      });
      return undefined;
    }
  }

  async function raw(name: string, path: string, init: RequestInit, headerNames: string[] = []): Promise<void> {
    const response = await target.fetch(new Request(`${baseUrl}${path}`, init));
    const body = (await response.json()) as {
      code?: unknown;
      title?: unknown;
      errors?: { path: string; code: string }[];
    };
    out.push({
      step: name,
      status: response.status,
      shape: shapeOf(body),
      problem: {
        code: body.code,
        title: body.title,
        errors: (body.errors ?? []).map((e) => `${e.path} ${e.code}`).sort(),
      },
      headers: Object.fromEntries(
        ['content-type', ...headerNames].map((h) => [h, response.headers.get(h)?.split(';')[0] ?? null]),
      ),
    });
  }
  const auth = { authorization: `Bearer ${target.token}` };

  await step('create event type', () => hp.eventTypes.create({ name: 'order.paid', description: 'Paid' }));
  await step('create it again', () => hp.eventTypes.create({ name: 'order.paid' }));
  await step('list event types', () => hp.eventTypes.list());
  await step('get a missing event type', () => hp.eventTypes.get('no.such'));
  await step('update event type', () => hp.eventTypes.update('order.paid', { deprecated: false }));
  const endpoint = await step('create endpoint', () =>
    hp.endpoints.create({ url: receiver.url, eventTypes: ['order.*'], name: 'contract', metadata: { team: 'a' } }),
  );
  const id = endpoint?.id ?? '';
  await step('create endpoint with bad fields', () =>
    // @ts-expect-error: no eventTypes, a bad url and an unknown field, as a JavaScript caller might send
    hp.endpoints.create({ url: 'not a url', colour: 'red' }),
  );
  await step('create endpoint for no known type', () =>
    hp.endpoints.create({ url: receiver.url, eventTypes: ['order.paid', 'nope.*'] }),
  );
  await step('create endpoint with too many characters', () =>
    hp.endpoints.create({ url: receiver.url, eventTypes: ['order.paid'], name: 'x'.repeat(201) }),
  );
  await step('create endpoint with a filter', () =>
    hp.endpoints.create({ url: receiver.url, eventTypes: ['order.*'], filter: { 'data.total': { $gte: 100 } } }),
  );
  await step('update endpoint filter', () => hp.endpoints.update(id, { filter: { type: 'order.paid' } }));
  await step('clear endpoint filter', () => hp.endpoints.update(id, { filter: null }));
  await step('set endpoint delivery settings', () =>
    hp.endpoints.update(id, { retrySchedule: [1, 60], timeoutMs: 5000 }),
  );
  await step('endpoint delivery settings out of bounds', () =>
    hp.endpoints.update(id, { retrySchedule: [1, 2, 3, 0], timeoutMs: 500 }),
  );
  await step('create endpoint with delivery settings', () =>
    hp.endpoints.create({ url: receiver.url, eventTypes: ['order.*'], retrySchedule: [], timeoutMs: 60_000 }),
  );
  await step('clear endpoint delivery settings', () =>
    hp.endpoints.update(id, { retrySchedule: null, timeoutMs: null }),
  );
  const credentials = { Authorization: 'Bearer sk_live_51Hx0123453f9a', 'X-Short': 'hunter2' };
  const masked = (e: { headers: Record<string, string> }) => e.headers;
  const withHeaders = await step(
    'set endpoint custom headers',
    () => hp.endpoints.update(id, { headers: credentials }),
    masked,
  );
  await step(
    'keep custom headers sent back as read',
    () => hp.endpoints.update(id, { headers: withHeaders?.headers ?? {} }),
    masked,
  );
  await step('send a masked header that stands for nothing', () =>
    hp.endpoints.update(id, { headers: { 'X-Other': '••••3f9a' } }),
  );
  await step('get endpoint', () => hp.endpoints.get(id));
  await step('get a malformed endpoint id', () => hp.endpoints.get('endpoint-1'));
  await step('get a missing endpoint', () => hp.endpoints.get('ep_01jbz8c1x9f8r5m6w0q2v3t4yz'));
  await step('list endpoints', () => hp.endpoints.list({ limit: 10, status: 'active' }));
  await step('pause endpoint', () => hp.endpoints.update(id, { status: 'paused' }));
  await step('resume endpoint', () => hp.endpoints.update(id, { status: 'active' }));
  await step('rotate secret', () => hp.endpoints.rotateSecret(id, { gracePeriodSeconds: 60 }));
  const event = await step('publish', () => hp.events.publish({ type: 'order.paid', data: { id: 'o-1' } }));
  await step('publish an unknown type', () => hp.events.publish({ type: 'order.lost', data: {} }));
  const keyed = { type: 'order.paid', data: { id: 'o-2' }, idempotencyKey: 'contract-batch-1' };
  const batch = [keyed, { type: 'order.paid', data: { id: 'o-3' } }];
  await step('publish a batch', () => hp.events.publishBatch(batch));
  await step('publish a batch again', () => hp.events.publishBatch([keyed]));
  await step('publish a batch with an unknown type', () =>
    hp.events.publishBatch([...batch, { type: 'order.lost', data: {} }]),
  );
  await step('publish a batch with a key twice', () => hp.events.publishBatch([keyed, keyed]));
  await step('publish a batch with another body under a key', () =>
    hp.events.publishBatch([{ ...keyed, data: { id: 'o-9' } }]),
  );
  await step('publish an empty batch', () => hp.events.publishBatch([]));
  await step('get event', () => hp.events.get(event?.id ?? ''));
  await step('list events', () => hp.events.list({ type: 'order.paid' }));
  const page = await step('list deliveries of the event', () => hp.deliveries.list({ eventId: event?.id ?? '' }));
  await step('get delivery', () => hp.deliveries.get(page?.data[0]?.id ?? ''));
  await step('get a missing delivery', () => hp.deliveries.get('dlv_01jbz8c1x9f8r5m6w0q2v3t4yz'));
  await step('ping endpoint', () => hp.endpoints.ping(id));
  await step('recover endpoint', () =>
    hp.endpoints.recover(id, { since: new Date(Date.now() - 60_000).toISOString() }),
  );
  await step('recover without since', () =>
    // @ts-expect-error: since is required
    hp.endpoints.recover(id, {}),
  );
  await step('create second event type', () => hp.eventTypes.create({ name: 'order.shipped' }));
  const first = await step('first page of event types', () => hp.eventTypes.list({ limit: 1 }));
  await step('next page of event types', () => hp.eventTypes.list({ limit: 1, cursor: first?.nextCursor ?? '' }));
  // "not-a-cursor": a name an event type could have, but no endpoint id.
  await step('an event type cursor the API never gave', () => hp.eventTypes.list({ cursor: 'bm90LWEtY3Vyc29y' }));
  await step('an endpoint cursor that is no id', () => hp.endpoints.list({ cursor: 'bm90LWEtY3Vyc29y' }));
  const byName = await step('endpoint subscribed by name', () =>
    hp.endpoints.create({ url: receiver.url, eventTypes: ['order.shipped'] }),
  );
  await step('delete a subscribed event type', () => hp.eventTypes.delete('order.shipped'));
  await step('delete the endpoint subscribed by name', () => hp.endpoints.delete(byName?.id ?? ''));
  await step('delete the event type', () => hp.eventTypes.delete('order.shipped'));
  await step('reader lists endpoints', () => reader.endpoints.list());
  await step('reader creates an event type', () => reader.eventTypes.create({ name: 'order.refunded' }));
  await step('unknown token', () => client('hp_not_a_token').endpoints.list());
  await step('delete endpoint', () => hp.endpoints.delete(id));
  await step('get the deleted endpoint', () => hp.endpoints.get(id));

  await raw('unknown query parameter', '/v1/endpoints?page=2', { headers: auth });
  await raw('limit out of range', '/v1/deliveries?limit=0', { headers: auth });
  await raw('bad status filter', '/v1/deliveries?status=lost', { headers: auth });
  await raw('no token', '/v1/endpoints', {}, ['www-authenticate']);
  await raw('wrong method', '/v1/endpoints', { method: 'PUT', headers: auth }, ['allow']);
  await raw('unknown path', '/v1/widgets', { headers: auth });
  await raw('body not JSON', '/v1/event-types', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{"name":',
  });
  await raw('body without JSON media type', '/v1/event-types', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'text/plain' },
    body: '{"name":"order.x"}',
  });
  return out;
}

it('the mock answers the scenario as the real server does', async () => {
  mockServer.resetHandlers(...hookportHandlers({ baseUrl, tokens: { tenant: ['*'], reader: ['endpoints:read'] } }));
  const mocked = await scenario({ fetch: (request) => fetch(request), token: 'tenant', readerToken: 'reader' });
  const served = await scenario(real);
  expect(mocked.map((o) => o.step)).toEqual(served.map((o) => o.step));
  for (const [i, mock] of mocked.entries()) {
    const server = served[i] as Observation;
    const [mockShape, serverShape] = align(mock.shape, server.shape);
    expect({ ...mock, shape: mockShape }, mock.step).toEqual({ ...server, shape: serverShape });
  }
}, 60_000);
