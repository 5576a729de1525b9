import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import { blockedTargets as blocked } from './support/isolation-network.ts';
import { startReceiver } from './support/receiver.ts';
import type { EndpointWithSecret } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * The egress guard at DELIVERY time. Endpoint creation already refuses these
 * URLs, so each endpoint is created with a public https URL and then pointed
 * at the blocked form directly in the database: an endpoint created before
 * the operator narrowed HOOKPORT_EGRESS_ALLOWLIST (here: emptied it). Every
 * form carries the port of a real listener on this machine, so a guard that
 * let one through would show up as a connection there.
 */

interface DeliveryBody {
  id: string;
  eventId: string;
  endpointId: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  attempts: {
    number: number;
    httpStatus: number | null;
    errorKind: string | null;
    errorMessage: string | null;
    nextAttemptAt: string | null;
  }[];
}
interface Page<T> {
  data: T[];
}

// The connect-time check on names a resolver maps inward (rebinding included) is tested end to end in
// egress.hostile.test.ts, and unit-tested in server/src/delivery/sender.test.ts.

/**
 * A listener that counts every TCP connection: on `::` with IPv4 mapped in
 * where the machine has IPv6 (so 127.0.0.1, ::1, 0.0.0.0 and :: all reach
 * it), else on 127.0.0.1.
 */
async function startSentinel(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((_req, res) => {
    res.writeHead(204).end();
  });
  server.on('connection', () => {
    connections++;
  });
  const listen = (options: { host: string; ipv6Only?: boolean }) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, ...options }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen({ host: '::', ipv6Only: false }).catch(() => listen({ host: '127.0.0.1' }));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Setup {
  t: TestHookport;
  tenant: TenantFixture;
}

async function setUp(allowlist: string): Promise<Setup> {
  const t = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: allowlist });
  return { t, tenant: await createTenant(t) };
}

/** An endpoint created with a public URL, then pointed at `url` behind the API's back. */
async function endpointAt({ t, tenant }: Setup, url: string, n: number, type = 'ticket.created'): Promise<string> {
  const created = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url: `https://hooks.example.com/${n}`, eventTypes: [type] },
  });
  if (created.status !== 201) throw new Error(`endpoint create failed: ${created.text}`);
  const [changed] = await t.hp.db.query<{ id: string }>('update endpoints set url = $1 where id = $2 returning id', [
    url,
    uuidOf(created.body.id),
  ]);
  if (!changed) throw new Error(`endpoint ${created.body.id} not found in the database`);
  return created.body.id;
}

/** Publishes one event and waits until each of its deliveries has its first attempt recorded. */
async function publishAndSettle(
  { t, tenant }: Setup,
  expected: number,
  type = 'ticket.created',
): Promise<DeliveryBody[]> {
  const res = await t.api.post<{ id: string; deliveryCount: number }>('/v1/events', {
    token: tenant.token,
    json: { type, data: { probe: 'egress' } },
  });
  expect(res.status).toBe(202);
  expect(res.body.deliveryCount).toBe(expected);
  return until(
    `first attempts of ${expected} deliveries`,
    async () => {
      const list = await t.api.get<Page<DeliveryBody>>('/v1/deliveries?limit=100', { token: tenant.token });
      const mine = list.body.data.filter((d) => d.eventId === res.body.id);
      // The first attempt and the delivery's new status are written in one transaction.
      if (mine.length !== expected || mine.some((d) => d.attemptCount === 0)) return undefined;
      return Promise.all(
        mine.map(async (d) => (await t.api.get<DeliveryBody>(`/v1/deliveries/${d.id}`, { token: tenant.token })).body),
      );
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

describe('egress guard at delivery time, with an empty allowlist', () => {
  let s: Setup;
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;

  beforeAll(async () => {
    sentinel = await startSentinel();
    s = await setUp('');
  });
  afterAll(async () => {
    await s?.t.close();
    await sentinel?.close();
  });

  it(`refuses every one of ${Object.keys(blocked).length} non-public forms: one egress_blocked attempt, no retry, nothing received`, async () => {
    expect(Object.keys(blocked).length).toBeGreaterThanOrEqual(25);
    const formOf = new Map<string, string>();
    let n = 0;
    for (const [form, template] of Object.entries(blocked)) {
      const id = await endpointAt(s, template.replace(':P/', `:${sentinel.port}/`), n++);
      formOf.set(id, form);
    }
    const deliveries = await publishAndSettle(s, formOf.size);
    const outcome = (d: DeliveryBody) => ({
      form: formOf.get(d.endpointId),
      status: d.status,
      attempts: d.attempts.map((a) => ({ errorKind: a.errorKind, httpStatus: a.httpStatus, retry: a.nextAttemptAt })),
    });
    const expected = (form: string) => ({
      form,
      status: 'failed',
      attempts: [{ errorKind: 'egress_blocked', httpStatus: null, retry: null }],
    });
    expect(deliveries.map(outcome).sort((a, b) => String(a.form).localeCompare(String(b.form)))).toEqual(
      Object.keys(blocked)
        .sort((a, b) => a.localeCompare(b))
        .map(expected),
    );
    expect(deliveries.every((d) => d.nextAttemptAt === null)).toBe(true);
    expect(sentinel.connections()).toBe(0);
  });
});

describe('egress guard at delivery time: control, with loopback allowlisted', () => {
  let s: Setup;
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;

  beforeAll(async () => {
    sentinel = await startSentinel();
    // `localhost` stands for both loopback addresses (RFC 6761), so both ranges are allowed.
    s = await setUp('127.0.0.0/8, ::1/128');
  });
  afterAll(async () => {
    await s?.t.close();
    await sentinel?.close();
  });

  it('delivers to the same loopback forms once they are inside the allowlist', async () => {
    const allowed = [
      'http://localhost:P/hook',
      'http://127.0.0.1:P/hook',
      'http://0x7f000001:P/hook',
      'http://127.1:P/hook',
    ];
    let n = 0;
    for (const template of allowed) await endpointAt(s, template.replace(':P/', `:${sentinel.port}/`), n++);
    const deliveries = await publishAndSettle(s, allowed.length);
    expect(deliveries.map((d) => ({ status: d.status, attempts: d.attempts.map((a) => a.httpStatus) }))).toEqual(
      allowed.map(() => ({ status: 'succeeded', attempts: [204] })),
    );
    expect(sentinel.connections()).toBeGreaterThan(0);
  });
});

describe('egress guard: http://localhost with only 127.0.0.1 allowlisted (the first-run setup)', () => {
  let s: Setup;

  beforeAll(async () => {
    s = await setUp('127.0.0.1');
  });
  afterAll(async () => {
    await s?.t.close();
  });

  it('creates the endpoint through the API and delivers to a receiver listening on 127.0.0.1 only', async () => {
    const receiver = await startReceiver();
    try {
      const port = new URL(receiver.url).port;
      const created = await s.t.api.post<EndpointWithSecret>('/v1/endpoints', {
        token: s.tenant.token,
        json: { url: `http://localhost:${port}/hook`, eventTypes: ['ticket.created'] },
      });
      expect(created.status, created.text).toBe(201);
      const [delivery] = await publishAndSettle(s, 1);
      expect({ status: delivery?.status, attempts: delivery?.attempts.map((a) => a.httpStatus) }).toEqual({
        status: 'succeeded',
        attempts: [204],
      });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('refuses ::1, which is not allowlisted, saying what to add', async () => {
    const refused = await s.t.api.post<{ errors: { path: string; message: string }[] }>('/v1/endpoints', {
      token: s.tenant.token,
      json: { url: 'http://[::1]:9/hook', eventTypes: ['ticket.created'] },
    });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.errors).toEqual([
      {
        path: 'url',
        code: expect.any(String),
        message: expect.stringContaining(
          '[::1] is not public and not in HOOKPORT_EGRESS_ALLOWLIST; add ::1 to HOOKPORT_EGRESS_ALLOWLIST',
        ),
      },
    ]);
  });
});

describe('egress guard: the refusal recorded at delivery says what to allowlist', () => {
  let s: Setup;

  beforeAll(async () => {
    s = await setUp('');
  });
  afterAll(async () => {
    await s?.t.close();
  });

  it('records the addresses localhost stands for and the entry that would admit them', async () => {
    await endpointAt(s, 'http://localhost:9/hook', 0);
    const [delivery] = await publishAndSettle(s, 1);
    expect(delivery?.attempts.map((a) => [a.errorKind, a.errorMessage])).toEqual([
      [
        'egress_blocked',
        'localhost resolves to 127.0.0.1, ::1, none of them public or in HOOKPORT_EGRESS_ALLOWLIST; add 127.0.0.1 (or ::1) to HOOKPORT_EGRESS_ALLOWLIST to allow it',
      ],
    ]);
  });
});
