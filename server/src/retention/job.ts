import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Queue } from '../delivery/queue.ts';
import { type PruneAge, type Pruned, type PruneOptions, prune } from './prune.ts';
import { vacuumWhereNeeded } from './vacuum.ts';

/** The pg-boss queue of the retention runs, and the cron that fills it (hourly, off the hour). */
export const retentionQueue = 'hookport.retention';
export const retentionCron = '17 * * * *';

export interface RetentionJobOptions extends Pick<PruneOptions, 'batchSize'> {
  /** HOOKPORT_RETENTION_DAYS: the window of a tenant without its own. */
  defaultDays: number;
  /** How often an idle worker looks for a run to do; pg-boss's cron puts one in the queue hourly. */
  pollingIntervalSeconds?: number;
}

/** What a retention run did: the rows it deleted, and the tables it vacuumed (vacuum.ts). */
export interface RetentionRun extends Pruned {
  vacuumed: string[];
}

/**
 * One retention run, as the hourly job, `hookport prune` and the retention soak make it: the prune, then
 * a vacuum where autovacuum does not run (vacuum.ts). pg-boss's job table is vacuumed by the hourly
 * job only (`jobs`): its completed jobs are deleted by pg-boss, not by the prune.
 */
export async function retentionRun(
  db: Database,
  age: PruneAge,
  { jobs, ...options }: PruneOptions & { jobs: boolean },
): Promise<RetentionRun> {
  const removed = await prune(db, age, options);
  const pruned = removed.events + removed.deliveries + removed.attempts + removed.rollups > 0;
  const vacuumed = options.signal?.aborted ? [] : await vacuumWhereNeeded(db, { pruned, jobs });
  return { ...removed, vacuumed };
}

/**
 * Runs retention in the worker (role all or worker): pg-boss's cron (run by every worker, one send per
 * occurrence across them) queues a run hourly, and one worker at a time does it (`stately` policy: at
 * most one run queued and one active). The run stops between batches when the process stops.
 */
export async function startRetentionJob(
  db: Database,
  queue: Queue,
  logger: Logger,
  { defaultDays, batchSize, pollingIntervalSeconds = 10 }: RetentionJobOptions,
): Promise<void> {
  const { boss } = queue;
  await boss.createQueue(retentionQueue, {
    policy: 'stately',
    // A long run (millions of rows) must not be taken for a dead one and started again meanwhile.
    expireInSeconds: 6 * 3600,
    retryLimit: 2,
    retryDelay: 60,
    deleteAfterSeconds: 7 * 24 * 3600,
  });
  await boss.schedule(retentionQueue, retentionCron, null, { tz: 'UTC' });
  const stopping = new AbortController();
  queue.onStop(async () => stopping.abort());
  await boss.work(retentionQueue, { pollingIntervalSeconds, batchSize: 1 }, async () => {
    const started = Date.now();
    const removed = await retentionRun(
      db,
      { defaultDays },
      { ...(batchSize === undefined ? {} : { batchSize }), signal: stopping.signal, jobs: true },
    );
    logger.info({ ...removed, durationMs: Date.now() - started }, 'retention: old finished events deleted');
  });
}
