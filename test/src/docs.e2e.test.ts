import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookport, type TestHookport } from './support/harness.ts';

/** The six documents `/docs` lists: the native API's and the five vendor surfaces'. */
const documentPaths = [
  '/openapi.json',
  '/openapi/spedy.json',
  '/openapi/helpdesk.json',
  '/openapi/tsanet.json',
  '/openapi/rapidly.json',
  '/openapi/xpath.json',
];

/** Every `src` and `href` value in a page, in order. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? '');
}

/** The inside of the page's one `<noscript>` element. */
function noscriptOf(html: string): string {
  const blocks = [...html.matchAll(/<noscript>([\s\S]*?)<\/noscript>/g)];
  expect(blocks).toHaveLength(1);
  return blocks[0]?.[1] ?? '';
}

describe('GET / and /docs: the API reference, served whole by Hookport', () => {
  let t: TestHookport;
  let page: string;

  beforeAll(async () => {
    t = await startHookport();
    const res = await t.raw.get<string>('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    page = res.text;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('redirects / to the console, which links here', async () => {
    const res = await t.raw.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console');
  });

  it('falls back to plain links to the six documents when scripts are off, each served as OpenAPI JSON', async () => {
    const links = referencedUrls(noscriptOf(page));
    expect([...links].sort()).toEqual([...documentPaths].sort());
    for (const path of links) {
      const doc = await t.raw.get<{ openapi: string; info: { title: string } }>(path);
      expect(doc.status, path).toBe(200);
      expect(doc.body.openapi, path).toMatch(/^3\.1\./);
      // The link's text is the document's name, not its path.
      expect(noscriptOf(page)).toMatch(new RegExp(`<a href="${path}">[^<]+</a>`));
    }
  });

  it('hands the interactive reference the same six documents', () => {
    const sources = [...page.matchAll(/"url": "([^"]*)"/g)].map((m) => m[1]);
    expect([...sources].sort()).toEqual([...documentPaths].sort());
    // The native API comes first: the reference opens on it.
    expect(sources[0]).toBe('/openapi.json');
  });

  it('references no other origin, and Hookport serves every asset the page loads', async () => {
    // No absolute URL at all: neither in attributes nor in the reference's configuration.
    expect(page).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    const scripts = [...page.matchAll(/<script[^>]*\ssrc="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(scripts).toHaveLength(1);
    for (const url of referencedUrls(page)) {
      expect(url, url).toMatch(/^\/(?!\/)/);
      const res = await t.raw.get(url);
      expect(res.status, url).toBe(200);
    }
    const script = await t.raw.get<string>(scripts[0] ?? '');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    // The bundle's URL names its version, so a browser may keep it for good.
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(script.text).toContain('createApiReference');
  });

  it('answers an unknown asset with a 404 problem', async () => {
    const script = [...page.matchAll(/<script[^>]*\ssrc="([^"]*)"/g)].map((m) => m[1] ?? '')[0] ?? '';
    const res = await t.raw.get<{ code: string }>(script.replace(/[^/]+$/, 'other.js'));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });
});
