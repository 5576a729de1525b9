import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { expectInvalid, expectProblem, expectUnchanged, sendStreamed } from './support/problem-assertions.ts';
import type { CreatedToken, EndpointWithSecret, Problem } from './support/types.ts';

/**
 * Bad input on every native route: the answer is always a 4xx problem
 * (application/problem+json with type, title, status, detail and code),
 * never a 5xx, and nothing stored changes.
 */

let t: TestHookport;
/** The resources the routes below point at; every test leaves them as they are. */
const fx = { tenantId: '', token: '', tokenId: '', endpointId: '', eventType: 'err.fixture' };

beforeAll(async () => {
  t = await startHookport();
  const tenant = await createTenant(t);
  fx.tenantId = tenant.id;
  fx.token = tenant.token;
  const token = await t.api.post<CreatedToken>(`/v1/tenants/${tenant.id}/tokens`, {
    token: t.adminToken,
    json: { name: 'spare', scopes: ['endpoints:read'] },
  });
  fx.tokenId = token.body.id;
  await t.api.post('/v1/event-types', {
    token: tenant.token,
    json: { name: fx.eventType, schema: { type: 'object' } },
  });
  const endpoint = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url: 'https://receiver.example.com/hooks', eventTypes: ['ticket.*', fx.eventType] },
  });
  fx.endpointId = endpoint.body.id;
});
afterAll(async () => {
  // Nothing any bad request did reached the unhandled-error path.
  const errorLines = t.logs.filter((line) => line.includes('"level":50'));
  await t.close();
  expect(errorLines).toEqual([]);
});

const limit = 1024 * 1024;
const json = { 'content-type': 'application/json' };

interface BodyRoute {
  method: 'POST' | 'PATCH';
  path: () => string;
  admin: boolean;
  /** Rotation takes an optional body: an empty request means "all defaults". */
  bodyRequired: boolean;
  valid: Record<string, unknown>;
  /** [body, the field path the 422 must name] */
  wrongTypes: [unknown, string][];
  tooLong: [unknown, string][];
  emptyArrays: [unknown, string][];
  unknownFields: [unknown, string][];
}

const long = (n: number) => 'x'.repeat(n);
const ep = 'https://receiver.example.com/x';

const bodyRoutes: Record<string, BodyRoute> = {
  'POST /v1/tenants': {
    method: 'POST',
    path: () => '/v1/tenants',
    admin: true,
    bodyRequired: true,
    valid: { name: 'Err Co' },
    wrongTypes: [
      [{ name: 123 }, 'name'],
      [{ name: 'x', metadata: { plan: 1 } }, 'metadata.plan'],
      [{ name: 'x', presets: 'helpdesk' }, 'presets'],
      [{ name: 'x', presets: ['nope'] }, 'presets.0'],
      [{ name: '   ' }, 'name'],
    ],
    tooLong: [
      [{ name: long(201) }, 'name'],
      [{ name: 'x', metadata: { k: long(1025) } }, 'metadata.k'],
    ],
    emptyArrays: [],
    unknownFields: [[{ name: 'x', plan: 'pro' }, 'plan']],
  },
  'PATCH /v1/tenants/{id}': {
    method: 'PATCH',
    path: () => `/v1/tenants/${fx.tenantId}`,
    admin: true,
    bodyRequired: true,
    valid: { name: 'Renamed' },
    wrongTypes: [
      [{ name: false }, 'name'],
      [{ metadata: ['a'] }, 'metadata'],
    ],
    tooLong: [[{ name: long(201) }, 'name']],
    emptyArrays: [],
    unknownFields: [[{ presets: ['spedy'] }, 'presets']],
  },
  'POST /v1/tenants/{id}/tokens': {
    method: 'POST',
    path: () => `/v1/tenants/${fx.tenantId}/tokens`,
    admin: true,
    bodyRequired: true,
    valid: { name: 'ci', scopes: ['*'] },
    wrongTypes: [
      [{ name: 'ci', scopes: 'endpoints:read' }, 'scopes'],
      [{ name: 'ci', scopes: ['root'] }, 'scopes.0'],
      [{ name: 'ci', scopes: ['*', '*'] }, 'scopes'],
      [{ name: 'ci', scopes: ['*'], expiresAt: 12 }, 'expiresAt'],
      [{ name: 'ci', scopes: ['*'], expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'ci', scopes: ['*'], expiresAt: '2000-01-01T00:00:00Z' }, 'expiresAt'],
    ],
    tooLong: [[{ name: long(201), scopes: ['*'] }, 'name']],
    emptyArrays: [[{ name: 'ci', scopes: [] }, 'scopes']],
    unknownFields: [[{ name: 'ci', scopes: ['*'], tenantId: 'tnt_x' }, 'tenantId']],
  },
  'POST /v1/event-types': {
    method: 'POST',
    path: () => '/v1/event-types',
    admin: false,
    bodyRequired: true,
    valid: { name: 'err.new' },
    wrongTypes: [
      [{ name: 5 }, 'name'],
      [{ name: 'a..b' }, 'name'],
      [{ name: 'ticket.*' }, 'name'],
      [{ name: 'a b' }, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'err.new', deprecated: 'yes' }, 'deprecated'],
      [{ name: 'err.new', schema: 'object' }, 'schema'],
      [{ name: 'err.new', schema: [] }, 'schema'],
    ],
    tooLong: [
      [{ name: long(129) }, 'name'],
      [{ name: 'err.new', description: long(1001) }, 'description'],
    ],
    emptyArrays: [],
    unknownFields: [[{ name: 'err.new', version: 2 }, 'version']],
  },
  'PATCH /v1/event-types/{name}': {
    method: 'PATCH',
    path: () => `/v1/event-types/${fx.eventType}`,
    admin: false,
    bodyRequired: true,
    valid: { description: 'x' },
    wrongTypes: [
      [{ description: 1 }, 'description'],
      [{ deprecated: null }, 'deprecated'],
      [{ schema: 'object' }, 'schema'],
    ],
    tooLong: [[{ description: long(1001) }, 'description']],
    emptyArrays: [],
    unknownFields: [[{ name: 'renamed' }, 'name']],
  },
  'POST /v1/endpoints': {
    method: 'POST',
    path: () => '/v1/endpoints',
    admin: false,
    bodyRequired: true,
    valid: { url: ep, eventTypes: ['ticket.created'] },
    wrongTypes: [
      [{ url: 5, eventTypes: ['*'] }, 'url'],
      [{ url: ep, eventTypes: 'ticket.created' }, 'eventTypes'],
      [{ url: ep, eventTypes: [1] }, 'eventTypes.0'],
      [{ url: ep, eventTypes: ['ticket.created', 'ticket.**'] }, 'eventTypes.1'],
      [{ url: ep, eventTypes: ['*'], rateLimit: '5' }, 'rateLimit'],
      [{ url: ep, eventTypes: ['*'], rateLimit: 0 }, 'rateLimit'],
      [{ url: ep, eventTypes: ['*'], rateLimit: 10_001 }, 'rateLimit'],
      [{ url: ep, eventTypes: ['*'], headers: { 'X-A': 1 } }, 'headers.X-A'],
      [{ url: ep, eventTypes: ['*'], status: 'disabled' }, 'status'],
      [{ url: ep, eventTypes: ['*'], profile: 'zapier' }, 'profile'],
      [{ url: ep, eventTypes: ['*'], secret: 'plain-text-secret' }, 'secret'],
      [{ url: ep, eventTypes: ['*'], secret: `whsec_${Buffer.alloc(16).toString('base64')}` }, 'secret'],
      [{ url: 'not a url', eventTypes: ['*'] }, 'url'],
      [{ url: 'ftp://example.com/', eventTypes: ['*'] }, 'url'],
    ],
    tooLong: [
      [{ url: ep, eventTypes: ['*'], name: long(201) }, 'name'],
      [{ url: ep, eventTypes: ['*'], description: long(1001) }, 'description'],
      [{ url: `https://example.com/${long(2084)}`, eventTypes: ['*'] }, 'url'],
      [{ url: ep, eventTypes: ['*'], headers: { 'X-Long': long(1025) } }, 'headers.X-Long'],
      [{ url: ep, eventTypes: [`${long(129)}.*`] }, 'eventTypes.0'],
      [{ url: ep, eventTypes: Array.from({ length: 101 }, () => '*') }, 'eventTypes'],
      [
        {
          url: ep,
          eventTypes: ['*'],
          metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
        },
        'metadata',
      ],
      [
        {
          url: ep,
          eventTypes: ['*'],
          headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])),
        },
        'headers',
      ],
    ],
    emptyArrays: [[{ url: ep, eventTypes: [] }, 'eventTypes']],
    unknownFields: [
      [{ url: ep, eventTypes: ['*'], events: ['*'] }, 'events'],
      [{ url: ep, eventTypes: ['*'], disabledReason: 'x' }, 'disabledReason'],
    ],
  },
  'PATCH /v1/endpoints/{id}': {
    method: 'PATCH',
    path: () => `/v1/endpoints/${fx.endpointId}`,
    admin: false,
    bodyRequired: true,
    valid: { name: 'x' },
    wrongTypes: [
      [{ status: 'gone' }, 'status'],
      [{ rateLimit: 1.5 }, 'rateLimit'],
      [{ eventTypes: [null] }, 'eventTypes.0'],
      [{ url: 'not a url' }, 'url'],
      [{ headers: ['X-A'] }, 'headers'],
    ],
    tooLong: [
      [{ description: long(1001) }, 'description'],
      [{ name: long(201) }, 'name'],
    ],
    emptyArrays: [[{ eventTypes: [] }, 'eventTypes']],
    unknownFields: [
      // The secret changes only through rotation, the profile never.
      [{ secret: `whsec_${Buffer.alloc(32).toString('base64')}` }, 'secret'],
      [{ profile: 'spedy' }, 'profile'],
    ],
  },
  'POST /v1/endpoints/{id}/secret/rotate': {
    method: 'POST',
    path: () => `/v1/endpoints/${fx.endpointId}/secret/rotate`,
    admin: false,
    bodyRequired: false,
    valid: { gracePeriodSeconds: 60 },
    wrongTypes: [
      [{ gracePeriodSeconds: '60' }, 'gracePeriodSeconds'],
      [{ gracePeriodSeconds: -1 }, 'gracePeriodSeconds'],
      [{ gracePeriodSeconds: 7 * 24 * 3600 + 1 }, 'gracePeriodSeconds'],
      [{ gracePeriodSeconds: 1.5 }, 'gracePeriodSeconds'],
      [{ secret: 42 }, 'secret'],
      [{ secret: 'whsec_not base64!' }, 'secret'],
    ],
    tooLong: [[{ secret: `whsec_${'A'.repeat(200)}` }, 'secret']],
    emptyArrays: [],
    unknownFields: [[{ grace: 60 }, 'grace']],
  },
};

const routeNames = Object.keys(bodyRoutes);

function routeOf(name: string): BodyRoute {
  const route = bodyRoutes[name];
  if (!route) throw new Error(`no route ${name}`);
  return route;
}

function tokenFor(route: BodyRoute): string {
  return route.admin ? t.adminToken : fx.token;
}

/** Sends a raw body to a body route, with the route's token; the answer is contract-checked. */
function sendRaw(name: string, body: string | undefined, headers: Record<string, string> = json) {
  const route = routeOf(name);
  return t.api.request(route.method, route.path(), {
    token: tokenFor(route),
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

/** Runs a request that must be refused, and proves the refusal changed nothing. */
function refused(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  return expectUnchanged(t, send);
}

/** `[title, route name, body, field path]` rows for it.each. */
function rows(pick: (r: BodyRoute) => [unknown, string][]): [string, string, unknown, string][] {
  return routeNames.flatMap((name) =>
    pick(routeOf(name)).map(([body, path]): [string, string, unknown, string] => [
      `${name} ${JSON.stringify(body).slice(0, 80)}`,
      name,
      body,
      path,
    ]),
  );
}

describe('malformed JSON → 400 invalid_json', () => {
  const samples = ['{bad', '{"name": "a.b"', '', '{"name":"a.b"}trailing', "{'name':'a.b'}", '[1,]', 'nul'];
  const cases = routeNames.flatMap((name) =>
    samples.map((s): [string, string, string] => [name, JSON.stringify(s), s]),
  );
  it.each(cases)('%s %s', async (name, _label, sample) => {
    const res = await refused(() => sendRaw(name, sample));
    expectProblem(res, 'invalid_json');
  });
});

describe('a body that is not JSON → 415 unsupported_media_type', () => {
  const contentTypes: [string, Record<string, string>][] = [
    ['no content type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['xml', { 'content-type': 'application/xml' }],
  ];
  const cases = routeNames.flatMap((name) =>
    contentTypes.map(([label, headers]): [string, string, Record<string, string>] => [name, label, headers]),
  );
  it.each(cases)('%s with %s', async (name, _label, headers) => {
    const res = await refused(() => sendRaw(name, JSON.stringify(routeOf(name).valid), headers));
    expectProblem(res, 'unsupported_media_type');
  });

  const required = routeNames.filter((name) => routeOf(name).bodyRequired);
  it.each(required)('%s with no body and no content type', async (name) => {
    const res = await refused(() => sendRaw(name, undefined, {}));
    expectProblem(res, 'unsupported_media_type');
  });
});

describe('a JSON body of the wrong shape → 422 naming each field', () => {
  it.each(routeNames)('%s with a body that is not an object', async (name) => {
    for (const body of ['[]', 'null', '"text"', '42', 'true']) {
      const res = await refused(() => sendRaw(name, body));
      expectProblem(res, 'validation_failed');
    }
  });

  it.each(rows((r) => r.wrongTypes))('wrong type: %s', async (_title, name, body, path) => {
    const res = await refused(() => sendRaw(name, JSON.stringify(body)));
    expectInvalid(res, path);
  });

  it.each(rows((r) => r.unknownFields))('unknown field: %s', async (_title, name, body, path) => {
    const res = await refused(() => sendRaw(name, JSON.stringify(body)));
    const problem = expectInvalid(res, path);
    expect(problem.errors?.find((e) => e.path === path)?.code).toBe('unrecognized_keys');
  });

  it.each(rows((r) => r.tooLong))('too long or too many: %s', async (_title, name, body, path) => {
    const res = await refused(() => sendRaw(name, JSON.stringify(body)));
    expectInvalid(res, path);
  });

  it.each(rows((r) => r.emptyArrays))('empty required array: %s', async (_title, name, body, path) => {
    const res = await refused(() => sendRaw(name, JSON.stringify(body)));
    expectInvalid(res, path);
  });

  it('names every bad field of one request, not just the first', async () => {
    const res = await refused(() =>
      sendRaw('POST /v1/endpoints', JSON.stringify({ url: 5, eventTypes: [], rateLimit: 'x', extra: true })),
    );
    expectInvalid(res, 'url', 'eventTypes', 'rateLimit', 'extra');
  });
});

describe('bodies over 1 MiB → 413 payload_too_large', () => {
  const oversized = (name: string) => JSON.stringify({ ...routeOf(name).valid, padding: 'x'.repeat(limit) });

  it.each(routeNames)('%s with a Content-Length', async (name) => {
    const body = oversized(name);
    const headers = { ...json, 'content-length': String(Buffer.byteLength(body)) };
    const res = await refused(() => sendRaw(name, body, headers));
    expectProblem(res, 'payload_too_large');
  });

  it.each(routeNames)('%s on the declared length alone, before reading', async (name) => {
    const headers = { ...json, 'content-length': String(limit + 1) };
    const res = await refused(() => sendRaw(name, '{}', headers));
    expectProblem(res, 'payload_too_large');
  });

  it.each(routeNames)('%s streamed without a Content-Length', async (name) => {
    const route = routeOf(name);
    const bytes = new TextEncoder().encode(oversized(name));
    const res = await refused(() =>
      sendStreamed(t, route.method, route.path(), bytes, { ...json, authorization: `Bearer ${tokenFor(route)}` }),
    );
    expectProblem(res, 'payload_too_large');
  });

  it('counts bytes, not characters, and draws the line at exactly 1 MiB', async () => {
    // 1 MiB exactly is allowed through to validation (a 422 for the long description); one byte more is not.
    const frame = (n: number) => JSON.stringify({ name: 'err.edge', description: 'é'.repeat(n) });
    const overhead = Buffer.byteLength(frame(0));
    const atLimit = frame((limit - overhead) / 2);
    expect(Buffer.byteLength(atLimit)).toBe(limit);
    const overLimit = `${atLimit} `;
    const bearer = { authorization: `Bearer ${fx.token}` };

    const fits = await refused(() =>
      sendRaw('POST /v1/event-types', atLimit, { ...json, 'content-length': String(limit) }),
    );
    expectInvalid(fits, 'description');
    const fitsStreamed = await refused(() =>
      sendStreamed(t, 'POST', '/v1/event-types', Buffer.from(atLimit), { ...json, ...bearer }),
    );
    expectInvalid(fitsStreamed, 'description');

    const over = await refused(() =>
      sendRaw('POST /v1/event-types', overLimit, { ...json, 'content-length': String(limit + 1) }),
    );
    expectProblem(over, 'payload_too_large');
    const overStreamed = await refused(() =>
      sendStreamed(t, 'POST', '/v1/event-types', Buffer.from(overLimit), { ...json, ...bearer }),
    );
    expectProblem(overStreamed, 'payload_too_large');
  });
});

describe('endpoint rules → 422', () => {
  const create = (body: Record<string, unknown>) =>
    refused(() => t.api.post('/v1/endpoints', { token: fx.token, json: { url: ep, eventTypes: ['*'], ...body } }));
  const update = (body: Record<string, unknown>) =>
    refused(() => t.api.patch(`/v1/endpoints/${fx.endpointId}`, { token: fx.token, json: body }));

  it('refuses event types the tenant does not have, naming each index as sent', async () => {
    const res = await create({ eventTypes: ['ticket.created', 'no.such.type', 'ticket.created', 'typo'] });
    const problem = expectInvalid(res, 'eventTypes.1', 'eventTypes.3');
    expect(problem.errors?.map((e) => e.path)).toEqual(['eventTypes.1', 'eventTypes.3']);
    expect(problem.errors?.every((e) => e.code === 'unknown_event_type')).toBe(true);

    expectInvalid(await update({ eventTypes: ['ticket.created', 'ticket.created', 'nope'] }), 'eventTypes.2');
  });

  it('refuses a wildcard that matches nothing', async () => {
    expectInvalid(await create({ eventTypes: ['nothing.*'] }), 'eventTypes.0');
    // `ticket.*` does not reach `tickets.x`, and `ticket.created.*` has nothing below it.
    expectInvalid(await create({ eventTypes: ['ticket.*', 'ticket.created.*'] }), 'eventTypes.1');
    expectInvalid(await update({ eventTypes: ['nothing.*'] }), 'eventTypes.0');
  });

  it('refuses another tenant’s event types', async () => {
    const other = await createTenant(t, { presets: [] });
    const res = await refused(() =>
      t.api.post('/v1/endpoints', { token: other.token, json: { url: ep, eventTypes: [fx.eventType] } }),
    );
    expectInvalid(res, 'eventTypes.0');
  });

  it.each([
    ['plain http to a public host', 'http://example.com/hooks'],
    ['http to an IP literal outside the allowlist', 'http://8.8.8.8/hooks'],
    ['a private IPv4 (10/8)', 'https://10.0.0.1/hooks'],
    ['a private IPv4 (172.16/12)', 'https://172.16.5.4/hooks'],
    ['a private IPv4 (192.168/16)', 'https://192.168.1.1/hooks'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['CGNAT', 'https://100.64.0.1/'],
    ['the unspecified address', 'https://0.0.0.0/'],
    ['multicast', 'https://224.0.0.1/'],
    ['IPv6 loopback (not in the 127/8 allowlist)', 'https://[::1]/'],
    ['IPv6 unique local', 'https://[fd00::1]/'],
    ['IPv4-mapped IPv6 of a private address', 'https://[::ffff:10.0.0.1]/'],
    ['a private address written as one number', 'https://167772161/'],
    ['a private address written in hex', 'https://0x0a.0.0.1/'],
    // localhost is accepted here: 127.0.0.1 is allowlisted, and deliveries connect to it alone (egress.e2e.test.ts).
    ['IPv6 loopback spelt out', 'https://[0:0:0:0:0:0:0:1]/'],
    ['credentials', 'https://user:pass@example.com/hooks'],
    ['a user name', 'https://user@example.com/hooks'],
    ['a port out of range', 'https://example.com:99999/'],
    ['a space in the host', 'https://exa mple.com/'],
  ])('refuses a URL with %s', async (_label, url) => {
    expectInvalid(await create({ url }), 'url');
    expectInvalid(await update({ url }), 'url');
  });

  it.each([
    'webhook-signature',
    'Webhook-Id',
    'webhook-timestamp',
    'content-type',
    'Content-Length',
    'Host',
    'Transfer-Encoding',
    'Connection',
    'User-Agent',
    'svix-signature',
    'X-Hub-Signature-256',
    'x-hookport-attempt',
    'Proxy-Authorization',
  ])('refuses the reserved header %s', async (header) => {
    expectInvalid(await create({ headers: { [header]: 'forged' } }), `headers.${header}`);
    expectInvalid(await update({ headers: { [header]: 'forged' } }), `headers.${header}`);
  });

  it.each([
    ['CR LF', 'a\r\nInjected: yes'],
    ['a bare LF', 'a\nb'],
    ['a bare CR', 'a\rb'],
    ['NUL', 'a\u0000b'],
    ['non-ASCII', 'café'],
  ])('refuses a header value with %s', async (_label, value) => {
    expectInvalid(await create({ headers: { 'X-Custom': value } }), 'headers.X-Custom');
    expectInvalid(await update({ headers: { 'X-Custom': value } }), 'headers.X-Custom');
  });

  it.each([
    ['a space', 'X Custom'],
    ['a colon', 'X-Custom:'],
    ['a newline', 'X-A\r\nX-B'],
  ])('refuses a header name with %s', async (_label, name) => {
    expectInvalid(await create({ headers: { [name]: 'v' } }), `headers.${name}`);
  });

  it('refuses an empty header name', async () => {
    const res = await create({ headers: { '': 'v' } });
    expect((res.body as Problem).errors?.some((e) => e.path.startsWith('headers'))).toBe(true);
    expectProblem(res, 'validation_failed');
  });
});

describe('egress allowlist', () => {
  it('opens the listed ranges, for http too, and nothing else', async () => {
    const open = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: '10.0.0.0/8, fd00::/8' });
    try {
      const tenant = await createTenant(open);
      const post = (url: string) =>
        open.api.post('/v1/endpoints', { token: tenant.token, json: { url, eventTypes: ['*'] } });
      expect((await post('https://10.1.2.3/hooks')).status).toBe(201);
      expect((await post('http://10.1.2.3:8080/hooks')).status).toBe(201);
      expect((await post('https://[fd00::5]/hooks')).status).toBe(201);

      for (const url of ['https://192.168.1.1/', 'https://127.0.0.1/', 'http://example.com/', 'https://[::1]/']) {
        const before = await open.snapshot();
        expectInvalid(await post(url), 'url');
        expect(await open.snapshot()).toBe(before);
      }
    } finally {
      await open.close();
    }
  });

  it('refuses loopback when no range is open', async () => {
    const closed = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: '' });
    try {
      const tenant = await createTenant(closed);
      for (const url of ['http://127.0.0.1:9/', 'https://127.0.0.1/', 'https://localhost/']) {
        const before = await closed.snapshot();
        const res = await closed.api.post('/v1/endpoints', { token: tenant.token, json: { url, eventTypes: ['*'] } });
        expectInvalid(res, 'url');
        expect(await closed.snapshot()).toBe(before);
      }
    } finally {
      await closed.close();
    }
  });
});

describe('event type rules', () => {
  it.each([
    ['an unknown type keyword', { type: 'nope' }, 'schema.type'],
    ['a non-object properties', { properties: 5 }, 'schema.properties'],
    ['a negative minLength', { minLength: -1 }, 'schema.minLength'],
    ['a required that is not a list', { required: 'id' }, 'schema.required'],
    ['a $ref that resolves nowhere', { $ref: '#/$defs/missing' }, 'schema'],
  ])('refuses a JSON Schema with %s', async (_label, schema, path) => {
    const created = await refused(() =>
      t.api.post('/v1/event-types', { token: fx.token, json: { name: 'err.schema', schema } }),
    );
    expectInvalid(created, path);
    const updated = await refused(() =>
      t.api.patch(`/v1/event-types/${fx.eventType}`, { token: fx.token, json: { schema } }),
    );
    expectInvalid(updated, path);
  });

  it('refuses a duplicate name with 409', async () => {
    for (const name of [fx.eventType, 'ticket.created']) {
      const res = await refused(() => t.api.post('/v1/event-types', { token: fx.token, json: { name } }));
      const problem = expectProblem(res, 'conflict');
      expect(problem.detail).toContain(name);
    }
  });

  it('refuses to delete a type an endpoint subscribes to by name, with 409', async () => {
    const res = await refused(() => t.api.delete(`/v1/event-types/${fx.eventType}`, { token: fx.token }));
    expectProblem(res, 'conflict');
  });
});

describe('bad ids in paths → 404', () => {
  const malformed = (prefix: string) => [
    'xyz',
    `${prefix}_`,
    `${prefix}_123`,
    `${prefix}_01jbz8c1x9f8r5m6w0q2v3t4y`,
    `${prefix}_01jbz8c1x9f8r5m6w0q2v3t4yzz`,
    `${prefix}_81jbz8c1x9f8r5m6w0q2v3t4yz`,
    `${prefix}_01JBZ8C1X9F8R5M6W0Q2V3T4YZ`,
    `${prefix}_01jbz8c1x9f8r5m6w0q2v3t4yu`,
    '0190a0b0-0000-7000-8000-000000000000',
    `${prefix}_01jbz8c1x9f8r5m6w0q2v3t4yz`, // well-formed, but no such resource
    `${prefix}_${'0'.repeat(300)}`,
    '%00',
    '*',
  ];
  const ofOtherKind = () => ({
    tnt: fx.endpointId,
    tok: fx.tenantId,
    ep: fx.tenantId,
  });

  type PathCase = [string, string, (bad: string) => string, string, boolean];
  const paths: PathCase[] = [
    ['GET', 'tnt', (b) => `/v1/tenants/${b}`, '', true],
    ['PATCH', 'tnt', (b) => `/v1/tenants/${b}`, '{"name":"x"}', true],
    ['POST', 'tnt', (b) => `/v1/tenants/${b}/tokens`, '{"name":"x","scopes":["*"]}', true],
    ['GET', 'tnt', (b) => `/v1/tenants/${b}/tokens`, '', true],
    ['DELETE', 'tnt', (b) => `/v1/tenants/${b}/tokens/${fx.tokenId}`, '', true],
    ['DELETE', 'tok', (b) => `/v1/tenants/${fx.tenantId}/tokens/${b}`, '', true],
    ['GET', 'ep', (b) => `/v1/endpoints/${b}`, '', false],
    ['PATCH', 'ep', (b) => `/v1/endpoints/${b}`, '{"name":"x"}', false],
    ['DELETE', 'ep', (b) => `/v1/endpoints/${b}`, '', false],
    ['POST', 'ep', (b) => `/v1/endpoints/${b}/secret/rotate`, '{}', false],
  ];
  const cases = paths.map(([method, prefix, path, body, admin]): [string, string, PathCase] => [
    method,
    path(`{${prefix}}`),
    [method, prefix, path, body, admin],
  ]);

  it.each(cases)('%s %s', async (_m, _p, [method, prefix, path, body, admin]) => {
    const others = ofOtherKind();
    const bad = [...malformed(prefix), others[prefix as keyof typeof others]];
    for (const id of bad) {
      const res = await refused(() =>
        t.api.request(method, path(id), {
          token: admin ? t.adminToken : fx.token,
          ...(body ? { body, headers: json } : {}),
        }),
      );
      expectProblem(res, 'not_found');
    }
  });

  const badNames = ['a..b', '.a', 'a.', 'a%20b', 'ticket.*', '*', 'a'.repeat(129), '%C3%A9', '%00', 'no.such.type'];
  it.each([
    ['GET', ''],
    ['PATCH', '{"description":"x"}'],
    ['DELETE', ''],
  ])('%s /v1/event-types/{name}', async (method, body) => {
    for (const name of badNames) {
      const res = await refused(() =>
        t.api.request(method, `/v1/event-types/${name}`, { token: fx.token, ...(body ? { body, headers: json } : {}) }),
      );
      expectProblem(res, 'not_found');
    }
  });

  it('answers 404 the same way for a malformed id and a missing one', async () => {
    const missing = await t.api.get('/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz', { token: fx.token });
    const malformedId = await t.api.get('/v1/endpoints/nonsense', { token: fx.token });
    expect(expectProblem(missing, 'not_found').type).toBe(expectProblem(malformedId, 'not_found').type);
  });
});

describe('lists: bad cursor, limit and filters → 422', () => {
  const lists: [string, boolean][] = [
    ['/v1/tenants', true],
    [`/v1/tenants/{tenant}/tokens`, true],
    ['/v1/event-types', false],
    ['/v1/endpoints', false],
  ];
  const listPath = (template: string) => template.replace('{tenant}', fx.tenantId);
  const get = (template: string, admin: boolean, query: string) =>
    refused(() => t.api.get(`${listPath(template)}?${query}`, { token: admin ? t.adminToken : fx.token }));

  const cursors = [
    'abc',
    '!!!',
    Buffer.from('not-a-key with spaces').toString('base64url'),
    Buffer.from('a..b').toString('base64url'),
    'x'.repeat(201),
  ];
  it.each(lists)('%s with a cursor it never returned', async (template, admin) => {
    for (const cursor of cursors) {
      expectInvalid(await get(template, admin, `cursor=${encodeURIComponent(cursor)}`), 'cursor');
    }
  });

  it.each(lists)('%s with a limit out of range or not a number', async (template, admin) => {
    for (const value of ['0', '101', 'abc', '-1', '1.5', '']) {
      expectInvalid(await get(template, admin, `limit=${value}`), 'limit');
    }
  });

  it.each([
    ['status=deleted', 'status'],
    ['profile=zapier', 'profile'],
    ['eventType=ticket.*', 'eventType'],
    ['eventType=', 'eventType'],
    [`eventType=${'a'.repeat(129)}`, 'eventType'],
  ])('/v1/endpoints?%s', async (query, path) => {
    expectInvalid(await get('/v1/endpoints', false, query), path);
  });

  it('/v1/event-types with too long a prefix', async () => {
    expectInvalid(await get('/v1/event-types', false, `prefix=${'a'.repeat(129)}`), 'prefix');
  });
});

describe('routes that do not exist', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['GET', '/nope'],
    ['GET', '/v2/endpoints'],
    ['POST', '/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz/ping-me'],
    ['GET', '/v1/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz/secret'],
    ['GET', '/v1/event-types/a/b'],
    ['DELETE', '/v1/tenants/x/tokens/y/z'],
  ])('%s %s → 404 problem', async (method, path) => {
    const res = await refused(() => t.raw.request(method, path, { token: fx.token }));
    const problem = expectProblem(res, 'not_found');
    expect(problem.detail).toContain(path);
  });

  it.each([
    ['PUT', '/v1/endpoints', 'GET, HEAD, POST'],
    ['DELETE', '/v1/endpoints', 'GET, HEAD, POST'],
    ['PUT', '/v1/endpoints/{ep}', 'DELETE, GET, HEAD, PATCH'],
    ['GET', '/v1/endpoints/{ep}/secret/rotate', 'POST'],
    ['PUT', '/v1/event-types', 'GET, HEAD, POST'],
    ['POST', '/v1/event-types/{name}', 'DELETE, GET, HEAD, PATCH'],
    ['DELETE', '/v1/tenants', 'GET, HEAD, POST'],
    ['PUT', '/v1/tenants/{tenant}', 'GET, HEAD, PATCH'],
    ['PATCH', '/v1/tenants/{tenant}/tokens', 'GET, HEAD, POST'],
    ['GET', '/v1/tenants/{tenant}/tokens/{token}', 'DELETE'],
    ['POST', '/health', 'GET, HEAD'],
    ['DELETE', '/openapi.json', 'GET, HEAD'],
  ])('%s %s → 405 problem with Allow: %s', async (method, template, allow) => {
    const path = template
      .replace('{ep}', fx.endpointId)
      .replace('{name}', fx.eventType)
      .replace('{tenant}', fx.tenantId)
      .replace('{token}', fx.tokenId);
    const token = path.startsWith('/v1/tenants') ? t.adminToken : fx.token;
    const body = method === 'GET' ? {} : { body: '{}', headers: json };
    const res = await refused(() => t.raw.request(method, path, { token, ...body }));
    const problem = expectProblem(res, 'method_not_allowed');
    const allowed = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim());
    expect([...allowed].sort().join(', ')).toBe(allow);
    expect(problem.detail).toContain(method);
  });
});

describe('values the database refuses', () => {
  // PostgreSQL cannot store a NUL character in text or jsonb: without care that is a 500.
  const nul = 'a\u0000b';
  const cases: { name: string; method: string; path: () => string; admin?: boolean; json: () => unknown }[] = [
    { name: 'tenant name', method: 'POST', path: () => '/v1/tenants', admin: true, json: () => ({ name: nul }) },
    {
      name: 'tenant metadata',
      method: 'PATCH',
      path: () => `/v1/tenants/${fx.tenantId}`,
      admin: true,
      json: () => ({ metadata: { k: nul } }),
    },
    {
      name: 'event type description',
      method: 'POST',
      path: () => '/v1/event-types',
      json: () => ({ name: 'nul.test', description: nul }),
    },
    {
      name: 'endpoint name',
      method: 'PATCH',
      path: () => `/v1/endpoints/${fx.endpointId}`,
      json: () => ({ name: nul }),
    },
    {
      name: 'event data',
      method: 'POST',
      path: () => '/v1/events',
      json: () => ({ type: fx.eventType, data: { text: nul } }),
    },
  ];

  it.each(cases)('a NUL character in the $name is a 422, and nothing is stored', async (c) => {
    const res = await expectUnchanged(t, () =>
      t.api.request(c.method, c.path(), { token: c.admin ? t.adminToken : fx.token, json: c.json() }),
    );
    expect(res.status).toBe(422);
    expect(expectProblem(res, 'validation_failed').detail).toMatch(/cannot be stored/);
  });
});
