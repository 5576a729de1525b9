/**
 * The console's accessibility (issue #19: labels, roles, focus, contrast; 360 px to desktop; light and
 * dark), checked by axe-core in Chromium against the real server: every page, its empty and error states
 * and a form showing field errors, at 360 px and 1280 px wide, light and dark, with no moderate, serious or
 * critical violation and no sideways scrolling; the skip button and the focus on each new page's heading.
 *
 * axe-core is a devDependency of this test package only: its source is read from node_modules and
 * injected into the page by the test (`addScriptTag`, the context bypassing the CSP for it); nothing the
 * product serves loads it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, type TenantFixture } from '../src/support/harness.ts';
import { type Receiver, startReceiver } from '../src/support/receiver.ts';
import { until } from '../src/support/until.ts';
import { type Browser, openBrowser } from './support/browser.ts';
import { type ServedHookport, serveHookport } from './support/server.ts';

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** What the test reads of axe's results (axe-core's own types describe much more). */
interface AxeLike {
  run(options: object): Promise<{
    violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[];
  }>;
}

const views = [
  { width: 360, height: 740, scheme: 'light' },
  { width: 360, height: 740, scheme: 'dark' },
  { width: 1280, height: 900, scheme: 'light' },
  { width: 1280, height: 900, scheme: 'dark' },
] as const;

/**
 * The moderate, serious and critical violations of the page as it is now (WCAG 2.1 A and AA rules and best
 * practices). The issue asks for no serious or critical one; the console has no moderate one either, and
 * keeping it so costs nothing.
 */
async function violations(page: Page, axeSource: string): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: AxeLike }).axe;
    const result = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations
      .filter((v) => v.impact === 'moderate' || v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        targets: v.nodes.map((n) => String(n.target)),
      }));
  });
}

describe('the console is accessible (axe-core), at 360 px and desktop, light and dark', () => {
  let hookport: ServedHookport;
  let tenant: TenantFixture;
  let empty: TenantFixture;
  let receiver: Receiver;
  let browser: Browser;
  let axeSource: string;
  let endpointId: string;
  let deliveryId: string;

  beforeAll(async () => {
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    hookport = await serveHookport();
    tenant = await createTenant(hookport.t, { name: 'Acme' });
    empty = await createTenant(hookport.t, { name: 'Empty' });
    receiver = await startReceiver();
    const created = await hookport.t.api.post<{ id: string }>('/v1/endpoints', {
      token: tenant.token,
      json: {
        url: receiver.url,
        name: 'Billing hook',
        eventTypes: ['ticket.created'],
        filter: { 'data.priority': { $in: ['high', 'urgent'] } },
        retrySchedule: [10, 60],
        timeoutMs: 5000,
      },
    });
    expect(created.status, created.text).toBe(201);
    endpointId = created.body.id;
    const ping = await hookport.t.api.post<{ id: string }>(`/v1/endpoints/${endpointId}/ping`, { token: tenant.token });
    expect(ping.status).toBe(202);
    deliveryId = ping.body.id;
    await until('the ping delivered', async () => {
      const d = await hookport.t.api.get<{ status: string }>(`/v1/deliveries/${deliveryId}`, { token: tenant.token });
      return d.body.status === 'succeeded' ? true : undefined;
    });
    browser = await openBrowser({ bypassCSP: true });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await hookport?.close();
  });

  /** Checks the page in every view; `ready` waits for the state under test (not a loading one). */
  async function checkEveryView(page: Page, name: string, ready: () => Promise<void>): Promise<Violation[]> {
    const found: Violation[] = [];
    for (const view of views) {
      await page.setViewportSize({ width: view.width, height: view.height });
      await page.emulateMedia({ colorScheme: view.scheme });
      await ready();
      // Fits the width: wide tables scroll inside their own box, the page never sideways.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      if (overflow > 0)
        found.push({
          id: 'page-overflow',
          impact: 'serious',
          help: `${name} ${view.width}px: ${overflow}px too wide`,
          targets: [],
        });
      for (const v of await violations(page, axeSource))
        found.push({ ...v, help: `${name} ${view.width}px ${view.scheme}: ${v.help}` });
    }
    return found;
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto(`${hookport.origin}/console`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function go(page: Page, hash: string): Promise<void> {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  }

  it('finds no moderate, serious or critical violation on any page, state or view', async () => {
    const { page } = browser;
    const found: Violation[] = [];
    const h1 = (name: string | RegExp) => () => page.getByRole('heading', { level: 1, name }).waitFor();

    // Signed out: the sign-in page, and its error after a bad token.
    await page.goto(`${hookport.origin}/console`);
    found.push(...(await checkEveryView(page, 'sign-in', h1('Hookport console'))));
    await page.getByLabel('API token').fill('hp_not_a_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-error').waitFor();
    found.push(...(await checkEveryView(page, 'sign-in error', () => page.locator('#sign-in-error').waitFor())));

    await signIn(page, tenant.token);
    const pages: [string, string, () => Promise<void>][] = [
      ['endpoints', '#/endpoints', () => page.getByRole('link', { name: 'Billing hook' }).waitFor()],
      ['endpoint', `#/endpoints/${endpointId}`, () => page.getByTestId('endpoint-stats').waitFor()],
      [
        'endpoint edit',
        `#/endpoints/${endpointId}/edit`,
        () => page.getByLabel('Attempt timeout (milliseconds)').waitFor(),
      ],
      ['deliveries', '#/deliveries', () => page.getByRole('link', { name: deliveryId }).first().waitFor()],
      ['delivery', `#/deliveries/${deliveryId}`, h1(/delivery/i)],
      ['event types', '#/event-types', () => page.getByText('ticket.created').first().waitFor()],
      ['not found endpoint', '#/endpoints/ep_01jbz8c1x9f8r5m6w0q2v3t4yz', () => page.getByRole('alert').waitFor()],
      ['unknown page', '#/nowhere', h1('Page not found')],
    ];
    for (const [name, hash, ready] of pages) {
      await go(page, hash);
      found.push(...(await checkEveryView(page, name, ready)));
    }

    // The delivery log's bulk replay open, with a dry run's count and the replay button.
    await go(page, '#/deliveries');
    await page.getByRole('button', { name: 'Replay…' }).click();
    await page.getByRole('button', { name: 'Count matching deliveries' }).click();
    found.push(...(await checkEveryView(page, 'bulk replay', () => page.getByTestId('replay-count').waitFor())));

    // The new-endpoint form with its filter test open, then showing the API's field errors.
    await go(page, '#/endpoints/new');
    await page.getByLabel('URL', { exact: true }).waitFor();
    await page.getByText('Test the filter against a sample event').click();
    found.push(...(await checkEveryView(page, 'new endpoint', () => page.getByLabel('Sample event type').waitFor())));
    await page.getByLabel('URL', { exact: true }).fill('https://example.com/hook');
    await page.getByLabel('Wildcards and other types').fill('ticket.*');
    await page.getByLabel('Retry schedule (seconds before each retry)').fill('0');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    found.push(...(await checkEveryView(page, 'field errors', () => page.locator('#ep-retry-error').waitFor())));

    // Empty states: a tenant without endpoints.
    await signIn(page, empty.token);
    found.push(
      ...(await checkEveryView(page, 'endpoints empty', () =>
        page
          .getByText(/no endpoints/i)
          .first()
          .waitFor(),
      )),
    );

    // The admin's tenant picker.
    await signIn(page, hookport.t.adminToken);
    found.push(
      ...(await checkEveryView(page, 'tenants', () => page.getByRole('button', { name: 'Open Acme' }).waitFor())),
    );

    expect(found).toEqual([]);

    // The keyboard: a new page's heading takes the focus; "Skip to content" is the first thing in the tab
    // order and moves the focus to the heading.
    await until('the heading focused', async () =>
      (await page.evaluate<string>('document.activeElement.textContent')) === 'Tenants' ? true : undefined,
    );
    const first = await page.evaluate<string>(
      `document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])').textContent`,
    );
    expect(first).toBe('Skip to content');
    await page.getByRole('button', { name: 'Skip to content' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Tenants');

    // The check itself works: an unlabelled field and grey-on-grey text put into the page are reported.
    await page.evaluate(`(() => {
      const main = document.querySelector('main');
      const probe = document.createElement('div');
      probe.id = 'a11y-probe';
      probe.innerHTML = '<input type="text"><p style="color:#777;background:#888">faint text</p>';
      main.append(probe);
    })()`);
    const planted = (await violations(page, axeSource)).map((v) => v.id);
    expect(planted).toEqual(expect.arrayContaining(['label', 'color-contrast']));
    await page.evaluate(`document.getElementById('a11y-probe').remove()`);
  });
});
