import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, sendRaw, type Target, targets } from './support/fuzz-targets.ts';
import type { ApiResponse, TestHookport } from './support/harness.ts';
import { startHookport } from './support/harness.ts';

/**
 * The classic hostile inputs, sent to the create (and update, and item)
 * routes of all six surfaces: invalid UTF-8, deeply nested JSON, duplicate
 * keys, prototype-pollution keys, enormous numbers, CR/LF in URLs and custom
 * headers, path traversal in ids. Each refusal is a 4xx in the surface's own
 * shape (every answer is checked against the surface's document), stores
 * nothing, and nothing reaches the unhandled-error path.
 */

let t: TestHookport;
let all: Target[] = [];
/** Per surface: the status its answer to malformed JSON (`{`) has, the reference for every body refusal. */
const malformed = new Map<string, number>();
/** Per surface: an endpoint made through it, for the update and item routes. */
const existing = new Map<string, string>();

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_API_RATE_LIMIT: '0' }, 'api');
  all = await targets(t);
  for (const target of all) {
    const res = await sendRaw(target, 'POST', target.base, '{');
    malformed.set(target.name, res.status);
    const created = await sendJson(target, 'POST', target.base, target.body('https://fixture.example.com/h'));
    if (created.status >= 300) throw new Error(`${target.name}: fixture create gave ${created.status} ${created.text}`);
    existing.set(target.name, target.idOf(created));
  }
});
afterAll(async () => {
  const errorLines = t.logs.filter((line) => line.includes('"level":50'));
  await t.close();
  expect(errorLines).toEqual([]);
});

const names = ['native', 'spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'] as const;
const target = (name: string): Target => {
  const found = all.find((x) => x.name === name);
  if (!found) throw new Error(`no target ${name}`);
  return found;
};

/** Runs a request and proves it changed nothing stored. */
async function unchanged(act: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const before = await t.snapshot();
  const res = await act();
  expect(await t.snapshot(), `${res.status} ${res.text.slice(0, 300)}`).toBe(before);
  return res;
}

/** A body refusal: the surface's malformed-JSON status (a 4xx), nothing stored. */
async function expectRefusedBody(x: Target, method: string, path: string, body: string | Uint8Array) {
  const res = await unchanged(() => sendRaw(x, method, path, body));
  expect(res.status, res.text.slice(0, 300)).toBe(malformed.get(x.name));
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  return res;
}

/** A valid create body as JSON text with `extra` spliced in front of its members. */
function withMembers(x: Target, url: string, extra: string): string {
  return `{${extra},${JSON.stringify(x.body(url)).slice(1)}`;
}

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))));

describe.each(names)('%s', (name) => {
  const item = () => target(name).item(existing.get(name) ?? '');

  it('refuses bytes that are not UTF-8 (a lone continuation, an overlong form, an encoded surrogate, a cut sequence)', async () => {
    const x = target(name);
    const json = JSON.stringify(x.body('https://utf8.example.com/h'));
    for (const bad of [
      [0xff, 0xfe],
      [0xc0, 0xae],
      [0xed, 0xa0, 0x80],
      [0xe2, 0x82],
    ]) {
      // The bad bytes inside a string value of an otherwise valid body.
      await expectRefusedBody(x, 'POST', x.base, bytes(json.slice(0, -1), ',"x":"a', bad, 'b"}'));
      await expectRefusedBody(x, 'POST', x.base, bytes(json.slice(0, -2), bad, json.slice(-2)));
      if (x.update) await expectRefusedBody(x, x.update, item(), bytes('{"x":"', bad, '"}'));
    }
  });

  it('refuses a lone surrogate escape (no UTF-8 form: it would be stored as U+FFFD), in a value or a key', async () => {
    const x = target(name);
    const json = JSON.stringify(x.body('https://utf8.example.com/h'));
    for (const lone of ['\\ud800', '\\udfff', '\\udc00\\ud800']) {
      await expectRefusedBody(x, 'POST', x.base, `${json.slice(0, -1)},"x":"a${lone}b"}`);
      await expectRefusedBody(x, 'POST', x.base, `${json.slice(0, -1)},"${lone}":1}`);
      if (x.update) await expectRefusedBody(x, x.update, item(), `{"x":"${lone}"}`);
    }
  });

  it('keeps valid multi-byte UTF-8 exactly as sent', async () => {
    const x = target(name);
    const url = 'https://utf8.example.com/caf%C3%A9/%F0%9F%93%A6';
    const text = 'Café 📦 日本語 Ωμέγα';
    const body = x.textField ? { ...x.body(url), [x.textField]: text } : x.body(url);
    const res = await sendRaw(x, 'POST', x.base, new TextEncoder().encode(JSON.stringify(body)));
    expect(res.status, res.text).toBeLessThan(300);
    expect(x.urlOf(res)).toBe(url);
    if (x.textField) expect(res.text).toContain(text);
  });

  it('refuses JSON nested 5,000 and 100,000 deep, as a whole body and as a field, on create and update', async () => {
    const x = target(name);
    for (const depth of [5_000, 100_000]) {
      const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      await expectRefusedBody(x, 'POST', x.base, arrays);
      await expectRefusedBody(
        x,
        'POST',
        x.base,
        withMembers(x, 'https://deep.example.com/h', `"${x.urlField}":${objects}`),
      );
      await expectRefusedBody(x, 'POST', x.base, withMembers(x, 'https://deep.example.com/h', `"x":${arrays}`));
      if (x.update) await expectRefusedBody(x, x.update, item(), `{"x":${objects}}`);
    }
  });

  it('takes the last of duplicate keys, as JSON.parse does, and stores only that', async () => {
    const x = target(name);
    const body = withMembers(x, 'https://last.example.com/h', `"${x.urlField}":"https://first.example.com/h"`);
    const res = await sendRaw(x, 'POST', x.base, body);
    expect(res.status, res.text).toBeLessThan(300);
    expect(x.urlOf(res)).toBe('https://last.example.com/h');
    expect(res.text).not.toContain('first.example.com');
  });

  it('refuses __proto__ keys (top level, nested, \\u-escaped) and lets no key pollute a prototype', async () => {
    const x = target(name);
    const url = 'https://proto.example.com/h';
    await expectRefusedBody(x, 'POST', x.base, withMembers(x, url, '"__proto__":{"polluted":"yes"}'));
    await expectRefusedBody(x, 'POST', x.base, withMembers(x, url, '"x":{"__proto__":{"polluted":"yes"}}'));
    await expectRefusedBody(x, 'POST', x.base, withMembers(x, url, '"\\u005f_proto__":{"polluted":"yes"}'));
    await expectRefusedBody(x, 'POST', x.base, withMembers(x, url, '"__proto__":"yes"'));
    if (x.update) await expectRefusedBody(x, x.update, item(), '{"__proto__":{"polluted":"yes"}}');
    // constructor.prototype is an ordinary key to JSON.parse: refused by strict schemas, ignored by lax ones.
    for (const extra of ['"constructor":{"prototype":{"polluted":"yes"}}', '"prototype":{"polluted":"yes"}']) {
      const res = await sendRaw(x, 'POST', x.base, withMembers(x, url, extra));
      expect(res.status, res.text).toBeLessThan(500);
      expect(res.text).not.toContain('polluted');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(Object.hasOwn(Object.prototype, 'prototype')).toBe(false);
  });

  it('refuses numbers no field holds: 1e308, -1e308, 2^64, -0, 1e-308, 1e999 where text or a list is expected', async () => {
    const x = target(name);
    for (const n of ['1e308', '-1e308', '18446744073709551616', '-0', '1e-308', '1e999', '9007199254740993']) {
      const res = await unchanged(() =>
        sendRaw(
          x,
          'POST',
          x.base,
          `{${JSON.stringify(x.body('https://n.example.com/h')).slice(1, -1)},"${x.urlField}":${n}}`,
        ),
      );
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.status, res.text).toBeLessThan(500);
    }
  });

  it('refuses URLs with CR/LF, tabs or spaces, or shows back exactly the URL it will call', async () => {
    const x = target(name);
    for (const url of [
      'https://a.example.com/x\r\nHost: evil.example.com',
      'https://a.example.com/x\nX-Injected: 1',
      'https://a.example.com\r\n.evil.example.com/',
      'https://a.exa\tmple.com/',
      'https://a.example.com/x y',
      ' https://a.example.com/',
      'https://a.example.com/\u007f',
    ]) {
      const before = await t.snapshot();
      const res = await sendJson(x, 'POST', x.base, x.body(url));
      expect(res.status, res.text).toBeLessThan(500);
      if (res.status >= 400) {
        expect(await t.snapshot()).toBe(before);
      } else {
        // A surface that normalises (the WHATWG parser drops tabs and line breaks) shows what it stored.
        const shown = x.urlOf(res);
        expect(
          [...shown].some((ch) => ch <= ' ' || ch === '\u007f'),
          shown,
        ).toBe(false);
        expect(new URL(shown).href).toBe(shown);
      }
    }
  });

  it('answers ids with traversal, NUL and CR/LF with a 404 (or 405) of its own, injecting no header', async () => {
    const x = target(name);
    const own = existing.get(name) ?? '';
    for (const id of [
      '..%2F..%2F..%2Fv1%2Fendpoints',
      '..%2F..%2F..%2Fv1%2Ftenants',
      '%2e%2e%2f%2e%2e%2fhealth',
      '..%5C..%5Cwindows',
      '%252e%252e%252f',
      `${own}%00`,
      `${own}%2F..`,
      `${own}%0D%0ASet-Cookie:%20session=evil`,
      `${own}%0AX-Injected:%201`,
    ]) {
      for (const method of ['GET', 'DELETE', ...(x.update ? [x.update] : [])]) {
        const res = await unchanged(() =>
          x.api.request(method, x.item(id), {
            token: x.token,
            headers: x.headers,
            ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }),
          }),
        );
        expect([404, 405], `${method} ${id}: ${res.status} ${res.text}`).toContain(res.status);
        expect(res.headers.get('set-cookie')).toBeNull();
        expect(res.headers.get('x-injected')).toBeNull();
      }
    }
    // The endpoint the traversals pointed next to is still there.
    if (name !== 'tsanet')
      expect((await x.api.request('GET', x.item(own), { token: x.token, headers: x.headers })).status).toBe(200);
  });
});

describe('native only', () => {
  const native = () => target('native');

  it('accepts event data nested up to the limit and refuses it one level deeper', async () => {
    const x = native();
    await sendJson(x, 'POST', '/v1/event-types', { name: 'hostile.deep' });
    // The body is {"type":…,"data":<n levels>}: 1 + n levels in all; the limit is 128.
    const data = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    const ok = await sendRaw(x, 'POST', '/v1/events', `{"type":"hostile.deep","data":${data(127)}}`);
    expect(ok.status, ok.text).toBe(202);
    await expectRefusedBody(x, 'POST', '/v1/events', `{"type":"hostile.deep","data":${data(128)}}`);
    await expectRefusedBody(x, 'POST', '/v1/events', `{"type":"hostile.deep","data":${data(5_000)}}`);
  });

  it('refuses a __proto__ key in event data instead of dropping it, and keeps constructor keys as data', async () => {
    const x = native();
    await sendJson(x, 'POST', '/v1/event-types', { name: 'hostile.proto' });
    await expectRefusedBody(x, 'POST', '/v1/events', '{"type":"hostile.proto","data":{"__proto__":{"id":"x"},"b":1}}');
    const kept = await sendRaw(
      x,
      'POST',
      '/v1/events',
      '{"type":"hostile.proto","data":{"constructor":{"prototype":{"p":1}}}}',
    );
    expect(kept.status, kept.text).toBe(202);
    expect((kept.body as { data: unknown }).data).toEqual({ constructor: { prototype: { p: 1 } } });
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('refuses __proto__ in metadata and custom headers instead of dropping it', async () => {
    const x = native();
    await expectRefusedBody(
      x,
      'POST',
      x.base,
      withMembers(x, 'https://m.example.com/h', '"metadata":{"__proto__":"x"}'),
    );
    await expectRefusedBody(
      x,
      'POST',
      x.base,
      withMembers(x, 'https://m.example.com/h', '"headers":{"__proto__":"x"}'),
    );
  });

  it('refuses header injection in custom headers: CR/LF, NUL, bad names, reserved names', async () => {
    const x = native();
    const id = existing.get('native') ?? '';
    for (const headers of [
      { 'X-A': 'v\r\nInjected: 1' },
      { 'X-A': 'v\nInjected: 1' },
      { 'X-A': 'v\rInjected: 1' },
      { 'X-A\r\nInjected': 'v' },
      { 'X-A': 'a\u0000b' },
      { 'X-A': 'é' },
      // A mask that stands for no stored value (docs/api.md, "Custom headers").
      { 'X-A': 'Bearer ••••abcd' },
      { 'X A': 'v' },
      { 'X-A:': 'v' },
      { Host: 'evil.example.com' },
      { 'Content-Length': '0' },
      { 'Transfer-Encoding': 'chunked' },
    ]) {
      const created = await unchanged(() =>
        sendJson(x, 'POST', x.base, { ...x.body('https://h.example.com/h'), headers }),
      );
      expect(created.status, `${JSON.stringify(headers)}: ${created.text}`).toBe(422);
      const updated = await unchanged(() => sendJson(x, 'PATCH', `/v1/endpoints/${id}`, { headers }));
      expect(updated.status, updated.text).toBe(422);
    }
    const fine = await sendJson(x, 'PATCH', `/v1/endpoints/${id}`, { headers: { 'X-Team': 'billing' } });
    expect(fine.status, fine.text).toBe(200);
    // Stored, and read masked (docs/api.md, "Custom headers").
    expect((fine.body as { headers: unknown }).headers).toEqual({ 'X-Team': '••••' });
  });

  it('refuses enormous numbers where an integer is expected, in bodies and queries', async () => {
    const x = native();
    for (const n of [
      '1e308',
      '-1e308',
      '18446744073709551616',
      '-0',
      '0',
      '1e-308',
      '1.0000000000000002',
      '9007199254740993',
    ]) {
      const res = await unchanged(() =>
        sendRaw(x, 'POST', x.base, withMembers(x, 'https://n.example.com/h', `"rateLimit":${n}`)),
      );
      expect(res.status, `${n}: ${res.text}`).toBe(422);
      for (const path of ['/v1/endpoints', '/v1/events', '/v1/deliveries', '/v1/event-types']) {
        const list = await x.api.get(`${path}?limit=${encodeURIComponent(n)}`, { token: x.token });
        expect(list.status, `${path} limit=${n}: ${list.text}`).toBe(422);
      }
    }
  });
});

describe('vendor queries', () => {
  it('refuse enormous page numbers and sizes with a 4xx of their own', async () => {
    const cases: [string, (id: string) => string][] = [
      ['spedy', (id) => `/api/v1/webhook-endpoints/${id}/deliveries?limit=`],
      ['tsanet', (id) => `/v1/webhooks/${id}/deliveries?size=`],
      ['tsanet', (id) => `/v1/webhooks/${id}/deliveries?page=`],
      ['rapidly', () => '/api/webhooks/endpoints?limit='],
      ['rapidly', () => '/api/webhooks/endpoints?page='],
      ['rapidly', () => '/api/webhooks/deliveries?limit='],
    ];
    for (const [name, path] of cases) {
      const x = target(name);
      for (const n of ['1e308', '18446744073709551616', '-1', 'NaN', '1.5']) {
        const res = await x.api.request('GET', `${path(existing.get(name) ?? '')}${encodeURIComponent(n)}`, {
          token: x.token,
          headers: x.headers,
        });
        expect(res.status, `${name} ${n}: ${res.text}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${name} ${n}: ${res.text}`).toBeLessThan(500);
      }
    }
  });
});

describe('routing', () => {
  it('lets no dot segment, encoded slash or doubled slash reach a native route without its authentication', async () => {
    for (const path of [
      '/v1/webhooks/../endpoints',
      '/v1/webhooks/%2e%2e/endpoints',
      '/v1/webhooks/.%2e/endpoints',
      '/v1/webhooks/..%2Fendpoints',
      '/v1/webhooks%2F..%2Fendpoints',
      '/v1/webhooks/../../v1/tenants',
      '/v1/webhooks//../tenants',
      '/v1/webhooks/..;/endpoints',
      '/v1/webhooks\\..\\endpoints',
      '/v1//endpoints',
      '//v1/endpoints',
      '/v1/./endpoints',
      '/v1/endpoints;x',
      '/v1/endpoints%00',
      '/v2.3/webhooks/endpoints/../../../v1/tenants',
      '/helpdesk/api/v1/webhooks/../../../../v1/tenants',
      '/api/webhooks/endpoints/..%2F..%2F..%2Fv1%2Ftenants',
    ]) {
      const res = await t.raw.get(path);
      expect([401, 404, 405], `${path}: ${res.status} ${res.text}`).toContain(res.status);
    }
  });
});
