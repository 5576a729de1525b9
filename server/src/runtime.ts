import { join } from 'node:path';
import { vendorSurfaces } from '@hookport/compat';
import type { CorePort } from '@hookport/spec';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { inMemory, resolveSecrets, type Secrets } from './bootstrap.ts';
import type { Config } from './config.ts';
import { createCore, verifySecretKey } from './core/core.ts';
import { SecretBox } from './core/crypto.ts';
import { createSchemaChecks } from './core/schema-checks.ts';
import { createSchemaPool } from './core/schema-pool.ts';
import { holdingLock, lockDataDir } from './db/data-dir-lock.ts';
import { type Database, openPglite, openPostgres } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { nativeProfile, nativeRetrySchedule } from './delivery/native-profile.ts';
import { ProfileRegistry } from './delivery/profiles.ts';
import { openQueue, type Queue } from './delivery/queue.ts';
import { Sender } from './delivery/sender.ts';
import { createStore } from './delivery/store.ts';
import { realTimers } from './delivery/timers.ts';
import { createWorker, type Worker } from './delivery/worker.ts';
import { createApp } from './http/app.ts';
import { registerDatabaseGauges } from './metrics/gauges.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { startRetentionJob } from './retention/job.ts';
import { defaultReach, waitForPostgres } from './startup/database-reachable.ts';
import { reconcileDeliverySettings } from './startup/delivery-settings.ts';
import { sealClearHeaders } from './startup/seal-headers.ts';
import { tracedPublishes } from './tracing/publish-spans.ts';
import { openTracing, type Tracing } from './tracing/tracing.ts';
import { serverVersion } from './version.ts';

/** What a process may be given besides its configuration (tests). */
export interface HookportOptions {
  /**
   * Traces to this exporter, each span as it ends, whatever the OTEL_* variables say (tests inject an
   * InMemorySpanExporter). Without it, tracing follows config.tracing.
   */
  spanExporter?: SpanExporter;
  /** An in-memory embedded database (`HOOKPORT_DATA_DIR=:memory:`) starts from this dumped cluster (tests). */
  embeddedTemplate?: Blob;
}

/** What a process runs: the API, the delivery worker, or both (the default). */
export type Role = 'all' | 'api' | 'worker';

/** The server's version (package.json), read once. */
export const version = serverVersion();

export interface Hookport {
  config: Config;
  db: Database;
  queue: Queue;
  core: CorePort;
  app: ReturnType<typeof createApp>;
  profiles: ProfileRegistry;
  secrets: Secrets;
  /** This process's metrics (its own registry): GET /metrics, and the metrics port in the CLI. */
  metrics: Metrics;
  /** The delivery worker, when this process runs one (role all or worker). */
  worker: Worker | null;
  /** This process's tracing, when on (docs/tracing.md). */
  tracing: Tracing | undefined;
  /** Stops fetching jobs, lets in-flight attempts finish (bounded), then closes everything. */
  close(): Promise<void>;
}

/**
 * The database, answering: PostgreSQL once it answers (retried a few seconds while nothing does), or
 * PGlite with its data directory locked to this process. Start-up failures are StartupErrors, one line.
 */
export async function openDatabase(
  config: Config,
  onWaiting?: (line: string) => void,
  template?: Blob,
): Promise<Database> {
  if (config.databaseUrl !== undefined) {
    const db = openPostgres({ url: config.databaseUrl, schema: config.dbSchema });
    try {
      await waitForPostgres(db, config.databaseUrl, { ...defaultReach, timers: realTimers, now: Date.now, onWaiting });
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }
  if (config.dataDir === inMemory) return openPglite({ dataDir: 'memory://', schema: config.dbSchema, template });
  const lock = await lockDataDir(config.dataDir);
  try {
    return holdingLock(await openPglite({ dataDir: join(config.dataDir, 'pgdata'), schema: config.dbSchema }), lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Everything one process needs, ready: database migrated, key verified, queue started, app built, worker running. */
export async function openHookport(
  config: Config,
  logger: Logger,
  role: Role = 'all',
  options: HookportOptions = {},
): Promise<Hookport> {
  // With PostgreSQL the key is required from the environment: said before waiting for the database. In
  // embedded mode the data directory is locked first, before the key or admin token is written into it,
  // so two first starts on one directory do not both write them: the second stops at the lock.
  const early = config.databaseUrl !== undefined ? await resolveSecrets(config) : undefined;
  const db = await openDatabase(config, (line) => logger.warn(line), options.embeddedTemplate);
  let secrets: Secrets;
  let queue: Queue | undefined;
  try {
    secrets = early ?? (await resolveSecrets(config));
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    await verifySecretKey(db, secrets.secretKey);
    // After the key check: custom headers an older version stored in clear are sealed with the proven key.
    const sealedHeaders = await sealClearHeaders(db, new SecretBox(secrets.secretKey));
    if (sealedHeaders > 0) logger.info({ endpoints: sealedHeaders }, 'custom headers stored in clear were sealed');
    await reconcileDeliverySettings(db, config, role, logger);
    queue = await openQueue(db, {
      databaseUrl: config.databaseUrl,
      supervise: role !== 'api',
      statistics: {
        onError: (err) =>
          logger.warn({ err }, 'ANALYZE of the job table failed; autovacuum or the next run will do it'),
      },
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  const openedQueue = queue;
  // Per runtime, never a global provider: off (no OTEL_* asking for it, nothing injected), no SDK starts
  // and every part below gets `undefined`, so the hot paths skip tracing entirely.
  const tracing =
    config.tracing !== null || options.spanExporter !== undefined
      ? await openTracing(config.tracing, {
          exporter: options.spanExporter,
          version,
          onExportFailure: (failure) =>
            logger.warn(failure, 'spans could not be exported to the OTLP endpoint and are lost'),
        })
      : undefined;
  // The one owner of delivery state: core writes events and requeues through it, the worker the rest.
  const store = createStore(openedQueue);
  // Its threads start on the first schema to check: none in a worker-only process, or without schemas.
  const schemaPool = createSchemaPool({ threads: config.schemaThreads, budgetMs: config.schemaBudgetMs });
  // One registry per runtime, never prom-client's global one: several Hookports may share a process (tests).
  const metrics = createMetrics();
  registerDatabaseGauges(metrics.registry, db, logger);
  const profiles = new ProfileRegistry(
    nativeProfile(config.retrySchedule ?? nativeRetrySchedule, config.deliveryTimeoutMs),
  );
  // Endpoints created through a vendor surface keep its payload, signature and schedule, whoever publishes.
  for (const surface of vendorSurfaces) profiles.register(surface.profile({ retrySchedule: config.retrySchedule }));
  const core = createCore({
    db,
    secretKey: secrets.secretKey,
    adminToken: secrets.adminToken,
    egressAllowlist: config.egressAllowlist,
    deliveryStore: tracing ? tracedPublishes(store, tracing) : store,
    quotas: config.quotas,
    retentionDays: config.retentionDays,
    schemaChecks: createSchemaChecks(schemaPool),
    profileOf: (name) => profiles.get(name),
    // Only the native API has a publish route (the vendor surfaces manage endpoints), so every publish
    // through core is the native surface's; the vendors' series stay at 0 (docs/operations.md).
    onPublished: (count) => metrics.published('native', count),
  });
  const sender = new Sender(config.egressAllowlist, `Hookport/${version}`, config.egressProxy);
  // On PostgreSQL the worker gets its own pool, so API requests never queue behind deliveries for a
  // connection (PGlite is one connection either way), and its commits skip the WAL flush wait: all it
  // writes (claims, attempts, settles) is redone by the queue if a database crash loses it
  // (docs/architecture.md, "Durability of the worker's writes").
  const workerDb =
    role !== 'api' && config.databaseUrl !== undefined
      ? openPostgres({ url: config.databaseUrl, schema: config.dbSchema, synchronousCommit: false, genericPlans: true })
      : db;
  let worker: Worker | null = null;
  if (role !== 'api') {
    worker = createWorker({
      db: workerDb,
      queue: openedQueue,
      store,
      sender,
      profiles,
      box: new SecretBox(secrets.secretKey),
      logger,
      metrics,
      tracing,
      options: {
        concurrency: config.workerConcurrency,
        endpointConcurrency: config.endpointConcurrency,
        disableAfterFailedDeliveries: config.disableAfterFailures,
        disableAfterFailingSeconds: config.disableAfterSeconds,
      },
    });
    await worker.start();
    await startRetentionJob(db, openedQueue, logger, { defaultDays: config.retentionDays });
  }
  // Built on first use: a worker-only process never serves HTTP and need not hold the app or the document.
  let app: ReturnType<typeof createApp> | undefined;
  const buildApp = () =>
    createApp({
      core,
      db,
      logger,
      maxRequestBytes: config.maxRequestBytes,
      maxEventBytes: config.maxEventBytes,
      surfaces: vendorSurfaces,
      rateLimit: { limit: config.apiRateLimit, windowSeconds: config.apiRateWindowSeconds },
      metrics: { recorder: metrics, token: config.metricsToken },
      tracing,
      publicUrl: config.publicUrl,
      portal: config.portal,
    });
  return {
    config,
    db,
    queue: openedQueue,
    core,
    get app() {
      app ??= buildApp();
      return app;
    },
    profiles,
    secrets,
    metrics,
    worker,
    tracing,
    async close() {
      await openedQueue.stop({ graceful: true, timeoutMs: config.shutdownSeconds * 1000 });
      await schemaPool.close();
      await sender.close();
      if (workerDb !== db) await workerDb.close();
      await db.close();
      // Last: the attempts that finished while stopping have ended their spans; buffered ones go out now.
      // An exporter that cannot reach its collector must not fail the stop.
      await tracing?.shutdown().catch((err: unknown) => logger.warn({ err }, 'exporting the last spans failed'));
    },
  };
}
