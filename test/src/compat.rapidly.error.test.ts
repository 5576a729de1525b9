import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, type ApiResponse, createTenant, createToken, startHookport, vendorApi } from './support/harness.ts';
import { expectUnchanged } from './support/problem-assertions.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * Bad input and refused access on every Rapidly route: always a 4xx in
 * Rapidly's own shapes (`{error, detail}`, FastAPI 422 lists,
 * `insufficient_scope`), never a 5xx, and nothing stored changes.
 */

interface ValidationBody {
  error: 'RequestValidationError';
  detail: { type: string; loc: (string | number)[]; msg: string; input: unknown }[];
}

const { t, api, tenant: owner } = await vendorFixture('rapidly');
const fx = { token: owner.token, endpointId: '', deliveryId: '' };

beforeAll(async () => {
  const created = await api.post<{ id: string }>('/api/webhooks/endpoints', {
    token: fx.token,
    json: { url: 'https://receiver.example.com/hooks', format: 'raw', events: ['customer.created'] },
  });
  fx.endpointId = created.body.id;
});

const validId = '01936f6c-8f4a-7c3e-9b1d-2f5a6c7d8e9f';

/** Every route, as [method, path, body]. */
function routes(id = fx.endpointId): [string, string, unknown][] {
  return [
    ['GET', '/api/webhooks/endpoints', undefined],
    ['POST', '/api/webhooks/endpoints', { url: 'https://example.com/x', format: 'raw', events: [] }],
    ['GET', `/api/webhooks/endpoints/${id}`, undefined],
    ['PATCH', `/api/webhooks/endpoints/${id}`, { enabled: false }],
    ['PATCH', `/api/webhooks/endpoints/${id}/secret`, undefined],
    ['DELETE', `/api/webhooks/endpoints/${id}`, undefined],
    ['GET', '/api/webhooks/deliveries', undefined],
    ['POST', `/api/webhooks/events/${validId}/redeliver`, undefined],
  ];
}

function call(method: string, path: string, json: unknown, token?: string, a: Api = api) {
  return a.request(method, path, {
    ...(token !== undefined ? { token } : {}),
    ...(json !== undefined ? { json } : {}),
  });
}

function expectValidation(res: ApiResponse, ...locs: (string | number)[][]): ValidationBody {
  expect(res.status, res.text).toBe(422);
  const body = res.body as ValidationBody;
  expect(body.error).toBe('RequestValidationError');
  expect(Array.isArray(body.detail)).toBe(true);
  for (const d of body.detail) {
    expect(Object.keys(d).sort()).toEqual(['input', 'loc', 'msg', 'type']);
    expect(typeof d.msg).toBe('string');
    expect(typeof d.type).toBe('string');
  }
  expect(body.detail.map((d) => d.loc)).toEqual(expect.arrayContaining(locs));
  return body;
}

describe('authentication', () => {
  it.each([
    ['no token', undefined],
    ['an unknown token', 'hpt_nope'],
  ])('answers 401 Unauthorized with the Bearer challenge to %s, on every route', async (_label, token) => {
    for (const [method, path, body] of routes()) {
      const res = await expectUnchanged(t, () => call(method, path, body, token));
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual({ error: 'Unauthorized', detail: 'Unauthorized' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="rapidly"');
    }
  });

  it('answers 401 to a malformed Authorization header', async () => {
    const res = await api.get('/api/webhooks/endpoints', { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Unauthorized', detail: 'Unauthorized' });
  });

  it('checks the token before the body: no token and a bad body is a 401', async () => {
    const res = await api.post('/api/webhooks/endpoints', {
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
  });

  it('answers 403 NotPermitted to the admin token (it has no workspace)', async () => {
    for (const [method, path, body] of routes()) {
      const res = await expectUnchanged(t, () => call(method, path, body, t.adminToken));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ error: 'NotPermitted' });
    }
  });
});

describe('scopes', () => {
  it('a token without webhook scopes gets insufficient_scope on every route', async () => {
    const tenant = await createTenant(t, { presets: ['rapidly'], scopes: ['events:publish'] });
    for (const [method, path, body] of routes()) {
      const res = await expectUnchanged(t, () => call(method, path, body, tenant.token));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
      });
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(
        /^Bearer realm="rapidly", scope="webhooks:(read webhooks:write|write)", error="insufficient_scope"/,
      );
    }
  });

  it('a read token (webhooks:read ≈ endpoints:read + deliveries:read) reads but cannot write', async () => {
    const tenant = await createTenant(t, { presets: ['rapidly'], scopes: ['endpoints:read', 'deliveries:read'] });
    expect((await api.get('/api/webhooks/endpoints', { token: tenant.token })).status).toBe(200);
    expect((await api.get('/api/webhooks/deliveries', { token: tenant.token })).status).toBe(200);
    const res = await expectUnchanged(t, () =>
      api.post('/api/webhooks/endpoints', {
        token: tenant.token,
        json: { url: 'https://example.com/x', format: 'raw', events: [] },
      }),
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('scope="webhooks:write"');
    const redeliver = await api.post(`/api/webhooks/events/${validId}/redeliver`, { token: tenant.token });
    expect(redeliver.status).toBe(403);
  });

  it('a write token (endpoints:write + deliveries:write) also reads', async () => {
    const tenant = await createTenant(t, { presets: ['rapidly'], scopes: ['endpoints:write', 'deliveries:write'] });
    expect((await api.get('/api/webhooks/endpoints', { token: tenant.token })).status).toBe(200);
    expect((await api.get('/api/webhooks/deliveries', { token: tenant.token })).status).toBe(200);
    const endpointsOnly = await createToken(t, (await createTenant(t, { presets: ['rapidly'] })).id, [
      'endpoints:read',
    ]);
    const res = await api.get('/api/webhooks/deliveries', { token: endpointsOnly });
    expect(res.status).toBe(403);
  });
});

describe('ids', () => {
  const badIds = [
    'not-a-uuid',
    '12345',
    'wh_01JBZ8C1X9F8R5M6W0Q2V3T4YZ',
    'whk_01jbz8c1x9f8r5m6w0q2v3t4yz',
    'ep_01jbz8c1x9f8r5m6w0q2v3t4yz',
    'dlv_01jbz8c1x9f8r5m6w0q2v3t4yz',
    '01936f6c8f4a7c3e9b1d2f5a6c7d8e9f0',
    validId,
  ];

  it.each(badIds)('%s is a 404 ResourceNotFound on every id route', async (id) => {
    const paths: [string, string, unknown][] = [
      ['GET', `/api/webhooks/endpoints/${id}`, undefined],
      ['PATCH', `/api/webhooks/endpoints/${id}`, { enabled: false }],
      ['PATCH', `/api/webhooks/endpoints/${id}/secret`, undefined],
      ['DELETE', `/api/webhooks/endpoints/${id}`, undefined],
      ['POST', `/api/webhooks/events/${id}/redeliver`, undefined],
    ];
    for (const [method, path, body] of paths) {
      const res = await expectUnchanged(t, () => call(method, path, body, fx.token));
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
      expect(res.body).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
    }
  });

  it('accepts an upper-case UUID, as Python does', async () => {
    const res = await api.get(`/api/webhooks/endpoints/${fx.endpointId.toUpperCase()}`, { token: fx.token });
    expect(res.status).toBe(200);
  });

  it('an endpoint id is not an event id: redelivering it is a 404', async () => {
    const res = await api.post(`/api/webhooks/events/${fx.endpointId}/redeliver`, { token: fx.token });
    expect(res.status).toBe(404);
  });
});

describe('request bodies', () => {
  const post = (json: unknown) => api.post('/api/webhooks/endpoints', { token: fx.token, json });
  const good = { url: 'https://example.com/x', format: 'raw', events: ['customer.created'] };

  it.each([
    ['missing url', { format: 'raw', events: [] }, ['body', 'url'], 'missing'],
    ['missing format', { url: 'https://example.com/x', events: [] }, ['body', 'format'], 'missing'],
    ['missing events', { url: 'https://example.com/x', format: 'raw' }, ['body', 'events'], 'missing'],
    ['an http url', { ...good, url: 'http://example.com/x' }, ['body', 'url'], 'url_scheme'],
    ['a url that is not one', { ...good, url: 'nope' }, ['body', 'url'], 'url_scheme'],
    ['a url too long', { ...good, url: `https://example.com/${'a'.repeat(2100)}` }, ['body', 'url'], 'string_too_long'],
    ['a url of the wrong type', { ...good, url: 42 }, ['body', 'url'], 'string_type'],
    ['an unknown format', { ...good, format: 'xml' }, ['body', 'format'], 'enum'],
    ['events not a list', { ...good, events: 'customer.created' }, ['body', 'events'], 'list_type'],
    ['a wildcard event', { ...good, events: ['customer.*'] }, ['body', 'events', 0], 'string_pattern_mismatch'],
    [
      'an event outside the catalogue',
      { ...good, events: ['customer.created', 'order.paid'] },
      ['body', 'events', 1],
      'enum',
    ],
    ['a short secret', { ...good, secret: 'short' }, ['body', 'secret'], 'string_too_short'],
    ['another workspace', { ...good, workspace_id: validId }, ['body', 'workspace_id'], 'value_error'],
    ['a workspace id that is not a UUID', { ...good, workspace_id: 'ws_1' }, ['body', 'workspace_id'], 'uuid_parsing'],
  ])('create with %s → 422 naming the field', async (_label, json, loc, type) => {
    const res = await expectUnchanged(t, () => post(json));
    const body = expectValidation(res, loc);
    expect(body.detail.find((d) => JSON.stringify(d.loc) === JSON.stringify(loc))?.type).toBe(type);
  });

  it('echoes the offending input', async () => {
    const res = await expectUnchanged(t, () => post({ ...good, format: 'xml' }));
    expect(expectValidation(res, ['body', 'format']).detail[0]?.input).toBe('xml');
  });

  it('a body that is not an object → 422', async () => {
    for (const json of [[good], 'text', 42, null]) {
      const res = await expectUnchanged(t, () => post(json));
      expectValidation(res);
    }
  });

  it('malformed JSON → 422 json_invalid', async () => {
    const res = await expectUnchanged(t, () =>
      api.post('/api/webhooks/endpoints', {
        token: fx.token,
        body: '{"url": ',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(expectValidation(res, ['body', 0]).detail[0]?.type).toBe('json_invalid');
  });

  it('a body that is not JSON, or no body → 422 on the body', async () => {
    for (const opts of [
      { body: 'url=https://example.com', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      {},
    ]) {
      const res = await expectUnchanged(t, () => api.post('/api/webhooks/endpoints', { token: fx.token, ...opts }));
      expectValidation(res, ['body']);
      const patch = await expectUnchanged(t, () =>
        api.patch(`/api/webhooks/endpoints/${fx.endpointId}`, { token: fx.token, ...opts }),
      );
      expectValidation(patch, ['body']);
    }
  });

  it('unknown fields are ignored, as pydantic does', async () => {
    const res = await post({ ...good, url: 'https://example.com/extra', name: 'ignored', enabled: false });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('name');
    expect(res.body).toMatchObject({ enabled: true });
  });

  it.each([
    ['enabled of the wrong type', { enabled: 'yes' }, ['body', 'enabled']],
    ['an http url', { url: 'http://example.com/' }, ['body', 'url']],
    ['an unknown format', { format: 'teams' }, ['body', 'format']],
    ['an event outside the catalogue', { events: ['nope.nope'] }, ['body', 'events', 0]],
    ['a short secret', { secret: 'x' }, ['body', 'secret']],
  ])('update with %s → 422', async (_label, json, loc) => {
    const res = await expectUnchanged(t, () =>
      api.patch(`/api/webhooks/endpoints/${fx.endpointId}`, { token: fx.token, json }),
    );
    expectValidation(res, loc);
  });

  it('a URL the egress rules refuse → 422 on body.url', async () => {
    const closed = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: '' });
    try {
      const tenant = await createTenant(closed, { presets: ['rapidly'] });
      const res = await expectUnchanged(closed, () =>
        vendorApi(closed, 'rapidly').post('/api/webhooks/endpoints', {
          token: tenant.token,
          json: { ...good, url: 'https://127.0.0.1/hooks' },
        }),
      );
      expect(expectValidation(res, ['body', 'url']).detail[0]?.input).toBe('https://127.0.0.1/hooks');
    } finally {
      await closed.close();
    }
  });

  it('an oversized body → 413 in the Rapidly shape, nothing stored', async () => {
    const small = await startHookport({ HOOKPORT_MAX_REQUEST_BYTES: '1024' });
    try {
      const tenant = await createTenant(small, { presets: ['rapidly'] });
      const res = await expectUnchanged(small, () =>
        vendorApi(small, 'rapidly').post('/api/webhooks/endpoints', {
          token: tenant.token,
          json: { ...good, events: Array.from({ length: 100 }, () => 'customer.created') },
        }),
      );
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: 'PayloadTooLarge' });
    } finally {
      await small.close();
    }
  });
});

describe('query parameters', () => {
  it.each([
    ['/api/webhooks/endpoints?page=0', ['query', 'page'], 'greater_than'],
    ['/api/webhooks/endpoints?limit=0', ['query', 'limit'], 'greater_than'],
    ['/api/webhooks/endpoints?page=100000000000000000000', ['query', 'page'], 'less_than_equal'],
    ['/api/webhooks/deliveries?page=1.5', ['query', 'page'], 'int_parsing'],
    ['/api/webhooks/endpoints?limit=abc', ['query', 'limit'], 'int_parsing'],
    ['/api/webhooks/endpoints?workspace_id=nope', ['query', 'workspace_id', 0], 'uuid_parsing'],
    ['/api/webhooks/deliveries?page=-1', ['query', 'page'], 'greater_than'],
    ['/api/webhooks/deliveries?endpoint_id=nope', ['query', 'endpoint_id', 0], 'uuid_parsing'],
    [`/api/webhooks/deliveries?endpoint_id=${validId}&endpoint_id=x`, ['query', 'endpoint_id', 1], 'uuid_parsing'],
    ['/api/webhooks/deliveries?succeeded=maybe', ['query', 'succeeded'], 'bool_parsing'],
    ['/api/webhooks/deliveries?http_code_class=6xx', ['query', 'http_code_class'], 'enum'],
    ['/api/webhooks/deliveries?start_timestamp=yesterday', ['query', 'start_timestamp'], 'datetime_from_date_parsing'],
    [
      '/api/webhooks/deliveries?end_timestamp=2025-01-01T00:00:00',
      ['query', 'end_timestamp'],
      'datetime_from_date_parsing',
    ],
    ['/api/webhooks/deliveries?event_type=order.paid', ['query', 'event_type', 0], 'enum'],
    ['/api/webhooks/deliveries?event_type=customer.*', ['query', 'event_type', 0], 'string_pattern_mismatch'],
  ])('%s → 422', async (path, loc, type) => {
    const res = await expectUnchanged(t, () => api.get(path, { token: fx.token }));
    const body = expectValidation(res, loc);
    expect(body.detail.find((d) => JSON.stringify(d.loc) === JSON.stringify(loc))?.type).toBe(type);
  });
});

describe('routes and methods', () => {
  it('an unknown path under /api/webhooks → 404 ResourceNotFound', async () => {
    const res = await t.raw.get('/api/webhooks/nope', { token: fx.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
  });

  it('a method the route does not have → 405 in the Rapidly shape', async () => {
    const res = await expectUnchanged(t, () =>
      t.raw.put(`/api/webhooks/endpoints/${fx.endpointId}`, { token: fx.token, json: {} }),
    );
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ error: 'MethodNotAllowed', detail: 'Method Not Allowed' });
    expect(res.headers.get('allow')).toContain('PATCH');
  });
});
