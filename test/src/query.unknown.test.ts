import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  type ApiResponse,
  createTenant,
  startHookport,
  type TenantFixture,
  type TestHookport,
  vendorApi,
} from './support/harness.ts';

/**
 * A query parameter a route does not declare is refused on every surface, in
 * the surface's own error shape and status (the router's one check), instead
 * of being ignored; the parameters each surface documents are still taken.
 * Every response is checked against the surface's committed document, so the
 * refusal is a status each operation declares.
 */

let t: TestHookport;
let tenant: TenantFixture;
const apis: Record<string, Api> = {};
let spedyId = '';
let tsanetId = 0;
const rapidlyUuid = '01936f6c-8f4a-7c3e-9b1d-2f5a6c7d8e9f';

beforeAll(async () => {
  t = await startHookport();
  tenant = await createTenant(t, { presets: ['spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'] });
  for (const vendor of ['spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath']) apis[vendor] = vendorApi(t, vendor);
  const spedy = await api('spedy').post<{ id: string }>('/api/v1/webhook-endpoints', {
    token: tenant.token,
    json: { name: 'Query', url: 'https://query.example.com/h', events: ['ticket.created'] },
  });
  expect(spedy.status, spedy.text).toBe(201);
  spedyId = spedy.body.id;
  const tsanet = await api('tsanet').post<{ id: number }>('/v1/webhooks', {
    token: tenant.token,
    json: { callbackUrl: 'https://query.example.com/tsanet' },
  });
  expect(tsanet.status, tsanet.text).toBe(200);
  tsanetId = tsanet.body.id;
});
afterAll(async () => {
  const errorLines = t?.logs.filter((line) => line.includes('"level":50')) ?? [];
  await t?.close();
  expect(errorLines).toEqual([]);
});

function api(vendor: string): Api {
  const found = apis[vendor];
  if (!found) throw new Error(`no API for ${vendor}`);
  return found;
}

const helpdeskHeaders = () => ({ 'x-workspace-id': tenant.id });

/** Sends a request and proves it changed nothing stored. */
async function unchanged(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const before = await t.snapshot();
  const res = await send();
  expect(await t.snapshot()).toBe(before);
  return res;
}

describe('native API (problem+json, 422)', () => {
  it('refuses GET /v1/deliveries?bogus= naming the parameter and what the operation takes', async () => {
    const res = await t.api.get<{ code: string; detail: string; errors: { path: string; code: string }[] }>(
      '/v1/deliveries?limit=5&bogus=x',
      { token: tenant.token },
    );
    expect(res.status, res.text).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([
      { path: 'bogus', code: 'unrecognized_keys', message: expect.stringContaining('takes limit, cursor, endpointId') },
    ]);
    expect(res.body.detail).toContain('bogus: is not a known query parameter');
  });

  it('refuses a parameter on an operation that takes none, and stores nothing', async () => {
    const res = await unchanged(() =>
      t.api.post('/v1/event-types?dryRun=true', { token: tenant.token, json: { name: 'query.checked' } }),
    );
    expect(res.status, res.text).toBe(422);
    expect(JSON.stringify(res.body)).toContain('this operation takes none');
  });

  it('names a parameter called __proto__ like any other, and every unknown one', async () => {
    const res = await t.api.get<{ errors: { path: string }[] }>('/v1/events?__proto__=1&x=2', { token: tenant.token });
    expect(res.status, res.text).toBe(422);
    expect(res.body.errors.map((e) => e.path)).toEqual(['__proto__', 'x']);
  });

  it('asks for a token before it looks at the query', async () => {
    expect((await t.api.get('/v1/deliveries?bogus=x')).status).toBe(401);
  });

  it('still takes every documented parameter', async () => {
    const query = 'limit=5&status=failed&httpStatusClass=5xx&eventType=ticket.created&since=2026-01-01T00:00:00Z';
    const res = await t.api.get(`/v1/deliveries?${query}`, { token: tenant.token });
    expect(res.status, res.text).toBe(200);
    expect((await t.api.get('/health?probe=1')).status).toBe(422);
    expect((await t.api.get('/health')).status).toBe(200);
  });
});

describe('Spedy (NestJS, 400)', () => {
  it('refuses an unknown parameter as whitelist validation does', async () => {
    const res = await api('spedy').get(`/api/v1/webhook-endpoints/${spedyId}/deliveries?limit=5&page=2`, {
      token: tenant.token,
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, message: ['property page should not exist'], error: 'Bad Request' });
  });

  it('still takes limit', async () => {
    const res = await api('spedy').get(`/api/v1/webhook-endpoints/${spedyId}/deliveries?limit=5`, {
      token: tenant.token,
    });
    expect(res.status, res.text).toBe(200);
  });
});

describe('Helpdesk ({error}, 422)', () => {
  it('refuses an unknown parameter as a VALIDATION_ERROR naming it', async () => {
    const res = await api('helpdesk').get<{ error: { code: string; details: Record<string, unknown> } }>(
      '/helpdesk/api/v1/webhooks?page=1',
      { token: tenant.token, headers: helpdeskHeaders() },
    );
    expect(res.status, res.text).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(res.body.error.details)).toEqual(['page']);
  });

  it('still lists with no parameter (it documents none)', async () => {
    const res = await api('helpdesk').get('/helpdesk/api/v1/webhooks', {
      token: tenant.token,
      headers: helpdeskHeaders(),
    });
    expect(res.status, res.text).toBe(200);
  });
});

describe('TSANet (Spring body, 400)', () => {
  it('refuses sort, which this API does not take, naming it', async () => {
    const res = await api('tsanet').get(`/v1/webhooks/${tsanetId}/deliveries?page=0&size=20&sort=createdAt`, {
      token: tenant.token,
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toEqual({
      message: 'Validation failed',
      validationErrors: [{ field: 'sort', message: expect.stringContaining('takes page, size') }],
    });
  });

  it('still takes page and size', async () => {
    const res = await api('tsanet').get(`/v1/webhooks/${tsanetId}/deliveries?page=0&size=20`, { token: tenant.token });
    expect(res.status, res.text).toBe(200);
  });
});

describe('Rapidly (FastAPI, 422)', () => {
  it('refuses an unknown parameter as extra_forbidden, echoing its value', async () => {
    const res = await api('rapidly').get(`/api/webhooks/deliveries?endpoint_id=${rapidlyUuid}&sorting=-created_at`, {
      token: tenant.token,
    });
    expect(res.status, res.text).toBe(422);
    expect(res.body).toEqual({
      error: 'RequestValidationError',
      detail: [
        {
          type: 'extra_forbidden',
          loc: ['query', 'sorting'],
          msg: 'Extra inputs are not permitted',
          input: '-created_at',
        },
      ],
    });
  });

  it('still takes every documented filter, repeated ones included', async () => {
    const query = [
      `endpoint_id=${rapidlyUuid}`,
      `endpoint_id=${rapidlyUuid}`,
      'start_timestamp=2026-01-01T00:00:00Z',
      'end_timestamp=2027-01-01T00:00:00Z',
      'succeeded=true',
      'query=200',
      'http_code_class=2xx',
      'event_type=customer.created',
      'page=1',
      'limit=10',
    ].join('&');
    const res = await api('rapidly').get(`/api/webhooks/deliveries?${query}`, { token: tenant.token });
    expect(res.status, res.text).toBe(200);
    expect((await api('rapidly').get('/api/webhooks/endpoints?page=1&limit=5', { token: tenant.token })).status).toBe(
      200,
    );
  });
});

describe('XPath ({error:{code,message}}, 400)', () => {
  it('refuses an unknown parameter as a validation_error naming it', async () => {
    const res = await api('xpath').get<{ error: { code: string; message: string } }>(
      '/v2.3/webhooks/endpoints?limit=10',
      { token: tenant.token },
    );
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.message).toContain('limit');
  });

  it('still lists with no parameter (it documents none)', async () => {
    expect((await api('xpath').get('/v2.3/webhooks/endpoints', { token: tenant.token })).status).toBe(200);
  });
});
