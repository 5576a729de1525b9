import type { Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { DispatchPort } from './dispatcher.ts';
import type { LaneJob } from './queue.ts';
import { type CancelTimer, sleep, type Timers } from './timers.ts';

export interface SettlerOptions {
  timers: Timers;
  /** Heartbeat period of claimed jobs. */
  heartbeatMs: number;
  /** Pause before a failed hand-back is tried again. */
  errorBackoffMs: number;
  /** How many times a failed hand-back is tried again, while `retrying()` holds. */
  settleRetries: number;
  /** Whether a failed hand-back is worth trying again (the dispatcher runs). */
  retrying: () => boolean;
}

/**
 * Keeps the jobs the dispatcher claimed claimed (heartbeats) until they are settled, and hands back those
 * whose attempt did not end. Completing is not its business: a handler that returns has completed its
 * job itself, in the transaction that wrote the attempt's outcome (the delivery store), so a job is
 * never completed without its outcome and there is one place that completes jobs.
 */
export interface Settler<T> {
  /** A job was claimed: heartbeat it until it is settled. */
  claim(job: Job<T>): void;
  /** The handler settled the job itself: stop heartbeating it. */
  settled(job: Job<T>): void;
  /** Hands jobs back to pg-boss, which retries them. */
  fail(jobs: Job<T>[], error: unknown): Promise<void>;
  startHeartbeat(): void;
  stopHeartbeat(): void;
}

const attemptOf = <T>(job: Job<T>): LaneJob => ({ id: job.id, retryCount: job.retryCount, name: job.name });

export function createSettler<T>(
  port: Pick<DispatchPort<T>, 'fail' | 'touch'>,
  logger: Logger,
  options: SettlerOptions,
): Settler<T> {
  const { timers } = options;
  /** Jobs claimed and not yet settled: heartbeat these. */
  const unsettled = new Set<Job<T>>();
  let stopBeating: CancelTimer = () => {};

  /**
   * Runs a hand-back, trying again while the dispatcher runs (the database may be coming back). Resolves
   * to the last error when it never went through.
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
    settled: (job) => {
      unsettled.delete(job);
    },
    async fail(jobs, error) {
      if (jobs.length === 0) return;
      const failed = await settle(() => port.fail(jobs.map(attemptOf), error));
      // Left claimed, these come back after their missed heartbeat; the attempt fence makes a repeat harmless.
      if (failed) {
        logger.error(
          { err: failed.err, jobs: jobs.length },
          'handing delivery jobs back failed; their heartbeat will lapse',
        );
      }
      for (const job of jobs) unsettled.delete(job);
    },
    startHeartbeat() {
      stopBeating = timers.setInterval(() => void beat(), options.heartbeatMs, { unref: true });
    },
    stopHeartbeat: () => stopBeating(),
  };
}
