/**
 * The web console (/console) in Chromium, offline, against the real server: an operator signs in with a
 * tenant token, creates an endpoint to a real receiver on 127.0.0.1, sees an event published through the
 * API delivered, opens its attempts and redelivers; hostile strings from tenants and receivers stay text;
 * the page never leaves its origin.
 *
 * With CONSOLE_SCREENSHOTS_DIR set (docs/console.md), the first test also saves a PNG of each page there.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, type TenantFixture } from '../src/support/harness.ts';
import { type Receiver, startReceiver } from '../src/support/receiver.ts';
import { until } from '../src/support/until.ts';
import { openBrowser, requestsOutside } from './support/browser.ts';
import { type ServedHookport, serveHookport } from './support/server.ts';

interface DeliveryRow {
  id: string;
  status: string;
  attemptCount: number;
}

const screenshotDir = process.env.CONSOLE_SCREENSHOTS_DIR;

/** A PNG of the page for docs/console/, when asked for; a no-op in ordinary runs. */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!screenshotDir) return;
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Hostile markup a tenant or a receiver might send; run as code, it would set window.__pwned. */
const hostile = {
  img: '<img src=x onerror="window.__pwned=\'img\'">',
  script: '<script>window.__pwned="script"</script>',
};

describe('the console in Chromium, offline', () => {
  let hookport: ServedHookport;
  let tenant: TenantFixture;
  let receiver: Receiver;

  beforeAll(async () => {
    // The harness allows 127.0.0.0/8 as an egress target, so endpoints may point at the local receiver.
    hookport = await serveHookport();
    tenant = await createTenant(hookport.t, { name: 'Acme' });
    const created = await hookport.t.api.post('/v1/event-types', {
      token: tenant.token,
      json: {
        name: 'order.created',
        description: 'An order was placed',
        schema: {
          type: 'object',
          properties: { orderId: { type: 'string', examples: ['ord_1001'] }, note: { type: 'string' } },
          required: ['orderId'],
        },
      },
    });
    expect(created.status).toBe(201);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await hookport?.close();
  });

  const deliveriesOf = async (query: string): Promise<DeliveryRow[]> => {
    const res = await hookport.t.api.get<{ data: DeliveryRow[] }>(`/v1/deliveries?${query}`, { token: tenant.token });
    return res.body.data;
  };

  async function signIn(page: Page, token: string): Promise<void> {
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in, creates an endpoint, shows a published event delivered, its attempts, and redelivers', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.setViewportSize({ width: 1200, height: 900 });
      await page.goto(`${hookport.origin}/`);
      expect(new URL(page.url()).pathname).toBe('/console');
      await page.getByRole('heading', { level: 1, name: 'Hookport console' }).waitFor();
      await screenshot(page, 'sign-in');

      await signIn(page, tenant.token);
      await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
      await page.getByText('No endpoints yet.').waitFor();
      // The token is in this tab's sessionStorage, never in the URL.
      expect(page.url()).not.toContain(tenant.token);
      expect(await page.evaluate(() => sessionStorage.getItem('hookport.console.session'))).toContain(tenant.token);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);

      await page.getByRole('link', { name: 'New endpoint' }).click();
      await page.getByRole('heading', { level: 1, name: 'New endpoint' }).waitFor();
      await page.locator('#ep-url').fill(receiver.url);
      await page.locator('#ep-name').fill('Orders');
      await page.locator('#ep-description').fill('Receives new orders');
      await page.getByRole('checkbox', { name: /order\.created/ }).check();
      await page.locator('#ep-patterns').fill('ticket.*');
      await page.getByRole('button', { name: 'Add header' }).click();
      await page.locator('.header-row').getByLabel('Name').fill('X-Team');
      await page.locator('.header-row').getByLabel('Value').fill('billing-team-42');
      await page.locator('#ep-rate').fill('5');
      await screenshot(page, 'endpoint-new');
      // From the keyboard: focus on the button and Enter submits the form.
      await page.getByRole('button', { name: 'Create endpoint' }).press('Enter');

      // The secret is shown once, focused.
      const secret = page.getByTestId('secret');
      await secret.waitFor();
      expect(await secret.textContent()).toMatch(/^whsec_/);
      await page.getByRole('link', { name: 'Open the endpoint' }).click();
      await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
      const endpoints = await hookport.t.api.get<{ data: { id: string; eventTypes: string[]; rateLimit: number }[] }>(
        '/v1/endpoints',
        { token: tenant.token },
      );
      expect(endpoints.body.data).toHaveLength(1);
      const endpoint = endpoints.body.data[0];
      expect(endpoint?.eventTypes).toEqual(['order.created', 'ticket.*']);
      expect(endpoint?.rateLimit).toBe(5);

      // An event published through the API reaches the receiver, and the log shows it delivered.
      const event = await hookport.t.api.post<{ id: string }>('/v1/events', {
        token: tenant.token,
        json: { type: 'order.created', data: { orderId: 'ord_1001', note: 'two coffees' } },
      });
      expect(event.status).toBe(202);
      await receiver.waitFor(1, 30_000);
      const delivered = await until(
        'the delivery to succeed',
        async () => (await deliveriesOf(`eventId=${event.body.id}`)).find((d) => d.status === 'succeeded'),
        { timeoutMs: 30_000 },
      );
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('link', { name: delivered.id }).waitFor();
      await screenshot(page, 'endpoint');

      await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: delivered.id }) });
      await row.getByText('succeeded').waitFor();
      // The status filter narrows the log through the API's query.
      await page.getByLabel('Status', { exact: true }).selectOption('failed');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No deliveries match.').waitFor();
      expect(page.url()).toContain('status=failed');
      await page.getByRole('link', { name: 'Clear' }).click();
      await row.waitFor();
      await screenshot(page, 'deliveries');

      // Search by event id, then open the delivery and its attempt.
      await page.getByLabel('Delivery or event id').fill(event.body.id);
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('link', { name: delivered.id }).click();
      await page.getByRole('heading', { level: 1, name: `Delivery ${delivered.id}` }).waitFor();
      await page.getByText('Attempt 1: HTTP 204').click();
      await page.getByText('"note": "two coffees"').waitFor();
      // The request as sent: the body the receiver got, byte for byte, and the headers as text, signature hidden.
      const [sent] = receiver.received;
      expect(await page.locator('pre.request-body').first().textContent()).toBe(sent?.body);
      const requestHeaders = await page.locator('pre.request-headers').first().textContent();
      expect(requestHeaders).toContain('webhook-signature: v1,<signature>');
      expect(requestHeaders).toContain(`webhook-id: ${String(sent?.headers['webhook-id'])}`);
      await screenshot(page, 'delivery');

      await page.getByRole('button', { name: 'Redeliver' }).click();
      await page.getByText('Redelivery queued').waitFor();
      await receiver.waitFor(2, 30_000);
      await until(
        'the redelivery to be recorded',
        async () => (await deliveriesOf(`eventId=${event.body.id}`)).find((d) => d.attemptCount === 2),
        { timeoutMs: 30_000 },
      );
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByText('Attempt 2: HTTP 204').waitFor();

      await page.getByRole('link', { name: 'Event types' }).click();
      await page.getByRole('heading', { level: 2, name: 'order.created' }).waitFor();
      const orderType = page
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading', { name: 'order.created' }) });
      await orderType.getByText('Example payload').click();
      await orderType.getByText('"orderId": "ord_1001"').waitFor();
      await screenshot(page, 'event-types');

      // The same pages at 360 px and in dark mode.
      await page.setViewportSize({ width: 360, height: 780 });
      await page.getByRole('link', { name: 'Endpoints' }).click();
      await page.getByRole('link', { name: 'Orders' }).waitFor();
      await screenshot(page, 'endpoints-360px');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize({ width: 1200, height: 900 });
      await screenshot(page, 'endpoints-dark');

      expect(browser.requests).toContain(`${hookport.origin}/console`);
      expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('renders hostile descriptions, payloads and response bodies as text, under a strict CSP', async () => {
    const hostileReceiver = await startReceiver((_req, _n, res) => {
      res.writeHead(500, { 'content-type': 'text/html' }).end(`${hostile.img}${hostile.script}`);
    });
    const browser = await openBrowser();
    try {
      const type = await hookport.t.api.post('/v1/event-types', {
        token: tenant.token,
        json: { name: 'hostile.test', description: hostile.img },
      });
      expect(type.status).toBe(201);
      const ep = await hookport.t.api.post<{ id: string }>('/v1/endpoints', {
        token: tenant.token,
        json: {
          url: hostileReceiver.url,
          name: hostile.img,
          description: `${hostile.script} ${hostile.img}`,
          eventTypes: ['hostile.*'],
        },
      });
      expect(ep.status).toBe(201);
      const event = await hookport.t.api.post<{ id: string }>('/v1/events', {
        token: tenant.token,
        json: { type: 'hostile.test', data: { html: hostile.img, script: hostile.script } },
      });
      expect(event.status).toBe(202);
      await hostileReceiver.waitFor(1, 30_000);
      const delivery = await until(
        'the first attempt to be recorded',
        async () => (await deliveriesOf(`eventId=${event.body.id}`)).find((d) => d.attemptCount >= 1),
        { timeoutMs: 30_000 },
      );

      const { page } = browser;
      const response = await page.goto(`${hookport.origin}/console`);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await signIn(page, tenant.token);
      await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();

      await page.goto(`${hookport.origin}/console#/endpoints/${ep.body.id}`);
      await page.getByRole('heading', { level: 1, name: hostile.img }).waitFor();
      expect(await page.getByTestId('endpoint-description').textContent()).toBe(`${hostile.script} ${hostile.img}`);

      await page.goto(`${hookport.origin}/console#/deliveries/${delivery.id}`);
      await page.getByRole('heading', { level: 1, name: `Delivery ${delivery.id}` }).waitFor();
      await page.getByText(/^Attempt 1: HTTP 500/).click();
      await page.locator('pre.response').first().waitFor();
      expect(await page.locator('pre.response').first().textContent()).toBe(`${hostile.img}${hostile.script}`);
      expect(await page.locator('pre.json').textContent()).toContain(JSON.stringify(hostile.img).slice(1, -1));
      // The request body sent carries the hostile payload: text too. A retry may have been made by now (the
      // receiver answers 500); every attempt of a delivery sends the same body.
      const requestBody = page.locator('pre.request-body').first();
      expect(await requestBody.textContent()).toBe(hostileReceiver.received[0]?.body);
      expect(await requestBody.textContent()).toContain(JSON.stringify(hostile.img).slice(1, -1));

      // Nothing ran, no element was made from the strings, and no image was requested.
      expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
      expect(await page.locator('main img, main script').count()).toBe(0);
      expect(browser.requests.filter((url) => /\/x$/.test(url))).toEqual([]);
      expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
    } finally {
      await browser.close();
      await hostileReceiver.close();
    }
  });
});
