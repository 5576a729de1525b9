import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport, vendorApi } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import {
  blockedTargets,
  type EgressNetwork,
  publicAddress,
  publicAllowlist,
  type ScriptedResolver,
  scriptResolver,
  startEgressNetwork,
  trustTestCa,
} from './support/isolation-network.ts';
import { allPresets } from './support/isolation-seed.ts';
import type { PageOf } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * The egress guard against a hostile receiver and a hostile resolver, end to
 * end, through the native API and the XPath and Spedy surfaces. The only
 * allowlisted range is 127.0.0.2/32 (the "public" receiver); 127.0.0.1 and
 * ::1 listen on the same port and count connections, so any redirect, DNS
 * answer or URL form that reached them would show up as a connection. The
 * loopback default allowlist of the other suites is not used here.
 */

const probeType = 'egress.probe';

interface Attempt {
  number: number;
  httpStatus: number | null;
  errorKind: string | null;
}
interface Delivery {
  id: string;
  eventId: string;
  endpointId: string;
  status: string;
  attempts: Attempt[];
}

interface Setup {
  t: TestHookport;
  tenant: TenantFixture;
}

async function setUp(): Promise<Setup> {
  // Retries at once (schedule "0": two attempts), so a redirect's second attempt is seen too.
  const t = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: publicAllowlist, HOOKPORT_RETRY_SCHEDULE: '0' });
  const tenant = await createTenant(t, { presets: allPresets });
  const type = await t.api.post('/v1/event-types', { token: tenant.token, json: { name: probeType } });
  if (type.status !== 201) throw new Error(type.text);
  return { t, tenant };
}

type Surface = 'native' | 'xpath' | 'spedy';

/** Creates an endpoint through a surface and returns its native id. */
async function endpointVia({ t, tenant }: Setup, surface: Surface, url: string): Promise<string> {
  const auth = { token: tenant.token };
  if (surface === 'native') {
    const res = await t.api.post<{ id: string }>('/v1/endpoints', { ...auth, json: { url, eventTypes: [probeType] } });
    if (res.status !== 201) throw new Error(`native create ${url}: ${res.text}`);
    return res.body.id;
  }
  if (surface === 'xpath') {
    const res = await vendorApi(t, 'xpath').post<{ data: { id: string } }>('/v2.3/webhooks/endpoints', {
      ...auth,
      json: { url, events: [probeType] },
    });
    if (res.status !== 201) throw new Error(`xpath create ${url}: ${res.text}`);
    return `ep_${res.body.data.id.slice(3).toLowerCase()}`;
  }
  const res = await vendorApi(t, 'spedy').post<{ id: string }>('/api/v1/webhook-endpoints', {
    ...auth,
    json: { name: 'egress', url, events: [probeType] },
  });
  if (res.status !== 201) throw new Error(`spedy create ${url}: ${res.text}`);
  return `ep_${res.body.id.slice(3).toLowerCase()}`;
}

/** Publishes one probe event and waits until each of its deliveries is final (succeeded or failed). */
async function publishAndFinish({ t, tenant }: Setup, expected: number): Promise<Map<string, Delivery>> {
  const res = await t.api.post<{ id: string; deliveryCount: number }>('/v1/events', {
    token: tenant.token,
    json: { type: probeType, data: { probe: 'egress' } },
  });
  expect(res.status).toBe(202);
  expect(res.body.deliveryCount).toBe(expected);
  const done = await until(
    `${expected} deliveries to finish`,
    async () => {
      const list = await t.api.get<PageOf<Delivery>>('/v1/deliveries?limit=100', { token: tenant.token });
      const mine = list.body.data.filter((d) => d.eventId === res.body.id);
      return mine.length === expected && mine.every((d) => d.status === 'succeeded' || d.status === 'failed')
        ? mine
        : undefined;
    },
    { timeoutMs: 25_000, intervalMs: 100 },
  );
  const full = await Promise.all(
    done.map(async (d) => (await t.api.get<Delivery>(`/v1/deliveries/${d.id}`, { token: tenant.token })).body),
  );
  return new Map(full.map((d) => [d.endpointId, d]));
}

describe('a public receiver answering 30x towards internal addresses', () => {
  let s: Setup;
  let net: EgressNetwork;
  let resolver: ScriptedResolver;
  /** Where each path of the public receiver redirects to; `P` is the shared port. */
  const redirects: Record<string, [number, string]> = {
    '/to-loopback': [302, 'http://127.0.0.1:P/internal'],
    '/to-metadata': [301, 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    '/to-ipv6-loopback': [307, 'http://[::1]:P/internal'],
    '/to-localhost': [308, 'http://localhost:P/internal'],
    '/to-decimal-loopback': [303, 'http://2130706433:P/internal'],
    '/to-mapped-loopback': [302, 'http://[::ffff:127.0.0.1]:P/internal'],
    '/to-internal-name': [307, 'http://internal.egress.test:P/internal'],
    '/to-self-relative': [302, '/landing'],
    '/loop': [302, `http://${publicAddress}:P/loop`],
  };

  beforeAll(async () => {
    resolver = scriptResolver({ 'internal.egress.test': [['127.0.0.1']] });
    net = await startEgressNetwork((req, res) => {
      const [status, location] = redirects[(req.url ?? '').split('?')[0] ?? ''] ?? [204, ''];
      res.writeHead(status, location ? { location: location.replace(':P/', `:${net.port}/`) } : {}).end();
    });
    s = await setUp();
  });
  afterAll(async () => {
    await s?.t.close();
    await net?.close();
    resolver?.restore();
  });

  it('never follows one: each attempt is a failure recorded with its 3xx, and nothing reaches an internal listener', async () => {
    const pathOf = new Map<string, string>();
    for (const path of Object.keys(redirects)) {
      pathOf.set(await endpointVia(s, 'native', `${net.httpBase}${path}`), path);
    }
    // The same redirects for endpoints made through two vendor surfaces, which deliver with their own profiles.
    for (const [surface, path] of [
      ['xpath', '/to-loopback'],
      ['xpath', '/to-metadata'],
      ['spedy', '/to-ipv6-loopback'],
      ['spedy', '/to-internal-name'],
    ] as const) {
      pathOf.set(await endpointVia(s, surface, `${net.httpBase}${path}?via=${surface}`), path);
    }
    const deliveries = await publishAndFinish(s, pathOf.size);

    for (const [endpointId, path] of pathOf) {
      const d = deliveries.get(endpointId);
      const [status] = redirects[path] ?? [0];
      expect({ path, status: d?.status, attempts: d?.attempts.map((a) => a.httpStatus) }).toEqual({
        path,
        status: 'failed',
        attempts: [status, status],
      });
    }
    // One request per attempt reached the public receiver, at the endpoint's own path; no redirect target was asked.
    const asked = net.received.map((r) => r.path.split('?')[0]);
    expect(asked.length).toBe(pathOf.size * 2);
    expect(asked.filter((p) => p === '/landing' || p === '/internal')).toEqual([]);
    expect(net.internalConnections()).toBe(0);
    expect(resolver.lookups('internal.egress.test')).toBe(0);
  });
});

describe('DNS answers that change between lookups, and names that resolve inward', () => {
  let s: Setup;
  let net: EgressNetwork;
  let resolver: ScriptedResolver;
  const pub = [publicAddress];
  /** The name's answers, lookup after lookup (the last repeats). */
  const script: Record<string, string[][]> = {
    'ok.egress.test': [pub],
    'ok-xpath.egress.test': [pub],
    // Rebinding: public, then internal, then public again …
    'flip.egress.test': [pub, ['127.0.0.1'], pub, ['127.0.0.1']],
    'flip-xpath.egress.test': [pub, ['169.254.169.254'], pub, ['169.254.169.254']],
    'flip-spedy.egress.test': [pub, ['::1'], pub, ['::1']],
    // … and the other way round.
    'flop.egress.test': [['127.0.0.1'], pub, ['127.0.0.1'], pub],
    // One public and one internal answer at once: the socket is handed the public one only, never a race of both.
    'both.egress.test': [[publicAddress, '127.0.0.1']],
    'both-reversed.egress.test': [['127.0.0.1', publicAddress]],
    'both-v6.egress.test': [[publicAddress, '::1']],
  };
  /** Names whose every answer is a non-public address, in the forms a resolver may give. */
  const inward: Record<string, string> = {
    'v4-loopback.egress.test': '127.0.0.1',
    'v4-loopback-other.egress.test': '127.9.9.9',
    'v4-unspecified.egress.test': '0.0.0.0',
    'v4-metadata.egress.test': '169.254.169.254',
    'v4-private.egress.test': '10.0.0.1',
    'v4-cgnat.egress.test': '100.64.0.1',
    'v6-loopback.egress.test': '::1',
    'v6-unspecified.egress.test': '::',
    'v6-mapped.egress.test': '::ffff:127.0.0.1',
    'v6-mapped-hex.egress.test': '::ffff:7f00:1',
    'v6-mapped-metadata.egress.test': '::ffff:169.254.169.254',
    'v6-compatible.egress.test': '::127.0.0.1',
    'v6-translated.egress.test': '::ffff:0:7f00:1',
    'v6-nat64.egress.test': '64:ff9b::7f00:1',
    'v6-6to4.egress.test': '2002:7f00:1::1',
    'v6-link-local.egress.test': 'fe80::1',
    'v6-ula-aws-metadata.egress.test': 'fd00:ec2::254',
    'v6-site-local.egress.test': 'fec0::1',
    'v6-multicast.egress.test': 'ff02::1',
  };

  beforeAll(async () => {
    trustTestCa();
    resolver = scriptResolver({
      ...script,
      ...Object.fromEntries(Object.entries(inward).map(([name, address]) => [name, [[address]]])),
    });
    // Connection: close, so every attempt connects (and therefore resolves) afresh.
    net = await startEgressNetwork((_req, res) => res.writeHead(204, { connection: 'close' }).end(), { tls: true });
    s = await setUp();
  });
  afterAll(async () => {
    await s?.t.close();
    await net?.close();
    resolver?.restore();
  });

  it('judges every connection on the address it connects to: rebinding and every inward form are refused, mixed answers reach only the public address', async () => {
    const nameOf = new Map<string, string>();
    const url = (name: string) => `https://${name}:${net.port}/hook`;
    for (const name of [...Object.keys(script), ...Object.keys(inward)]) {
      const surface: Surface = name.includes('-xpath') ? 'xpath' : name.includes('-spedy') ? 'spedy' : 'native';
      nameOf.set(await endpointVia(s, surface, url(name)), name);
    }
    // Two events: a name that answered publicly for the first may answer inward for the second.
    const rounds = [await publishAndFinish(s, nameOf.size), await publishAndFinish(s, nameOf.size)];

    const outcomes = new Map<string, string[]>();
    for (const round of rounds) {
      for (const [endpointId, name] of nameOf) {
        const d = round.get(endpointId);
        const kinds = (d?.attempts ?? []).map((a) => (a.httpStatus === 204 ? 'delivered' : String(a.errorKind)));
        outcomes.set(name, [...(outcomes.get(name) ?? []), ...kinds]);
      }
    }
    const of = (name: string) => outcomes.get(name) ?? [];
    // Only two outcomes exist: delivered to the public receiver, or refused by the guard.
    for (const [name, kinds] of outcomes) {
      expect(kinds.length, name).toBeGreaterThan(0);
      for (const kind of kinds) expect(['delivered', 'egress_blocked'], `${name}: ${kinds}`).toContain(kind);
    }
    expect(of('ok.egress.test')).toEqual(['delivered', 'delivered']);
    expect(of('ok-xpath.egress.test')).toEqual(['delivered', 'delivered']);
    for (const name of ['flip.egress.test', 'flip-xpath.egress.test', 'flip-spedy.egress.test', 'flop.egress.test']) {
      // Whatever the lookup it landed on, a rebinding name was caught the moment it answered inward.
      expect(of(name), name).toContain('egress_blocked');
      expect(resolver.lookups(name), name).toBeGreaterThanOrEqual(2);
    }
    for (const name of ['both.egress.test', 'both-reversed.egress.test', 'both-v6.egress.test']) {
      expect(of(name), name).toEqual(['delivered', 'delivered']);
    }
    for (const name of Object.keys(inward)) {
      expect(new Set(of(name)), name).toEqual(new Set(['egress_blocked']));
    }
    const delivered = [...outcomes.values()].flat().filter((k) => k === 'delivered').length;
    expect(net.received.length).toBe(delivered);
    expect(net.internalConnections()).toBe(0);
  });
});

describe('every non-public literal form is refused at creation', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp();
  });
  afterAll(async () => {
    await s?.t.close();
  });

  it(`through the native API, XPath and TSANet, over http and https, storing nothing (${Object.keys(blockedTargets).length} forms)`, async () => {
    const before = await s.t.snapshot();
    const xpath = vendorApi(s.t, 'xpath');
    const tsanet = vendorApi(s.t, 'tsanet');
    for (const [form, template] of Object.entries(blockedTargets)) {
      const http = template.replace(':P/', ':8443/');
      for (const url of [http, http.replace(/^http:/, 'https:')]) {
        const native = await s.t.api.post<{ errors?: { path: string; message: string }[] }>('/v1/endpoints', {
          token: s.tenant.token,
          json: { url, eventTypes: [probeType] },
        });
        expect(native.status, `${form} ${url}: ${native.text}`).toBe(422);
        if (url.startsWith('https:')) {
          // Refused for where it points, not merely for the scheme.
          expect(native.body.errors?.find((e) => e.path === 'url')?.message, `${form} ${url}`).toMatch(
            /non-public|credentials/,
          );
        }
        const viaXpath = await xpath.post('/v2.3/webhooks/endpoints', {
          token: s.tenant.token,
          json: { url, events: [probeType] },
        });
        expect(viaXpath.status, `xpath ${form} ${url}: ${viaXpath.text}`).toBe(400);
        const viaTsanet = await tsanet.post('/v1/webhooks', {
          token: s.tenant.token,
          json: { callbackUrl: url, eventTypes: [probeType] },
        });
        expect(viaTsanet.status, `tsanet ${form} ${url}: ${viaTsanet.text}`).toBe(400);
      }
    }
    expect(await s.t.snapshot()).toBe(before);
  });
});

describe('URLs with credentials', () => {
  let s: Setup;
  let net: EgressNetwork;

  beforeAll(async () => {
    net = await startEgressNetwork((_req, res) => res.writeHead(204).end());
    s = await setUp();
  });
  afterAll(async () => {
    await s?.t.close();
    await net?.close();
  });

  const withCredentials = (base: string) => [
    `${base.replace('://', '://user:pass@')}/hook`,
    `${base.replace('://', '://user@')}/hook`,
    `${base.replace('://', '://:pass@')}/hook`,
    `${base.replace('://', '://user%40example.com:p%3Ass@')}/hook`,
  ];

  /** Each surface's create request for a URL, and the status its validation error has there. */
  const creates: [
    Surface | 'helpdesk' | 'tsanet' | 'rapidly',
    string,
    (url: string) => unknown,
    number,
    Record<string, string>?,
  ][] = [
    ['native', '/v1/endpoints', (url) => ({ url, eventTypes: [probeType] }), 422],
    ['spedy', '/api/v1/webhook-endpoints', (url) => ({ name: 'creds', url, events: [probeType] }), 400],
    [
      'helpdesk',
      '/helpdesk/api/v1/webhooks',
      (url) => ({ webhook: { name: 'creds', targetUrl: url, events: [probeType] } }),
      422,
    ],
    ['tsanet', '/v1/webhooks', (url) => ({ callbackUrl: url, eventTypes: [probeType] }), 400],
    ['rapidly', '/api/webhooks/endpoints', (url) => ({ url, format: 'raw', events: [probeType] }), 422],
    ['xpath', '/v2.3/webhooks/endpoints', (url) => ({ url, events: [probeType] }), 400],
  ];

  it('are refused at creation on every surface, and nothing is stored', async () => {
    const before = await s.t.snapshot();
    for (const [surface, path, body, status] of creates) {
      const api = surface === 'native' ? s.t.api : vendorApi(s.t, surface);
      const headers: Record<string, string> = surface === 'helpdesk' ? { 'x-workspace-id': s.tenant.id } : {};
      for (const url of [...withCredentials('https://hooks.example.com'), ...withCredentials(net.httpBase)]) {
        const res = await api.post(path, { token: s.tenant.token, headers, json: body(url) });
        expect(res.status, `${surface} ${url}: ${res.text}`).toBe(status);
      }
    }
    expect(await s.t.snapshot()).toBe(before);
  });

  it('are refused when an endpoint is changed to one, through the native API and XPath', async () => {
    const nativeId = await endpointVia(s, 'native', `${net.httpBase}/plain`);
    const xpathId = await endpointVia(s, 'xpath', `${net.httpBase}/plain-xpath`);
    const xpathVendorId = `wh_${xpathId.slice(3).toUpperCase()}`;
    const before = await s.t.snapshot();
    for (const url of withCredentials('https://hooks.example.com')) {
      const native = await s.t.api.patch(`/v1/endpoints/${nativeId}`, { token: s.tenant.token, json: { url } });
      expect(native.status, native.text).toBe(422);
      const xpath = await vendorApi(s.t, 'xpath').patch(`/v2.3/webhooks/endpoints/${xpathVendorId}`, {
        token: s.tenant.token,
        json: { url },
      });
      expect(xpath.status, xpath.text).toBe(400);
    }
    expect(await s.t.snapshot()).toBe(before);
  });

  it('in a URL stored before the rule (changed in the database) are never sent: the request goes out without them', async () => {
    const id = await endpointVia(s, 'native', `${net.httpBase}/stored`);
    await s.t.hp.db.query('update endpoints set url = $1 where id = $2', [
      `${net.httpBase.replace('://', '://user:hunter2@')}/stored`,
      uuidOf(id),
    ]);
    const others = (await s.t.api.get<PageOf<{ id: string }>>('/v1/endpoints?limit=100', { token: s.tenant.token }))
      .body.data.length;
    const deliveries = await publishAndFinish(s, others);
    expect(deliveries.get(id)?.status).toBe('succeeded');
    const stored = net.received.filter((r) => r.path === '/stored');
    expect(stored.length).toBe(1);
    expect(stored[0]?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(stored[0]?.headers)).not.toContain('hunter2');
    expect(s.t.logs.join('')).not.toContain('hunter2');
  });
});
