/**
 * The SDK test kit in Chromium: the page bundles @hookport/sdk/testing (and
 * the client) for the browser, as a browser test runner would, then runs a
 * scenario on it with Web APIs only. It fails if anything in the kit needs
 * Node (the bundle would not build for the browser platform, or the page
 * would throw).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openBrowser, requestsOutside } from './support/browser.ts';

let server: Server;
let origin: string;

beforeAll(async () => {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('./pages/testkit-page.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const script = bundled.outputFiles[0]?.text ?? '';
  server = createServer((req, res) => {
    if (req.url === '/kit.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<script type="module" src="/kit.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
});

it('runs the mock, the client and signTestWebhook in a browser page, offline', async () => {
  const browser = await openBrowser();
  try {
    await browser.page.goto(`${origin}/`);
    await browser.page.waitForFunction(() => 'testKitResult' in globalThis);
    const result = await browser.page.evaluate(
      () => (globalThis as { testKitResult?: Promise<unknown> }).testKitResult,
    );
    expect(result).toEqual({
      delivered: [[true, 'pending']],
      refused: [422, 'validation_failed', 'eventTypes.0'],
      verified: { orderId: 'o-1' },
    });
    expect(requestsOutside(browser.requests, origin)).toEqual([]);
  } finally {
    await browser.close();
  }
});
