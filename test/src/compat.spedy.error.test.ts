import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, createTenant, startHookport, vendorApi } from './support/harness.ts';
import { startReceiver } from './support/receiver.ts';
import type { EndpointWithSecret } from './support/types.ts';
import { until } from './support/until.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * Bad input on every Spedy route: always a 4xx in the NestJS shape
 * `{statusCode, message, error}`, never a 5xx, and nothing stored changes.
 * Every answer is checked against compat/openapi/spedy.json.
 */

interface SpedyError {
  statusCode: number;
  message: string | string[];
  error: string;
}

const base = '/api/v1/webhook-endpoints';
const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
};

const { t, api: spedy, tenant } = await vendorFixture('spedy');
/** A Spedy endpoint every test leaves as it is, and ids of endpoints of other profiles. */
const fx = { id: '', xpathShaped: '', nativeId: '', uuid: '0190f5d2-7c1e-7a3b-8c4d-5e6f7a8b9c0d' };

beforeAll(async () => {
  const created = await spedy.post<{ id: string }>(base, {
    token: tenant.token,
    json: { name: 'Fixture', url: 'https://fixture.example.com/h', events: ['ticket.created'] },
  });
  fx.id = created.body.id;
  // A natively created endpoint of the xpath profile: its id in XPath's format is a valid-looking wh_ id.
  const xpath = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url: 'https://x.example.com/h', eventTypes: ['ticket.created'], profile: 'xpath' },
  });
  fx.nativeId = xpath.body.id;
  fx.xpathShaped = `wh_${xpath.body.id.slice(3).toUpperCase()}`;
});

function expectSpedyError(res: ApiResponse, status: number): SpedyError {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = res.body as SpedyError;
  expect(Object.keys(body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(body.statusCode).toBe(status);
  expect(body.error).toBe(reasons[status]);
  expect(typeof body.message === 'string' || Array.isArray(body.message)).toBe(true);
  return body;
}

/** A request that must fail with `status` and leave every table as it was. */
async function rejected(status: number, act: () => Promise<ApiResponse>): Promise<SpedyError> {
  const before = await t.snapshot();
  const res = await act();
  const body = expectSpedyError(res, status);
  expect(await t.snapshot()).toBe(before);
  return body;
}

/** A 400 whose message list names each of `lines` (substrings). */
async function invalid(act: () => Promise<ApiResponse>, ...lines: string[]) {
  const body = await rejected(400, act);
  expect(Array.isArray(body.message), JSON.stringify(body)).toBe(true);
  const messages = (body.message as string[]).join('\n');
  for (const line of lines) expect(messages).toContain(line);
  return body;
}

const valid = { name: 'Valid', url: 'https://valid.example.com/h', events: ['ticket.created'] };
const post = (json: unknown) => () => spedy.post(base, { token: tenant.token, json });
const patch = (json: unknown) => () => spedy.patch(`${base}/${fx.id}`, { token: tenant.token, json });

describe('create and update validation (400, class-validator messages)', () => {
  it('missing fields', async () => {
    await invalid(post({}), 'name must be a string', 'url', 'events must be an array');
    await invalid(post({ url: valid.url, events: valid.events }), 'name must be a string');
    await invalid(post({ name: 'n', events: valid.events }), 'url');
    await invalid(post({ name: 'n', url: valid.url }), 'events must be an array');
  });

  it('wrong types', async () => {
    await invalid(post({ ...valid, name: 42 }), 'name must be a string');
    await invalid(post({ ...valid, name: null }), 'name must be a string');
    await invalid(post({ ...valid, url: 42 }), 'url');
    await invalid(post({ ...valid, events: 'ticket.created' }), 'events must be an array');
    await invalid(post({ ...valid, events: [1] }), 'each value in events must be a string');
    await invalid(patch({ isActive: 'yes' }), 'isActive must be a boolean value');
    await invalid(patch({ name: ['x'] }), 'name must be a string');
    await invalid(patch({ events: null }), 'events must be an array');
  });

  it('lengths, empties and URL rules', async () => {
    await invalid(post({ ...valid, name: 'x'.repeat(101) }), 'name must be shorter than or equal to 100 characters');
    await invalid(post({ ...valid, name: '' }), 'name should not be empty');
    await invalid(post({ ...valid, events: [] }), 'events should not be empty');
    await invalid(post({ ...valid, url: 'http://public.example.com/h' }), 'url must be an https URL');
    await invalid(post({ ...valid, url: 'not a url' }), 'url must be an https URL');
    await invalid(post({ ...valid, url: `https://e.example.com/${'x'.repeat(2100)}` }), 'url');
    await invalid(patch({ url: 'ftp://files.example.com' }), 'url must be an https URL');
    await invalid(patch({ events: [] }), 'events should not be empty');
    await invalid(patch({ name: 'x'.repeat(101) }), 'name must be shorter than or equal to 100 characters');
    // The egress guard of the core: a private address is refused at create.
    await invalid(post({ ...valid, url: 'https://10.0.0.1/h' }), 'url ');
  });

  it('events outside the catalogue, and wildcards Spedy does not have', async () => {
    await invalid(post({ ...valid, events: ['ticket.created', 'ticket.exploded'] }), 'events.1 ticket.exploded');
    await invalid(post({ ...valid, events: ['ticket.*'] }), 'each value in events must be a supported event type');
    await invalid(post({ ...valid, events: ['*'] }), 'each value in events must be a supported event type');
    await invalid(patch({ events: ['cases.created'] }), 'events.0 cases.created');
  });

  it('unknown fields are refused, as forbidNonWhitelisted does', async () => {
    await invalid(post({ ...valid, secret: 'whsec_x' }), 'property secret should not exist');
    await invalid(post({ ...valid, isActive: false }), 'property isActive should not exist');
    await invalid(patch({ description: 'd' }), 'property description should not exist');
    await invalid(patch({ eventTypes: ['ticket.created'] }), 'property eventTypes should not exist');
  });

  it('bodies that are not a JSON object', async () => {
    for (const json of [[], 'text', 42, null]) await invalid(post(json));
    await invalid(patch([valid]));
  });

  it('malformed JSON, wrong or missing content type', async () => {
    const malformed = await rejected(400, () =>
      spedy.post(base, { token: tenant.token, body: '{"name": ', headers: { 'content-type': 'application/json' } }),
    );
    expect(typeof malformed.message).toBe('string');
    await rejected(400, () =>
      spedy.patch(`${base}/${fx.id}`, {
        token: tenant.token,
        body: '{"isActive": tru}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    await rejected(415, () =>
      spedy.post(base, { token: tenant.token, body: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } }),
    );
    await rejected(415, () => spedy.post(base, { token: tenant.token }));
    await rejected(415, () => spedy.patch(`${base}/${fx.id}`, { token: tenant.token }));
    await rejected(415, () =>
      spedy.post(base, {
        token: tenant.token,
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
  });

  it('access is checked before the body: no token with a bad body is 401, a read token 403', async () => {
    await rejected(401, () => spedy.post(base, { json: { bogus: true } }));
    await rejected(401, () =>
      spedy.post(base, { body: '{', headers: { 'content-type': 'application/json', authorization: 'Bearer x' } }),
    );
  });
});

describe('ids of the wrong shape, or of other vendors, are 404', () => {
  const badIds = () => [
    'wh_abc123',
    'wh_01jxb4q7w8t9v2m3n4p5r6s7t8',
    'WH_01JXB4Q7W8T9V2M3N4P5R6S7T8',
    'wh_81JXB4Q7W8T9V2M3N4P5R6S7T8',
    'wh_01JXB4Q7W8T9V2M3N4P5R6S7T8',
    fx.xpathShaped,
    fx.nativeId,
    fx.uuid,
    '12345',
    '9223372036854775807',
    'whk_01jxb4q7w8t9v2m3n4p5r6s7t8',
    'dlv_01JXB4Q7W8T9V2M3N4P5R6S7T8',
    `${fx.id}x`,
    '%20',
  ];

  it('on every endpoint route', async () => {
    for (const id of badIds()) {
      for (const [method, path, json] of [
        ['GET', `${base}/${id}`, undefined],
        ['PATCH', `${base}/${id}`, { name: 'x' }],
        ['DELETE', `${base}/${id}`, undefined],
        ['POST', `${base}/${id}/ping`, undefined],
        ['GET', `${base}/${id}/deliveries`, undefined],
        ['POST', `${base}/${id}/deliveries/dlv_01JXB4Q7W8T9V2M3N4P5R6S7T8/redeliver`, undefined],
      ] as const) {
        const body = await rejected(404, () =>
          spedy.request(method, path, { token: tenant.token, ...(json ? { json } : {}) }),
        );
        expect(body.message, `${method} ${path}`).toBe('Webhook endpoint not found');
      }
    }
  });

  it('delivery ids of the wrong shape, unknown, or of another endpoint', async () => {
    let attempts: { id: string }[] = [];
    const r = await startReceiver();
    try {
      const other = await spedy.post<{ id: string }>(base, {
        token: tenant.token,
        json: { name: 'Other', url: r.url, events: ['ticket.created'] },
      });
      // A real, settled attempt of the other endpoint.
      expect((await spedy.post(`${base}/${other.body.id}/ping`, { token: tenant.token })).status).toBe(204);
      attempts = await until('the ping attempt', async () => {
        const d = await spedy.get<{ id: string }[]>(`${base}/${other.body.id}/deliveries`, { token: tenant.token });
        return d.body.length > 0 ? d.body : undefined;
      });
    } finally {
      await r.close();
    }
    const foreign = attempts[0]?.id ?? '';
    for (const id of [
      foreign,
      'dlv_abc',
      'dlv_01jxb4q7w8t9v2m3n4p5r6s7t8',
      'dlv_01JXB4Q7W8T9V2M3N4P5R6S7T8',
      'att_01jxb4q7w8t9v2m3n4p5r6s7t8',
      fx.uuid,
      '42',
    ]) {
      const body = await rejected(404, () =>
        spedy.post(`${base}/${fx.id}/deliveries/${id}/redeliver`, { token: tenant.token }),
      );
      expect(body.message).toBe('Webhook delivery not found');
    }
  });
});

describe('deliveries limit', () => {
  it('accepts 1..200 and refuses anything else with 400', async () => {
    for (const limit of ['1', '200', '50']) {
      const res = await spedy.get(`${base}/${fx.id}/deliveries?limit=${limit}`, { token: tenant.token });
      expect(res.status).toBe(200);
    }
    const cases: [string, string][] = [
      ['0', 'limit must not be less than 1'],
      ['-5', 'limit must not be less than 1'],
      ['201', 'limit must not be greater than 200'],
      ['100000', 'limit must not be greater than 200'],
      ['1.5', 'limit must be an integer number'],
      ['abc', 'limit'],
      ['', 'limit'],
    ];
    for (const [limit, line] of cases) {
      await invalid(() => spedy.get(`${base}/${fx.id}/deliveries?limit=${limit}`, { token: tenant.token }), line);
    }
  });
});

describe('routes and methods that do not exist, conflicts, oversize', () => {
  it('an unknown route or method under the base path is a NestJS 404 "Cannot …"', async () => {
    const put = await rejected(404, () => t.raw.put(`${base}/${fx.id}`, { token: tenant.token, json: { name: 'x' } }));
    expect(put.message).toBe(`Cannot PUT ${base}/${fx.id}`);
    const unknown = await rejected(404, () => t.raw.get(`${base}/${fx.id}/secret`, { token: tenant.token }));
    expect(unknown.message).toBe(`Cannot GET ${base}/${fx.id}/secret`);
    const del = await rejected(404, () => t.raw.delete(base, { token: tenant.token }));
    expect(del.message).toBe(`Cannot DELETE ${base}`);
  });

  it('ping and redeliver on an inactive endpoint are 409', async () => {
    const r = await startReceiver();
    try {
      const created = await spedy.post<{ id: string }>(base, {
        token: tenant.token,
        json: { name: 'Off', url: r.url, events: ['ticket.created'] },
      });
      const path = `${base}/${created.body.id}`;
      expect((await spedy.post(`${path}/ping`, { token: tenant.token })).status).toBe(204);
      const [attempt] = await until('the ping attempt', async () => {
        const d = await spedy.get<{ id: string }[]>(`${path}/deliveries`, { token: tenant.token });
        return d.body.length > 0 ? d.body : undefined;
      });
      const off = await spedy.patch(path, { token: tenant.token, json: { isActive: false } });
      expect(off.status).toBe(200);
      const ping = await rejected(409, () => spedy.post(`${path}/ping`, { token: tenant.token }));
      expect(typeof ping.message).toBe('string');
      const again = await rejected(409, () =>
        spedy.post(`${path}/deliveries/${attempt?.id}/redeliver`, { token: tenant.token }),
      );
      expect(typeof again.message).toBe('string');
    } finally {
      await r.close();
    }
  });

  it('a body over HOOKPORT_MAX_REQUEST_BYTES is 413 in the NestJS shape', async () => {
    const small = await startHookport({ HOOKPORT_MAX_REQUEST_BYTES: '2048' });
    try {
      const api = vendorApi(small, 'spedy');
      const owner = await createTenant(small, { presets: ['spedy'] });
      const before = await small.snapshot();
      const res = await api.post<SpedyError>(base, {
        token: owner.token,
        json: { ...valid, name: 'x'.repeat(5000) },
      });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await small.snapshot()).toBe(before);
    } finally {
      await small.close();
    }
  });
});
