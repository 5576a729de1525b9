/**
 * The endpoint form's delivery settings (docs/console.md, "Pages"), in Chromium against the real server: a
 * payload filter tested against a sample event through the API, a retry schedule and an attempt timeout;
 * the API's 422s shown next to the field they name, with nothing stored; then stored, shown on the
 * endpoint page, edited back to the profile's defaults. The ordering (fifo) likewise.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, type TenantFixture } from '../src/support/harness.ts';
import { type Browser, openBrowser, requestsOutside } from './support/browser.ts';
import { type ServedHookport, serveHookport } from './support/server.ts';

interface Endpoint {
  id: string;
  filter: Record<string, unknown> | null;
  retrySchedule: number[] | null;
  timeoutMs: number | null;
  ordering: 'fifo' | 'unordered';
}

describe('the endpoint form: filter, retry schedule, timeout', () => {
  let hookport: ServedHookport;
  let tenant: TenantFixture;
  let browser: Browser;

  async function endpoints(): Promise<Endpoint[]> {
    const res = await hookport.t.api.get<{ data: Endpoint[] }>('/v1/endpoints', { token: tenant.token });
    return res.body.data;
  }

  async function fieldError(page: Page, id: string): Promise<string> {
    const error = page.locator(`#${id}-error`);
    await error.waitFor();
    expect(await page.locator(`#${id}`).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${id}`).getAttribute('aria-describedby')).toContain(`${id}-error`);
    return (await error.textContent()) ?? '';
  }

  beforeAll(async () => {
    hookport = await serveHookport();
    tenant = await createTenant(hookport.t, { name: 'Acme' });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await hookport?.close();
  });

  it('tests a filter, shows the API field errors next to the fields, stores and edits the settings', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(`${hookport.origin}/console`);
    await page.getByLabel('API token').fill(tenant.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'New endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'New endpoint' }).waitFor();
    await page.getByLabel('URL', { exact: true }).fill('https://example.com/hook');
    await page.getByLabel('Wildcards and other types').fill('ticket.*');

    // The filter against a sample event, by the API: below 100 it does not match, above it does.
    await page.getByLabel('Payload filter (JSON, empty for none)').fill('{"data.amount": {"$gte": 100}}');
    await page.getByText('Test the filter against a sample event').click();
    await page.getByLabel('Sample event type').fill('ticket.created');
    const result = page.getByTestId('filter-test-result');
    await page.getByLabel('Sample event data (JSON)').fill('{"amount": 50}');
    await page.getByRole('button', { name: 'Test filter' }).click();
    await result.getByText(/^Does not match/).waitFor();
    await page.getByLabel('Sample event data (JSON)').fill('{"amount": 150}');
    await page.getByRole('button', { name: 'Test filter' }).click();
    await result.getByText(/^Matches/).waitFor();

    // Out of bounds: the API's 422 is shown next to the retry schedule and the timeout; nothing stored.
    await page.getByLabel('Retry schedule (seconds before each retry)').fill('10, 999999');
    await page.getByLabel('Attempt timeout (milliseconds)').fill('50');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    expect(await fieldError(page, 'ep-retry')).toMatch(/^1: .*86400/);
    expect(await fieldError(page, 'ep-timeout')).toMatch(/1000/);
    expect(await page.locator('#ep-patterns-error').count()).toBe(0);
    expect(await endpoints()).toEqual([]);

    // An unknown filter operator: the API's 422 names the filter's path, shown next to the filter.
    await page.getByLabel('Retry schedule (seconds before each retry)').fill('10, 60, 600');
    await page.getByLabel('Attempt timeout (milliseconds)').fill('5000');
    await page.getByLabel('Payload filter (JSON, empty for none)').fill('{"data.amount": {"$bogus": 1}}');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    expect(await fieldError(page, 'ep-filter')).toMatch(/\$bogus|operator/i);
    expect(await page.locator('#ep-retry-error').count()).toBe(0);
    expect(await endpoints()).toEqual([]);

    // Not JSON: refused in the page, nothing sent.
    await page.getByLabel('Payload filter (JSON, empty for none)').fill('{"data.amount":');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    expect(await fieldError(page, 'ep-filter')).toMatch(/not valid JSON/);

    await page.getByLabel('Payload filter (JSON, empty for none)').fill('{"data.amount": {"$gte": 100}}');
    await page.getByLabel('Ordering').selectOption('fifo');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByText('Endpoint created.').waitFor();
    const [stored] = await endpoints();
    expect(stored).toMatchObject({
      filter: { 'data.amount': { $gte: 100 } },
      retrySchedule: [10, 60, 600],
      timeoutMs: 5000,
      ordering: 'fifo',
    });

    // The endpoint page shows them; the edit form starts from them.
    await page.getByRole('link', { name: 'Open the endpoint' }).click();
    await page.getByTestId('endpoint-retry-schedule').getByText('10 s, 60 s, 600 s').waitFor();
    expect(await page.getByTestId('endpoint-timeout').textContent()).toBe('5000 ms');
    expect(await page.getByTestId('endpoint-filter').textContent()).toContain('$gte');
    expect(await page.getByTestId('endpoint-ordering').textContent()).toMatch(/^FIFO/);
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit endpoint' }).waitFor();
    expect(await page.getByLabel('Retry schedule (seconds before each retry)').inputValue()).toBe('10, 60, 600');
    expect(await page.getByLabel('Attempt timeout (milliseconds)').inputValue()).toBe('5000');
    expect(await page.getByLabel('Ordering').inputValue()).toBe('fifo');

    // Back to the defaults: no filter, one attempt only, the profile's timeout.
    await page.getByLabel('Payload filter (JSON, empty for none)').fill('');
    await page.getByLabel('Retry schedule (seconds before each retry)').fill('none');
    await page.getByLabel('Attempt timeout (milliseconds)').fill('');
    await page.getByLabel('Ordering').selectOption('unordered');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('endpoint-retry-schedule').getByText('none: one attempt only').waitFor();
    const [edited] = await endpoints();
    expect(edited).toMatchObject({
      id: stored?.id,
      filter: null,
      retrySchedule: [],
      timeoutMs: null,
      ordering: 'unordered',
    });

    // Rotating the secret shows the new one once, and until when the old one signs: local time, UTC on hover.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Rotate now' }).click();
    expect(await page.getByTestId('secret').textContent()).toMatch(/^whsec_/);
    const until = page.getByLabel('Signing secret').locator('time');
    expect(await until.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC$/);
    expect(requestsOutside(browser.requests, hookport.origin)).toEqual([]);
  });
});
