import type { Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { LaneJob } from './queue.ts';
import { createSettler } from './settler.ts';
import { createSlots } from './slots.ts';
import { realTimers, type Timers, waitAtMost } from './timers.ts';
import { createWakeup } from './wakeup.ts';

/**
 * What the dispatcher needs from the queue: claim, hand back and heartbeat jobs,
 * and hear about new ones. Hand-backs are fenced to the claimed attempt (the
 * jobs carry their retryCount). Completing is the handler's (see createDispatcher).
 */
export interface DispatchPort<T> {
  /**
   * Claims up to `batchSize` ready jobs (pg-boss applies the per-group cap). `allowanceRoom`: how many
   * more attempts the slow allowance takes now (AttemptControl.demote refuses the rest).
   */
  fetch(batchSize: number, allowanceRoom: number): Promise<Job<T>[]>;
  /** Hands jobs back to pg-boss, which retries them. */
  fail(jobs: LaneJob[], error: unknown): Promise<unknown>;
  /** Heartbeat: a claimed job that is not touched within the queue's heartbeatSeconds is failed and retried. */
  touch(jobs: LaneJob[]): Promise<unknown>;
  /** Calls `onJob` when jobs may have arrived. Optional: without it, or if it fails, polling alone. */
  listen?(onJob: () => void): Promise<{ close(): Promise<void> }>;
}

export interface DispatcherOptions {
  /** Attempts in flight at most, not counting slow ones (see slowAfterMs). */
  maxInFlight: number;
  /**
   * An attempt running longer than this stops counting against maxInFlight
   * (default 1000 ms): an endpoint that holds requests open (waiting out its
   * timeout) ties up sockets, which are cheap, not the slots of the healthy
   * endpoints. pg-boss's per-group cap and the worker's gate still bound what
   * one endpoint holds.
   */
  slowAfterMs?: number;
  /** Slow attempts in flight at most on top of maxInFlight (default 3 × maxInFlight). */
  maxSlow?: number;
  /** Largest fetch (default 50). */
  maxBatch?: number;
  /** How long to wait after an empty fetch when nothing wakes the dispatcher (default 250 ms). */
  pollIntervalMs?: number;
  /** Heartbeat period for claimed jobs, well inside the queue's heartbeatSeconds (default 4000 ms). */
  heartbeatMs?: number;
  /** Pause after a failed fetch, and between the tries of a failed hand-back (default 1000 ms). */
  errorBackoffMs?: number;
  /**
   * How many times a failed hand-back is tried again, errorBackoffMs apart, while the dispatcher runs
   * (default 30). A job whose hand-back is dropped stays active in pg-boss and holds a slot of its
   * endpoint's group until its heartbeat lapses; after a database outage that stalled every endpoint
   * with jobs in flight for heartbeatSeconds and more. Hand-backs are fenced to the attempt, so a late
   * one is harmless.
   */
  settleRetries?: number;
  /** How long stop() waits for aborted attempts to wind down before handing back what still runs (default 500 ms). */
  abortGraceMs?: number;
  /** The timers it runs on (default: Node's). */
  timers?: Timers;
}

/** What a handler may tell the dispatcher about its attempt. */
export interface AttemptControl {
  /**
   * Count this attempt as slow from now on: it waits on an endpoint not known
   * to answer quickly, so it should not hold one of the maxInFlight slots.
   * False when the slow allowance is full: the attempt still holds its slot.
   */
  demote(): boolean;
  /**
   * Aborted when the dispatcher stops and this attempt outlasted the shutdown bound: cut its request off and
   * record nothing. Its job is handed back; still on the wire, it would be sent twice at once (and keep the
   * process past its bound).
   */
  signal?: AbortSignal;
}

export interface StopOptions {
  graceful?: boolean;
  /** How long in-flight attempts may take to finish before their jobs are handed back. */
  timeoutMs?: number;
}

export interface Dispatcher {
  start(): Promise<void>;
  /** Fetch now rather than at the next poll (new jobs were queued). */
  wake(): void;
  /**
   * Stops fetching, waits for the attempts in flight (up to timeoutMs; not at
   * all when not graceful), then cuts off and fails the rest so that pg-boss
   * retries them.
   */
  stop(options?: StopOptions): Promise<void>;
  /** Attempts running now, slow ones included. */
  readonly inFlight: number;
}

/**
 * One fetch loop per process in place of pg-boss `work()`'s loops: it claims
 * as many jobs as it has free slots in one fetch and runs each job's handler
 * concurrently. A handler that returns has completed its job itself, in the
 * transaction that wrote its outcome (the delivery store is the one place
 * jobs are completed); a handler that throws has its job failed at once, so
 * pg-boss retries it. Attempts that run long (or that the handler demotes)
 * stop counting against maxInFlight, within a separate allowance (slots.ts);
 * heartbeats and hand-backs are the settler's (settler.ts).
 */
export function createDispatcher<T>(
  port: DispatchPort<T>,
  handle: (job: Job<T>, control: AttemptControl) => Promise<void>,
  logger: Logger,
  options: DispatcherOptions,
): Dispatcher {
  const timers = options.timers ?? realTimers;
  const maxInFlight = Math.max(1, options.maxInFlight);
  const maxBatch = options.maxBatch ?? 50;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const errorBackoffMs = options.errorBackoffMs ?? 1000;
  const abortGraceMs = options.abortGraceMs ?? 500;

  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  const attempts = new Set<Promise<void>>();
  /** Aborts the attempt of each running job (see AttemptControl.signal). */
  const aborts = new Map<Job<T>, AbortController>();
  let waitingForSlot = false;
  let loopDone: Promise<void> = Promise.resolve();
  let listener: { close(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;

  const wakeup = createWakeup(timers);
  const wake = () => wakeup.wake();
  const slots = createSlots<Job<T>>({
    maxInFlight,
    maxSlow: options.maxSlow ?? 3 * maxInFlight,
    slowAfterMs: options.slowAfterMs ?? 1000,
    timers,
    onFreed: () => {
      if (waitingForSlot) wake();
    },
  });
  const settler = createSettler(port, logger, {
    timers,
    heartbeatMs: options.heartbeatMs ?? 4000,
    errorBackoffMs,
    settleRetries: options.settleRetries ?? 30,
    retrying: () => state === 'running',
  });

  /** Waits for a wake-up or `ms`; not at all once stopping. */
  function idle(ms: number): Promise<void> {
    return state === 'running' ? wakeup.idle(ms) : Promise.resolve();
  }

  async function loop() {
    while (state === 'running') {
      const free = slots.free();
      if (free <= 0) {
        waitingForSlot = true;
        await idle(pollIntervalMs);
        waitingForSlot = false;
        continue;
      }
      // Wake-ups from here on ask for the fetch after this one.
      wakeup.clear();
      const asked = Math.min(free, maxBatch);
      let jobs: Job<T>[];
      try {
        jobs = await port.fetch(asked, slots.allowanceRoom());
      } catch (err) {
        logger.error({ err }, 'fetching delivery jobs failed');
        await idle(errorBackoffMs);
        continue;
      }
      if (state !== 'running') {
        // Claimed while stopping: not started, so handed straight back.
        if (jobs.length > 0) await settler.fail(jobs, new Error('worker stopping'));
        break;
      }
      for (const job of jobs) begin(job);
      // A full batch may have left more behind: fetch again at once. A short one most likely emptied the
      // queue, so the next fetch waits for a NOTIFY, a settle (which frees a group's slot: pg-boss drops
      // jobs over a group's cap from a fetch) or the poll. Fetching again at once would mostly cost an
      // empty fetch per delivery at low rates.
      if (jobs.length < asked) await idle(pollIntervalMs);
    }
  }

  function begin(job: Job<T>) {
    slots.begin(job);
    settler.claim(job);
    const abort = new AbortController();
    aborts.set(job, abort);
    const control: AttemptControl = { demote: () => slots.demote(job), signal: abort.signal };
    const attempt = (async () => {
      let error: unknown;
      let ok = false;
      try {
        await handle(job, control);
        ok = true;
      } catch (err) {
        error = err;
      }
      aborts.delete(job);
      slots.end(job);
      if (ok) {
        settler.settled(job);
        // Its endpoint's group slot is free in pg-boss's count: the next job may be fetchable now.
        wake();
      } else await settler.fail([job], error);
    })();
    attempts.add(attempt);
    void attempt.finally(() => attempts.delete(attempt));
  }

  /** The attempts still running when stop's timeout ran out: cut off, then handed back. */
  async function abandon() {
    let left = slots.runningKeys();
    if (left.length === 0) return;
    logger.warn({ jobs: left.length }, 'stopping with delivery attempts in flight; they will be retried');
    // Cut their requests off first, and give the handlers a moment to see it (an aborted attempt
    // records nothing; its handler's failure hands its job back). One that answered meanwhile is
    // recorded and completed by its handler as usual.
    for (const job of left) aborts.get(job)?.abort();
    await waitAtMost(timers, Promise.allSettled([...attempts]), abortGraceMs);
    left = left.filter((job) => slots.isRunning(job));
    await settler.fail(left, new Error('worker stopped before the attempt finished'));
  }

  return {
    get inFlight() {
      return slots.running;
    },
    wake,
    async start() {
      if (state !== 'new') return;
      state = 'running';
      settler.startHeartbeat();
      if (port.listen) {
        try {
          listener = await port.listen(wake);
        } catch (err) {
          logger.warn({ err }, 'LISTEN for new jobs failed; polling only');
        }
      }
      loopDone = loop();
    },
    stop({ graceful = true, timeoutMs = 20_000 }: StopOptions = {}) {
      if (stopping) return stopping;
      if (state === 'new') {
        state = 'stopped';
        return Promise.resolve();
      }
      state = 'stopping';
      stopping = (async () => {
        wake();
        await listener?.close().catch(() => {});
        await loopDone;
        if (graceful && attempts.size > 0) await waitAtMost(timers, Promise.allSettled([...attempts]), timeoutMs);
        // Still running: hand them back so that another worker (or this one restarted) makes the attempt.
        await abandon();
        settler.stopHeartbeat();
        state = 'stopped';
      })();
      return stopping;
    },
  };
}
