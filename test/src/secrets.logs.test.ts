import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, databaseKind, startHookport, type TestHookport, vendorApi } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import { type EgressNetwork, startEgressNetwork } from './support/isolation-network.ts';
import { type SeededTenant, seedTenant } from './support/isolation-seed.ts';
import type { CreatedToken, PageOf, RotatedSecret } from './support/types.ts';
import { until } from './support/until.ts';
import { killProcesses, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

/*
 * Secrets never reach a log line, and are sealed at rest. A realistic run on
 * every surface — endpoints created through all six, secrets generated,
 * brought, rotated and reset, deliveries that succeed, fail with 500, time
 * out, are refused, redirected, disabled by a 410, pings and redeliveries,
 * refused requests with every kind of token — at the most verbose log level,
 * with the delivery worker in a process of its own on PostgreSQL (its output
 * captured) and in-process on PGlite. Then every log line, and the dump of
 * every table, is searched for every secret in every encoding it could take.
 */

let t: TestHookport;
let net: EgressNetwork;
let worker: WorkerProcess | undefined;
let seeded: SeededTenant;
/** Every secret the run handled, as the API showed it. */
const secrets: string[] = [];
const tokens: string[] = [];

const failing = ['fail500', 'hang', 'gone410', 'redirect'] as const;

beforeAll(async () => {
  net = await startEgressNetwork((req, res) => {
    const path = (req.url ?? '').split('/')[1] ?? '';
    // The 500 echoes the request's headers back, as a careless receiver's error page would.
    if (path === 'fail500') res.writeHead(500).end(JSON.stringify(req.headers));
    else if (path === 'gone410') res.writeHead(410).end();
    else if (path === 'redirect') res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    else if (path !== 'hang') res.writeHead(204).end();
  });
  const env = {
    LOG_LEVEL: 'trace',
    HOOKPORT_RETRY_SCHEDULE: '0',
    // Short enough for the hanging receiver to time out quickly, long enough for a loaded machine's 204s.
    HOOKPORT_DELIVERY_TIMEOUT_MS: '2000',
  };
  // On PostgreSQL the worker runs as its own process, as in production, and its output is captured too.
  t = await startHookport(env, databaseKind === 'postgres' ? 'api' : 'all');
  if (databaseKind === 'postgres') {
    worker = await startWorkerProcess(t, { ...env, HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8' });
  }
  seeded = await seedTenant(t, 's', `${net.httpBase}/ok`);
  secrets.push(...seeded.secrets);
  tokens.push(seeded.fixture.token, t.adminToken);
}, 90_000);

afterAll(async () => {
  await killProcesses();
  await t?.close();
  await net?.close();
});

/** Everything the server and the worker process wrote. */
function allLogs(): string {
  return t.logs.join('') + (worker?.output.join('') ?? '');
}

/** The forms one secret could leak in: as shown, its key material, and the raw bytes re-encoded. */
function encodings(secret: string): string[] {
  const material = secret.replace(/^(whsec_|rapidly_whs_)/, '');
  const out = new Set([secret, material]);
  if (secret.startsWith('whsec_')) {
    const raw = Buffer.from(material, 'base64');
    out.add(raw.toString('hex'));
    out.add(raw.toString('base64url'));
  }
  return [...out].filter((s) => s.length >= 16);
}

describe('a realistic run on every surface', () => {
  it('rotates, resets and brings secrets on the surfaces that can', async () => {
    const auth = { token: seeded.fixture.token };
    const rotated = await t.api.post<RotatedSecret>(`/v1/endpoints/${seeded.refs.native.endpoint}/secret/rotate`, auth);
    expect(rotated.status).toBe(200);
    const brought = `whsec_${randomBytes(32).toString('base64')}`;
    const rotatedIn = await t.api.post(`/v1/endpoints/${seeded.refs.native.endpoint}/secret/rotate`, {
      ...auth,
      json: { secret: brought, gracePeriodSeconds: 60 },
    });
    expect(rotatedIn.status).toBe(200);
    const rapidly = vendorApi(t, 'rapidly');
    const reset = await rapidly.patch<{ secret: string }>(
      `/api/webhooks/endpoints/${seeded.refs.rapidly.endpoint}/secret`,
      auth,
    );
    expect(reset.status).toBe(200);
    const set = `rapidly_whs_${randomBytes(30).toString('base64url')}`;
    const patched = await rapidly.patch(`/api/webhooks/endpoints/${seeded.refs.rapidly.endpoint}`, {
      ...auth,
      json: { secret: set },
    });
    expect(patched.status).toBe(200);
    secrets.push(rotated.body.secret, brought, reset.body.secret, set);
    // A native endpoint made with a secret of its own, and a TSANet one for its hex format. The native one
    // also carries a receiver's credentials in custom headers, sealed like secrets (docs/api.md, "Custom headers").
    const own = `whsec_${randomBytes(40).toString('base64')}`;
    const bearer = randomBytes(24).toString('base64url');
    const apiKey = randomBytes(16).toString('hex');
    const made = await t.api.post('/v1/endpoints', {
      ...auth,
      json: {
        url: `${net.httpBase}/ok/own`,
        eventTypes: [seeded.refs.eventType],
        secret: own,
        headers: { Authorization: `Bearer ${bearer}`, 'X-API-Key': apiKey },
      },
    });
    expect(made.status).toBe(201);
    secrets.push(own, bearer, apiKey);
  });

  it('delivers, fails in every way, pings and redelivers', async () => {
    const auth = { token: seeded.fixture.token };
    const type = await t.api.post('/v1/event-types', { ...auth, json: { name: 'secrets.fail' } });
    expect(type.status).toBe(201);
    const failingIds: string[] = [];
    for (const path of failing) {
      const res = await t.api.post<{ id: string; secret: string }>('/v1/endpoints', {
        ...auth,
        json: { url: `${net.httpBase}/${path}`, eventTypes: ['secrets.fail'] },
      });
      expect(res.status, res.text).toBe(201);
      failingIds.push(res.body.id);
      secrets.push(res.body.secret);
    }
    const refused = await t.api.post<{ id: string; secret: string }>('/v1/endpoints', {
      ...auth,
      json: { url: 'http://127.0.0.1:1/closed', eventTypes: ['secrets.fail'] },
    });
    const blocked = await t.api.post<{ id: string; secret: string }>('/v1/endpoints', {
      ...auth,
      json: { url: 'https://hooks.example.com/blocked', eventTypes: ['secrets.fail'] },
    });
    secrets.push(refused.body.secret, blocked.body.secret);
    // Pointed at the cloud metadata address behind the API's back: the guard refuses it at delivery.
    await t.hp.db.query('update endpoints set url = $1 where id = $2', [
      'http://169.254.169.254/latest/meta-data/',
      uuidOf(blocked.body.id),
    ]);

    const events = [
      await t.api.post<{ id: string }>('/v1/events', { ...auth, json: { type: 'secrets.fail', data: { n: 1 } } }),
      await t.api.post<{ id: string }>('/v1/events', {
        ...auth,
        json: { type: seeded.refs.eventType, data: { n: 2 } },
      }),
    ];
    for (const e of events) expect(e.status).toBe(202);
    const ping = await t.api.post(`/v1/endpoints/${seeded.refs.native.endpoint}/ping`, auth);
    expect(ping.status).toBe(202);
    const spedyPing = await vendorApi(t, 'spedy').post(
      `/api/v1/webhook-endpoints/${seeded.refs.spedy.endpoint}/ping`,
      auth,
    );
    expect(spedyPing.status).toBe(204);
    const redeliver = await t.api.post(`/v1/deliveries/${seeded.refs.native.delivery}/redeliver`, auth);
    expect(redeliver.status).toBe(202);

    // Every delivery of the run reaches a final state: nothing is still being tried when the logs are read.
    await until(
      'every delivery to finish',
      async () => {
        const list = await t.api.get<PageOf<{ status: string; attemptCount: number }>>(
          '/v1/deliveries?limit=100',
          auth,
        );
        const open = list.body.data.filter((d) => d.status === 'pending');
        return list.body.data.length >= 14 && open.length === 0 ? list.body.data : undefined;
      },
      { timeoutMs: 25_000, intervalMs: 200 },
    );
    const kinds = new Set<string>();
    for (const id of [...failingIds, refused.body.id, blocked.body.id]) {
      const list = await t.api.get<PageOf<{ id: string }>>(`/v1/deliveries?endpointId=${id}`, auth);
      for (const d of list.body.data) {
        const full = await t.api.get<{ attempts: { httpStatus: number | null; errorKind: string | null }[] }>(
          `/v1/deliveries/${d.id}`,
          auth,
        );
        for (const a of full.body.attempts)
          kinds.add(a.httpStatus === null ? String(a.errorKind) : String(a.httpStatus));
      }
    }
    // The run did exercise every failure path whose logging is under test.
    expect([...kinds].sort()).toEqual(['302', '410', '500', 'connection', 'egress_blocked', 'timeout'].sort());
  });

  it('refuses requests carrying every kind of token, valid or not', async () => {
    const tenantId = seeded.fixture.id;
    const reader = await createToken(t, tenantId, ['endpoints:read']);
    const made = await t.api.post<CreatedToken>(`/v1/tenants/${tenantId}/tokens`, {
      token: t.adminToken,
      json: { name: 'to revoke', scopes: ['*'] },
    });
    await t.api.delete(`/v1/tenants/${tenantId}/tokens/${made.body.id}`, { token: t.adminToken });
    const unknown = `hp_${randomBytes(32).toString('base64url')}`;
    tokens.push(reader, made.body.token, unknown);
    for (const token of [reader, made.body.token, unknown, t.adminToken]) {
      await t.raw.post('/v1/endpoints', { token, json: { url: 'https://x.example.com', eventTypes: ['*'] } });
      await t.raw.get('/api/webhooks/endpoints', { token });
      await t.raw.get('/helpdesk/api/v1/webhooks', { headers: { 'x-api-key': token, 'x-workspace-id': tenantId } });
      await t.raw.get('/v1/webhooks', { headers: { authorization: `Token ${token}` } });
      await t.raw.get('/nowhere', { token });
    }
  });
});

describe('what the run left behind', () => {
  it('no log line of the server or the worker holds a secret, a token or the encryption key', () => {
    const logs = allLogs();
    expect(logs.length).toBeGreaterThan(1000);
    // The process that delivered logged each attempt (the worker process's own output on PostgreSQL):
    // the search ran over real delivery logging, not an empty stream.
    const workerLogs = worker ? worker.output.join('') : t.logs.join('');
    expect(workerLogs.match(/"msg":"delivery attempt"/g)?.length ?? 0).toBeGreaterThanOrEqual(14);
    expect(workerLogs).toContain('"msg":"endpoint disabled"');
    expect(secrets.length).toBeGreaterThanOrEqual(16);
    for (const secret of secrets) {
      for (const form of encodings(secret))
        expect(logs, `a secret (${secret.slice(0, 8)}…) in the logs`).not.toContain(form);
    }
    for (const token of tokens) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.replace(/^hpa?_/, ''));
    }
    const key = t.hp.secrets.secretKey;
    for (const form of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) {
      expect(logs).not.toContain(form);
    }
    // The figures docs/reliability/isolation.md quotes.
    const lines = logs.split('\n').filter((l) => l.trim() !== '').length;
    const forms = secrets.flatMap(encodings).length;
    console.info(
      `secrets: ${secrets.length} secrets (${forms} encodings), ${tokens.length + 1} tokens and keys, ${lines} log lines`,
    );
  });

  it('the tables hold no secret in clear: endpoint secrets are sealed, tokens are hashes', async () => {
    const dump = await t.snapshot();
    for (const secret of secrets) {
      for (const form of encodings(secret))
        expect(dump, `a secret (${secret.slice(0, 8)}…) stored in clear`).not.toContain(form);
    }
    for (const token of tokens) expect(dump).not.toContain(token.replace(/^hpa?_/, ''));
    const key = t.hp.secrets.secretKey;
    expect(dump).not.toContain(key.toString('hex'));
    expect(dump).not.toContain(key.toString('base64'));
    const rows = (JSON.parse(dump) as Record<string, Record<string, unknown>[]>).endpoints ?? [];
    expect(rows.length).toBeGreaterThanOrEqual(12);
    const sealed = /^v1\.[A-Za-z0-9+/=_-]+\.[A-Za-z0-9+/=_-]+\.[A-Za-z0-9+/=_-]+$/;
    for (const row of rows) {
      expect(String(row.secret_enc)).toMatch(sealed);
      if (row.previous_secret_enc !== null) expect(String(row.previous_secret_enc)).toMatch(sealed);
    }
    // Rotation with a grace period did leave a sealed previous secret to check.
    expect(rows.some((r) => r.previous_secret_enc !== null)).toBe(true);
  });
});
