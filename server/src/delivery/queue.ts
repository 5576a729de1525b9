import { fromPglite, PgBoss } from 'pg-boss';
import type { Database, Queryable, SqlValue } from '../db/database.ts';

export const deliverQueue = 'hookport.deliver';

/** The job of one delivery attempt. `attempt` fences stale jobs: only attempt_count + 1 may run. */
export interface DeliverJob {
  deliveryId: string;
  attempt: number;
}

export interface JobSpec {
  deliveryId: string;
  endpointId: string;
  attempt: number;
  /** Seconds from now; 0 or absent means at once. */
  delaySeconds?: number;
}

/** pg-boss's SQL seam over one of our connections or transactions, so jobs commit with our rows. */
function bossDb(q: Queryable) {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: await q.query(text, (values ?? []) as SqlValue[]),
    }),
  };
}

export interface Queue {
  boss: PgBoss;
  /** Inserts jobs through q: inside a transaction, they exist only if it commits. */
  enqueue(q: Queryable, jobs: readonly JobSpec[]): Promise<void>;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

export interface QueueOptions {
  /** PostgreSQL only: pg-boss keeps its own small pool (LISTEN/NOTIFY needs a dedicated session). */
  databaseUrl: string | undefined;
  /** Supervision (crash recovery, maintenance) runs in worker processes. */
  supervise: boolean;
}

/**
 * Starts pg-boss in the same database as our tables (its own schema,
 * `<schema>_boss`), and creates the delivery queue.
 */
export async function openQueue(db: Database, { databaseUrl, supervise }: QueueOptions): Promise<Queue> {
  const schema = `${db.schema}_boss`;
  const common = {
    schema,
    useListenNotify: true,
    supervise,
    schedule: false,
    // A SIGKILLed worker's jobs are found by their missed heartbeat within seconds, not minutes.
    superviseIntervalSeconds: 2,
    monitorIntervalSeconds: 2,
    // Burst fetching reads cached queue counts; refresh them every second, not every minute.
    queueCacheIntervalSeconds: 1,
  } as const;
  const boss =
    db.kind === 'pglite' && db.pglite
      ? new PgBoss({ ...common, db: fromPglite(db.pglite), backend: 'pglite' })
      : new PgBoss({ ...common, connectionString: databaseUrl, max: 10, application_name: 'hookport-queue' });
  boss.on('error', () => {
    // pg-boss reports passing database errors here and recovers by itself; the worker logs its own failures.
  });
  await boss.start();
  await boss.createQueue(deliverQueue, {
    // Our own schedule retries by enqueuing the next attempt; these pg-boss retries only cover a
    // worker that crashed or threw mid-attempt (database down), so the attempt is not lost.
    retryLimit: 50,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    heartbeatSeconds: 10,
    expireInSeconds: 120,
    notify: true,
    deleteAfterSeconds: 24 * 3600,
  });
  return {
    boss,
    async enqueue(q, jobs) {
      if (jobs.length === 0) return;
      await boss.insert(
        deliverQueue,
        jobs.map((j) => ({
          data: { deliveryId: j.deliveryId, attempt: j.attempt } satisfies DeliverJob,
          group: { id: j.endpointId },
          ...(j.delaySeconds && j.delaySeconds > 0 ? { startAfter: new Date(Date.now() + j.delaySeconds * 1000) } : {}),
        })),
        { db: bossDb(q) },
      );
    },
    async stop({ graceful = true, timeoutMs = 20_000 } = {}) {
      await boss.stop({ graceful, timeout: Math.max(timeoutMs, 1000), close: true });
    },
  };
}
