import { randomBytes } from 'node:crypto';
import { type DeliveryWithAttemptsSchema, maskHeaderValue } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { type Received, type Receiver, startReceiver } from './support/receiver.ts';
import type { Endpoint, PageOf } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * A delivery read shows each attempt's request as sent (docs/api.md, "The request of an attempt"):
 * rendered again on read, so its body must be the receiver's bytes exactly and its headers the
 * receiver's, but for the signature (a placeholder) and the custom header values (masked).
 */

type DeliveryWithAttempts = z.infer<typeof DeliveryWithAttemptsSchema>;
type AttemptRequest = NonNullable<DeliveryWithAttempts['attempts'][number]['request']>;

let t: TestHookport;
let tenant: TenantFixture;
/** One receiver per endpoint: every endpoint here subscribes to ticket.created, so each event reaches them all. */
const receivers: Receiver[] = [];

const token = randomBytes(24).toString('base64url');
const custom = { Authorization: `Bearer ${token}`, 'X-Team': 'billing-desk-7' };
/** Headers the HTTP client adds on the wire, which the API does not list (docs/api.md). */
const transportHeaders = new Set([
  'host',
  'connection',
  'content-length',
  'user-agent',
  'accept',
  'accept-language',
  'sec-fetch-mode',
  'accept-encoding',
]);

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '60' });
  tenant = await createTenant(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
  for (const r of receivers) await r.close();
});

interface Target {
  endpoint: Endpoint;
  receiver: Receiver;
}

async function createEndpoint(json: Record<string, unknown>): Promise<Target> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const res = await t.api.post<Endpoint>('/v1/endpoints', {
    token: tenant.token,
    json: { url: receiver.url, eventTypes: ['ticket.created'], ...json },
  });
  expect(res.status, res.text).toBe(201);
  return { endpoint: res.body, receiver };
}

/** Publishes one event to the endpoint given, and returns what the receiver got and the delivery's id. */
async function deliverOne(
  { endpoint, receiver }: Target,
  data: Record<string, unknown>,
): Promise<{ got: Received; id: string; eventId: string }> {
  const event = await t.api.post<{ id: string }>('/v1/events', {
    token: tenant.token,
    json: { type: 'ticket.created', data },
  });
  expect(event.status, event.text).toBe(202);
  const [got] = await receiver.waitFor(1, 30_000);
  if (!got) throw new Error('nothing received');
  const id = await until(
    'the attempt to be recorded',
    async () => {
      const res = await t.api.get<PageOf<{ id: string; attemptCount: number }>>(
        `/v1/deliveries?eventId=${event.body.id}&endpointId=${endpoint.id}`,
        { token: tenant.token },
      );
      return res.body.data.find((d) => d.attemptCount >= 1)?.id;
    },
    { timeoutMs: 30_000 },
  );
  return { got, id, eventId: event.body.id };
}

async function requestOf(deliveryId: string, token_ = tenant.token): Promise<AttemptRequest | null> {
  const res = await t.api.get<DeliveryWithAttempts>(`/v1/deliveries/${deliveryId}`, { token: token_ });
  expect(res.status, res.text).toBe(200);
  const [first] = res.body.attempts;
  if (!first) throw new Error('no attempt');
  return first.request;
}

/** The receiver's headers but the transport's, by lower-case name. */
function sentHeaders(got: Received): Record<string, string> {
  return Object.fromEntries(
    Object.entries(got.headers)
      .filter(([name]) => !transportHeaders.has(name))
      .map(([name, value]) => [name, String(value)]),
  );
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

describe("an attempt's request", () => {
  it('native: the body byte for byte, the headers with the signature a placeholder and custom values masked', async () => {
    const target = await createEndpoint({ headers: custom });
    const { got, id } = await deliverOne(target, { note: 'two coffees ☕', amount: 12.5, nested: { a: [1, 2] } });
    const request = await requestOf(id);
    if (!request) throw new Error('no request');
    expect(request.body).toBe(got.body);

    const sent = sentHeaders(got);
    expect(sent['webhook-signature']).toMatch(/^v1,/);
    expect(sent.authorization).toBe(custom.Authorization);
    expect(lowerCased(request.headers)).toEqual({
      ...sent,
      'webhook-signature': 'v1,<signature>',
      authorization: maskHeaderValue(custom.Authorization),
      'x-team': maskHeaderValue(custom['X-Team']),
    });
    expect(JSON.stringify(request)).not.toContain(token);
    expect(JSON.stringify(request)).not.toContain(sent['webhook-signature']?.slice(3));

    // A second attempt is rendered at its own start: its webhook-timestamp, the same body.
    const again = await t.api.post(`/v1/deliveries/${id}/redeliver`, { token: tenant.token });
    expect(again.status, again.text).toBe(202);
    const [, second] = await target.receiver.waitFor(2, 30_000);
    const both = await until(
      'the second attempt to be recorded',
      async () => {
        const res = await t.api.get<DeliveryWithAttempts>(`/v1/deliveries/${id}`, { token: tenant.token });
        return res.body.attempts.length === 2 ? res.body.attempts : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(both.map((a) => a.request?.body)).toEqual([got.body, second?.body]);
    expect(both.map((a) => a.request?.headers['webhook-timestamp'])).toEqual([
      got.headers['webhook-timestamp'],
      second?.headers['webhook-timestamp'],
    ]);
  });

  it('a vendor profile (tsanet): its body, and its X-Hub-Signature-256 a placeholder', async () => {
    const target = await createEndpoint({ profile: 'tsanet' });
    const { got, id } = await deliverOne(target, { requestToken: 'req-1' });
    const request = await requestOf(id);
    if (!request) throw new Error('no request');
    expect(request.body).toBe(got.body);
    expect(JSON.parse(got.body)).toMatchObject({ eventType: 'ticket.created', requestToken: 'req-1' });
    const sent = sentHeaders(got);
    expect(sent['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(lowerCased(request.headers)).toEqual({ ...sent, 'x-hub-signature-256': 'sha256=<signature>' });
  });

  it('has no body for a portal session filtered by endpoint metadata, nor once the event is expunged', async () => {
    const target = await createEndpoint({ metadata: { customer: 'c1' } });
    const { got, id, eventId } = await deliverOne(target, { note: 'portal' });

    const portal = async (json: Record<string, unknown>) => {
      const res = await t.api.post<{ token: string }>('/v1/portal-sessions', {
        token: t.adminToken,
        json: { tenantId: tenant.id, ...json },
      });
      expect(res.status, res.text).toBe(201);
      return res.body.token;
    };
    const filtered = await requestOf(id, await portal({ endpointMetadata: { customer: 'c1' } }));
    expect(filtered?.body).toBeNull();
    expect(filtered?.headers['webhook-id']).toBe(got.headers['webhook-id']);
    expect((await requestOf(id, await portal({})))?.body).toBe(got.body);

    const expunged = await t.api.delete(`/v1/events/${eventId}/content`, { token: tenant.token });
    expect(expunged.status, expunged.text).toBe(200);
    const after = await requestOf(id);
    expect(after?.body).toBeNull();
    expect(after?.headers['webhook-signature']).toBe('v1,<signature>');
  });
});
