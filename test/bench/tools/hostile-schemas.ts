/**
 * Another tenant's latency while one tenant attacks with costly schemas (issue #17). A tenant
 * publishes, as fast as its requests are answered, against the schemas of
 * test/src/support/hostile-schemas.ts (each costly case in turn, several in flight); another tenant
 * publishes against a small schema of its own and reads its event type, one request at a time. The
 * other tenant's p50/p99 are measured first without the attack, then under it, with the main event
 * loop's longest delay. Embedded PGlite unless DATABASE_URL is set (a fresh schema, dropped after).
 *
 *   pnpm exec tsx test/bench/tools/hostile-schemas.ts [seconds per run, default 20]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm exec tsx test/bench/tools/hostile-schemas.ts
 *
 * HOOKPORT_SCHEMA_THREADS and HOOKPORT_SCHEMA_BUDGET_MS, if set, are passed to the server.
 */
import { randomBytes } from 'node:crypto';
import { costlyPublishes } from '../../src/support/hostile-schemas.ts';
import { watchLoop } from '../../src/support/loop-watch.ts';

const serverEntry = process.env.BENCH_SERVER ?? '../../../server/src/index.ts';
const { createLogger, loadConfig, openHookport, openPostgres } = (await import(
  serverEntry
)) as typeof import('../../../server/src/index.ts');

const seconds = Number(process.argv[2] ?? 20);
const schema = `bench_hostile_${process.pid}`;
const adminToken = `hpa_${randomBytes(24).toString('base64url')}`;
const config = loadConfig({
  DATABASE_URL: process.env.DATABASE_URL,
  HOOKPORT_DB_SCHEMA: schema,
  HOOKPORT_DATA_DIR: ':memory:',
  HOOKPORT_SECRET_KEY: randomBytes(32).toString('hex'),
  HOOKPORT_ADMIN_TOKEN: adminToken,
  HOOKPORT_API_RATE_LIMIT: '0',
  HOOKPORT_SCHEMA_THREADS: process.env.HOOKPORT_SCHEMA_THREADS,
  HOOKPORT_SCHEMA_BUDGET_MS: process.env.HOOKPORT_SCHEMA_BUDGET_MS,
  LOG_LEVEL: 'silent',
});
const hp = await openHookport(config, createLogger('silent'), 'api');

async function call(
  method: string,
  path: string,
  token: string,
  json?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await hp.app.fetch(
    new Request(`http://bench${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    }),
  );
  return { status: res.status, body: await res.json() };
}

async function must(method: string, path: string, token: string, json?: unknown): Promise<Record<string, unknown>> {
  const res = await call(method, path, token, json);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

async function tenant(name: string): Promise<string> {
  const t = await must('POST', '/v1/tenants', adminToken, { name, presets: [] });
  return String((await must('POST', `/v1/tenants/${String(t.id)}/tokens`, adminToken, { name, scopes: ['*'] })).token);
}

const attacker = await tenant('Attacker');
const other = await tenant('Other');
await must('POST', '/v1/event-types', other, {
  name: 'order.created',
  schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^ord_[0-9]+$' } } },
});
for (const costly of costlyPublishes) {
  await must('POST', '/v1/event-types', attacker, { name: `costly.${costly.name}`, schema: costly.schema });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** The other tenant's rounds (publish, then read) for `ms`; every answer must be a 2xx. */
async function otherTenant(ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  for (let n = 0; performance.now() < end; n++) {
    const started = performance.now();
    const published = await call('POST', '/v1/events', other, { type: 'order.created', data: { id: `ord_${n}` } });
    const read = await call('GET', '/v1/event-types/order.created', other);
    latencies.push(performance.now() - started);
    if (published.status !== 202 || read.status !== 200) {
      throw new Error(`the other tenant got ${published.status}/${read.status}: ${JSON.stringify(published.body)}`);
    }
  }
  return latencies;
}

async function run(label: string, attack: boolean): Promise<void> {
  const loop = watchLoop();
  let stop = false;
  let refused = 0;
  const attackers = attack
    ? Array.from({ length: 4 }, async (_, k) => {
        for (let i = k; !stop; i++) {
          const costly = costlyPublishes[i % costlyPublishes.length];
          if (!costly) continue;
          const res = await call('POST', '/v1/events', attacker, { type: `costly.${costly.name}`, data: costly.data });
          if (res.status !== 422) throw new Error(`${costly.name}: ${res.status} ${JSON.stringify(res.body)}`);
          refused++;
        }
      })
    : [];
  const latencies = await otherTenant(seconds * 1000);
  stop = true;
  await Promise.all(attackers);
  const { maxMs } = loop.stop();
  console.log(
    `${label}: other tenant ${latencies.length} rounds (publish + read), p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(0)} ms; ` +
      `attacker refused ${refused}; main event loop delay max ${maxMs.toFixed(0)} ms`,
  );
}

try {
  await run('quiet       ', false);
  await run('under attack', true);
} finally {
  await hp.close();
  if (config.databaseUrl) {
    const admin = openPostgres({ url: config.databaseUrl, schema: 'public', max: 1 });
    await admin.exec(`drop schema if exists "${schema}" cascade`);
    await admin.exec(`drop schema if exists "${schema}_boss" cascade`);
    await admin.close();
  }
}
