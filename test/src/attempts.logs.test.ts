import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import type { EndpointWithSecret } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * Every delivery attempt leaves one log line at info (warn for an egress
 * refusal) with the ids the native API shows, the outcome, the HTTP status or
 * the kind of error, and the duration; never the URL's secrets, a header
 * value, the body or the endpoint's secret. The logs are the server's own,
 * captured by the harness.
 */

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** Marks that, were the body or a header value logged, would show up in a line. */
const bodyMark = 'body-mark-7f3a9c';
const headerMark = 'header-mark-51be02';
const urlMark = 'url-mark-c0ffee';

function lines(t: TestHookport): LogLine[] {
  return t.logs.flatMap((text) => text.split('\n').filter(Boolean)).map((text) => JSON.parse(text) as LogLine);
}

function attemptLines(t: TestHookport, eventId: string): LogLine[] {
  return lines(t).filter((l) => l.eventId === eventId && String(l.msg).startsWith('delivery attempt'));
}

async function endpoint(t: TestHookport, tenant: TenantFixture, url: string): Promise<EndpointWithSecret> {
  const res = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url, eventTypes: ['ticket.created'], headers: { 'X-Custom': headerMark } },
  });
  if (res.status !== 201) throw new Error(`endpoint create failed: ${res.text}`);
  return res.body;
}

async function publish(t: TestHookport, tenant: TenantFixture): Promise<string> {
  const res = await t.api.post<{ id: string }>('/v1/events', {
    token: tenant.token,
    json: { type: 'ticket.created', data: { note: bodyMark } },
  });
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

describe('attempt log lines', () => {
  let t: TestHookport;
  let tenant: TenantFixture;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '60' });
    tenant = await createTenant(t);
    receiver = await startReceiver((_req, n, res) => res.writeHead(n === 1 ? 204 : 500).end('receiver said no'));
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('logs a success at info with the public ids, the status and the duration, and no secret', async () => {
    const ep = await endpoint(t, tenant, `${receiver.url}?key=${urlMark}`);
    const eventId = await publish(t, tenant);
    const [line] = await until('the attempt line', async () => attemptLines(t, eventId)[0] && attemptLines(t, eventId));
    expect(line).toMatchObject({
      level: 30,
      msg: 'delivery attempt',
      tenantId: tenant.id,
      eventId,
      deliveryId: expect.stringMatching(/^dlv_[0-9a-z]{26}$/),
      endpointId: ep.id,
      attempt: 1,
      outcome: 'succeeded',
      httpStatus: 204,
      durationMs: expect.any(Number),
    });
    const deliveries = await t.api.get<{ data: { id: string; eventId: string }[] }>('/v1/deliveries', {
      token: tenant.token,
    });
    expect(deliveries.body.data.find((d) => d.eventId === eventId)?.id).toBe(line?.deliveryId);

    const everything = t.logs.join('\n');
    for (const secret of [ep.secret, tenant.token, t.adminToken, bodyMark, headerMark, urlMark]) {
      expect(everything, 'a secret, a body, a header value or the URL reached the log').not.toContain(secret);
    }
    // No internal UUID of the delivery's rows either: the lines speak the API's ids.
    for (const id of [eventId, ep.id]) expect(everything).not.toContain(uuidOf(id));
  });

  it('logs a failure at info with its status and when the next attempt is due', async () => {
    const eventId = await publish(t, tenant);
    const [line] = await until('the attempt line', async () => attemptLines(t, eventId)[0] && attemptLines(t, eventId));
    expect(line).toMatchObject({ level: 30, outcome: 'pending', httpStatus: 500, retryInSeconds: expect.any(Number) });
    expect(t.logs.join('\n')).not.toContain('receiver said no');
  });
});

describe('a worker without the allowlist (the API had it)', () => {
  let t: TestHookport;
  let tenant: TenantFixture;

  beforeAll(async () => {
    t = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: '' });
    tenant = await createTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs the refusal at warn, with the addresses and what to allowlist', async () => {
    // Created by an API process that allowlisted 127.0.0.1: the URL is stored as that process accepted it.
    const ep = await endpoint(t, tenant, 'https://hooks.example.com/hook');
    await t.hp.db.query('update endpoints set url = $1 where id = $2', ['http://localhost:9/hook', uuidOf(ep.id)]);
    const eventId = await publish(t, tenant);
    const [line] = await until('the refusal line', async () => attemptLines(t, eventId)[0] && attemptLines(t, eventId));
    expect(line).toMatchObject({
      level: 40,
      msg: 'delivery attempt refused by the egress guard',
      eventId,
      endpointId: ep.id,
      outcome: 'failed',
      errorKind: 'egress_blocked',
      error:
        'localhost resolves to 127.0.0.1, ::1, none of them public or in HOOKPORT_EGRESS_ALLOWLIST; add 127.0.0.1 (or ::1) to HOOKPORT_EGRESS_ALLOWLIST to allow it',
    });
  });
});
