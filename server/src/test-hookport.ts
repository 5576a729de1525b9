import { randomBytes } from 'node:crypto';
import { loadConfig } from './config.ts';
import { SecretBox } from './core/crypto.ts';
import { openPostgres } from './db/database.ts';
import { pgliteTemplate } from './db/pglite-template.ts';
import type { Sender } from './delivery/sender.ts';
import { createStore } from './delivery/store.ts';
import { createWorker, type Worker, type WorkerHooks } from './delivery/worker.ts';
import { createLogger } from './logger.ts';
import { type Hookport, openHookport } from './runtime.ts';

/**
 * For the server package's own tests of the delivery engine: a Hookport running the API only (no
 * dispatcher takes the jobs, so a test runs the attempts itself), on a database of its own — a schema
 * of the run's PostgreSQL (DATABASE_URL), dropped at close with pg-boss's beside it, or an in-memory
 * PGlite loaded from the template — with requests to its app as the admin or a given token.
 */
export interface TestApiHookport {
  hp: Hookport;
  adminToken: string;
  /** Sends a JSON request to the app; the answer's status and JSON body. */
  request(method: string, path: string, json: unknown, token?: string): Promise<TestAnswer>;
  /** A worker over this Hookport's database and queue that sends with `sender`; its dispatchers are not started. */
  worker(sender: Sender, hooks?: WorkerHooks): Worker;
  close(): Promise<void>;
}

export interface TestAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function openTestHookport(): Promise<TestApiHookport> {
  const adminToken = `hpa_${randomBytes(24).toString('base64url')}`;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const databaseUrl = process.env.DATABASE_URL;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    HOOKPORT_DB_SCHEMA: schema,
    HOOKPORT_DATA_DIR: ':memory:',
    HOOKPORT_SECRET_KEY: randomBytes(32).toString('hex'),
    HOOKPORT_ADMIN_TOKEN: adminToken,
    HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8',
    LOG_LEVEL: 'silent',
  });
  const embeddedTemplate = databaseUrl ? undefined : await pgliteTemplate();
  const hp = await openHookport(config, createLogger('silent'), 'api', { embeddedTemplate });
  return {
    hp,
    adminToken,
    async request(method, path, json, token = adminToken) {
      const res = await hp.app.fetch(
        new Request(`http://hookport.test${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(json),
        }),
      );
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    worker: (sender, hooks) =>
      createWorker({
        db: hp.db,
        queue: hp.queue,
        store: createStore(hp.queue),
        sender,
        profiles: hp.profiles,
        box: new SecretBox(hp.secrets.secretKey),
        logger: createLogger('silent'),
        options: {
          concurrency: 4,
          endpointConcurrency: 4,
          disableAfterFailedDeliveries: 0,
          disableAfterFailingSeconds: 0,
        },
        ...(hooks ? { hooks } : {}),
      }),
    async close() {
      await hp.close();
      if (!databaseUrl) return;
      const admin = openPostgres({ url: databaseUrl, schema: 'public', max: 1 });
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.query(`drop schema if exists "${schema}_boss" cascade`);
      await admin.close();
    },
  };
}
