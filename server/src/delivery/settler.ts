import type { Job } from 'pg-boss';
import type { Logger } from 'pino';
import { createBatcher } from './batch.ts';
import type { DispatchPort } from './dispatcher.ts';
import type { LaneJob } from './queue.ts';
import { type CancelTimer, sleep, type Timers } from './timers.ts';

export interface SettlerOptions {
  timers: Timers;
  /** Heartbeat period of claimed jobs. */
  heartbeatMs: number;
  /** Pause before a failed settle is tried again. */
  errorBackoffMs: number;
  /** How many times a failed settle is tried again, while `retrying()` holds. */
  settleRetries: number;
  /** Whether a failed settle is worth trying again (the dispatcher runs). */
  retrying: () => boolean;
  /** A batch of completes went through (or gave up): their endpoints' group slots are free in pg-boss's count. */
  onCompleted: () => void;
}

/** Settles the jobs the dispatcher claimed, and keeps them claimed (heartbeats) until then. */
export interface Settler<T> {
  /** A job was claimed: heartbeat it until it is settled. */
  claim(job: Job<T>): void;
  /** Completes the job with the others that finish meanwhile (group commit). */
  complete(job: Job<T>): void;
  /** The handler completed the job itself: nothing left to settle. */
  completedByHandler(job: Job<T>): void;
  /** Hands jobs back to pg-boss, which retries them. */
  fail(jobs: Job<T>[], error: unknown): Promise<void>;
  /** Sends the completes gathered so far now; resolves when none is left. */
  flush(): Promise<void>;
  startHeartbeat(): void;
  stopHeartbeat(): void;
}

const attemptOf = <T>(job: Job<T>): LaneJob => ({ id: job.id, retryCount: job.retryCount, name: job.name });

export function createSettler<T>(
  port: Pick<DispatchPort<T>, 'complete' | 'fail' | 'touch'>,
  logger: Logger,
  options: SettlerOptions,
): Settler<T> {
  const { timers } = options;
  /** Jobs claimed and not yet settled (running, or finished and waiting for their complete): heartbeat these. */
  const unsettled = new Set<Job<T>>();
  let stopBeating: CancelTimer = () => {};

  /**
   * Runs a settle, trying again while the dispatcher runs (the database may be coming back). Resolves to
   * the last error when it never went through.
   */
  async function settle(run: () => Promise<unknown>): Promise<{ err: unknown } | undefined> {
    for (let tries = 0; ; tries++) {
      try {
        await run();
        return undefined;
      } catch (err) {
        if (!options.retrying() || tries >= options.settleRetries) return { err };
        await sleep(timers, options.errorBackoffMs);
      }
    }
  }

  // One complete at a time, carrying whatever finished meanwhile; never rejects.
  const completes = createBatcher<Job<T>, void>(
    async (batch) => {
      const failed = await settle(() => port.complete(batch.map(attemptOf)));
      // Left claimed, these come back after their missed heartbeat; the stale check makes them no-ops.
      if (failed) logger.error({ err: failed.err, jobs: batch.length }, 'completing delivery jobs failed');
      for (const job of batch) unsettled.delete(job);
      options.onCompleted();
      return batch.map(() => undefined);
    },
    { maxBatch: Number.POSITIVE_INFINITY, timers },
  );

  async function beat() {
    if (unsettled.size === 0) return;
    try {
      await port.touch([...unsettled].map(attemptOf));
    } catch (err) {
      logger.error({ err }, 'heartbeat of delivery jobs failed');
    }
  }

  return {
    claim: (job) => {
      unsettled.add(job);
    },
    complete: (job) => {
      void completes.run(job);
    },
    completedByHandler: (job) => {
      unsettled.delete(job);
    },
    async fail(jobs, error) {
      if (jobs.length === 0) return;
      const failed = await settle(() => port.fail(jobs.map(attemptOf), error));
      if (failed) {
        logger.error(
          { err: failed.err, jobs: jobs.length },
          'handing delivery jobs back failed; their heartbeat will lapse',
        );
      }
      for (const job of jobs) unsettled.delete(job);
    },
    flush: () => completes.flush(),
    startHeartbeat() {
      stopBeating = timers.setInterval(() => void beat(), options.heartbeatMs, { unref: true });
    },
    stopHeartbeat: () => stopBeating(),
  };
}
