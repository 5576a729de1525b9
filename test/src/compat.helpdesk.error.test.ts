import { uuidToUlid } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  type ApiResponse,
  createTenant,
  createToken,
  startHookport,
  streamedRequest,
  type TenantFixture,
  type TestHookport,
  vendorApi,
} from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * Every failure of the Helpdesk surface in Helpdesk's own shape,
 * `{"error": {code, message, status, details?, field?, request_id}}`, never a
 * 5xx, and nothing stored changes: bad keys, the workspace header, admin
 * permission, bad ids of every vendor's format, wrong types, missing fields,
 * malformed bodies, wrong content types and oversized bodies.
 */

interface HelpdeskError {
  error: {
    code: string;
    message: string;
    status: number;
    details?: Record<string, { code: string; message: string }[]>;
    field?: string;
    request_id: string;
  };
}

const base = '/helpdesk/api/v1/webhooks';
const valid = { name: 'Err fixture', targetUrl: 'https://example.com/webhook', events: ['ticket.created'] };

const { t, api, tenant } = await vendorFixture('helpdesk');
let webhookId = '';

beforeAll(async () => {
  const made = await api.post<{ webhook: { id: string } }>(base, {
    token: tenant.token,
    headers: { 'x-workspace-id': tenant.id },
    json: { webhook: valid },
  });
  expect(made.status).toBe(201);
  webhookId = made.body.webhook.id;
});

/** Asserts Helpdesk's error body with this status and code; the request id is the one the server answered with. */
function expectError(res: ApiResponse, status: number, code: string): HelpdeskError['error'] {
  expect(res.status, `expected ${status} ${code}, got ${res.status}: ${res.text}`).toBeLessThan(500);
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = res.body as HelpdeskError;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({ code, status });
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  return body.error;
}

/** Runs a request and proves that nothing stored changed because of it. */
async function unchanged<T>(act: () => Promise<T>): Promise<T> {
  const before = await t.snapshot();
  const result = await act();
  expect(await t.snapshot()).toBe(before);
  return result;
}

interface Route {
  method: string;
  path: () => string;
  json?: unknown;
}
const routes: Record<string, Route> = {
  'GET /webhooks': { method: 'GET', path: () => base },
  'GET /webhooks/:id': { method: 'GET', path: () => `${base}/${webhookId}` },
  'POST /webhooks': { method: 'POST', path: () => base, json: { webhook: { ...valid, name: 'new' } } },
  'PUT /webhooks/:id': { method: 'PUT', path: () => `${base}/${webhookId}`, json: { webhook: { name: 'changed' } } },
  'DELETE /webhooks/:id': { method: 'DELETE', path: () => `${base}/${webhookId}` },
};
const routeNames = Object.keys(routes);

function send(name: string, headers: Record<string, string>, json?: unknown): Promise<ApiResponse> {
  const route = routes[name];
  if (!route) throw new Error(`no route ${name}`);
  const body = json ?? route.json;
  return api.request(route.method, route.path(), { headers, ...(body !== undefined ? { json: body } : {}) });
}

function as(token: string, workspace: string = tenant.id): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'x-workspace-id': workspace };
}

describe('keys → 401 INVALID_API_KEY', () => {
  const cases: [string, () => Record<string, string>][] = [
    ['no key at all', () => ({ 'x-workspace-id': tenant.id })],
    ['no key and no workspace', () => ({})],
    ['an unknown bearer token', () => as('hpt_not_a_real_token')],
    [
      'an unknown X-API-Key',
      () => ({ 'x-api-key': 'aclou_068d7361699073144ca394135d8926f4cb1afdec', 'x-workspace-id': tenant.id }),
    ],
    ['an empty X-API-Key', () => ({ 'x-api-key': '', 'x-workspace-id': tenant.id })],
    ['Basic instead of Bearer', () => ({ authorization: `Basic ${tenant.token}`, 'x-workspace-id': tenant.id })],
    ['Bearer with no token', () => ({ authorization: 'Bearer', 'x-workspace-id': tenant.id })],
  ];
  for (const name of routeNames) {
    it.each(cases)(`${name} with %s`, async (_label, headers) => {
      expectError(await unchanged(() => send(name, headers())), 401, 'INVALID_API_KEY');
    });
  }
});

describe('X-Workspace-Id', () => {
  it.each(routeNames)('%s without it → 400 MISSING_WORKSPACE', async (name) => {
    const res = await unchanged(() => send(name, { authorization: `Bearer ${tenant.token}` }));
    expectError(res, 400, 'MISSING_WORKSPACE');
    const blank = await unchanged(() => send(name, as(tenant.token, '  ')));
    expectError(blank, 400, 'MISSING_WORKSPACE');
  });

  it.each(routeNames)('%s naming another workspace → 403 INSUFFICIENT_API_PERMISSION', async (name) => {
    const other = await createTenant(t, { presets: ['helpdesk'] });
    for (const workspace of [other.id, 'ws_your_workspace_id', tenant.id.toUpperCase(), `${tenant.id} x`]) {
      const res = await unchanged(() => send(name, as(tenant.token, workspace)));
      expectError(res, 403, 'INSUFFICIENT_API_PERMISSION');
    }
  });
});

describe('admin permission → 403 INSUFFICIENT_API_PERMISSION', () => {
  for (const scopes of [['endpoints:read'], ['events:publish'], ['deliveries:read', 'deliveries:write']]) {
    it.each(routeNames)(`%s with a token of ${scopes.join(' ')}`, async (name) => {
      const token = await createToken(t, tenant.id, scopes);
      expectError(await unchanged(() => send(name, as(token))), 403, 'INSUFFICIENT_API_PERMISSION');
    });
  }

  it.each(routeNames)('%s with the admin token (it has no workspace)', async (name) => {
    expectError(await unchanged(() => send(name, as(t.adminToken))), 403, 'INSUFFICIENT_API_PERMISSION');
  });

  it('refuses before reading the body, so a refused caller learns nothing of its shape', async () => {
    const token = await createToken(t, tenant.id, ['endpoints:read']);
    const res = await unchanged(() => send('POST /webhooks', as(token), { webhook: { name: 5 } }));
    expect(expectError(res, 403, 'INSUFFICIENT_API_PERMISSION')).not.toHaveProperty('details');
  });
});

describe('ids that name no webhook here → 404 NOT_FOUND', () => {
  const ulid = '01JBZ8C1X9F8R5M6W0Q2V3T4YZ';
  const ids = [
    ['the seed example', 'whk_abc123'],
    ['a well-formed id of nothing', `whk_${ulid}`],
    ['lower case', `whk_${ulid.toLowerCase()}`],
    ['too long', `whk_${ulid}0`],
    ['out of range (first character above 7)', `whk_8${ulid.slice(1)}`],
    ['Spedy/XPath wh_', `wh_${ulid}`],
    ['a TSANet int64', '1234567890'],
    ['a Rapidly UUID', '0193b8d2-7c4e-7a51-9f1d-3c2b1a0f9e8d'],
    ['a native TypeID', `ep_${ulid.toLowerCase()}`],
    ['an encoded path', 'whk_%2e%2e'],
    ['non-ASCII', 'whk_%C3%A9'],
  ] as const;
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    it.each(ids)(`${method} with %s`, async (_label, id) => {
      const res = await unchanged(() =>
        api.request(method, `${base}/${id}`, {
          headers: as(tenant.token),
          ...(method === 'PUT' ? { json: { webhook: { name: 'x' } } } : {}),
        }),
      );
      expectError(res, 404, 'NOT_FOUND');
    });
  }

  it('a whk_ id of a natively created endpoint', async () => {
    const native = await t.api.post<{ id: string }>('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://example.com/native', eventTypes: ['ticket.created'] },
    });
    const id = `whk_${uuidToUlid(uuidOf(native.body.id))}`;
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await unchanged(() =>
        api.request(method, `${base}/${id}`, {
          headers: as(tenant.token),
          ...(method === 'PUT' ? { json: { active: false } } : {}),
        }),
      );
      expectError(res, 404, 'NOT_FOUND');
    }
  });
});

describe('invalid fields → 422 VALIDATION_ERROR naming each one', () => {
  const create = (webhook: Record<string, unknown>) =>
    unchanged(() => api.post(base, { headers: as(tenant.token), json: { webhook } }));
  const update = (webhook: Record<string, unknown>) =>
    unchanged(() => api.put(`${base}/${webhookId}`, { headers: as(tenant.token), json: { webhook } }));

  function expectInvalid(res: ApiResponse, field: string, detailCode?: string) {
    const error = expectError(res, 422, 'VALIDATION_ERROR');
    expect(error.details, res.text).toHaveProperty([field]);
    if (detailCode) expect(error.details?.[field]?.[0]?.code).toBe(detailCode);
    return error;
  }

  it.each(['name', 'targetUrl', 'events'])('create without %s → REQUIRED', async (field) => {
    const { [field as keyof typeof valid]: _gone, ...rest } = valid;
    const error = expectInvalid(await create(rest), field, 'REQUIRED');
    expect(error.field).toBe(field);
  });

  it('answers the example of docs/compat/helpdesk.md exactly', async () => {
    const res = await create({ targetUrl: 'https://example.com/webhook', events: ['ticket.*'] });
    const error = expectError(res, 422, 'VALIDATION_ERROR');
    expect(error).toEqual({
      code: 'VALIDATION_ERROR',
      status: 422,
      message:
        'Request validation failed: name is required; events.0: must be an event type name such as ticket.created.',
      details: {
        name: [{ code: 'REQUIRED', message: 'name is required' }],
        'events.0': [{ code: 'INVALID', message: 'events.0: must be an event type name such as ticket.created' }],
      },
      field: 'name',
      request_id: res.headers.get('x-request-id'),
    });
  });

  it('names every missing field of an empty create', async () => {
    const error = expectInvalid(await create({}), 'name', 'REQUIRED');
    expect(Object.keys(error.details ?? {}).sort()).toEqual(['events', 'name', 'targetUrl']);
  });

  const wrongTypes: [string, Record<string, unknown>, string][] = [
    ['name as a number', { name: 5 }, 'name'],
    ['name as null', { name: null }, 'name'],
    ['targetUrl as a number', { targetUrl: 5 }, 'targetUrl'],
    ['events as a string', { events: 'ticket.created' }, 'events'],
    ['events of numbers', { events: [5] }, 'events.0'],
    ['events as an object', { events: { 0: 'ticket.created' } }, 'events'],
    ['active as a string', { active: 'yes' }, 'active'],
    ['active as 1', { active: 1 }, 'active'],
  ];
  it.each(wrongTypes)('create with %s', async (_label, change, field) => {
    expectInvalid(await create({ ...valid, ...change }), field, 'INVALID_TYPE');
  });
  it.each(wrongTypes)('update with %s', async (_label, change, field) => {
    expectInvalid(await update(change), field, 'INVALID_TYPE');
  });

  const badValues: [string, Record<string, unknown>, string, string][] = [
    ['an empty name', { name: '' }, 'name', 'TOO_SHORT'],
    ['a blank name', { name: '   ' }, 'name', 'TOO_SHORT'],
    ['a name of 201 characters', { name: 'n'.repeat(201) }, 'name', 'TOO_LONG'],
    ['an http targetUrl', { targetUrl: 'http://example.com/webhook' }, 'targetUrl', 'INVALID'],
    ['a targetUrl that is no URL', { targetUrl: 'not a url' }, 'targetUrl', 'INVALID'],
    ['an ftp targetUrl', { targetUrl: 'ftp://example.com/x' }, 'targetUrl', 'INVALID'],
    [
      'a targetUrl of 2084 characters',
      { targetUrl: `https://example.com/${'a'.repeat(2064)}` },
      'targetUrl',
      'TOO_LONG',
    ],
    ['a private targetUrl', { targetUrl: 'https://10.1.2.3/hook' }, 'targetUrl', 'URL_NOT_ALLOWED'],
    ['a metadata-service targetUrl', { targetUrl: 'https://169.254.169.254/latest' }, 'targetUrl', 'URL_NOT_ALLOWED'],
    ['no events', { events: [] }, 'events', 'TOO_SHORT'],
    ['an unknown event', { events: ['ticket.created', 'ticket.exploded'] }, 'events.1', 'UNKNOWN_EVENT'],
    ['another vendor’s event', { events: ['cases.created'] }, 'events.0', 'UNKNOWN_EVENT'],
    ['a wildcard', { events: ['ticket.*'] }, 'events.0', 'INVALID'],
    ['an empty event name', { events: [''] }, 'events.0', 'TOO_SHORT'],
  ];
  it.each(badValues)('create with %s', async (_label, change, field, code) => {
    expectInvalid(await create({ ...valid, ...change }), field, code);
  });
  it.each(badValues)('update with %s', async (_label, change, field, code) => {
    expectInvalid(await update(change), field, code);
  });
});

describe('text the database cannot store as sent → 422, never 5xx', () => {
  const bodies = [
    [
      'a NUL character in name',
      '{"webhook": {"name": "a\\u0000b", "targetUrl": "https://example.com/webhook", "events": ["ticket.created"]}}',
    ],
  ] as const;
  for (const [method, path] of [
    ['POST', () => base],
    ['PUT', () => `${base}/${webhookId}`],
  ] as const) {
    it.each(bodies)(`${method} with %s`, async (_label, body) => {
      const res = await unchanged(() =>
        api.request(method, path(), { headers: { ...as(tenant.token), 'content-type': 'application/json' }, body }),
      );
      const error = expectError(res, 422, 'VALIDATION_ERROR');
      expect(error.field).toBe('name');
    });
  }
});

describe('a lone surrogate escape → 400 BAD_REQUEST (every surface refuses it in the body parser)', () => {
  const body =
    '{"webhook": {"name": "a\\ud800b", "targetUrl": "https://example.com/webhook", "events": ["ticket.created"]}}';
  for (const [method, path] of [
    ['POST', () => base],
    ['PUT', () => `${base}/${webhookId}`],
  ] as const) {
    it(`${method}`, async () => {
      const res = await unchanged(() =>
        api.request(method, path(), { headers: { ...as(tenant.token), 'content-type': 'application/json' }, body }),
      );
      expectError(res, 400, 'BAD_REQUEST');
    });
  }
});

describe('malformed bodies → 400 BAD_REQUEST', () => {
  const raw = (method: string, path: string, body: string, contentType?: string) =>
    unchanged(() =>
      api.request(method, path, {
        headers: { ...as(tenant.token), ...(contentType ? { 'content-type': contentType } : {}) },
        body,
      }),
    );
  const targets = [
    ['POST', () => base],
    ['PUT', () => `${base}/${webhookId}`],
  ] as const;

  for (const [method, path] of targets) {
    it.each([
      ['truncated JSON', '{"webhook": {"name": '],
      ['not JSON', 'name=x'],
      ['an empty body', ''],
      ['an array', '[]'],
      ['a string', '"webhook"'],
      ['null', 'null'],
      ['a number', '5'],
      ['a string as the webhook', '{"webhook": "x"}'],
      ['null as the webhook', '{"webhook": null}'],
      ['an array as the webhook', '{"webhook": [{"name": "x"}]}'],
    ])(`${method} with %s`, async (_label, body) => {
      expectError(await raw(method, path(), body, 'application/json'), 400, 'BAD_REQUEST');
    });

    it.each([
      ['text/plain', 'text/plain'],
      ['form encoding', 'application/x-www-form-urlencoded'],
      ['no content type', undefined],
    ])(`${method} as %s`, async (_label, contentType) => {
      const res = await raw(method, path(), JSON.stringify({ webhook: valid }), contentType);
      expectError(res, 400, 'BAD_REQUEST');
    });
  }
});

describe('routes and methods Helpdesk does not have', () => {
  it('an unknown path under the base path → 404 NOT_FOUND in Helpdesk shape', async () => {
    for (const path of [`${base}/${webhookId}/deliveries`, `${base}/${webhookId}/ping`]) {
      const res = await unchanged(() => t.raw.get(path, { headers: as(tenant.token) }));
      expectError(res, 404, 'NOT_FOUND');
    }
  });

  it('a method the path does not allow → 405 METHOD_NOT_ALLOWED with Allow', async () => {
    for (const [method, path] of [
      ['PATCH', `${base}/${webhookId}`],
      ['POST', `${base}/${webhookId}`],
      ['DELETE', base],
      ['PUT', base],
    ] as const) {
      const res = await unchanged(() =>
        api.request(method, path, { headers: as(tenant.token), json: { webhook: { name: 'x' } } }),
      );
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.get('allow')).toBeTruthy();
    }
  });
});

describe('oversized bodies → 413 PAYLOAD_TOO_LARGE', () => {
  let small: TestHookport;
  let smallApi: Api;
  let smallTenant: TenantFixture;
  beforeAll(async () => {
    small = await startHookport({ HOOKPORT_MAX_REQUEST_BYTES: '2048' });
    smallApi = vendorApi(small, 'helpdesk');
    smallTenant = await createTenant(small, { presets: ['helpdesk'] });
  });
  afterAll(async () => {
    await small.close();
  });

  it('POST and PUT over the limit, with and without a declared length', async () => {
    const headers = { authorization: `Bearer ${smallTenant.token}`, 'x-workspace-id': smallTenant.id };
    const fits = await smallApi.post<{ webhook: { id: string } }>(base, { headers, json: { webhook: valid } });
    expect(fits.status).toBe(201);
    const big = JSON.stringify({ webhook: { ...valid, name: 'x'.repeat(4096) } });
    for (const [method, path] of [
      ['POST', base],
      ['PUT', `${base}/${fits.body.webhook.id}`],
    ] as const) {
      const before = await small.snapshot();
      const declared = await smallApi.request(method, path, {
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) },
        body: big,
      });
      expectError(declared, 413, 'PAYLOAD_TOO_LARGE');
      const streamed = await streamedRequest(small, method, path, Buffer.from(big), {
        ...headers,
        'content-type': 'application/json',
      });
      expect(streamed.status).toBe(413);
      expect((streamed.body as HelpdeskError).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await small.snapshot()).toBe(before);
    }
  });
});
