/**
 * The console's static files as the server serves them (server/src/http/console.ts): the page with its
 * Content-Security-Policy, the hashed assets cached for good, 404s in the native problem shape, and
 * nothing the page references outside /console/assets/ on this origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookport, type TestHookport } from './support/harness.ts';

/** Every `src` and `href` value in a page, in order. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? '');
}

function cspDirectives(header: string | null): Map<string, string> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name = '', ...values] = d.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

describe('GET /console: the web console, built and served by Hookport', () => {
  let t: TestHookport;
  let page: string;
  let pageHeaders: Headers;

  beforeAll(async () => {
    t = await startHookport();
    const res = await t.raw.get<string>('/console');
    expect(res.status).toBe(200);
    page = res.text;
    pageHeaders = res.headers;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('redirects / to /console', async () => {
    const res = await t.raw.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console');
  });

  it('serves the page with a strict Content-Security-Policy and no caching', () => {
    expect(pageHeaders.get('content-type')).toMatch(/^text\/html/);
    const csp = cspDirectives(pageHeaders.get('content-security-policy'));
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    // Nothing loosens it.
    expect(pageHeaders.get('content-security-policy')).not.toMatch(/unsafe-|\*|data:|https?:/);
    expect(pageHeaders.get('x-content-type-options')).toBe('nosniff');
    expect(pageHeaders.get('referrer-policy')).toBe('no-referrer');
    expect(pageHeaders.get('cache-control')).toBe('no-cache');
  });

  it('has no inline script or style: every script and stylesheet is a file under /console/assets/', () => {
    expect(page).toContain('<div id="app">');
    expect([...page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]?.trim())).toEqual(['']);
    expect(page).not.toMatch(/<style\b|\sstyle="|\son[a-z]+=/i);
    const assets = referencedUrls(page).filter((u) => u !== '/docs');
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const url of assets) expect(url).toMatch(/^\/console\/assets\/[\w-]+\.(js|css)$/);
  });

  it('serves each hashed asset with its type, cached for a year as immutable, under the same policy', async () => {
    for (const url of referencedUrls(page).filter((u) => u.startsWith('/console/assets/'))) {
      const res = await t.raw.get<string>(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toMatch(url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(res.headers.get('cache-control'), url).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(res.text.length, url).toBeGreaterThan(100);
    }
  });

  it('answers 404 problems for unknown assets and paths, with the security headers, and no file outside assets/', async () => {
    for (const path of [
      '/console/assets/nope-12345678.js',
      '/console/assets/..%2Findex.html',
      '/console/assets/..%2F..%2Fpackage.json',
      '/console/index.html',
      '/console/endpoints',
      '/console/assets/',
    ]) {
      const res = await t.raw.get<{ code: string }>(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
      expect(res.body.code, path).toBe('not_found');
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
    }
  });

  it('refuses other methods in the native shape', async () => {
    const res = await t.raw.post<{ code: string }>('/console');
    expect(res.status).toBe(405);
    expect(res.body.code).toBe('method_not_allowed');
  });
});
