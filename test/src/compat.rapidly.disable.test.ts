import { expect, it } from 'vitest';
import { vendorApi } from './support/harness.ts';
import type { EndpointWithSecret } from './support/types.ts';
import { until } from './support/until.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/**
 * Rapidly disables an endpoint after 10 consecutive failed events; native
 * endpoints follow the operator's HOOKPORT_DISABLE_AFTER_FAILURES (100 by
 * default). The threshold travels with the delivery profile, so the same
 * failing receiver disables the Rapidly endpoint and not the native one.
 */

// No retries: each event's delivery fails on its first attempt.
const { t, kit } = await vendorFixture('rapidly', { HOOKPORT_RETRY_SCHEDULE: '0' });

interface RapidlyEndpoint {
  id: string;
  enabled: boolean;
}

it('disables a Rapidly endpoint after 10 failed events in a row, and not a native one', async () => {
  const failing = await kit.receiver((_req, _n, res) => {
    res.writeHead(500).end();
  });
  const rapidly = vendorApi(t, 'rapidly');
  const created = await rapidly.post<RapidlyEndpoint>('/api/webhooks/endpoints', {
    token: kit.tenant.token,
    json: { url: failing.url, format: 'raw', events: ['customer.updated'] },
  });
  expect(created.status, created.text).toBe(201);
  const native: EndpointWithSecret = await kit.endpoint(failing.url, { eventTypes: ['customer.updated'] });

  for (let i = 0; i < 10; i++) await kit.accepted('customer.updated', { i });
  await kit.quiescent();

  const after = await until('the Rapidly endpoint disabled', async () => {
    const res = await rapidly.get<RapidlyEndpoint>(`/api/webhooks/endpoints/${created.body.id}`, {
      token: kit.tenant.token,
    });
    return res.body.enabled === false ? res.body : undefined;
  });
  expect(after.enabled).toBe(false);
  const nativeNow = await t.api.get<EndpointWithSecret>(`/v1/endpoints/${native.id}`, { token: kit.tenant.token });
  expect(nativeNow.body.status).toBe('active');
  const rapidlyNative = (
    await t.api.get<{ data: { status: string; profile: string; disabledReason: string | null }[] }>(
      '/v1/endpoints?profile=rapidly',
      { token: kit.tenant.token },
    )
  ).body.data[0];
  expect(rapidlyNative).toMatchObject({ status: 'disabled', disabledReason: 'failed 10 deliveries in a row' });
});
