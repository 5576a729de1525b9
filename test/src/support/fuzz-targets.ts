import { type Api, type ApiResponse, createTenant, type TestHookport, vendorApi } from './harness.ts';

/**
 * The create-an-endpoint route of each of the six surfaces, described once so
 * the hostile-input tests can send the same attack to all of them: where it
 * lives, how its body names the URL and event fields, where the id is in its
 * answer, and which headers it needs.
 */

export interface Target {
  name: 'native' | 'spedy' | 'helpdesk' | 'tsanet' | 'rapidly' | 'xpath';
  api: Api;
  token: string;
  tenantId: string;
  /** Extra request headers (the Helpdesk workspace). */
  headers: Record<string, string>;
  base: string;
  /** The path of one endpoint. */
  item: (id: string) => string;
  /** The update method of an endpoint, if the surface has one. */
  update: 'PATCH' | 'PUT' | null;
  /** A valid create body for a URL. */
  body: (url: string) => Record<string, unknown>;
  urlField: string;
  /** A free-text field of the create body (to carry hostile text), if any. */
  textField: string | null;
  idOf: (res: ApiResponse) => string;
  /** The URL stored for an endpoint, from a create or get answer. */
  urlOf: (res: ApiResponse) => string;
}

type Json = Record<string, unknown>;
const field = (res: ApiResponse, ...path: string[]): string => {
  let here: unknown = res.body;
  for (const key of path) here = (here as Json | undefined)?.[key];
  return String(here);
};

export async function targets(t: TestHookport): Promise<Target[]> {
  const tenant = async (preset: string) => createTenant(t, { presets: [preset], name: `hostile ${preset}` });
  const native = await tenant('helpdesk');
  const spedy = await tenant('spedy');
  const helpdesk = await tenant('helpdesk');
  const tsanet = await tenant('tsanet');
  const rapidly = await tenant('rapidly');
  const xpath = await tenant('xpath');
  const rapidlyEvent = await firstEventType(t, rapidly.token);
  return [
    {
      name: 'native',
      api: t.api,
      token: native.token,
      tenantId: native.id,
      headers: {},
      base: '/v1/endpoints',
      item: (id) => `/v1/endpoints/${id}`,
      update: 'PATCH',
      body: (url) => ({ url, eventTypes: ['*'] }),
      urlField: 'url',
      textField: 'description',
      idOf: (res) => field(res, 'id'),
      urlOf: (res) => field(res, 'url'),
    },
    {
      name: 'spedy',
      api: vendorApi(t, 'spedy'),
      token: spedy.token,
      tenantId: spedy.id,
      headers: {},
      base: '/api/v1/webhook-endpoints',
      item: (id) => `/api/v1/webhook-endpoints/${id}`,
      update: 'PATCH',
      body: (url) => ({ name: 'Hostile', url, events: ['ticket.created'] }),
      urlField: 'url',
      textField: 'name',
      idOf: (res) => field(res, 'id'),
      urlOf: (res) => field(res, 'url'),
    },
    {
      name: 'helpdesk',
      api: vendorApi(t, 'helpdesk'),
      token: helpdesk.token,
      tenantId: helpdesk.id,
      headers: { 'x-workspace-id': helpdesk.id },
      base: '/helpdesk/api/v1/webhooks',
      item: (id) => `/helpdesk/api/v1/webhooks/${id}`,
      update: 'PUT',
      body: (url) => ({ name: 'Hostile', targetUrl: url, events: ['ticket.created'] }),
      urlField: 'targetUrl',
      textField: 'name',
      idOf: (res) => field(res, 'webhook', 'id'),
      urlOf: (res) => field(res, 'webhook', 'targetUrl'),
    },
    {
      name: 'tsanet',
      api: vendorApi(t, 'tsanet'),
      token: tsanet.token,
      tenantId: tsanet.id,
      headers: {},
      base: '/v1/webhooks',
      item: (id) => `/v1/webhooks/${id}`,
      update: null,
      body: (url) => ({ callbackUrl: url }),
      urlField: 'callbackUrl',
      textField: null,
      idOf: (res) => field(res, 'id'),
      urlOf: (res) => field(res, 'callbackUrl'),
    },
    {
      name: 'rapidly',
      api: vendorApi(t, 'rapidly'),
      token: rapidly.token,
      tenantId: rapidly.id,
      headers: {},
      base: '/api/webhooks/endpoints',
      item: (id) => `/api/webhooks/endpoints/${id}`,
      update: 'PATCH',
      body: (url) => ({ url, format: 'raw', events: [rapidlyEvent] }),
      urlField: 'url',
      textField: null,
      idOf: (res) => field(res, 'id'),
      urlOf: (res) => field(res, 'url'),
    },
    {
      name: 'xpath',
      api: vendorApi(t, 'xpath'),
      token: xpath.token,
      tenantId: xpath.id,
      headers: {},
      base: '/v2.3/webhooks/endpoints',
      item: (id) => `/v2.3/webhooks/endpoints/${id}`,
      update: 'PATCH',
      body: (url) => ({ url, events: ['cases.*'] }),
      urlField: 'url',
      textField: 'description',
      idOf: (res) => field(res, 'data', 'id'),
      urlOf: (res) => field(res, 'data', 'url'),
    },
  ];
}

async function firstEventType(t: TestHookport, token: string): Promise<string> {
  const res = await t.api.get<{ data: { name: string }[] }>('/v1/event-types?limit=1', { token });
  return res.body.data[0]?.name ?? 'x.y';
}

/** Sends a raw body (text or bytes) as JSON to a target route. */
export function sendRaw(
  target: Target,
  method: string,
  path: string,
  body: string | Uint8Array,
  contentType = 'application/json',
) {
  return target.api.request(method, path, {
    token: target.token,
    body,
    headers: { ...target.headers, 'content-type': contentType },
  });
}

/** Sends a JSON value to a target route. */
export function sendJson(target: Target, method: string, path: string, json: unknown) {
  return target.api.request(method, path, { token: target.token, json, headers: target.headers });
}
