/**
 * The admin token in the console (docs/console.md, "Admin: pick a tenant"), in Chromium, offline, against
 * the real server: it lists the tenants, opens one through a portal session it mints, sees that tenant's
 * endpoints only, switches to another (the first session revoked), gets a fresh session when its session
 * expired (staying on its page), and revokes the session when signing out.
 *
 * With CONSOLE_SCREENSHOTS_DIR set (docs/console.md), it saves tenants-admin.png there.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fromTypeId } from '@hookport/spec';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, type TenantFixture } from '../src/support/harness.ts';
import { until } from '../src/support/until.ts';
import { type Browser, openBrowser, requestsOutside } from './support/browser.ts';
import { type ServedHookport, serveHookport } from './support/server.ts';

const screenshotDir = process.env.CONSOLE_SCREENSHOTS_DIR;

interface StoredSession {
  kind: string;
  tenant?: { id: string; name: string; sessionId: string; token: string };
}

/** The session the console keeps in this tab's sessionStorage (console/src/session.ts). */
async function stored(page: Page): Promise<StoredSession> {
  const raw = await page.evaluate(() => sessionStorage.getItem('hookport.console.session'));
  expect(raw).not.toBeNull();
  return JSON.parse(raw ?? '{}') as StoredSession;
}

describe('the admin token in the console, in Chromium', () => {
  let hookport: ServedHookport;
  let acme: TenantFixture;
  let globex: TenantFixture;
  let browser: Browser;

  async function endpoint(tenant: TenantFixture, name: string): Promise<void> {
    const res = await hookport.t.api.post('/v1/endpoints', {
      token: tenant.token,
      json: { url: 'https://example.com/hook', name, eventTypes: ['ticket.created'] },
    });
    expect(res.status, res.text).toBe(201);
  }

  /** What the API says of a portal token now: 200 while its session lives, 401 once revoked or expired. */
  async function sessionStatus(token: string): Promise<number> {
    return (await hookport.t.api.get('/v1/portal-sessions/current', { token })).status;
  }

  beforeAll(async () => {
    hookport = await serveHookport();
    acme = await createTenant(hookport.t, { name: 'Acme' });
    globex = await createTenant(hookport.t, { name: 'Globex' });
    await endpoint(acme, 'Acme hook');
    await endpoint(globex, 'Globex hook');
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await hookport?.close();
  });

  it("signs in, picks a tenant and sees that tenant's endpoints only, switches tenants, signs out", async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1200, height: 800 });
    await page.goto(`${hookport.origin}/console`);
    await page.getByLabel('API token').fill(hookport.t.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.getByRole('cell', { name: 'Acme', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'Globex', exact: true }).waitFor();
    await page.getByText('Admin', { exact: true }).waitFor();
    if (screenshotDir) {
      await mkdir(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, 'tenants-admin.png'), fullPage: true });
    }

    // Acme: its endpoints only, with the write actions of a tenant.
    await page.getByRole('button', { name: 'Open Acme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await page.getByRole('link', { name: 'Acme hook' }).waitFor();
    expect(await page.getByRole('link', { name: 'Globex hook' }).count()).toBe(0);
    await page.getByText('Admin, as Acme').waitFor();
    await page.getByRole('link', { name: 'New endpoint' }).waitFor();
    const asAcme = await stored(page);
    expect(asAcme).toMatchObject({ kind: 'admin', tenant: { id: acme.id, name: 'Acme' } });
    expect(asAcme.tenant?.token).toMatch(/^hpp_/);
    const acmeToken = asAcme.tenant?.token ?? '';
    expect(await sessionStatus(acmeToken)).toBe(200);

    // Back to the tenants: Acme is the current one; Globex replaces it, and Acme's session is revoked.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.getByRole('link', { name: 'Current tenant' }).waitFor();
    await page.getByRole('button', { name: 'Open Globex' }).click();
    await page.getByRole('link', { name: 'Globex hook' }).waitFor();
    expect(await page.getByRole('link', { name: 'Acme hook' }).count()).toBe(0);
    await page.getByText('Admin, as Globex').waitFor();
    await until('the previous tenant session revoked', async () =>
      (await sessionStatus(acmeToken)) === 401 ? true : undefined,
    );

    // The session expired while the tab was away: at load the console opens a new one for the same tenant.
    const globexSession = (await stored(page)).tenant;
    expect(globexSession?.id).toBe(globex.id);
    await hookport.t.hp.db.query(`update portal_sessions set expires_at = now() - interval '1 second' where id = $1`, [
      fromTypeId('portalSession', globexSession?.sessionId ?? ''),
    ]);
    await nav.getByRole('link', { name: 'Event types' }).click();
    await page.getByRole('heading', { level: 1, name: 'Event types' }).waitFor();
    await page.reload();
    // Renewed in place: the same page, as the same tenant.
    await page.getByRole('heading', { level: 1, name: 'Event types' }).waitFor();
    await page.getByText('Admin, as Globex').waitFor();
    await nav.getByRole('link', { name: 'Endpoints' }).click();
    await page.getByRole('link', { name: 'Globex hook' }).waitFor();
    const renewed = (await stored(page)).tenant;
    expect(renewed?.id).toBe(globex.id);
    expect(renewed?.token).not.toBe(globexSession?.token);
    expect(await sessionStatus(renewed?.token ?? '')).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await until('the session revoked at sign-out', async () =>
      (await sessionStatus(renewed?.token ?? '')) === 401 ? true : undefined,
    );
    expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
  });
});
