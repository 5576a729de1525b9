import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Tracing } from '../tracing/tracing.ts';
import { createAdmission, type LaneMove, type Ticket, type Timers } from './admission.ts';
import { publicDeliveryId, publicEndpointId } from './attempt-log.ts';
import { createAttemptRecorder } from './attempt-record.ts';
import { createAttemptSender } from './attempt-send.ts';
import { createBatcher } from './batch.ts';
import { type AttemptContext, createLoader, deliverySettings } from './context.ts';
import { type AttemptControl, createDispatcher } from './dispatcher.ts';
import { type DisableLimits, decide, withJitter } from './outcome.ts';
import type { ProfileRegistry } from './profiles.ts';
import { type ClaimedJob, type DeliverJob, type Lane, laneOfQueue, type Queue } from './queue.ts';
import { takeRateSlot } from './rate-slots.ts';
import type { Sender } from './sender.ts';
import type { Finish, Store } from './store.ts';

/**
 * The worker: one job is one attempt, taken through load → admit → rate slot → render and send →
 * outcome → record. Each step belongs to its own part (context.ts, admission.ts, rate-slots.ts,
 * attempt-send.ts over the profile and sender.ts, outcome.ts, attempt-record.ts over store.ts); this
 * file only strings them together and runs them under the dispatchers, one per lane.
 */

export interface WorkerOptions {
  /**
   * Parallel attempts in this process. Attempts past slowAfterMs, or to an endpoint without a recent
   * success, run on an allowance of slowAllowance × this on top (sockets held open are cheap; the slots of
   * answering endpoints are not).
   */
  concurrency: number;
  /** In-flight attempts per endpoint across all processes, so one slow endpoint cannot take every slot. */
  endpointConcurrency: number;
  /** Disable an endpoint after this many deliveries failed in a row (0: never). */
  disableAfterFailedDeliveries: number;
  /** Disable an endpoint that has failed without a success for this long (0: never). */
  disableAfterFailingSeconds: number;
  /** The engine's tuning; each value defaults to the one in defaultTuning. */
  tuning?: Partial<Tuning>;
}

export interface Tuning {
  /** An unanswered attempt of an endpoint holding all its slots here makes it saturated after this (slow lane). */
  saturatedAfterMs: number;
  /** Past this an attempt no longer counts against the concurrency (and its endpoint is saturated). */
  slowAfterMs: number;
  /** The slow allowance, in multiples of the concurrency. */
  slowAllowance: number;
  /** The slow lane's share of the concurrency for its quick attempts (a quarter). */
  slowLaneShare: number;
  /** How long a success makes an endpoint proven (its attempts need no slow allowance). */
  provenForMs: number;
  /** The longest a worker holds a job for its rate-limit slot; later slots wait in the queue. */
  maxRateHoldSeconds: number;
  /** Entries per in-memory table at most (secrets, successes, crowded endpoints). */
  maxTracked: number;
}

/**
 * maxRateHoldSeconds: long enough to keep a backlog flowing at the limit, far shorter than the delivery
 * timeout a slow endpoint may hold a slot for.
 */
export const defaultTuning: Tuning = {
  saturatedAfterMs: 250,
  slowAfterMs: 1000,
  slowAllowance: 3,
  slowLaneShare: 1 / 4,
  provenForMs: 10 * 60_000,
  maxRateHoldSeconds: 1,
  maxTracked: 10_000,
};

export interface WorkerDeps {
  db: Database;
  queue: Queue;
  store: Store;
  sender: Sender;
  profiles: ProfileRegistry;
  box: { open(sealed: string): string };
  logger: Logger;
  options: WorkerOptions;
  /** Counts each recorded attempt (metrics/metrics.ts); absent: nothing is counted. */
  metrics?: Pick<Metrics, 'attempted'>;
  /** Spans for attempts, when tracing is on (docs/tracing.md); absent, attempts touch no tracing at all. */
  tracing?: Tracing | undefined;
  /** Admission's clock and timers (tests); the real ones by default. */
  clock?: () => number;
  timers?: Timers;
  /** Test seams; never set in production. */
  hooks?: WorkerHooks;
}

export interface WorkerHooks {
  /** Runs after a job's delivery was loaded and found to need parking, before the park's transaction. */
  beforePark?(deliveryId: string): Promise<void>;
}

export type Worker = ReturnType<typeof createWorker>;

export function createWorker({ db, queue, store, sender, profiles, box, logger, options, ...rest }: WorkerDeps) {
  const tuning = { ...defaultTuning, ...options.tuning };
  const load = createLoader(db);
  const send = createAttemptSender({ sender, profiles, box, maxTracked: tuning.maxTracked, tracing: rest.tracing });
  /** Group commit of the jobs that end without a transaction of their own (store.finish). */
  const finisher = createBatcher<Finish, boolean>((items) => store.finish(db, items));
  const admission = createAdmission(
    { endpointConcurrency: options.endpointConcurrency, ...tuning, clock: rest.clock, timers: rest.timers },
    {
      writeLane: (endpointId, lane) => store.writeLane(db, endpointId, lane),
      onLaneError: (err, { endpointId, lane }) =>
        logger.warn(
          { err, endpointId: publicEndpointId(endpointId), lane },
          'moving an endpoint to another delivery lane failed',
        ),
    },
  );
  admission.onLaneMove(({ endpointId, lane }) =>
    logger.info({ endpointId: publicEndpointId(endpointId), lane }, 'endpoint moved to another delivery lane'),
  );

  /** When an endpoint of this profile is disabled for failing (a profile may count failed deliveries its own way). */
  const limitsOf = (profile: { disableAfterFailedDeliveries?: number | undefined }): DisableLimits => ({
    afterFailedDeliveries: profile.disableAfterFailedDeliveries ?? options.disableAfterFailedDeliveries,
    afterFailingSeconds: options.disableAfterFailingSeconds,
  });

  const record = createAttemptRecorder({ db, store, finisher, logger, limitsOf, metrics: rest.metrics });

  /** Queues the attempt again `delaySeconds` from now, uncounted (it was not made), and completes the job. */
  const handBack = (job: ClaimedJob, ctx: AttemptContext, delaySeconds: number) =>
    finisher.run({ job, handBack: { delivery: ctx, delaySeconds } });

  /**
   * One job: one attempt of one delivery. Every way it ends completes the job in the store, in the
   * transaction that writes what it did. Throwing hands the job back to pg-boss to retry. `control` is
   * the dispatcher's (absent when called directly).
   */
  async function attemptDelivery(job: ClaimedJob, control?: AttemptControl): Promise<void> {
    const ctx = await load(job.data.deliveryId);
    // Stale jobs (a redelivery or an earlier run already made this attempt, or the delivery waits for its
    // turn on a fifo endpoint) do nothing but complete.
    if (ctx?.status !== 'pending' || ctx.attempt_count !== job.data.attempt - 1 || ctx.blocked) {
      await finisher.run({ job });
      return;
    }
    if (ctx.endpoint_status === 'paused' || ctx.endpoint_status === 'disabled') {
      await rest.hooks?.beforePark?.(ctx.id);
      return store.park(db, ctx, ctx.endpoint_status === 'paused' ? 'held' : 'skipped', job);
    }
    const ticket = admission.enter({
      endpointId: ctx.endpoint_id,
      failing: ctx.endpoint_failing,
      slowLane: ctx.slow_lane,
    });
    // The endpoint has all its slots busy here (fetches skip it, but a fetch may have been under way).
    if (!ticket) return void (await handBack(job, ctx, 1));
    try {
      if (ticket.unproven && control && !control.demote()) {
        // The slow allowance is full (a crowd of endpoints holding requests open): an endpoint not known to
        // answer would take a slot of those that do. Back to the queue for about one delivery timeout, when
        // the held requests have turned over; this lane's fetches skip it meanwhile.
        const seconds = withJitter(deliverySettings(ctx, profiles.get(ctx.profile)).timeoutMs / 1000);
        admission.noteCrowded(laneOfQueue(job.name), ctx.endpoint_id, seconds);
        return void (await handBack(job, ctx, seconds));
      }
      await attemptWithSlot(ctx, job, ticket, control);
    } finally {
      ticket.leave();
    }
  }

  async function attemptWithSlot(ctx: AttemptContext, job: ClaimedJob, ticket: Ticket, control?: AttemptControl) {
    const { attempt } = job.data;
    const slot = await takeRateSlot(db, ctx.endpoint_id, ctx.rate_limit, tuning.maxRateHoldSeconds);
    if ('retryInSeconds' in slot) {
      // Its jobs are not fetched here until the slot is within the hold: they would only come back.
      admission.noteDeferred(ctx.endpoint_id, slot.retryInSeconds - tuning.maxRateHoldSeconds);
      return void (await handBack(job, ctx, slot.retryInSeconds));
    }
    if (slot.holdSeconds > 0) await sleep(slot.holdSeconds * 1000);
    // Watched from the send on: a wait for the rate limit's slot is not the endpoint being slow to answer.
    const stopWatching = ticket.watch();
    const sent = await send(ctx, attempt, control?.signal).finally(stopWatching);
    const { result, started, settings } = sent;
    // Cut off because the worker is stopping: not the endpoint's failure. Nothing is recorded; throwing
    // hands the job back, and another worker makes this attempt again.
    if (result.httpStatus === null && control?.signal?.aborted) throw new Error('worker stopped mid-attempt');
    await ticket.answered(result.ok, result.durationMs);
    // Judged as of the answer (a Retry-After date counts from it), as the store schedules the retry.
    const outcome = decide(result, attempt, settings.retrySchedule, new Date(started.getTime() + result.durationMs));
    await record(ctx, job, sent, outcome);
  }

  async function handle(job: ClaimedJob, control: AttemptControl) {
    try {
      // Completes the job in the store, in the transaction that writes its outcome, whichever way it ends.
      await attemptDelivery(job, control);
    } catch (err) {
      // Aborted by a stop: the dispatcher already said it hands these back.
      if (!control.signal?.aborted) {
        logger.error(
          { err, deliveryId: publicDeliveryId(job.data.deliveryId) },
          'delivery attempt failed; pg-boss will retry it',
        );
      }
      throw err;
    }
  }

  /** One dispatcher per lane, each fetching its own queue; hand-backs of failed handlers go to the job's queue. */
  const dispatcherOf = (lane: Lane, listen: boolean, maxInFlight: number) =>
    createDispatcher<DeliverJob>(
      {
        // Admission decides before the claim which endpoints this fetch leaves alone.
        fetch: (batchSize, allowanceRoom) =>
          queue.fetch(
            db,
            lane,
            batchSize,
            options.endpointConcurrency,
            admission.skippedBy(lane, batchSize, allowanceRoom),
          ),
        fail: (jobs, err) => queue.fail(db, jobs, err),
        touch: (jobs) => queue.touch(jobs),
        ...(listen ? { listen: (onJob: () => void) => queue.listen(onJob) } : {}),
      },
      handle,
      logger.child({ lane }),
      { maxInFlight, maxSlow: tuning.slowAllowance * options.concurrency, slowAfterMs: tuning.slowAfterMs },
    );
  const dispatchers = [
    dispatcherOf('main', true, options.concurrency),
    // The slow lane's endpoints mostly hold requests open (its attempts run on the slow allowance); its
    // quick attempts get a quarter of the slots. It is polled and woken by its own settles, not by
    // NOTIFY: each fetch walks its backlog, and a NOTIFY comes with every publish.
    dispatcherOf('slow', false, Math.max(1, Math.ceil(options.concurrency * tuning.slowLaneShare))),
  ] as const;

  return {
    attemptDelivery,
    /** Calls `listener` on each lane move this worker makes (admission.ts); returns the unsubscribe. */
    onLaneMove: (listener: (move: LaneMove) => void): (() => void) => admission.onLaneMove(listener),
    /** Fetch now: jobs were queued (the dispatchers also hear pg-boss's NOTIFY, or poll). */
    wake: () => {
      for (const d of dispatchers) d.wake();
    },
    /**
     * Starts the dispatchers: one fetch loop per lane for this process, up to `concurrency` attempts in
     * flight in the main lane and a quarter of that in the slow one (besides the slow allowances), at most
     * `endpointConcurrency` per endpoint (pg-boss's group cap, and the local gate). They wind down
     * when the queue stops (runtime close): no new fetches, in-flight attempts finish within the
     * shutdown timeout, and what is left goes back to pg-boss to be retried.
     */
    async start(): Promise<void> {
      queue.onStop(async (o) => {
        await Promise.all(dispatchers.map((d) => d.stop(o)));
      });
      for (const d of dispatchers) await d.start();
    },
  };
}
