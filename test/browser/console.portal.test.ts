/**
 * The console opened from a portal session's link (docs/console.md, "Portal") in Chromium, offline,
 * against the real server: the token leaves the URL, the page shows the session's endpoints only and
 * the operator's branding, hides what a portal cannot do, and refuses expired and revoked links.
 *
 * With CONSOLE_SCREENSHOTS_DIR set (docs/console.md), the first test saves portal.png there.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fromTypeId } from '@hookport/spec';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, type TenantFixture } from '../src/support/harness.ts';
import { type Browser, openBrowser, requestsOutside } from './support/browser.ts';
import { type ServedHookport, serveHookport } from './support/server.ts';

interface PortalSession {
  id: string;
  url: string;
  token: string;
}
interface Endpoint {
  id: string;
}

const screenshotDir = process.env.CONSOLE_SCREENSHOTS_DIR;
const accent = '#c2185b';

/** The status of a request made from the page itself with the portal token, as a script in it could. */
async function statusFromPage(page: Page, path: string, token: string): Promise<number> {
  return page.evaluate(async ([p, tk]) => (await fetch(p, { headers: { authorization: `Bearer ${tk}` } })).status, [
    path,
    token,
  ] as const);
}

describe('the console as a portal, in Chromium', () => {
  let hookport: ServedHookport;
  let acme: TenantFixture;
  let endpointA: Endpoint;
  let endpointB: Endpoint;
  let browser: Browser;

  async function endpoint(tenant: TenantFixture, name: string, metadata: Record<string, string>): Promise<Endpoint> {
    const res = await hookport.t.api.post<Endpoint>('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://example.com/hook', name, eventTypes: ['ticket.created'], metadata },
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  async function openPortal(json: Record<string, unknown>): Promise<PortalSession> {
    const res = await hookport.t.api.post<PortalSession>('/v1/portal-sessions', {
      token: hookport.t.adminToken,
      json: { tenantId: acme.id, ...json },
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  /**
   * The session's link in a new tab, its own sessionStorage, as a new visitor opens it. The API was called
   * in-process (its origin is the harness's), so the link's path and fragment are taken to the served origin.
   */
  async function visit(url: string): Promise<Page> {
    const link = new URL(url);
    expect(link.pathname).toBe('/console');
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1200, height: 800 });
    await page.goto(`${hookport.origin}${link.pathname}${link.hash}`);
    return page;
  }

  beforeAll(async () => {
    hookport = await serveHookport({ HOOKPORT_PORTAL_NAME: 'Acme Webhooks', HOOKPORT_PORTAL_ACCENT: accent });
    acme = await createTenant(hookport.t, { name: 'Acme' });
    const other = await createTenant(hookport.t, { name: 'Other' });
    endpointA = await endpoint(acme, 'Customer A hook', { customer: 'a' });
    endpointB = await endpoint(acme, 'Customer B hook', { customer: 'b' });
    await endpoint(other, 'Other tenant hook', { customer: 'a' });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await hookport?.close();
  });

  it("shows a filtered portal its endpoints only, branded, the token out of the URL and others' data refused", async () => {
    const session = await openPortal({ endpointMetadata: { customer: 'a' } });
    const page = await visit(session.url);

    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await page.getByRole('link', { name: 'Customer A hook' }).waitFor();
    expect(await page.getByRole('link', { name: 'Customer B hook' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Other tenant hook' }).count()).toBe(0);
    // The token left the address bar before the first render, and stays in this tab's sessionStorage.
    expect(await page.evaluate<string>('location.hash')).toBe('');
    expect(page.url()).not.toContain(session.token);
    expect(await page.evaluate(() => sessionStorage.getItem('hookport.console.session'))).toContain(session.token);

    // Branding: the name in the header and the title, the accent as the CSS variable.
    await page.getByTestId('brand-name').getByText('Acme Webhooks').waitFor();
    expect(await page.title()).toBe('Acme Webhooks');
    const appliedAccent = await page.evaluate<string>(
      "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()",
    );
    expect(appliedAccent).toBe(accent);

    // A portal has no tenants page; a writing portal keeps its write buttons.
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Tenants' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Endpoints' }).waitFor();
    await page.getByRole('link', { name: 'New endpoint' }).waitFor();
    if (screenshotDir) {
      await mkdir(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, 'portal.png'), fullPage: true });
    }

    // Endpoint b's page is not found, as if it did not exist.
    await page.evaluate(`location.hash = '#/endpoints/${endpointB.id}'`);
    await page
      .getByRole('alert')
      .getByText(/no such endpoint/i)
      .waitFor();
    expect(await page.getByRole('heading', { level: 1, name: 'Customer B hook' }).count()).toBe(0);

    // Endpoint a's page shows, without the tenant-wide views a filtered portal is refused.
    await page.evaluate(`location.hash = '#/endpoints/${endpointA.id}'`);
    await page.getByRole('heading', { level: 1, name: 'Customer A hook' }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).waitFor();

    // From the page, with the portal token: the admin API is refused, b does not exist, a does.
    expect(await statusFromPage(page, '/v1/tenants', session.token)).toBe(403);
    expect(await statusFromPage(page, `/v1/endpoints/${endpointB.id}`, session.token)).toBe(404);
    expect(await statusFromPage(page, `/v1/endpoints/${endpointA.id}`, session.token)).toBe(200);
    expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
    await page.close();
  });

  it('hides the write buttons from a read-only portal, learnt from GET /v1/portal-sessions/current', async () => {
    const session = await openPortal({ readOnly: true });
    const page = await browser.context.newPage();
    const apiCalls: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/v1/')) apiCalls.push(`${r.method()} ${url.pathname}`);
    });
    await page.setViewportSize({ width: 1200, height: 800 });
    const link = new URL(session.url);
    await page.goto(`${hookport.origin}${link.pathname}${link.hash}`);
    await page.getByRole('link', { name: 'Customer B hook' }).waitFor();
    await page.getByText('Portal (read-only)').waitFor();
    // The console asked what the session is instead of trying a write.
    expect(apiCalls).toContain('GET /v1/portal-sessions/current');
    expect(apiCalls.filter((c) => !c.startsWith('GET '))).toEqual([]);
    expect(await page.getByRole('link', { name: 'New endpoint' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Customer A hook' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customer A hook' }).waitFor();
    await page.getByTestId('endpoint-stats').waitFor();
    for (const name of ['Edit', 'Pause', 'Send a ping', 'Rotate secret', 'Delete', 'Recover']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0);
    // The server refuses anyway.
    expect((await hookport.t.api.delete(`/v1/endpoints/${endpointA.id}`, { token: session.token })).status).toBe(403);
    await page.close();
  });

  it('refuses a revoked link and an expired one: the console says so, the API answers 401', async () => {
    const revoked = await openPortal({});
    const res = await hookport.t.api.delete(`/v1/portal-sessions/${revoked.id}`, { token: hookport.t.adminToken });
    expect(res.status).toBe(204);

    const expired = await openPortal({});
    await hookport.t.hp.db.query(`update portal_sessions set expires_at = now() - interval '1 second' where id = $1`, [
      fromTypeId('portalSession', expired.id),
    ]);

    for (const session of [revoked, expired]) {
      const page = await visit(session.url);
      await page
        .getByTestId('signed-out-reason')
        .getByText(/expired or was revoked/)
        .waitFor();
      await page.getByLabel('API token').waitFor();
      expect(await page.evaluate<string>('location.hash')).toBe('');
      expect(await page.evaluate(() => sessionStorage.getItem('hookport.console.session'))).toBeNull();
      expect(await statusFromPage(page, '/v1/endpoints', session.token)).toBe(401);
      await page.close();
    }
  });
});
