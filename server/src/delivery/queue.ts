import { setTimeout as sleep } from 'node:timers/promises';
import { fromPglite, type Job, type JobAttempt, PgBoss } from 'pg-boss';
import { type Database, type Queryable, quoteIdent, type SqlValue } from '../db/database.ts';
import { type JobStatistics, type JobStatisticsOptions, jobStatistics } from './job-statistics.ts';

export const deliverQueue = 'hookport.deliver';
/**
 * The slow lane: the jobs of saturated endpoints (every slot they may hold taken by a request that has
 * not answered for a while). pg-boss's fetch walks the ready jobs of a queue in order and steps over
 * those of endpoints at their cap one row at a time, so a dead endpoint's backlog in the main queue
 * slowed every fetch; in a queue of its own it slows only the slow lane's (docs/delivery.md, "Lanes").
 */
export const slowQueue = 'hookport.deliver.slow';
export type Lane = 'main' | 'slow';
export const queueOf = (lane: Lane): string => (lane === 'slow' ? slowQueue : deliverQueue);
export const laneOfQueue = (name: string): Lane => (name === slowQueue ? 'slow' : 'main');
/** The schema pg-boss's tables live in, next to ours. */
export const bossSchemaOf = (dbSchema: string): string => `${dbSchema}_boss`;

/** A claimed job's attempt, with the queue it came from (settles go to that queue). */
export interface LaneJob extends JobAttempt {
  name: string;
}

/** A claimed delivery job, the one shape the engine passes around: its settle fence and its data. */
export interface ClaimedJob extends LaneJob {
  data: DeliverJob;
}

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
  /**
   * The lane of the job's endpoint, as the store's statement that made the job read it from
   * endpoints.slow_lane_since (store.ts); the main lane when absent. Callers enqueue through the store.
   */
  lane?: Lane;
}

const attemptOf = (j: JobAttempt): JobAttempt => ({ id: j.id, retryCount: j.retryCount });

/** Items grouped by the queue they belong to, in first-seen order (none: no groups, so no statement). */
function byQueue<T>(items: readonly T[], nameOf: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = nameOf(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return [...groups];
}

/**
 * pg-boss's SQL seam over one of our connections or transactions, so jobs commit with our rows. Its
 * values go through as they are: its array parameters (ids, attempt fences, ignoreGroups) are
 * serialised by both drivers as arrays (queue.test.ts), though our own queries bind scalars only.
 */
function bossDb(q: Queryable) {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: await q.query(text, (values ?? []) as SqlValue[]),
    }),
  };
}

export interface Queue {
  boss: PgBoss;
  /** Counts the jobs fetch() claims, and keeps the job table's statistics in step (job-statistics.ts). */
  statistics: JobStatistics;
  /** Inserts jobs (each into its lane's queue) through q: inside a transaction, they exist only if it commits. */
  enqueue(q: Queryable, jobs: readonly JobSpec[]): Promise<void>;
  /**
   * Completes claimed jobs (fenced to the attempt fetched) through q: inside a transaction, together with
   * what their attempts wrote, so a job is never completed without its outcome.
   */
  complete(q: Queryable, jobs: readonly LaneJob[]): Promise<void>;
  /**
   * Claims up to batchSize ready jobs of a lane, at most groupConcurrency active per endpoint (across
   * processes), through q: the worker's pool, where the statement is prepared once per connection and
   * batch size instead of parsed and planned on every fetch (pg-boss's own pool does not prepare).
   * Endpoints in `ignoreGroups` (those at their cap in this process) are not claimed at all: their jobs
   * would only be handed back.
   */
  fetch(
    q: Queryable,
    lane: Lane,
    batchSize: number,
    groupConcurrency: number,
    ignoreGroups?: readonly string[],
  ): Promise<Job<DeliverJob>[]>;
  /** Hands claimed jobs back to pg-boss, which retries them. */
  fail(q: Queryable, jobs: readonly LaneJob[], error: unknown): Promise<void>;
  /** Heartbeat of claimed jobs, on pg-boss's own pool: it must not wait behind the worker's transactions. */
  touch(jobs: readonly LaneJob[]): Promise<void>;
  /**
   * Calls `onJob` when jobs were queued in the main lane (pg-boss's NOTIFY, whichever process queued
   * them). Needs a database that supports LISTEN (PostgreSQL, PGlite); rejects otherwise.
   */
  listen(onJob: () => void): Promise<{ close(): Promise<void> }>;
  /** Runs `hook` first when the queue stops: the worker's dispatcher winds down there. */
  onStop(hook: (options: { graceful: boolean; timeoutMs: number }) => Promise<void>): void;
  /** Runs the stop hooks (bounded by timeoutMs, less a second kept for closing), then stops pg-boss. */
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

export interface QueueOptions {
  /** PostgreSQL only: pg-boss keeps its own small pool (LISTEN/NOTIFY needs a dedicated session). */
  databaseUrl: string | undefined;
  /** Supervision (crash recovery, maintenance) runs in worker processes. */
  supervise: boolean;
  /** The upkeep of the job table's planner statistics (job-statistics.ts): when, and where failures go. */
  statistics?: JobStatisticsOptions;
}

/**
 * How long a finished delivery job stays in pg-boss's table. Nothing in Hookport reads a finished job
 * (the delivery's own row is the record), so an hour is kept for looking into the queue by hand, and
 * the table holds about an hour of jobs, not a day (docs/scaling.md, docs/retention.md "Space").
 */
export const completedJobSeconds = 3600;
const maintenanceSeconds = 120;

/**
 * Starts pg-boss in the same database as our tables (its own schema,
 * `<schema>_boss`), and creates the delivery queues (one per lane).
 */
export async function openQueue(
  db: Database,
  { databaseUrl, supervise, statistics: statisticsOptions }: QueueOptions,
): Promise<Queue> {
  const schema = bossSchemaOf(db.schema);
  const common = {
    schema,
    // pg-boss's own listener only wakes work() loops, which we do not run: the worker's dispatcher
    // LISTENs through listen() below. Inserts still NOTIFY (the queue's notify option).
    useListenNotify: false,
    supervise,
    // pg-boss's cron (the hourly retention run, retention/job.ts) runs where supervision does: in workers.
    schedule: supervise,
    // A SIGKILLed worker's jobs are found by their missed heartbeat within seconds, not minutes.
    superviseIntervalSeconds: 2,
    monitorIntervalSeconds: 2,
    // How often pg-boss deletes the jobs past their deleteAfterSeconds (its default: once a day, so the
    // job table held up to two days of jobs).
    maintenanceIntervalSeconds: maintenanceSeconds,
  } as const;
  const boss =
    db.kind === 'pglite' && db.pglite
      ? new PgBoss({ ...common, db: fromPglite(db.pglite), backend: 'pglite' })
      : new PgBoss({ ...common, connectionString: databaseUrl, max: 10, application_name: 'hookport-queue' });
  boss.on('error', () => {
    // pg-boss reports passing database errors here and recovers by itself; the worker logs its own failures.
  });
  await boss.start();
  for (const lane of ['main', 'slow'] as const) {
    const settings = {
      // Our own schedule retries by enqueuing the next attempt; these pg-boss retries only cover a
      // worker that crashed or threw mid-attempt (database down), so the attempt is not lost.
      retryLimit: 50,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 60,
      heartbeatSeconds: 10,
      expireInSeconds: 120,
      // The slow lane is polled, not woken: a NOTIFY per publish would have it walk its backlog each time.
      notify: lane === 'main',
      deleteAfterSeconds: completedJobSeconds,
    };
    await boss.createQueue(queueOf(lane), settings);
    // createQueue leaves a queue that exists as it was created: a database made by an earlier version
    // would keep its settings (finished jobs kept a day, not an hour) without this.
    await boss.updateQueue(queueOf(lane), settings);
  }
  const statistics = jobStatistics(db, `${quoteIdent(schema)}.job`, statisticsOptions);
  const stopHooks: ((options: { graceful: boolean; timeoutMs: number }) => Promise<void>)[] = [];
  return {
    boss,
    statistics,
    onStop(hook) {
      stopHooks.push(hook);
    },
    async listen(onJob) {
      const bossDb = boss.getDb();
      if (typeof bossDb.listen !== 'function') throw new Error('this database does not support LISTEN');
      // The channel pg-boss NOTIFYs on (plans.notifyChannelSql, not exported); the payload is the queue's
      // name. Should a pg-boss upgrade change it, wake-ups stop and the dispatcher falls back to polling.
      const literal = schema.replaceAll("'", "''");
      const { rows } = await bossDb.executeSql(
        `select ('pgboss_' || left(encode(sha224('${literal}'::bytea), 'hex'), 24)) as channel`,
      );
      const channel = String(rows[0]?.channel);
      return bossDb.listen(
        channel,
        (payload) => {
          if (payload === deliverQueue) onJob();
        },
        // (Re)connected: notifications may have been missed meanwhile.
        onJob,
      );
    },
    async enqueue(q, jobs) {
      // Both lanes' inserts are sent at once (one round trip on PostgreSQL), like the rest of a publish.
      await Promise.all(
        byQueue(jobs, (j) => queueOf(j.lane ?? 'main')).map(([name, some]) =>
          boss.insert(
            name,
            some.map((j) => ({
              data: { deliveryId: j.deliveryId, attempt: j.attempt } satisfies DeliverJob,
              group: { id: j.endpointId },
              ...(j.delaySeconds && j.delaySeconds > 0
                ? { startAfter: new Date(Date.now() + j.delaySeconds * 1000) }
                : {}),
            })),
            { db: bossDb(q) },
          ),
        ),
      );
    },
    async complete(q, jobs) {
      await Promise.all(
        byQueue(jobs, (j) => j.name).map(([name, some]) =>
          boss.complete(name, some.map(attemptOf), null, { db: bossDb(q) }),
        ),
      );
    },
    async fetch(q, lane, batchSize, groupConcurrency, ignoreGroups = []) {
      const jobs = await boss.fetch<DeliverJob>(queueOf(lane), {
        batchSize,
        groupConcurrency,
        ...(ignoreGroups.length > 0 ? { ignoreGroups: [...ignoreGroups] } : {}),
        db: bossDb(q),
      });
      statistics.claimed(jobs.length);
      return jobs;
    },
    async fail(q, jobs, error) {
      const message = error instanceof Error ? error.message : String(error);
      await Promise.all(
        byQueue(jobs, (j) => j.name).map(([name, some]) =>
          boss.fail(name, some.map(attemptOf), { message }, { db: bossDb(q) }),
        ),
      );
    },
    async touch(jobs) {
      await Promise.all(byQueue(jobs, (j) => j.name).map(([name, some]) => boss.touch(name, some.map(attemptOf))));
    },
    async stop({ graceful = true, timeoutMs = 20_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      // A second of the budget is kept for settling jobs and closing, so the process stops within timeoutMs.
      const hookMs = timeoutMs > 2000 ? timeoutMs - 1000 : timeoutMs / 2;
      try {
        for (const hook of stopHooks.splice(0)) await hook({ graceful, timeoutMs: hookMs });
      } finally {
        // A run in progress settles by itself (errors go to its onError); the database should outlive it,
        // but it must not hold the stop past its deadline (a VACUUM of a large table on PGlite).
        statistics.stop();
        const running = statistics.running;
        if (running) {
          await Promise.race([running, sleep(Math.max(deadline - Date.now() - 1000, 0), undefined, { ref: false })]);
        }
        await boss.stop({ graceful, timeout: Math.max(deadline - Date.now(), 1000), close: true });
      }
    },
  };
}
