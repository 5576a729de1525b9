/**
 * The console's delivery actions that came with ordered delivery (docs/console.md, "Pages"), in Chromium
 * against the real server and a real receiver on 127.0.0.1: skipping a held delivery from its page (after a
 * confirmation), and bulk replay from the delivery log (a dry run's count, then the replay) of failed
 * deliveries to a receiver that now answers 204. A read-only portal sees neither.
 *
 * With CONSOLE_SCREENSHOTS_DIR set (docs/console.md), it also saves delivery-skip.png and deliveries-replay.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, type TenantFixture } from '../src/support/harness.ts';
import { type Receiver, startReceiver } from '../src/support/receiver.ts';
import { until } from '../src/support/until.ts';
import { type Browser, openBrowser, requestsOutside } from './support/browser.ts';
import { type ServedHookport, serveHookport } from './support/server.ts';

interface DeliveryRow {
  id: string;
  status: string;
  attemptCount: number;
}
interface Endpoint {
  id: string;
}

const screenshotDir = process.env.CONSOLE_SCREENSHOTS_DIR;

/** A PNG of the page for docs/console/, when asked for; a no-op in ordinary runs. */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!screenshotDir) return;
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

describe('the console: skip and bulk replay', () => {
  let hookport: ServedHookport;
  let tenant: TenantFixture;
  let receiver: Receiver;
  let browser: Browser;

  const deliveriesOf = async (endpointId: string): Promise<DeliveryRow[]> => {
    const res = await hookport.t.api.get<{ data: DeliveryRow[] }>(`/v1/deliveries?endpointId=${endpointId}`, {
      token: tenant.token,
    });
    return res.body.data;
  };

  async function endpoint(json: Record<string, unknown>): Promise<Endpoint> {
    const res = await hookport.t.api.post<Endpoint>('/v1/endpoints', {
      token: tenant.token,
      json: { url: receiver.url, eventTypes: ['ticket.created'], ...json },
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  async function publish(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const res = await hookport.t.api.post('/v1/events', {
        token: tenant.token,
        json: { type: 'ticket.created', data: { n: i } },
      });
      expect(res.status, res.text).toBe(202);
    }
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${hookport.origin}/console`);
    await page.getByLabel('API token').fill(tenant.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
  }

  beforeAll(async () => {
    hookport = await serveHookport();
    tenant = await createTenant(hookport.t, { name: 'Acme' });
    receiver = await startReceiver();
    browser = await openBrowser();
    await browser.page.setViewportSize({ width: 1200, height: 900 });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await hookport?.close();
  });

  it('skips a held delivery after a confirmation; the page then shows it skipped', async () => {
    const paused = await endpoint({ name: 'Paused hook' });
    const patched = await hookport.t.api.patch(`/v1/endpoints/${paused.id}`, {
      token: tenant.token,
      json: { status: 'paused' },
    });
    expect(patched.status, patched.text).toBe(200);
    await publish(1);
    const [held] = await until('a held delivery', async () => {
      const rows = await deliveriesOf(paused.id);
      return rows[0]?.status === 'held' ? rows : undefined;
    });

    const { page } = browser;
    await signIn(page);
    await page.goto(`${hookport.origin}/console#/deliveries/${held?.id}`);
    await page.getByRole('heading', { level: 1, name: /^Delivery/ }).waitFor();
    await page.getByRole('button', { name: 'Skip', exact: true }).click();
    // Nothing happens before the confirmation; Cancel goes back.
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await deliveriesOf(paused.id))[0]?.status).toBe('held');
    await page.getByRole('button', { name: 'Skip', exact: true }).click();
    await screenshot(page, 'delivery-skip');
    await page.getByRole('button', { name: 'Skip delivery' }).click();
    await page.getByRole('status').getByText('Delivery skipped.').waitFor();
    await page.locator('.page-head').getByText('skipped', { exact: true }).waitFor();
    expect((await deliveriesOf(paused.id))[0]?.status).toBe('skipped');
    // A skipped delivery cannot be skipped again: the button is gone.
    expect(await page.getByRole('button', { name: 'Skip', exact: true }).count()).toBe(0);
    expect(receiver.received).toHaveLength(0);
  });

  it('replays failed deliveries after a dry run, to a receiver that now answers 204', async () => {
    receiver.respond((_req, _n, res) => {
      res.writeHead(500).end('down');
    });
    const failing = await endpoint({ name: 'Failing hook', retrySchedule: [] });
    await publish(2);
    await until('two failed deliveries', async () => {
      const rows = await deliveriesOf(failing.id);
      return rows.length === 2 && rows.every((r) => r.status === 'failed') ? rows : undefined;
    });
    receiver.respond((_req, _n, res) => {
      res.writeHead(204).end();
    });
    const before = receiver.received.length;

    const { page } = browser;
    await page.goto(`${hookport.origin}/console#/deliveries`);
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByLabel('Endpoint id').fill(failing.id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('button', { name: 'Replay…' }).click();
    await page.getByRole('heading', { level: 2, name: 'Replay deliveries' }).waitFor();
    await page.getByRole('button', { name: 'Count matching deliveries' }).click();
    await page.getByTestId('replay-count').getByText('2 deliveries match.').waitFor();
    // The dry run queued nothing.
    expect((await deliveriesOf(failing.id)).every((r) => r.status === 'failed')).toBe(true);
    expect(receiver.received).toHaveLength(before);

    await screenshot(page, 'deliveries-replay');
    await page.getByRole('button', { name: 'Replay 2 deliveries' }).click();
    await page.getByRole('button', { name: 'Replay now' }).click();
    await page.getByRole('status').getByText('2 deliveries queued again.').waitFor();
    await until('both deliveries succeeded', async () => {
      const rows = await deliveriesOf(failing.id);
      return rows.every((r) => r.status === 'succeeded' && r.attemptCount === 2) ? rows : undefined;
    });
    await receiver.waitFor(before + 2);
    expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
  });

  it('a read-only portal has neither Skip nor Replay', async () => {
    const paused = await endpoint({ name: 'Read-only view' });
    await hookport.t.api.patch(`/v1/endpoints/${paused.id}`, { token: tenant.token, json: { status: 'paused' } });
    await publish(1);
    const [held] = await until('a held delivery', async () => {
      const rows = await deliveriesOf(paused.id);
      return rows[0]?.status === 'held' ? rows : undefined;
    });
    const session = await hookport.t.api.post<{ url: string }>('/v1/portal-sessions', {
      token: hookport.t.adminToken,
      json: { tenantId: tenant.id, readOnly: true },
    });
    expect(session.status, session.text).toBe(201);
    const link = new URL(session.body.url);
    const page = await browser.context.newPage();
    await page.goto(`${hookport.origin}${link.pathname}${link.hash}`);
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await page.goto(`${hookport.origin}/console#/deliveries/${held?.id}`);
    await page.getByRole('heading', { level: 1, name: /^Delivery/ }).waitFor();
    await page.getByRole('button', { name: 'Refresh' }).waitFor();
    expect(await page.getByRole('button', { name: 'Skip', exact: true }).count()).toBe(0);
    await page.goto(`${hookport.origin}/console#/deliveries`);
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    await page.getByRole('button', { name: 'Apply filters' }).waitFor();
    expect(await page.getByRole('button', { name: 'Replay…' }).count()).toBe(0);
    await page.close();
  });
});
