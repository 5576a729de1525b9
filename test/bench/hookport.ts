/**
 * Hookport in the bench process: started per phase on PostgreSQL (a schema of the bench database)
 * or PGlite (in memory), with a tenant and a token, driven through `hp.app.fetch`. Every instance
 * that is still open when the run stops is closed by its cleanup.
 */
import { randomBytes } from 'node:crypto';
import type { Hookport, Role } from '@hookport/server';
import { now } from './clock.ts';
import { dbUrl } from './database.ts';
import { eventType, ticketData } from './payload.ts';
import { createLogger, loadConfig, openHookport } from './server.ts';
import { settings } from './settings.ts';

export interface BenchHookport {
  hp: Hookport;
  token: string;
  /** Creates endpoints on the given receiver ports; returns port → secret. */
  endpoints(ports: number[], eventTypes?: (i: number) => string[]): Promise<Record<string, string>>;
  publish(seq: number, type?: string, sentAt?: number): Promise<number>;
  close(): Promise<void>;
}

const secretKeyHex = randomBytes(32).toString('hex');
const adminToken = `hpa_${randomBytes(24).toString('base64url')}`;

let openInstances: BenchHookport[] = [];

export function benchEnv(db: 'postgres' | 'pglite', schema: string, extra: Record<string, string> = {}) {
  return {
    ...(db === 'postgres' ? { DATABASE_URL: dbUrl } : {}),
    HOOKPORT_DB_SCHEMA: schema,
    HOOKPORT_DATA_DIR: ':memory:',
    HOOKPORT_SECRET_KEY: secretKeyHex,
    HOOKPORT_ADMIN_TOKEN: adminToken,
    HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8',
    HOOKPORT_WORKER_CONCURRENCY: String(settings.workerConcurrency),
    HOOKPORT_ENDPOINT_CONCURRENCY: String(settings.endpointConcurrency),
    HOOKPORT_DELIVERY_TIMEOUT_MS: String(settings.deliveryTimeoutMs),
    HOOKPORT_SHUTDOWN_SECONDS: '5',
    // The default (6,000 requests a minute per token) would refuse part of the latency phase's 6,000
    // publishes; a limit this high still counts every request, as the default does.
    HOOKPORT_API_RATE_LIMIT: '100000000',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function startHookport(env: Record<string, string>, role: Role = 'all'): Promise<BenchHookport> {
  const hp = await openHookport(loadConfig(env), createLogger('silent'), role);
  const call = async (method: string, path: string, json: unknown, token = adminToken) => {
    const res = await hp.app.fetch(
      new Request(`http://hookport.bench${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const must = async (path: string, json: unknown, status: number, token?: string) => {
    const res = await call('POST', path, json, token);
    if (res.status !== status) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const tenant = await must('/v1/tenants', { name: 'Bench', presets: ['helpdesk'] }, 201);
  const tok = await must(`/v1/tenants/${tenant.id}/tokens`, { name: 'bench', scopes: ['*'] }, 201);
  const token = String(tok.token);
  const b: BenchHookport = {
    hp,
    token,
    async endpoints(ports, eventTypes = () => ['ticket.*']) {
      const secrets: Record<string, string> = {};
      for (const [i, port] of ports.entries()) {
        const url = `http://127.0.0.1:${port}/hook`;
        const ep = await must('/v1/endpoints', { url, eventTypes: eventTypes(i) }, 201, token);
        secrets[String(port)] = String(ep.secret);
      }
      return secrets;
    },
    async publish(seq, type = eventType, sentAt = now()) {
      const res = await call('POST', '/v1/events', { type, data: ticketData(seq, sentAt) }, token);
      if (res.status !== 202) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`);
      return Number(res.body.deliveryCount);
    },
    async close() {
      openInstances = openInstances.filter((x) => x !== b);
      await hp.close();
    },
  };
  openInstances.push(b);
  return b;
}

/** Closes every instance still open (the run's cleanup, after a failure or at the deadline). */
export async function closeOpenHookports(): Promise<void> {
  for (const b of [...openInstances]) await b.close().catch(() => {});
}
