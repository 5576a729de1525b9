import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Hookport, type HookportOptions } from './client.ts';
import { HookportError } from './errors.ts';
import type { Endpoint, EndpointWithSecret, Problem, PublishedEvent } from './types.ts';

const baseUrl = 'https://api.hookport.test';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function hookport(options: Partial<HookportOptions> = {}) {
  return new Hookport({ baseUrl, token: 'hp_test_token', ...options });
}

function endpoint(n: number): Endpoint {
  return {
    id: `ep_01jbz8c1x9f8r5m6w0q2v3t4${String(n).padStart(2, '0')}`,
    url: `https://example.com/hooks/${n}`,
    name: `hook ${n}`,
    description: '',
    eventTypes: ['ticket.*'],
    status: 'active',
    profile: 'native',
    headers: {},
    rateLimit: null,
    metadata: {},
    filter: null,
    retrySchedule: null,
    timeoutMs: null,
    ordering: 'unordered',
    disabledReason: null,
    createdAt: '2026-01-15T10:30:00.000Z',
    updatedAt: '2026-01-15T10:30:00.000Z',
  };
}

function problem(status: number, code: Problem['code'], extra: Partial<Problem> = {}) {
  const body: Problem = {
    type: `https://hookport.dev/problems/${code}`,
    title: code.replace('_', ' '),
    status,
    detail: `detail of ${code}`,
    code,
    ...extra,
  };
  return HttpResponse.json(body, { status, headers: { 'content-type': 'application/problem+json' } });
}

describe('requests', () => {
  it('sends the token as a bearer Authorization header and the body as JSON', async () => {
    let seen: Request | undefined;
    let sentBody: unknown;
    const created: EndpointWithSecret = { ...endpoint(1), secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' };
    server.use(
      http.post(`${baseUrl}/v1/endpoints`, async ({ request }) => {
        seen = request;
        sentBody = await request.json();
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const result = await hookport().endpoints.create({ url: 'https://example.com/hooks/1', eventTypes: ['ticket.*'] });
    expect(result).toEqual(created);
    expect(seen?.headers.get('authorization')).toBe('Bearer hp_test_token');
    expect(seen?.headers.get('content-type')).toBe('application/json');
    expect(sentBody).toEqual({ url: 'https://example.com/hooks/1', eventTypes: ['ticket.*'] });
  });

  it('serialises list filters into the query string, leaving out what was not given', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${baseUrl}/v1/deliveries`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ data: [], nextCursor: null });
      }),
    );
    await hookport().deliveries.list({
      limit: 10,
      status: 'failed',
      endpointId: 'ep_01jbz8c1x9f8r5m6w0q2v3t4yz',
      eventId: 'evt_01jbz8c1x9f8r5m6w0q2v3t4yz',
      since: '2026-01-15T10:30:00.000Z',
      httpStatusClass: '5xx',
    });
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      limit: '10',
      status: 'failed',
      endpointId: 'ep_01jbz8c1x9f8r5m6w0q2v3t4yz',
      eventId: 'evt_01jbz8c1x9f8r5m6w0q2v3t4yz',
      since: '2026-01-15T10:30:00.000Z',
      httpStatusClass: '5xx',
    });
  });

  it('puts path parameters into the path, encoded', async () => {
    const paths: string[] = [];
    server.use(
      http.delete(`${baseUrl}/v1/event-types/:name`, ({ request }) => {
        paths.push(new URL(request.url).pathname);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await expect(hookport().eventTypes.delete('ticket.created')).resolves.toBeUndefined();
    await hookport().eventTypes.delete('a/b');
    expect(paths).toEqual(['/v1/event-types/ticket.created', '/v1/event-types/a%2Fb']);
  });

  it('keeps a path prefix of the base URL', async () => {
    server.use(http.get(`${baseUrl}/hookport/v1/endpoints/:id`, () => HttpResponse.json(endpoint(1))));
    const hp = new Hookport({ baseUrl: `${baseUrl}/hookport/`, token: 't' });
    await expect(hp.endpoints.get(endpoint(1).id)).resolves.toEqual(endpoint(1));
  });

  it('exposes the typed openapi-fetch client as raw', async () => {
    server.use(http.get(`${baseUrl}/v1/endpoints/:id`, () => problem(404, 'not_found')));
    const { data, error, response } = await hookport().raw.GET('/v1/endpoints/{id}', {
      params: { path: { id: endpoint(1).id } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(error?.code).toBe('not_found');
  });
});

describe('pagination', () => {
  const all = Array.from({ length: 5 }, (_, i) => endpoint(i + 1));

  function pagedEndpoints(requests: URLSearchParams[]) {
    server.use(
      http.get(`${baseUrl}/v1/endpoints`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        requests.push(query);
        const start = Number(query.get('cursor') ?? '0');
        const limit = Number(query.get('limit') ?? '20');
        const end = start + limit;
        return HttpResponse.json({ data: all.slice(start, end), nextCursor: end < all.length ? String(end) : null });
      }),
    );
  }

  it('iterates every item of every page with for await, carrying the query over', async () => {
    const requests: URLSearchParams[] = [];
    pagedEndpoints(requests);
    const seen: Endpoint[] = [];
    for await (const ep of hookport().endpoints.list({ limit: 2, status: 'active' })) seen.push(ep);
    expect(seen).toEqual(all);
    expect(requests.map((q) => q.toString())).toEqual([
      'limit=2&status=active',
      'limit=2&status=active&cursor=2',
      'limit=2&status=active&cursor=4',
    ]);
  });

  it('awaited, gives one page; pages() gives them one by one', async () => {
    const requests: URLSearchParams[] = [];
    pagedEndpoints(requests);
    const page = await hookport().endpoints.list({ limit: 3 });
    expect(page).toEqual({ data: all.slice(0, 3), nextCursor: '3' });
    expect(requests).toHaveLength(1);

    const sizes: number[] = [];
    for await (const p of hookport().endpoints.list({ limit: 3 }).pages()) sizes.push(p.data.length);
    expect(sizes).toEqual([3, 2]);
  });

  it('starts from a given cursor and fetches no page past a break', async () => {
    const requests: URLSearchParams[] = [];
    pagedEndpoints(requests);
    for await (const ep of hookport().endpoints.list({ limit: 1, cursor: '1' })) {
      expect(ep).toEqual(all[1]);
      break;
    }
    expect(requests.map((q) => q.get('cursor'))).toEqual(['1']);
  });

  it('rejects the iteration with the error of a failing page', async () => {
    server.use(
      http.get(`${baseUrl}/v1/endpoints`, ({ request }) =>
        new URL(request.url).searchParams.has('cursor')
          ? problem(400, 'bad_request', { detail: 'The cursor is not valid.' })
          : HttpResponse.json({ data: [endpoint(1)], nextCursor: 'next' }),
      ),
    );
    const seen: Endpoint[] = [];
    const iterate = async () => {
      for await (const ep of hookport().endpoints.list()) seen.push(ep);
    };
    await expect(iterate()).rejects.toMatchObject({ status: 400, code: 'bad_request' });
    expect(seen).toEqual([endpoint(1)]);
  });
});

function published(n: number, replayed: boolean): PublishedEvent {
  return {
    id: `evt_01jbz8c1x9f8r5m6w0q2v3t4${String(n).padStart(2, '0')}`,
    type: 'order.paid',
    data: { n },
    deliveryCount: 1,
    createdAt: '2026-01-15T10:30:00.000Z',
    expungedAt: null,
    example: false,
    replayed,
  };
}

describe('events.publishBatch', () => {
  it('posts the events in one request and answers them in order, each with replayed', async () => {
    const seen: Request[] = [];
    let sentBody: unknown;
    server.use(
      http.post(`${baseUrl}/v1/events/batch`, async ({ request }) => {
        seen.push(request);
        sentBody = await request.json();
        return HttpResponse.json({ events: [published(0, true), published(1, false)] }, { status: 202 });
      }),
    );
    const events = [
      { type: 'order.paid', data: { n: 0 }, idempotencyKey: 'order-0' },
      { type: 'order.paid', data: { n: 1 } },
    ];
    const result = await hookport().events.publishBatch(events);
    expect(result).toEqual([published(0, true), published(1, false)]);
    expect(sentBody).toEqual({ events });
    // A batch has no key of its own: the per-event keys are the caller's.
    expect(seen[0]?.headers.get('idempotency-key')).toBeNull();
  });

  it('throws the refusal naming the event, and never retries the POST', async () => {
    let requests = 0;
    server.use(
      http.post(`${baseUrl}/v1/events/batch`, () => {
        requests++;
        return requests === 1
          ? problem(422, 'validation_failed', {
              detail: 'events[1]: data does not match the schema of order.paid.',
              errors: [{ path: 'events.1.data.amount', message: 'must be >= 0', code: 'minimum' }],
            })
          : problem(503, 'unavailable');
      }),
    );
    const hp = hookport();
    await expect(hp.events.publishBatch([{ type: 'order.paid', data: { amount: -1 } }])).rejects.toMatchObject({
      status: 422,
      errors: [{ path: 'events.1.data.amount', message: 'must be >= 0', code: 'minimum' }],
    });
    await expect(hp.events.publishBatch([{ type: 'order.paid', data: {} }])).rejects.toMatchObject({ status: 503 });
    expect(requests).toBe(2);
  });
});

describe('errors', () => {
  it('turns a problem response into a HookportError with every problem field', async () => {
    server.use(
      http.post(`${baseUrl}/v1/endpoints`, () =>
        problem(422, 'validation_failed', {
          title: 'Validation failed',
          detail: 'The request body is not valid.',
          requestId: 'req_123',
          errors: [{ path: 'url', message: 'URL must use https', code: 'invalid_string' }],
        }),
      ),
    );
    const error = await hookport()
      .endpoints.create({ url: 'http://example.com', eventTypes: ['*'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookportError);
    expect(error).toMatchObject({
      name: 'HookportError',
      status: 422,
      code: 'validation_failed',
      type: 'https://hookport.dev/problems/validation_failed',
      title: 'Validation failed',
      detail: 'The request body is not valid.',
      requestId: 'req_123',
      errors: [{ path: 'url', message: 'URL must use https', code: 'invalid_string' }],
      message: 'Validation failed: The request body is not valid. (status 422, validation_failed, request req_123)',
    });
  });

  it('takes the request id from X-Request-Id when the body has none', async () => {
    server.use(
      http.get(`${baseUrl}/v1/endpoints/:id`, () => {
        const res = problem(404, 'not_found');
        res.headers.set('x-request-id', 'req_from_header');
        return res;
      }),
    );
    await expect(hookport().endpoints.get(endpoint(1).id)).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
      requestId: 'req_from_header',
      errors: [],
    });
  });

  it('still throws a HookportError for a body that is not a problem', async () => {
    server.use(
      http.get(
        `${baseUrl}/v1/endpoints/:id`,
        () => new HttpResponse('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
      ),
    );
    const error = await hookport({ maxRetries: 0 })
      .endpoints.get(endpoint(1).id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookportError);
    expect(error).toMatchObject({
      status: 502,
      code: undefined,
      title: 'Bad Gateway',
      detail: '<html>Bad gateway</html>',
      requestId: undefined,
    });
  });
});
