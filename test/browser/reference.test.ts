import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, requestsOutside } from './support/browser.ts';
import { type ServedHookport, serveHookport } from './support/server.ts';

/** The six documents `/docs` lists: the native API first (the one it opens on), then the vendors'. */
const documents = [
  { path: '/openapi.json', name: 'Hookport API' },
  { path: '/openapi/xpath.json', name: 'XPath v2.3 (compatible)' },
  { path: '/openapi/spedy.json', name: 'Spedy-compatible API' },
  { path: '/openapi/helpdesk.json', name: 'Helpdesk (Airclou) compatible API' },
  { path: '/openapi/tsanet.json', name: 'TSANet Connect (compatible)' },
  { path: '/openapi/rapidly.json', name: 'Rapidly (compatible)' },
];

interface OpenApiDocument {
  info: { title: string };
  paths: Record<string, Record<string, { summary?: string }>>;
}

describe('the API reference in Chromium, offline', () => {
  let hookport: ServedHookport;
  const titles = new Map<string, string>();
  let nativeOperation = '';

  beforeAll(async () => {
    hookport = await serveHookport();
    for (const { path } of documents) {
      const doc = await hookport.t.raw.get<OpenApiDocument>(path);
      titles.set(path, doc.body.info.title);
    }
    const native = await hookport.t.raw.get<OpenApiDocument>('/openapi.json');
    nativeOperation = native.body.paths['/health']?.get?.summary ?? '';
    expect(nativeOperation).not.toBe('');
  });
  afterAll(async () => {
    await hookport?.close();
  });

  it('renders the native reference at /docs and switches to each of the six documents, never leaving 127.0.0.1', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(`${hookport.origin}/docs`);

      // Rendered by the script (waitFor throws unless it shows): the document's title and one of its
      // operations in the sidebar.
      await page.getByRole('heading', { level: 1, name: titles.get('/openapi.json') }).waitFor();
      await page.getByText(nativeOperation, { exact: true }).filter({ visible: true }).first().waitFor();

      for (const { path, name } of documents.slice(1)) {
        await page.locator('.document-selector button').first().click();
        const options = page.getByRole('option');
        await options.last().waitFor();
        expect(await options.allTextContents()).toEqual(documents.map((d) => d.name));
        await page.getByRole('option', { name, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: titles.get(path) }).waitFor();
      }

      expect(browser.requests).toContain(`${hookport.origin}/docs`);
      expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('shows plain links to the six documents when scripts are off', async () => {
    const browser = await openBrowser({ javaScriptEnabled: false });
    try {
      const { page } = browser;
      await page.goto(`${hookport.origin}/docs`);
      for (const { path, name } of documents) {
        const link = page.getByRole('link', { name, exact: true });
        await link.waitFor();
        expect(await link.getAttribute('href')).toBe(path);
      }
      expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
