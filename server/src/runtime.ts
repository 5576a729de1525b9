import { join } from 'node:path';
import { buildNativeDocument, type CorePort } from '@hookport/spec';
import type { Logger } from 'pino';
import { inMemory, resolveSecrets, type Secrets } from './bootstrap.ts';
import type { Config } from './config.ts';
import { createCore, verifySecretKey } from './core/core.ts';
import { type Database, openPglite, openPostgres } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createApp } from './http/app.ts';

export interface Hookport {
  config: Config;
  db: Database;
  core: CorePort;
  app: ReturnType<typeof createApp>;
  secrets: Secrets;
  close(): Promise<void>;
}

export async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl !== undefined) return openPostgres({ url: config.databaseUrl, schema: config.dbSchema });
  const dataDir = config.dataDir === inMemory ? 'memory://' : join(config.dataDir, 'pgdata');
  return openPglite({ dataDir, schema: config.dbSchema });
}

/** Everything one process needs, ready: database migrated, key verified, app built. */
export async function openHookport(config: Config, logger: Logger): Promise<Hookport> {
  const secrets = await resolveSecrets(config);
  const db = await openDatabase(config);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    await verifySecretKey(db, secrets.secretKey);
  } catch (err) {
    await db.close();
    throw err;
  }
  const core = createCore({
    db,
    secretKey: secrets.secretKey,
    adminToken: secrets.adminToken,
    egressAllowlist: config.egressAllowlist,
  });
  const app = createApp({
    core,
    db,
    logger,
    maxRequestBytes: config.maxRequestBytes,
    documents: { '/openapi.json': buildNativeDocument() },
  });
  return { config, db, core, app, secrets, close: () => db.close() };
}
