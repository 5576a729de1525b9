import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const chromiumPath = process.env.HOOKPORT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Chromium's own traffic (updates, sync, field trials, safe browsing lists) is switched off, so
 * every request the tests see comes from the page under test. No host name resolves but
 * 127.0.0.1's, so the browser is offline even on a machine with internet access: a page that
 * needs a CDN fails here as it would for a user without a network.
 */
const browserArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** The bound of every Playwright wait; the browser project's test timeout leaves room for several. */
export const waitTimeoutMs = 45_000;

export interface BrowserOptions {
  /** false: the page runs with scripts off (the `<noscript>` fallbacks). */
  javaScriptEnabled?: boolean;
  /**
   * true: the page's Content-Security-Policy is not applied, so a test may inject a script of its own
   * (the accessibility test's axe-core). Never for a test of the page's own behaviour under its CSP.
   */
  bypassCSP?: boolean;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** The URL of every request the browser made, in order, whatever its origin. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile of its own (deleted at close), one page open, and a
 * record of every request it makes, so a test can prove the page stayed on 127.0.0.1.
 */
export async function openBrowser({
  javaScriptEnabled = true,
  bypassCSP = false,
}: BrowserOptions = {}): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'hookport-browser-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: browserArgs,
      javaScriptEnabled,
      bypassCSP,
    });
    // Every wait (waitFor, click, goto) is bounded by this; a loaded 2-CPU machine needs more than
    // Playwright's 30 s to parse and render a large page.
    context.setDefaultTimeout(waitTimeoutMs);
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      requests,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
}

/** The requests that left `origin` (data: and blob: URLs stay in the page, so they count as local). */
export function requestsOutside(requests: readonly string[], origin: string): string[] {
  return requests.filter((url) => {
    const { protocol } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:') return false;
    return new URL(url).origin !== origin;
  });
}
