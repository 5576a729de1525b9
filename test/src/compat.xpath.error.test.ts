import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  type ApiResponse,
  createTenant,
  type RequestOptions,
  startHookport,
  streamedRequest,
  type TestHookport,
  vendorApi,
} from './support/harness.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * Bad input on every XPath route: always a 4xx in the vendor's shape
 * `{"error": {"code", "message"}}`, never a 5xx, and nothing stored changes.
 * Responses of documented routes are checked against compat/openapi/xpath.json.
 */

interface XpathError {
  error: { code: string; message: string };
}

const base = '/v2.3/webhooks/endpoints';
const jsonType = { 'content-type': 'application/json' };
const valid = { url: 'https://partner.example.com/webhooks/xpath', events: ['cases.*'] };

const { t, api: xp, tenant } = await vendorFixture('xpath');
const { token } = tenant;
let id = '';

beforeAll(async () => {
  const created = await xp.post<{ data: { id: string } }>(base, { token, json: valid });
  id = created.body.data.id;
});

function expectError(res: ApiResponse, status: number, code: string): XpathError {
  expect(res.status, `expected ${status} ${code}, got ${res.status}: ${res.text}`).toBeLessThan(500);
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = res.body as XpathError;
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

/** Sends a request and proves it changed nothing stored. */
async function unchanged(api: Api, method: string, path: string, opts: RequestOptions): Promise<ApiResponse> {
  const before = await t.snapshot();
  const res = await api.request(method, path, opts);
  expect(await t.snapshot()).toBe(before);
  return res;
}

/** [body, text the message must contain (the field it names)] */
type Case = [unknown, string];

const long = (n: number) => 'x'.repeat(n);

const createCases: Case[] = [
  // missing fields
  [{}, 'url: is required; events: is required'],
  [{ url: valid.url }, 'events: is required'],
  [{ events: valid.events }, 'url: is required'],
  // wrong types
  [{ ...valid, url: 123 }, 'url'],
  [{ ...valid, events: 'cases.*' }, 'events'],
  [{ ...valid, events: [1] }, 'events.0'],
  [{ ...valid, events: null }, 'events'],
  [{ ...valid, description: 5 }, 'description'],
  [{ ...valid, description: null }, 'description'],
  [{ ...valid, status: 'disabled' }, 'status'],
  [{ ...valid, status: true }, 'status'],
  // values the vendor would not take
  [{ ...valid, events: [] }, 'events'],
  [{ ...valid, events: ['cases.**'] }, 'events.0'],
  [{ ...valid, events: ['cases created'] }, 'events.0'],
  [{ ...valid, events: Array.from({ length: 101 }, () => 'cases.created') }, 'events'],
  [{ ...valid, url: 'not a url' }, 'url'],
  [{ ...valid, url: 'ftp://files.example.com/h' }, 'url'],
  [{ ...valid, url: `https://x.example.com/${long(2100)}` }, 'url'],
  [{ ...valid, description: long(1001) }, 'description'],
  // unknown fields, including ones of the native API and the read-only ones
  [{ ...valid, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, 'secret'],
  [{ ...valid, name: 'x' }, 'name'],
  [{ ...valid, profile: 'native' }, 'profile'],
  [{ ...valid, eventTypes: ['cases.*'] }, 'eventTypes'],
  [{ ...valid, id: 'wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW' }, 'id'],
  // the request is sent bare; the {data} envelope is for responses
  [{ data: valid }, 'data'],
  // not an object at all
  [null, 'expected object'],
  [[valid], 'expected object'],
  ['cases.*', 'expected object'],
  [42, 'expected object'],
];

/** Checked by the core after the schema: the egress rules and the tenant's catalogue. */
const coreCases: Case[] = [
  [{ ...valid, events: ['tickets.created'] }, 'events.0'],
  [{ ...valid, events: ['cases.*', 'tickets.*'] }, 'events.1'],
  [{ ...valid, url: 'http://10.0.0.1/hook' }, 'url'],
  [{ ...valid, url: 'https://169.254.169.254/latest' }, 'url'],
  [{ ...valid, url: 'http://partner.example.com/hook' }, 'url'],
  [{ ...valid, url: 'https://user:pw@partner.example.com/hook' }, 'url'],
];

const updateCases: Case[] = [
  [{ url: 123 }, 'url'],
  [{ url: 'not a url' }, 'url'],
  [{ events: [] }, 'events'],
  [{ events: 'cases.*' }, 'events'],
  [{ events: [true] }, 'events.0'],
  [{ description: 5 }, 'description'],
  [{ description: long(1001) }, 'description'],
  [{ status: 'disabled' }, 'status'],
  [{ status: null }, 'status'],
  [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, 'secret'],
  [{ created_at: '2026-04-29T09:10:00Z' }, 'created_at'],
  [{ data: { status: 'paused' } }, 'data'],
  [{ events: ['tickets.created'] }, 'events.0'],
  [{ url: 'http://10.0.0.1/hook' }, 'url'],
  [null, 'expected object'],
  [['paused'], 'expected object'],
];

describe('POST with a bad body', () => {
  it.each([...createCases, ...coreCases])('%j → 400 validation_error naming %s', async (json, field) => {
    const res = await unchanged(xp, 'POST', base, { token, body: JSON.stringify(json), headers: jsonType });
    const body = expectError(res, 400, 'validation_error');
    expect(body.error.message).toContain(field);
  });
});

describe('PATCH with a bad body', () => {
  it.each(updateCases)('%j → 400 validation_error naming %s', async (json, field) => {
    const res = await unchanged(xp, 'PATCH', `${base}/${id}`, {
      token,
      body: JSON.stringify(json),
      headers: jsonType,
    });
    const body = expectError(res, 400, 'validation_error');
    expect(body.error.message).toContain(field);
  });
});

describe('generated bodies', () => {
  /** A small deterministic PRNG (mulberry32), so a failure reproduces. */
  function prng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let r = Math.imul(a ^ (a >>> 15), 1 | a);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = prng(20260429);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const scalars: unknown[] = [
    null,
    true,
    0,
    -1,
    1e308,
    1.5,
    '',
    ' ',
    'a\u0000b',
    '\ud800',
    'é€😀',
    long(5000),
    'cases.*',
    'cases.created',
    'paused',
    'active',
    'https://partner.example.com/h',
    'http://127.0.0.1:1/h',
    'javascript:alert(1)',
    'https://[::1]/h',
    'https://0x7f000001/h',
    '*',
  ];
  function value(depth: number): unknown {
    const roll = random();
    if (depth > 2 || roll < 0.6) return pick(scalars);
    if (roll < 0.8) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
    return { [pick(['url', 'events', 'x', '__proto__', 'constructor'])]: value(depth + 1) };
  }
  function body(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of ['url', 'events', 'description', 'status', 'extra']) {
      if (random() < 0.5) out[key] = key === 'events' && random() < 0.5 ? [value(1)] : value(0);
    }
    return out;
  }

  it('never answer 5xx; a refusal is a 4xx in the XPath shape and stores nothing', async () => {
    for (let i = 0; i < 150; i++) {
      const json = body();
      for (const [method, path] of [
        ['POST', base],
        ['PATCH', `${base}/${id}`],
      ] as const) {
        const before = await t.snapshot();
        const res = await xp.request(method, path, { token, json });
        expect(res.status, `${method} ${JSON.stringify(json)} → ${res.status} ${res.text}`).toBeLessThan(500);
        if (res.status >= 400) {
          expectError(res, 400, (res.body as XpathError).error.code);
          expect(await t.snapshot(), JSON.stringify(json)).toBe(before);
        }
      }
    }
  });

  it('text the database cannot store (NUL) is a 400 naming the field', async () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['POST', base, { ...valid, description: 'a\u0000b' }, 'description'],
      ['POST', base, { ...valid, url: 'https://a.example.com/h\u0000' }, 'url'],
      ['PATCH', `${base}/${id}`, { description: '\u0000' }, 'description'],
    ];
    for (const [method, path, json, field] of cases) {
      const res = await unchanged(xp, method, path, { token, json });
      expect(expectError(res, 400, 'validation_error').error.message).toContain(`${field}: must not contain a NUL`);
    }
  });
});

describe('bodies that are not JSON', () => {
  const targets = [
    ['POST', () => base],
    ['PATCH', () => `${base}/${id}`],
  ] as const;

  it.each(targets)('%s: malformed JSON → 400 invalid_json', async (method, path) => {
    for (const body of ['{', '{"url":', "{'url': 1}", '{"url": "x",}', '']) {
      const res = await unchanged(xp, method, path(), { token, body, headers: jsonType });
      expectError(res, 400, 'invalid_json');
    }
  });

  it.each(targets)('%s: another media type or none → 415 unsupported_media_type', async (method, path) => {
    const text = JSON.stringify(valid);
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      expectError(await unchanged(xp, method, path(), { token, body: text, headers }), 415, 'unsupported_media_type');
    }
    expectError(await unchanged(xp, method, path(), { token }), 415, 'unsupported_media_type');
    expectError(await unchanged(xp, method, path(), { token, body: text }), 415, 'unsupported_media_type');
  });
});

describe('ids that are not XPath endpoint ids', () => {
  const ulid = '01J1C6ZGQ6FQTH2X6M2VS3P0XW';
  const badIds = [
    `wh_${ulid}`, // the right shape, no such endpoint
    `wh_${ulid.toLowerCase()}`, // lower case is not the vendor's format
    `WH_${ulid}`,
    `wh_${ulid.slice(1)}`, // 25 characters
    `wh_${ulid}0`, // 27 characters
    `wh_8${ulid.slice(1)}`, // above 128 bits
    `wh_${ulid.slice(0, 25)}U`, // not Crockford base32
    `wh-${ulid}`,
    ulid,
    `ep_${ulid.toLowerCase()}`, // native
    `whk_${ulid.toLowerCase()}`, // Helpdesk
    `dlv_${ulid}`, // Spedy deliveries
    '42', // TSANet
    '-1',
    randomUUID(), // Rapidly
    'wh_',
    '%20',
    encodeURIComponent('wh_01J1C6ZGQ6FQTH2X6M2VS3P0X\u0000'),
    long(600),
  ];

  it.each(badIds)('%s → 404 not_found on GET, PATCH and DELETE', async (bad) => {
    const path = `${base}/${bad}`;
    expectError(await unchanged(xp, 'GET', path, { token }), 404, 'not_found');
    expectError(await unchanged(xp, 'PATCH', path, { token, json: { status: 'paused' } }), 404, 'not_found');
    expectError(await unchanged(xp, 'DELETE', path, { token }), 404, 'not_found');
  });

  it('the id of a deleted endpoint → 404', async () => {
    const created = await xp.post<{ data: { id: string } }>(base, { token, json: valid });
    expect((await xp.delete(`${base}/${created.body.data.id}`, { token })).status).toBe(204);
    expectError(await unchanged(xp, 'GET', `${base}/${created.body.data.id}`, { token }), 404, 'not_found');
  });
});

describe('routes and methods the vendor does not have', () => {
  it('an unknown path under the base path → 404 in the XPath shape', async () => {
    for (const path of [`${base}/${id}/ping`, `${base}/${id}/deliveries`, `${base}/a/b/c`]) {
      for (const method of ['GET', 'POST']) {
        expectError(await unchanged(t.raw, method, path, { token }), 404, 'not_found');
      }
    }
  });

  it('a method the route does not take → 405 in the XPath shape, with Allow', async () => {
    const cases: [string, string, string][] = [
      ['PUT', `${base}/${id}`, 'PATCH'],
      ['POST', `${base}/${id}`, 'DELETE'],
      ['DELETE', base, 'POST'],
      ['PATCH', base, 'GET'],
    ];
    for (const [method, path, allowed] of cases) {
      const res = await unchanged(xp, method, path, { token, json: valid });
      expectError(res, 405, 'method_not_allowed');
      expect(res.headers.get('allow') ?? '').toContain(allowed);
    }
  });
});

describe('an oversize body', () => {
  let small: TestHookport;
  let smallXp: Api;
  let smallToken = '';
  let smallId = '';

  beforeAll(async () => {
    small = await startHookport({ HOOKPORT_MAX_REQUEST_BYTES: '1024' });
    smallXp = vendorApi(small, 'xpath');
    smallToken = (await createTenant(small, { presets: ['xpath'] })).token;
    const created = await smallXp.post<{ data: { id: string } }>(base, { token: smallToken, json: valid });
    smallId = created.body.data.id;
  });
  afterAll(async () => {
    await small.close();
  });

  it('→ 413 payload_too_large on POST and PATCH, with or without Content-Length', async () => {
    const big = JSON.stringify({ ...valid, description: long(2000) });
    for (const [method, path] of [
      ['POST', base],
      ['PATCH', `${base}/${smallId}`],
    ] as const) {
      const before = await small.snapshot();
      const sized = await smallXp.request(method, path, { token: smallToken, body: big, headers: jsonType });
      expectError(sized, 413, 'payload_too_large');
      const streamed = await streamedRequest(small, method, path, new TextEncoder().encode(big), {
        ...jsonType,
        authorization: `Bearer ${smallToken}`,
      });
      expectError(streamed, 413, 'payload_too_large');
      expect(await small.snapshot()).toBe(before);
    }
  });
});
