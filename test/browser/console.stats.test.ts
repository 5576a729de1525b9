/**
 * The console's statistics in Chromium, offline, against the real server: after real deliveries (three
 * succeed, one fails for good) to a receiver on 127.0.0.1, the endpoint page draws its charts (uPlot
 * canvases) and its text alternative gives the success ratio the API answers; the endpoints list shows
 * the same ratio beside its sparkline; the charts fit 360 px; and the strict CSP reports no violation
 * (uPlot's stylesheet is bundled as a file, its inline style attributes are set through the CSSOM).
 *
 * With CONSOLE_SCREENSHOTS_DIR set (docs/console.md), it saves the endpoint page's PNGs there.
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

interface Stats {
  total: { successRatio: number | null; deliveries: { succeeded: number; failed: number } };
}

const screenshotDir = process.env.CONSOLE_SCREENSHOTS_DIR;

async function screenshot(page: Page, name: string): Promise<void> {
  if (!screenshotDir) return;
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The console's rendering of a ratio (console/src/stats/ranges.ts formatRatio). */
const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

describe('the console statistics in Chromium, offline', () => {
  let hookport: ServedHookport;
  let tenant: TenantFixture;
  let receiver: Receiver;
  let endpointId: string;

  beforeAll(async () => {
    // One immediate retry, so a failing delivery fails for good quickly; never disable the endpoint.
    hookport = await serveHookport({ HOOKPORT_RETRY_SCHEDULE: '0', HOOKPORT_DISABLE_AFTER_FAILURES: '0' });
    tenant = await createTenant(hookport.t, { name: 'Acme' });
    // The receiver fails every request for an event whose payload asks for it.
    receiver = await startReceiver((req, _n, res) => {
      res.writeHead(req.body.includes('"fail":true') ? 500 : 204).end();
    });
    const type = await hookport.t.api.post('/v1/event-types', {
      token: tenant.token,
      json: { name: 'order.created', description: 'An order was placed' },
    });
    expect(type.status).toBe(201);
    const created = await hookport.t.api.post<{ id: string }>('/v1/endpoints', {
      token: tenant.token,
      json: { url: receiver.url, name: 'Orders', eventTypes: ['order.created'] },
    });
    expect(created.status).toBe(201);
    endpointId = created.body.id;
    for (const fail of [false, false, false, true]) {
      const event = await hookport.t.api.post('/v1/events', {
        token: tenant.token,
        json: { type: 'order.created', data: { fail } },
      });
      expect(event.status).toBe(202);
    }
    await until(
      'four deliveries to end',
      async () => {
        const res = await hookport.t.api.get<{ data: { status: string }[] }>(
          `/v1/deliveries?endpointId=${endpointId}`,
          { token: tenant.token },
        );
        const ended = res.body.data.filter((d) => d.status === 'succeeded' || d.status === 'failed');
        return ended.length === 4 ? ended : undefined;
      },
      { timeoutMs: 60_000 },
    );
  });
  afterAll(async () => {
    await receiver?.close();
    await hookport?.close();
  });

  it('draws the charts with the figures the API answers, at 360 px too, without a CSP violation', async () => {
    const api = await hookport.t.api.get<Stats>(`/v1/endpoints/${endpointId}/stats?bucket=hour`, {
      token: tenant.token,
    });
    expect(api.status).toBe(200);
    expect(api.body.total.deliveries).toEqual({ succeeded: 3, failed: 1 });
    const ratio = api.body.total.successRatio;
    expect(ratio).toBe(0.75);
    const shown = percent(0.75);

    const browser = await openBrowser();
    try {
      const { page } = browser;
      // Every CSP violation the page reports, from before its first script runs.
      // (Scripts as strings: the test project's TypeScript has no DOM library.)
      await page.addInitScript({
        content: `window.__cspViolations = [];
          document.addEventListener('securitypolicyviolation', (e) =>
            window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`,
      });
      const consoleErrors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text());
      });
      await page.setViewportSize({ width: 1200, height: 900 });
      await page.goto(`${hookport.origin}/console`);
      await page.getByLabel('API token').fill(tenant.token);
      await page.getByRole('button', { name: 'Sign in' }).click();

      // The endpoints list: a sparkline and the 24 h ratio as text.
      await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
      const health = page.getByTestId('health');
      await health.waitFor();
      expect(await health.getByTestId('health-ratio').textContent()).toBe(shown);
      expect(await health.locator('canvas').count()).toBe(1);

      // The endpoint page: two charts, each a figure with a caption and a table of its figures.
      await page.getByRole('link', { name: 'Orders' }).click();
      const stats = page.getByTestId('endpoint-stats');
      await stats.getByTestId('stats-summary').waitFor();
      expect(await stats.getByTestId('stats-success-ratio').textContent()).toBe(shown);
      expect(await stats.locator('figure canvas').count()).toBe(2);
      expect(await stats.locator('figcaption').allTextContents()).toEqual([
        'Success ratio (%), last 24 hours (by hour)',
        'Attempt latency p50, p95 and p99 (ms), last 24 hours (by hour)',
      ]);
      // All four deliveries ended within the last minutes, so one or two hourly rows sum to 3 and 1.
      const rows = await stats.getByTestId('ratio-table').locator('tbody tr').allTextContents();
      expect(rows.length).toBeGreaterThan(0);
      if (rows.length === 1) expect(rows[0]).toContain(shown);
      expect(await stats.getByTestId('latency-table').locator('tbody tr').count()).toBe(rows.length);
      await screenshot(page, 'endpoint');

      // Another range is another query; the same deliveries, by minute.
      await page.getByRole('radio', { name: 'Last hour (by minute)' }).check();
      await stats.getByText('Success ratio (%), last hour (by minute)').waitFor();
      expect(await stats.getByTestId('stats-success-ratio').textContent()).toBe(shown);

      // At 360 px the charts shrink with the page: nothing wider than the viewport.
      await page.setViewportSize({ width: 360, height: 780 });
      await until(
        'the charts to fit 360 px',
        async () => {
          const widths = await stats
            .locator('figure canvas')
            .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
          return widths.length === 2 && widths.every((w) => w > 0 && w <= 360) ? widths : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await screenshot(page, 'endpoint-stats-360px');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize({ width: 1200, height: 900 });
      await screenshot(page, 'endpoint-stats-dark');

      // No CSP violation, as events or as console errors; and nothing left the origin.
      expect(await page.evaluate<string[]>('window.__cspViolations')).toEqual([]);
      expect(consoleErrors.filter((t) => /Content Security Policy/i.test(t))).toEqual([]);
      expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('shows the empty state for a range with no deliveries', async () => {
    const created = await hookport.t.api.post<{ id: string }>('/v1/endpoints', {
      token: tenant.token,
      json: { url: receiver.url, name: 'Quiet', eventTypes: ['ticket.*'] },
    });
    expect(created.status).toBe(201);
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(`${hookport.origin}/console`);
      await page.getByLabel('API token').fill(tenant.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Quiet' }).click();
      await page.getByText('No delivery attempts in the last 24 hours (by hour).').waitFor();
      expect(await page.getByTestId('endpoint-stats').locator('canvas').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
