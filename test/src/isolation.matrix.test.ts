import { createHash } from 'node:crypto';
import type { Scope } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type ApiResponse, createToken, startHookport, type TestHookport } from './support/harness.ts';
import {
  addressesResource,
  adminAlsoAllowed,
  expectNothingOf,
  expectRefusal,
  type Footprint,
  footprintOf,
  foreignQueries,
  mixedPath,
  type Need,
  needs,
  normalised,
  nowhereRefs,
  type Operation,
  paramCount,
  pathFor,
  type Refusal,
  type SurfaceName,
  scopesLacking,
  securedOperations,
  surfaceApi,
  surfaceHeaders,
  surfaceNames,
  type TenantRefs,
} from './support/isolation.ts';
import { type SeededTenant, seedTenant } from './support/isolation-seed.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import type { CreatedToken } from './support/types.ts';
import { until } from './support/until.ts';

/*
 * The isolation matrix: every secured operation of the six OpenAPI documents
 * (read from the documents, so a new route joins the matrix by itself) is
 * called on tenant A's resources with no token, malformed Authorization
 * headers, a revoked and an expired token, tokens lacking the scope, the admin
 * token and tenant B's token — and, for Helpdesk, wrong or missing
 * X-Workspace-Id and X-API-Key forms. Each answer must be the right
 * 400/401/403/404 in the surface's own error shape (and valid against the
 * surface's document), carry nothing of A — no id in any format, no URL,
 * name, secret, token or event data — and nothing stored may change. A token
 * holding exactly the documented scope must get past the check, which proves
 * the scope table right in both directions.
 */

let t: TestHookport;
let receiver: Receiver;
let a: SeededTenant;
let b: SeededTenant;
let footprintA: Footprint;
const nowhere: TenantRefs = nowhereRefs();
const apis = new Map<SurfaceName, Api>();
/** A's tokens: revoked, expired, one per scope set lacking a scope, one per exact need. */
let revoked = '';
let expired = '';
const lacking = new Map<Scope, string>();
const exactly = new Map<string, string>();

const needKey = (need: readonly Scope[]) => [...need].sort().join(' ');

async function revokedToken(tenantId: string): Promise<string> {
  const made = await t.api.post<CreatedToken>(`/v1/tenants/${tenantId}/tokens`, {
    token: t.adminToken,
    json: { name: 'revoked', scopes: ['*'] },
  });
  const gone = await t.api.delete(`/v1/tenants/${tenantId}/tokens/${made.body.id}`, { token: t.adminToken });
  if (gone.status !== 204) throw new Error(`revoke failed: ${gone.text}`);
  return made.body.token;
}

async function expiredToken(tenantId: string): Promise<string> {
  const made = await t.api.post<CreatedToken>(`/v1/tenants/${tenantId}/tokens`, {
    token: t.adminToken,
    json: { name: 'short-lived', scopes: ['*'], expiresAt: new Date(Date.now() + 1000).toISOString() },
  });
  await until('the token to expire', async () =>
    (await t.api.get('/v1/endpoints', { token: made.body.token })).status === 401 ? true : undefined,
  );
  return made.body.token;
}

beforeAll(async () => {
  receiver = await startReceiver();
  // Trace: the most the server logs, so a leak into a log line would be seen by the checks at the end.
  t = await startHookport({ LOG_LEVEL: 'trace' });
  a = await seedTenant(t, 'a', receiver.url);
  b = await seedTenant(t, 'b', receiver.url);
  for (const surface of surfaceNames) apis.set(surface, surfaceApi(t, surface));
  revoked = await revokedToken(a.fixture.id);
  for (const scope of new Set(Object.values(needs).flatMap((table) => Object.values(table).flat()))) {
    if (scope === 'admin' || scope === 'portal') continue;
    lacking.set(scope, await createToken(t, a.fixture.id, scopesLacking(scope)));
  }
  for (const need of Object.values(needs).flatMap((table) => Object.values(table))) {
    if (need === 'admin' || need === 'portal' || exactly.has(needKey(need))) continue;
    exactly.set(needKey(need), await createToken(t, a.fixture.id, [...need]));
  }
  expired = await expiredToken(a.fixture.id);
  const tokenA = a.fixture.token;
  footprintA = await footprintOf(t, a.refs.tenantUuid, [
    a.refs.marker,
    tokenA,
    tokenA.slice('hp_'.length),
    createHash('sha256').update(tokenA).digest('hex'),
    revoked.slice('hp_'.length),
    ...a.secrets,
    // TSANet hex secrets and the others: the key material alone, whatever prefix a surface puts on it.
    ...a.secrets.map((s) => s.replace(/^(whsec_|rapidly_whs_)/, '')),
  ]);
}, 90_000);

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const operations = surfaceNames.flatMap((surface) => securedOperations(surface));

/** Malformed, unknown or borrowed credentials, each a 401 on every route. */
function badAuthorizations(): [string, string | undefined][] {
  const tokenA = a.fixture.token;
  return [
    ['no Authorization', undefined],
    ['an empty Authorization', ''],
    ['Basic credentials holding the token', `Basic ${Buffer.from(`${tokenA}:`).toString('base64')}`],
    ['the scheme alone', 'Bearer'],
    ['another scheme with a valid token', `Token ${tokenA}`],
    ['a bare valid token', tokenA],
    ['a tab instead of a space', `Bearer\t${tokenA}`],
    ['a valid token and a second word', `Bearer ${tokenA} extra`],
    ['two bearer tokens folded into one header', `Bearer ${tokenA}, Bearer ${b.fixture.token}`],
    ['a valid token missing its last character', `Bearer ${tokenA.slice(0, -1)}`],
    ['a valid token with one character more', `Bearer ${tokenA}x`],
    ['the stored hash of a valid token', `Bearer ${createHash('sha256').update(tokenA).digest('hex')}`],
    ['a token of 600 characters', `Bearer hp_${'A'.repeat(600)}`],
    ['the admin token missing its last character', `Bearer ${t.adminToken.slice(0, -1)}`],
    ['a revoked token', `Bearer ${revoked}`],
    ['an expired token', `Bearer ${expired}`],
  ];
}

interface Call {
  label: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  /** What the answer must be: a refusal, or (for positive controls and lists) any status in the set. */
  expect: Refusal | { anyOf: number[] } | { not: number[] };
  /** Whether the answer must carry nothing of A (false only for A's own token on its own data). */
  foreign: boolean;
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** What every call of one operation shares: the operation, its need, and A's and B's ways in. */
interface Context {
  op: Operation;
  need: Need;
  pathA: string;
  workspaceA: Record<string, string>;
  asB: Record<string, string>;
  add: (label: string, headers: Record<string, string>, expect: Call['expect'], extra?: Partial<Call>) => void;
}

/** Every call the matrix makes for one operation. */
function callsFor(op: Operation): Call[] {
  const need: Need | undefined = needs[op.surface][op.key];
  if (need === undefined) throw new Error(`${op.surface} ${op.key} is not in the scope table`);
  const pathA = pathFor(op, a.refs);
  const calls: Call[] = [];
  const ctx: Context = {
    op,
    need,
    pathA,
    workspaceA: surfaceHeaders(op.surface, a.fixture.id),
    asB: { ...surfaceHeaders(op.surface, b.fixture.id), ...bearer(b.fixture.token) },
    add: (label, headers, expect, extra = {}) =>
      calls.push({ label, path: pathA, headers, body: op.body, expect, foreign: true, ...extra }),
  };
  badCredentialCalls(ctx);
  mixedOwnerCalls(ctx);
  if (need === 'admin') adminRouteCalls(ctx);
  else if (need === 'portal') portalRouteCalls(ctx);
  else {
    scopeCalls(ctx, need);
    crossTenantCalls(ctx);
  }
  if (op.surface === 'helpdesk') calls.push(...helpdeskCalls(op, pathA));
  return calls;
}

function badCredentialCalls({ workspaceA, add }: Context): void {
  for (const [label, authorization] of badAuthorizations()) {
    add(label, { ...workspaceA, ...(authorization === undefined ? {} : { authorization }) }, 'unauthorized');
  }
}

/** Ids of two owners in one path (B's endpoint with A's delivery): every id must be the caller's own. */
function mixedOwnerCalls({ op, need, asB, add }: Context): void {
  const owner = need === 'admin' ? bearer(t.adminToken) : need === 'portal' ? bearer(b.portalToken) : asB;
  for (let n = 0; paramCount(op) > 1 && n < paramCount(op); n++) {
    add(`parameter ${n + 1} of A and the others of B`, owner, 'not_found', {
      path: mixedPath(op, (i) => (i === n ? a.refs : b.refs)),
    });
  }
}

/** Tenant management: any tenant token is refused; the admin token gets past the check. */
function adminRouteCalls({ op, add }: Context): void {
  add('a tenant token with every scope', bearer(a.fixture.token), 'forbidden');
  add('another tenant’s token', bearer(b.fixture.token), 'forbidden');
  add(
    'the admin token on a resource that does not exist',
    bearer(t.adminToken),
    { not: [401, 403] },
    { path: pathFor(op, nowhere), body: addressesResource(op) ? op.body : [], foreign: false },
  );
}

/**
 * A portal session's own record: every other kind of token is refused; A's portal token gets its own
 * session, B's gets B's, which must carry nothing of A.
 */
function portalRouteCalls({ add }: Context): void {
  add('a tenant token with every scope', bearer(a.fixture.token), 'forbidden');
  add('another tenant’s token', bearer(b.fixture.token), 'forbidden');
  add('the admin token', bearer(t.adminToken), 'forbidden');
  add('a token without endpoints:read', bearer(lacking.get('endpoints:read') ?? ''), 'forbidden');
  add('A’s portal token', bearer(a.portalToken), { anyOf: [200] }, { foreign: false });
  add('another tenant’s portal token', bearer(b.portalToken), { anyOf: [200] });
}

/** Refused without each needed scope and for the admin token; let through with exactly the scopes. */
function scopeCalls({ op, workspaceA, add }: Context, need: readonly Scope[]): void {
  for (const scope of need) {
    add(`a token without ${scope}`, { ...workspaceA, ...bearer(lacking.get(scope) ?? '') }, 'forbidden');
  }
  if (adminAlsoAllowed.has(op.key)) {
    // Past the access check, onto nothing (or an invalid body), so nothing changes.
    add(
      'the admin token, on nothing',
      { ...workspaceA, ...bearer(t.adminToken) },
      addressesResource(op) ? 'not_found' : { anyOf: [400, 422] },
      addressesResource(op) ? { path: pathFor(op, nowhere), foreign: false } : { body: [], foreign: false },
    );
  } else add('the admin token', { ...workspaceA, ...bearer(t.adminToken) }, 'forbidden');
  // The positive control, on nothing so that nothing changes.
  const control = { ...workspaceA, ...bearer(exactly.get(needKey(need)) ?? '') };
  const exact = `a token with exactly ${need.join(' + ')}`;
  if (addressesResource(op)) {
    add(`${exact}, on an id that names nothing`, control, 'not_found', { path: pathFor(op, nowhere), foreign: false });
  } else if (op.method === 'GET') {
    add(exact, control, { anyOf: [200] }, { foreign: false });
  } else {
    // A body no schema accepts: past the access check, stopped by validation.
    add(`${exact} and an invalid body`, control, { anyOf: [400, 422] }, { body: [], foreign: false });
  }
}

/** B on A's resource is a 404; B's lists, filtered on A's things, show B's own. */
function crossTenantCalls({ op, pathA, asB, add }: Context): void {
  if (addressesResource(op)) {
    add('another tenant’s token on A’s resource', asB, 'not_found');
    return;
  }
  if (op.method !== 'GET') return;
  add('another tenant’s token on its own list', asB, { anyOf: [200] });
  for (const query of foreignQueries(op, a.refs)) {
    add(
      `another tenant’s token, filtering on A’s ${query.split('=')[0]}`,
      asB,
      { not: [401, 403, 500, 503] },
      {
        path: `${pathA}?${query}`,
      },
    );
  }
}

/** Helpdesk's workspace header and X-API-Key: every way of naming the wrong workspace or key. */
function helpdeskCalls(op: Operation, pathA: string): Call[] {
  const tokenA = a.fixture.token;
  const base = { path: pathA, body: op.body, foreign: true };
  const calls: Call[] = [
    { ...base, label: 'no X-Workspace-Id', headers: bearer(tokenA), expect: 'missing_workspace' },
    {
      ...base,
      label: 'a blank X-Workspace-Id',
      headers: { ...bearer(tokenA), 'x-workspace-id': ' ' },
      expect: 'missing_workspace',
    },
    ...(
      [
        ['B’s workspace with A’s key', b.fixture.id, tokenA],
        ['A’s workspace with B’s key', a.fixture.id, b.fixture.token],
        ['A’s workspace id in upper case', a.fixture.id.toUpperCase(), tokenA],
        ['A’s workspace as a UUID', a.refs.tenantUuid, tokenA],
        ['a workspace that does not exist', nowhere.tenantId, tokenA],
      ] as const
    ).map(
      ([label, workspace, token]): Call => ({
        ...base,
        label,
        headers: { ...bearer(token), 'x-workspace-id': workspace },
        expect: 'forbidden',
      }),
    ),
    ...(
      [
        ['X-API-Key: a revoked key', revoked, 'unauthorized'],
        ['X-API-Key: an expired key', expired, 'unauthorized'],
        ['X-API-Key: empty', '', 'unauthorized'],
        ['X-API-Key: the Bearer form', `Bearer ${tokenA}`, 'unauthorized'],
        ['X-API-Key: the stored hash', createHash('sha256').update(tokenA).digest('hex'), 'unauthorized'],
        ['X-API-Key: the admin token', t.adminToken, 'forbidden'],
        ['X-API-Key: a key without admin permission', lacking.get('endpoints:write') ?? '', 'forbidden'],
      ] as const
    ).map(
      ([label, key, refusal]): Call => ({
        ...base,
        label,
        headers: { 'x-api-key': key, 'x-workspace-id': a.fixture.id },
        expect: refusal,
      }),
    ),
    {
      ...base,
      label: 'X-API-Key: B’s key in B’s workspace',
      headers: { 'x-api-key': b.fixture.token, 'x-workspace-id': b.fixture.id },
      expect: addressesResource(op) ? 'not_found' : { anyOf: [200, 201, 400, 422] },
      body: addressesResource(op) ? op.body : [],
    },
    {
      ...base,
      label: 'a malformed Authorization beside a valid X-API-Key (Authorization wins)',
      headers: { authorization: `Token ${tokenA}`, 'x-api-key': tokenA, 'x-workspace-id': a.fixture.id },
      expect: 'unauthorized',
    },
  ];
  return calls;
}

let requests = 0;

function send(op: Operation, call: Call): Promise<ApiResponse> {
  requests++;
  const api = apis.get(op.surface);
  if (!api) throw new Error(`no api for ${op.surface}`);
  const hasBody = call.body !== undefined && op.method !== 'GET' && op.method !== 'DELETE';
  return api.request(op.method, call.path, {
    headers: { ...call.headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    ...(hasBody ? { body: JSON.stringify(call.body) } : {}),
  });
}

function judge(op: Operation, call: Call, res: ApiResponse): void {
  const label = `${op.surface} ${op.key} with ${call.label}`;
  expect(res.status, `${label}: ${res.text}`).toBeLessThan(500);
  const wanted = call.expect;
  if (typeof wanted === 'string') expectRefusal(op.surface, res, wanted, label);
  else if ('anyOf' in wanted) expect(wanted.anyOf, `${label}: got ${res.status} ${res.text}`).toContain(res.status);
  else expect(wanted.not, `${label}: got ${res.status} ${res.text}`).not.toContain(res.status);
  if (call.foreign) {
    const sent = `${call.path}\n${JSON.stringify(call.headers)}\n${JSON.stringify(call.body ?? null)}`;
    expectNothingOf(footprintA, res, sent, label);
  }
}

describe('the matrix covers every secured operation of the six documents', () => {
  it('the leak check sees A’s data where it is: in A’s own answers, on every surface', async () => {
    const own: [SurfaceName, string, Record<string, string>][] = [
      ['native', `/v1/endpoints/${a.refs.native.endpoint}`, {}],
      ['spedy', `/api/v1/webhook-endpoints/${a.refs.spedy.endpoint}`, {}],
      ['helpdesk', `/helpdesk/api/v1/webhooks/${a.refs.helpdesk.endpoint}`, surfaceHeaders('helpdesk', a.fixture.id)],
      ['rapidly', `/api/webhooks/endpoints/${a.refs.rapidly.endpoint}`, {}],
      ['xpath', `/v2.3/webhooks/endpoints/${a.refs.xpath.endpoint}`, {}],
      // Only integers identify a TSANet subscription: the check must see those too.
      ['tsanet', '/v1/webhooks', {}],
    ];
    for (const [surface, path, headers] of own) {
      const res = await apis.get(surface)?.get(path, { headers: { ...headers, ...bearer(a.fixture.token) } });
      expect(res?.status, path).toBe(200);
      if (res) expect(() => expectNothingOf(footprintA, res, '', path), path).toThrow(/other tenant/);
    }
  });

  it('has a scope for each documented operation, and documents each scope it knows', () => {
    for (const surface of surfaceNames) {
      const documented = securedOperations(surface).map((op) => op.key);
      expect(documented.length, surface).toBeGreaterThan(0);
      expect(Object.keys(needs[surface]).sort(), surface).toEqual([...documented].sort());
    }
    expect(operations.length).toBeGreaterThanOrEqual(50);
  });
});

describe.each(surfaceNames)('%s', (surface) => {
  const ops = operations.filter((op) => op.surface === surface);
  it.each(ops.map((op) => [op.key, op] as const))('%s', async (_key, op) => {
    const before = await t.snapshot();
    const calls = callsFor(op);
    for (const call of calls) judge(op, call, await send(op, call));
    if (addressesResource(op)) await expectSameAsNowhere(op);
    expect(await t.snapshot(), `${op.surface} ${op.key}: something stored changed`).toBe(before);
  });
});

/**
 * B asking for A's resource gets exactly what B gets for an id that names
 * nothing (ids and request ids aside): the answer does not confirm that A's exists.
 */
async function expectSameAsNowhere(op: Operation): Promise<void> {
  const need = needs[op.surface][op.key];
  if (need === 'admin' || need === 'portal') return;
  const headers = { ...surfaceHeaders(op.surface, b.fixture.id), ...bearer(b.fixture.token) };
  const base = { label: 'B', headers, body: op.body, expect: 'not_found' as const, foreign: true };
  const onA = await send(op, { ...base, path: pathFor(op, a.refs) });
  const onNothing = await send(op, { ...base, path: pathFor(op, nowhere) });
  const ids = (refs: TenantRefs) =>
    pathFor(op, refs)
      .split('/')
      .filter((_part, i) => op.template.split('/')[i]?.startsWith('{'))
      .map(decodeURIComponent);
  expect(normalised(onA, ids(a.refs)), `${op.surface} ${op.key}`).toBe(normalised(onNothing, ids(nowhere)));
}

describe('after the matrix', () => {
  it(`made every call (${operations.length} operations)`, () => {
    // The figure docs/reliability/isolation.md quotes.
    console.info(`isolation matrix: ${operations.length} operations, ${requests} requests`);
    expect(requests).toBeGreaterThan(operations.length * 15);
  });

  it('nothing of A reached the public routes or the log', async () => {
    for (const path of [
      '/health',
      '/ready',
      '/openapi.json',
      '/docs',
      ...surfaceNames.slice(1).map((v) => `/openapi/${v}.json`),
    ]) {
      const res = await t.raw.get(path);
      expect(res.status, path).toBe(200);
      expectNothingOf(footprintA, res, path, path);
    }
    const logs = t.logs.join('');
    for (const secret of [
      ...a.secrets,
      ...b.secrets,
      a.fixture.token,
      b.fixture.token,
      revoked,
      expired,
      t.adminToken,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});

/*
 * Writes by B that name A's things. They run last: some are accepted (as B's
 * own), so the matrix's snapshots above must not see them.
 */
describe('B’s writes that name A’s things reach nothing of A', () => {
  /** Each surface's create body subscribing to A's event type. */
  const creates: [SurfaceName, string, (url: string) => unknown][] = [
    ['native', '/v1/endpoints', (url) => ({ url, eventTypes: [a.refs.eventType] })],
    ['spedy', '/api/v1/webhook-endpoints', (url) => ({ name: 'b', url, events: [a.refs.eventType] })],
    ['helpdesk', '/helpdesk/api/v1/webhooks', (url) => ({ name: 'b', targetUrl: url, events: [a.refs.eventType] })],
    ['tsanet', '/v1/webhooks', (url) => ({ callbackUrl: url, eventTypes: [a.refs.eventType] })],
    ['rapidly', '/api/webhooks/endpoints', (url) => ({ url, format: 'raw', events: [a.refs.eventType] })],
    ['xpath', '/v2.3/webhooks/endpoints', (url) => ({ url, events: [a.refs.eventType] })],
  ];

  it('cannot subscribe to A’s event type, or create in A’s workspace, on any surface', async () => {
    const before = await t.snapshot();
    for (const [surface, path, body] of creates) {
      const res = await apis.get(surface)?.post(path, {
        headers: { ...surfaceHeaders(surface, b.fixture.id), ...bearer(b.fixture.token) },
        json: body(`${receiver.url}/b-probe`),
      });
      expect(res?.status, `${surface}: ${res?.text}`).toBeGreaterThanOrEqual(400);
      expect(res?.status, `${surface}: ${res?.text}`).toBeLessThan(500);
    }
    const rapidly = await apis.get('rapidly')?.post('/api/webhooks/endpoints', {
      headers: bearer(b.fixture.token),
      json: {
        url: `${receiver.url}/b-probe`,
        format: 'raw',
        events: [b.refs.eventType],
        workspace_id: a.refs.tenantUuid,
      },
    });
    expect(rapidly?.status, rapidly?.text).toBe(422);
    expect(await t.snapshot()).toBe(before);
  });

  it('publishing A’s event type, or reusing A’s idempotency key, never reaches A', async () => {
    const countA = async () =>
      (await t.api.get<{ data: unknown[] }>('/v1/deliveries?limit=100', { token: a.fixture.token })).body.data.length;
    const deliveriesBefore = await countA();
    const receivedBefore = receiver.received.length;

    const foreignType = await t.api.post('/v1/events', {
      token: b.fixture.token,
      json: { type: a.refs.eventType, data: { from: 'b' } },
    });
    expect(foreignType.status, foreignType.text).toBe(422);

    // The same Idempotency-Key in two tenants names two different events.
    const key = `shared-${a.refs.marker}`;
    const fromA = await t.api.post<{ id: string }>('/v1/events', {
      token: a.fixture.token,
      headers: { 'idempotency-key': key },
      json: { type: a.refs.eventType, data: { owner: a.refs.marker } },
    });
    expect(fromA.status, fromA.text).toBe(202);
    const fromB = await t.api.post<{ id: string }>('/v1/events', {
      token: b.fixture.token,
      headers: { 'idempotency-key': key },
      json: { type: b.refs.eventType, data: { owner: 'b' } },
    });
    expect(fromB.status, fromB.text).toBe(202);
    expect(fromB.body.id).not.toBe(fromA.body.id);
    expect(fromB.text).not.toContain(a.refs.marker);
    // And B repeating it with A's exact body gets B's event (or B's conflict), never A's.
    const replay = await t.api.post<{ id: string }>('/v1/events', {
      token: b.fixture.token,
      headers: { 'idempotency-key': key },
      json: { type: a.refs.eventType, data: { owner: a.refs.marker } },
    });
    expect(replay.status, replay.text).toBeLessThan(500);
    expect(replay.text).not.toContain(fromA.body.id);

    // A's one new event reached A's six endpoints and nothing more; B's reached B's.
    await until('A’s new deliveries', async () => ((await countA()) === deliveriesBefore + 6 ? true : undefined));
    await receiver.waitFor(receivedBefore + 12);
    const fresh = receiver.received.slice(receivedBefore);
    const toA = fresh.filter((r) => r.body.includes(a.refs.marker));
    expect(toA.length).toBe(6);
    expect(fresh.filter((r) => r.body.includes('"from":"b"')).length).toBe(0);
  });
});
