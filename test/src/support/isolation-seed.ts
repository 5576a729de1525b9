import { randomBytes } from 'node:crypto';
import { type Api, createTenant, type TenantFixture, type TestHookport, vendorApi } from './harness.ts';
import { uuidOf } from './ids.ts';
import type { TenantRefs } from './isolation.ts';
import type { PageOf } from './types.ts';
import { until } from './until.ts';

/**
 * A tenant with something on every surface: an endpoint made through each of
 * the six, an event type of its own, one event delivered to all six
 * endpoints (so deliveries and attempts exist), every name, URL, description
 * and payload carrying the tenant's marker. Returns its ids in every format
 * and every secret it was shown.
 */

export const allPresets = ['helpdesk', 'spedy', 'tsanet', 'rapidly', 'xpath'];

export interface SeededTenant {
  fixture: TenantFixture;
  refs: TenantRefs;
  /** Endpoint secrets, in each surface's format, as the create responses showed them. */
  secrets: string[];
  /** The token of the tenant's portal session (refs.native.portalSession). */
  portalToken: string;
}

interface Created {
  status: number;
  text: string;
}

function ok<T extends Created>(res: T, what: string): T {
  if (res.status >= 300) throw new Error(`${what} failed (${res.status}): ${res.text}`);
  return res;
}

interface DeliveryRow {
  id: string;
  eventId: string;
  endpointId: string;
  status: string;
}

export async function seedTenant(t: TestHookport, label: string, receiverUrl: string): Promise<SeededTenant> {
  const marker = `${label}mark${randomBytes(5).toString('hex')}`;
  const fixture = await createTenant(t, { presets: allPresets, name: `Tenant ${marker}` });
  const auth = { token: fixture.token };
  const eventType = `${marker}.created`;
  const url = (surface: string) => `${receiverUrl}/${marker}/${surface}`;
  ok(
    await t.api.post('/v1/event-types', { ...auth, json: { name: eventType, description: `${marker} events` } }),
    'event type',
  );

  const native = ok(
    await t.api.post<{ id: string; secret: string }>('/v1/endpoints', {
      ...auth,
      json: {
        url: url('native'),
        name: `${marker} native`,
        description: `${marker} description`,
        eventTypes: [eventType],
        metadata: { owner: marker },
        headers: { 'X-Owner': marker },
      },
    }),
    'native endpoint',
  ).body;
  const spedyApi = vendorApi(t, 'spedy');
  const spedy = ok(
    await spedyApi.post<{ id: string; secret: string }>('/api/v1/webhook-endpoints', {
      ...auth,
      json: { name: `${marker} spedy`, url: url('spedy'), events: [eventType] },
    }),
    'spedy endpoint',
  ).body;
  const helpdesk = ok(
    await vendorApi(t, 'helpdesk').post<{ webhook: { id: string; signingSecret: string } }>(
      '/helpdesk/api/v1/webhooks',
      {
        ...auth,
        headers: { 'x-workspace-id': fixture.id },
        json: { webhook: { name: `${marker} helpdesk`, targetUrl: url('helpdesk'), events: [eventType] } },
      },
    ),
    'helpdesk webhook',
  ).body.webhook;
  const tsanet = ok(
    await vendorApi(t, 'tsanet').post<{ id: number; secret: string }>('/v1/webhooks', {
      ...auth,
      json: { callbackUrl: url('tsanet'), eventTypes: [eventType] },
    }),
    'tsanet subscription',
  ).body;
  const rapidlyApi = vendorApi(t, 'rapidly');
  const rapidly = ok(
    await rapidlyApi.post<{ id: string; secret: string }>('/api/webhooks/endpoints', {
      ...auth,
      json: { url: url('rapidly'), format: 'raw', events: [eventType] },
    }),
    'rapidly endpoint',
  ).body;
  const xpath = ok(
    await vendorApi(t, 'xpath').post<{ data: { id: string; secret: string } }>('/v2.3/webhooks/endpoints', {
      ...auth,
      json: { url: url('xpath'), events: [eventType], description: `${marker} xpath` },
    }),
    'xpath endpoint',
  ).body.data;

  const event = ok(
    await t.api.post<{ id: string }>('/v1/events', {
      ...auth,
      json: { type: eventType, data: { owner: marker, requestToken: `${marker}-request`, note: `${marker} data` } },
    }),
    'publish',
  ).body;
  const deliveries = await settled(t.api, fixture.token, event.id, 6);
  const nativeDelivery = deliveries.find((d) => d.endpointId === native.id);
  if (!nativeDelivery) throw new Error('no delivery to the native endpoint');

  const spedyLog = ok(
    await spedyApi.get<{ id: string }[]>(`/api/v1/webhook-endpoints/${spedy.id}/deliveries`, auth),
    'spedy deliveries',
  ).body;
  const rapidlyLog = ok(
    await rapidlyApi.get<{ data: { webhook_event: { id: string } }[] }>('/api/webhooks/deliveries', auth),
    'rapidly deliveries',
  ).body.data;
  const portal = ok(
    await t.api.post<{ id: string; token: string }>('/v1/portal-sessions', {
      token: t.adminToken,
      json: { tenantId: fixture.id },
    }),
    'portal session',
  ).body;
  const tokens = ok(
    await t.api.get<PageOf<{ id: string }>>(`/v1/tenants/${fixture.id}/tokens`, { token: t.adminToken }),
    'tokens',
  ).body.data;

  const refs: TenantRefs = {
    tenantId: fixture.id,
    tenantUuid: uuidOf(fixture.id),
    marker,
    tokenId: tokens[0]?.id ?? '',
    eventType,
    native: { endpoint: native.id, event: event.id, delivery: nativeDelivery.id, portalSession: portal.id },
    spedy: { endpoint: spedy.id, delivery: spedyLog[0]?.id ?? '' },
    helpdesk: { endpoint: helpdesk.id },
    tsanet: { endpoint: tsanet.id },
    rapidly: { endpoint: rapidly.id, event: rapidlyLog[0]?.webhook_event.id ?? '' },
    xpath: { endpoint: xpath.id },
  };
  for (const [name, value] of Object.entries({ ...refs, spedyDelivery: refs.spedy.delivery })) {
    if (value === '') throw new Error(`seeding left ${name} empty`);
  }
  return {
    fixture,
    refs,
    secrets: [native.secret, spedy.secret, helpdesk.signingSecret, tsanet.secret, rapidly.secret, xpath.secret],
    portalToken: portal.token,
  };
}

/** Waits until every delivery of the event has succeeded, so nothing changes under the matrix afterwards. */
async function settled(api: Api, token: string, eventId: string, expected: number): Promise<DeliveryRow[]> {
  return until(
    `${expected} deliveries of ${eventId} to succeed`,
    async () => {
      const res = await api.get<PageOf<DeliveryRow>>('/v1/deliveries?limit=100', { token });
      const mine = res.body.data.filter((d) => d.eventId === eventId);
      return mine.length === expected && mine.every((d) => d.status === 'succeeded') ? mine : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}
