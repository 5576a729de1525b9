import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import {
  type EgressNetwork,
  publicAddress,
  publicAllowlist,
  type ScriptedResolver,
  scriptResolver,
  startEgressNetwork,
  trustTestCa,
} from './support/isolation-network.ts';
import type { EndpointWithSecret } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * HOOKPORT_EGRESS_PROXY end to end: the real server (PGlite or PostgreSQL) delivers through a CONNECT
 * proxy written here (what smokescreen does, minus its policy), to real receivers on 127.0.0.2 over
 * https and http. Only 127.0.0.2 is allowlisted, so a name that resolves to 127.0.0.1 is refused by
 * Hookport's own egress guard — before any CONNECT reaches the proxy.
 */

const proxyUser = 'hp-proxy-user';
const proxyPassword = 'pr0xy-S3cret-never-logged';
const proxyAuth = `Basic ${Buffer.from(`${proxyUser}:${proxyPassword}`).toString('base64')}`;

interface TestProxy {
  port: number;
  /** CONNECT targets ("host:port") the proxy opened a tunnel to, in order. */
  tunnels: string[];
  /** CONNECTs it answered 403. */
  refusals: string[];
  mode: 'tunnel' | 'refuse';
  close(): Promise<void>;
}

/** A CONNECT proxy on 127.0.0.1: checks the credentials (407 without), then tunnels or refuses with 403. */
async function startProxy(): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  const proxy: TestProxy = {
    port: 0,
    tunnels: [],
    refusals: [],
    mode: 'tunnel',
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    if (req.headers['proxy-authorization'] !== proxyAuth) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    if (proxy.mode === 'refuse') {
      proxy.refusals.push(target);
      client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = connect(port, host, () => {
      proxy.tunnels.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    // As smokescreen does: a target it cannot reach is a 502 to the CONNECT.
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    });
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}

/** A plain http receiver on the allowlisted address (the TLS one is the egress network's). */
async function startHttpReceiver(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, publicAddress, resolve));
  return {
    url: `http://${publicAddress}:${(server.address() as AddressInfo).port}/hook`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface DeliveryBody {
  id: string;
  status: string;
  attempts: { number: number; httpStatus: number | null; errorKind: string | null; errorMessage: string | null }[];
}

let t: TestHookport;
let tenant: TenantFixture;
let proxy: TestProxy;
let net: EgressNetwork;
let plain: Awaited<ReturnType<typeof startHttpReceiver>>;
let resolver: ScriptedResolver;
let n = 0;

beforeAll(async () => {
  trustTestCa();
  resolver = scriptResolver({
    'via.egress.test': [[publicAddress]],
    'direct.egress.test': [[publicAddress]],
    'refused.egress.test': [[publicAddress]],
    'inward.egress.test': [['127.0.0.1']],
  });
  proxy = await startProxy();
  net = await startEgressNetwork((_req, res) => res.writeHead(204).end(), { tls: true });
  plain = await startHttpReceiver();
  t = await startHookport({
    LOG_LEVEL: 'trace',
    HOOKPORT_EGRESS_ALLOWLIST: publicAllowlist,
    HOOKPORT_EGRESS_PROXY: `http://${proxyUser}:${proxyPassword}@127.0.0.1:${proxy.port}`,
    HOOKPORT_EGRESS_NO_PROXY: 'direct.egress.test',
    HOOKPORT_RETRY_SCHEDULE: '0',
  });
  tenant = await createTenant(t);
}, 90_000);

afterAll(async () => {
  await t?.close();
  resolver?.restore();
  await Promise.all([proxy?.close(), net?.close(), plain?.close()]);
});

/** One endpoint with its own event type, one event to it, and its delivery once it is `status`. */
async function deliverTo(
  url: string,
  status: 'succeeded' | 'failed',
): Promise<{ endpointId: string; d: DeliveryBody }> {
  const type = `proxy.case${++n}`;
  const registered = await t.api.post('/v1/event-types', { token: tenant.token, json: { name: type } });
  expect(registered.status, registered.text).toBe(201);
  const created = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url, eventTypes: [type] },
  });
  expect(created.status, created.text).toBe(201);
  const published = await t.api.post<{ id: string }>('/v1/events', { token: tenant.token, json: { type, data: {} } });
  expect(published.status).toBe(202);
  const d = await until(`the delivery to ${url} is ${status}`, async () => {
    const list = await t.api.get<{ data: { id: string; eventId: string; status: string }[] }>(
      '/v1/deliveries?limit=100',
      {
        token: tenant.token,
      },
    );
    const mine = list.body.data.find((x) => x.eventId === published.body.id);
    if (!mine || (mine.status !== 'succeeded' && mine.status !== 'failed')) return undefined;
    return (await t.api.get<DeliveryBody>(`/v1/deliveries/${mine.id}`, { token: tenant.token })).body;
  });
  expect(d.status).toBe(status);
  return { endpointId: created.body.id, d };
}

async function streakOf(endpointId: string) {
  const [row] = await t.hp.db.query<{ consecutive_failures: number; failing_since: Date | null }>(
    'select consecutive_failures, failing_since from endpoints where id = $1',
    [uuidOf(endpointId)],
  );
  return row;
}

describe('deliveries through HOOKPORT_EGRESS_PROXY', () => {
  it('tunnels an https delivery, end-to-end TLS to the receiver', async () => {
    const url = `https://via.egress.test:${net.port}/hook`;
    const before = proxy.tunnels.length;
    await deliverTo(url, 'succeeded');
    expect(proxy.tunnels.slice(before)).toContain(`via.egress.test:${net.port}`);
    expect(net.received.length).toBeGreaterThan(0);
  });

  it('tunnels a plain http delivery too (CONNECT, not a forwarded request)', async () => {
    const before = proxy.tunnels.length;
    await deliverTo(plain.url, 'succeeded');
    expect(proxy.tunnels.slice(before)).toEqual([new URL(plain.url).host]);
    expect(plain.hits()).toBe(1);
  });

  it('sends HOOKPORT_EGRESS_NO_PROXY hosts direct', async () => {
    const before = proxy.tunnels.length;
    const received = net.received.length;
    await deliverTo(`https://direct.egress.test:${net.port}/hook`, 'succeeded');
    expect(net.received.length).toBe(received + 1);
    expect(proxy.tunnels.slice(before).filter((x) => x.startsWith('direct.'))).toEqual([]);
  });

  it('refuses a name that resolves inward before asking the proxy for a tunnel', async () => {
    const before = proxy.tunnels.length + proxy.refusals.length;
    const { d } = await deliverTo(`https://inward.egress.test:${net.port}/hook`, 'failed');
    expect(d.attempts.map((a) => a.errorKind)).toEqual(['egress_blocked']);
    expect(d.attempts[0]?.errorMessage).toContain('127.0.0.1');
    expect(proxy.tunnels.length + proxy.refusals.length).toBe(before);
    expect(net.internalConnections()).toBe(0);
  });

  it('records a refused CONNECT as proxy_refused, retried, and leaves the failure streak alone', async () => {
    proxy.mode = 'refuse';
    try {
      // A new origin: an open tunnel of an earlier test would be reused (a proxy judges each CONNECT).
      const { endpointId, d } = await deliverTo(`https://refused.egress.test:${net.port}/hook`, 'failed');
      expect(d.attempts.map((a) => a.errorKind)).toEqual(['proxy_refused', 'proxy_refused']);
      expect(d.attempts[0]?.errorMessage).toContain('403');
      expect(proxy.refusals).toEqual([`refused.egress.test:${net.port}`, `refused.egress.test:${net.port}`]);
      expect(await streakOf(endpointId)).toEqual({ consecutive_failures: 0, failing_since: null });
    } finally {
      proxy.mode = 'tunnel';
    }
  });

  it('charges a receiver failure to the streak, as before (the contrast)', async () => {
    const { endpointId, d } = await deliverTo(`https://via.egress.test:1/closed`, 'failed');
    // The proxy answers 502 for a target it cannot reach: the receiver's failure, not the proxy's.
    expect(d.attempts.map((a) => a.errorKind)).toEqual(['connection', 'connection']);
    expect((await streakOf(endpointId))?.consecutive_failures).toBe(1);
  });

  it('never logs the proxy credentials', () => {
    const logs = t.logs.join('');
    expect(logs).toContain('delivery attempt');
    expect(logs).not.toContain(proxyPassword);
    expect(logs).not.toContain(proxyAuth.slice('Basic '.length));
  });

  // Last: it stops the proxy.
  it('records a dead proxy as proxy_error, not charged to the endpoint', async () => {
    await proxy.close();
    const { endpointId, d } = await deliverTo(`https://via.egress.test:${net.port}/dead`, 'failed');
    expect(d.attempts.map((a) => a.errorKind)).toEqual(['proxy_error', 'proxy_error']);
    expect(d.attempts[0]?.errorMessage).toContain('egress proxy unreachable');
    expect(await streakOf(endpointId)).toEqual({ consecutive_failures: 0, failing_since: null });
    expect(t.logs.join('')).not.toContain(proxyPassword);
  });
});
