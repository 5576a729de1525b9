/**
 * Drain: N events fanned out to E endpoints are published with no worker running, then a worker
 * starts and the time until every delivery succeeded is measured. Run once on a fresh database and
 * once with ANALYZE before the worker starts: the plans of the delivery store must not depend on
 * table statistics (issue 15), so both drains should take about as long.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres tsx test/bench/tools/drain.ts [events] [endpoints]
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const serverEntry = process.env.BENCH_SERVER ?? '../../../server/src/index.ts';
const { createLogger, loadConfig, openHookport, openPostgres } = (await import(
  serverEntry
)) as typeof import('../../../server/src/index.ts');

const events = Number(process.argv[2] ?? 1000);
const endpointCount = Number(process.argv[3] ?? 10);
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function receivers(n: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  return {
    ports: servers.map((s) => (s.address() as AddressInfo).port),
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

async function drain(analyze: boolean): Promise<number> {
  const dbName = `hookport_drain_${process.pid}_${analyze ? 'a' : 'f'}`;
  const admin = openPostgres({ url: adminUrl, schema: 'public', max: 1 });
  await admin.exec(`drop database if exists ${dbName}`);
  await admin.exec(`create database ${dbName}`);
  const dbUrl = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  const adminToken = `hpa_${randomBytes(24).toString('base64url')}`;
  const env = {
    DATABASE_URL: dbUrl,
    HOOKPORT_SECRET_KEY: randomBytes(32).toString('hex'),
    HOOKPORT_ADMIN_TOKEN: adminToken,
    HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8',
    HOOKPORT_API_RATE_LIMIT: '100000000',
    LOG_LEVEL: 'silent',
  };
  const rx = await receivers(endpointCount);
  const api = await openHookport(loadConfig(env), createLogger('silent'), 'api');
  const call = async (path: string, json: unknown, token = adminToken) => {
    const res = await api.app.fetch(
      new Request(`http://drain${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      }),
    );
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const tenant = await call('/v1/tenants', { name: 'Drain', presets: ['helpdesk'] });
  const token = String((await call(`/v1/tenants/${tenant.id}/tokens`, { name: 'd', scopes: ['*'] })).token);
  for (const port of rx.ports)
    await call('/v1/endpoints', { url: `http://127.0.0.1:${port}/h`, eventTypes: ['ticket.*'] }, token);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < events; i = next++)
        await call('/v1/events', { type: 'ticket.updated', data: { i } }, token);
    }),
  );
  const db = openPostgres({ url: dbUrl, schema: 'hookport', max: 1 });
  if (analyze) await db.exec('analyze');
  const total = events * endpointCount;
  const t0 = performance.now();
  const worker = await openHookport(loadConfig(env), createLogger('silent'), 'worker');
  for (;;) {
    const [row] = await db.query<{ n: number }>(`select count(*)::int as n from deliveries where status = 'succeeded'`);
    if (Number(row?.n) >= total) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  await worker.close();
  await api.close();
  await db.close();
  await rx.close();
  await admin.exec(`drop database ${dbName} with (force)`);
  await admin.close();
  return ms;
}

for (const analyze of (process.env.DRAIN_ORDER ?? 'f,a,f,a').split(',').map((x) => x === 'a')) {
  const ms = await drain(analyze);
  const total = events * endpointCount;
  console.log(
    `${analyze ? 'after ANALYZE' : 'fresh        '}: ${total} deliveries in ${(ms / 1000).toFixed(2)} s = ${Math.round(total / (ms / 1000))}/s`,
  );
}
