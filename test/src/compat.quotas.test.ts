import type { Vendor } from '@hookport/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiResponse, createTenant, startHookport, type TenantFixture, vendorApi } from './support/harness.ts';
import { expectUnchanged } from './support/problem-assertions.ts';

/**
 * The endpoint quota on every vendor surface that creates endpoints (all five; none of them creates
 * event types, tokens or events): over the limit, a 409 in the surface's own error shape whose message
 * names the limit, checked against the surface's OpenAPI document, and nothing stored. The tenant's
 * override applies there as on the native API.
 */

const t = await startHookport({ HOOKPORT_MAX_ENDPOINTS_PER_TENANT: '2' });
afterAll(async () => {
  const errorLines = t.logs.filter((line) => line.includes('"level":50'));
  await t.close();
  expect(errorLines).toEqual([]);
});

interface Surface {
  /** One endpoint create request; `n` keeps the URLs apart. */
  create(fx: TenantFixture, n: number): { path: string; json: unknown; headers?: Record<string, string> };
  /** Asserts the refusal's body is the surface's error shape and returns its message. */
  message(res: ApiResponse): string;
}

const surfaces: Record<Vendor, Surface> = {
  spedy: {
    create: (_fx, n) => ({
      path: '/api/v1/webhook-endpoints',
      json: { name: `Hook ${n}`, url: `https://example.com/spedy/${n}`, events: ['ticket.created'] },
    }),
    message(res) {
      const body = res.body as { statusCode: number; message: string; error: string };
      expect(body).toEqual({ statusCode: 409, message: expect.any(String), error: 'Conflict' });
      return body.message;
    },
  },
  helpdesk: {
    create: (fx, n) => ({
      path: '/helpdesk/api/v1/webhooks',
      headers: { 'x-workspace-id': fx.id },
      json: {
        webhook: { name: `Hook ${n}`, targetUrl: `https://example.com/helpdesk/${n}`, events: ['ticket.created'] },
      },
    }),
    message(res) {
      const body = res.body as { error: { code: string; message: string; status: number; request_id: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toEqual({
        code: 'QUOTA_EXCEEDED',
        message: expect.any(String),
        status: 409,
        request_id: expect.any(String),
      });
      return body.error.message;
    },
  },
  tsanet: {
    create: (_fx, n) => ({ path: '/v1/webhooks', json: { callbackUrl: `https://example.com/tsanet/${n}` } }),
    message(res) {
      const body = res.body as { message: string; validationErrors: unknown[] };
      expect(body).toEqual({ message: expect.any(String), validationErrors: [] });
      return body.message;
    },
  },
  rapidly: {
    create: (_fx, n) => ({
      path: '/api/webhooks/endpoints',
      json: { url: `https://example.com/rapidly/${n}`, format: 'raw', events: ['customer.created'] },
    }),
    message(res) {
      const body = res.body as { error: string; detail: string };
      expect(body).toEqual({ error: 'Conflict', detail: expect.any(String) });
      return body.detail;
    },
  },
  xpath: {
    create: (_fx, n) => ({
      path: '/v2.3/webhooks/endpoints',
      json: { url: `https://example.com/xpath/${n}`, events: ['cases.*'] },
    }),
    message(res) {
      const body = res.body as { error: { code: string; message: string } };
      expect(body).toEqual({ error: { code: 'quota_exceeded', message: expect.any(String) } });
      return body.error.message;
    },
  },
};

async function create(vendor: Vendor, fx: TenantFixture, n: number): Promise<ApiResponse> {
  const { path, json, headers } = surfaces[vendor].create(fx, n);
  return vendorApi(t, vendor).post(path, { token: fx.token, json, ...(headers ? { headers } : {}) });
}

describe.each(Object.keys(surfaces) as Vendor[])('the %s surface', (vendor) => {
  it('refuses the endpoint over the default quota with a 409 in its own shape naming the limit, storing nothing', async () => {
    const fx = await createTenant(t, { presets: [vendor] });
    for (let i = 0; i < 2; i++) {
      const made = await create(vendor, fx, i);
      expect(made.status, made.text).toBeLessThan(300);
    }
    const res = await expectUnchanged(t, () => create(vendor, fx, 2));
    expect(res.status, res.text).toBe(409);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
    expect(surfaces[vendor].message(res)).toContain('quota of 2 endpoints');
  });

  it("applies the tenant's override", async () => {
    const fx = await createTenant(t, { presets: [vendor] });
    const set = await t.api.patch(`/v1/tenants/${fx.id}`, {
      token: t.adminToken,
      json: { quotas: { endpoints: 3 } },
    });
    expect(set.status, set.text).toBe(200);
    for (let i = 0; i < 3; i++) expect((await create(vendor, fx, i)).status).toBeLessThan(300);
    const res = await expectUnchanged(t, () => create(vendor, fx, 3));
    expect(res.status, res.text).toBe(409);
    expect(surfaces[vendor].message(res)).toContain('quota of 3 endpoints');
  });
});
