import type { Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { LaneJob } from './queue.ts';

/**
 * What the dispatcher needs from the queue: claim, settle and heartbeat jobs,
 * and hear about new ones. Settles are fenced to the claimed attempt (the
 * jobs carry their retryCount).
 */
export interface DispatchPort<T> {
  /**
   * Claims up to `batchSize` ready jobs (pg-boss applies the per-group cap). `allowanceRoom`: how many
   * more attempts the slow allowance takes now (AttemptControl.demote refuses the rest).
   */
  fetch(batchSize: number, allowanceRoom: number): Promise<Job<T>[]>;
  complete(jobs: LaneJob[]): Promise<unknown>;
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
  /** Largest fetch. */
  maxBatch?: number;
  /** How long to wait after an empty fetch when nothing wakes the dispatcher. */
  pollIntervalMs?: number;
  /** Heartbeat period for claimed jobs (well inside the queue's heartbeatSeconds). */
  heartbeatMs?: number;
  /** Pause after a failed fetch. */
  errorBackoffMs?: number;
}

/** What a handler may tell the dispatcher about its attempt. */
export interface AttemptControl {
  /**
   * Count this attempt as slow from now on: it waits on an endpoint not known
   * to answer quickly, so it should not hold one of the maxInFlight slots.
   * False when the slow allowance is full: the attempt still holds its slot.
   */
  demote(): boolean;
  /** The handler completed the job itself (in the transaction that recorded its outcome): nothing left to settle. */
  completed(): void;
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
   * all when not graceful), completes the finished ones and fails the rest so
   * that pg-boss retries them.
   */
  stop(options?: StopOptions): Promise<void>;
  /** Attempts running now, slow ones included. */
  readonly inFlight: number;
}

const attemptOf = <T>(job: Job<T>): LaneJob => ({ id: job.id, retryCount: job.retryCount, name: job.name });

/** How long stop() waits for aborted attempts to wind down before handing back what still runs. */
const abortGraceMs = 500;

/**
 * How many times a failed settle (complete or hand-back) is tried again, errorBackoffMs apart, while
 * the dispatcher runs. A job whose settle is dropped stays active in pg-boss and holds a slot of its
 * endpoint's group until its heartbeat lapses; after a database outage that stalled every endpoint
 * with jobs in flight for heartbeatSeconds and more. Settles are fenced to the attempt, so a late
 * one is harmless.
 */
const settleRetries = 30;

/**
 * One fetch loop per process in place of pg-boss `work()`'s loops: it claims
 * as many jobs as it has free slots in one fetch, runs each job's handler
 * concurrently, and settles finished jobs in batches (group commit: one
 * `complete` at a time, carrying whatever finished meanwhile), unless the
 * handler completed the job itself, in the transaction that recorded its
 * outcome. A handler that throws has its job failed at once, so pg-boss
 * retries it. Attempts that run long (or that the handler demotes) stop
 * counting against maxInFlight, within a separate allowance.
 */
export function createDispatcher<T>(
  port: DispatchPort<T>,
  handle: (job: Job<T>, control: AttemptControl) => Promise<void>,
  logger: Logger,
  options: DispatcherOptions,
): Dispatcher {
  const maxInFlight = Math.max(1, options.maxInFlight);
  const maxBatch = options.maxBatch ?? 50;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const heartbeatMs = options.heartbeatMs ?? 4000;
  const errorBackoffMs = options.errorBackoffMs ?? 1000;
  const slowAfterMs = options.slowAfterMs ?? 1000;
  const maxSlow = Math.max(0, options.maxSlow ?? 3 * maxInFlight);

  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** Jobs whose handler is running. */
  const running = new Set<Job<T>>();
  /** Running jobs past slowAfterMs: they do not count against maxInFlight, only against maxSlow. */
  const slow = new Set<Job<T>>();
  /** Jobs claimed and not yet settled (running, or finished and waiting for their complete): heartbeat these. */
  const unsettled = new Set<Job<T>>();
  const attempts = new Set<Promise<void>>();
  /** Aborts the attempt of each running job (see AttemptControl.signal). */
  const aborts = new Map<Job<T>, AbortController>();
  let toComplete: Job<T>[] = [];
  let flushing: Promise<void> | null = null;
  let flushScheduled = false;
  let wakeRequested = false;
  let wakeWaiter: (() => void) | null = null;
  let waitingForSlot = false;
  let loopDone: Promise<void> = Promise.resolve();
  let heartbeat: NodeJS.Timeout | undefined;
  let listener: { close(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;

  function wake() {
    wakeRequested = true;
    const w = wakeWaiter;
    wakeWaiter = null;
    w?.();
  }

  /** Waits for a wake-up (consuming it) or `ms`, whichever comes first. */
  function idle(ms: number): Promise<void> {
    if (state !== 'running') return Promise.resolve();
    if (wakeRequested) {
      // Consumed here, so a loop that cannot fetch (no free slot) waits on its next turn instead of spinning.
      wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wakeWaiter = null;
        resolve();
      }, ms);
      wakeWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function loop() {
    while (state === 'running') {
      const free = freeSlots();
      if (free <= 0) {
        waitingForSlot = true;
        await idle(pollIntervalMs);
        waitingForSlot = false;
        continue;
      }
      // Wake-ups from here on ask for the fetch after this one.
      wakeRequested = false;
      const asked = Math.min(free, maxBatch);
      let jobs: Job<T>[];
      try {
        jobs = await port.fetch(asked, Math.max(0, maxSlow - slow.size));
      } catch (err) {
        logger.error({ err }, 'fetching delivery jobs failed');
        await idle(errorBackoffMs);
        continue;
      }
      if (state !== 'running') {
        // Claimed while stopping: not started, so handed straight back.
        if (jobs.length > 0) await failJobs(jobs, new Error('worker stopping'));
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

  function freeSlots(): number {
    return Math.min(maxInFlight - (running.size - slow.size), maxInFlight + maxSlow - running.size);
  }

  function begin(job: Job<T>) {
    running.add(job);
    unsettled.add(job);
    const demote = () => {
      if (!running.has(job)) return false;
      if (slow.has(job)) return true;
      // Past maxSlow an attempt keeps its slot: the total stays within maxInFlight + maxSlow while the
      // loop keeps fetching for the slots that are free (a full allowance no longer stops every fetch).
      if (slow.size >= maxSlow) return false;
      slow.add(job);
      if (waitingForSlot) wake();
      return true;
    };
    const slowTimer = setTimeout(demote, slowAfterMs);
    slowTimer.unref();
    let completedByHandler = false;
    const completed = () => {
      completedByHandler = true;
    };
    const abort = new AbortController();
    aborts.set(job, abort);
    const attempt = (async () => {
      let error: unknown;
      let ok = false;
      try {
        await handle(job, { demote, completed, signal: abort.signal });
        ok = true;
      } catch (err) {
        error = err;
      }
      clearTimeout(slowTimer);
      aborts.delete(job);
      running.delete(job);
      slow.delete(job);
      if (waitingForSlot) wake();
      if (ok && completedByHandler) {
        unsettled.delete(job);
        // Its endpoint's group slot is free in pg-boss's count: the next job may be fetchable now.
        wake();
      } else if (ok) queueComplete(job);
      else await failJobs([job], error);
    })();
    attempts.add(attempt);
    void attempt.finally(() => attempts.delete(attempt));
  }

  function queueComplete(job: Job<T>) {
    if (state === 'stopped') return;
    toComplete.push(job);
    if (flushing || flushScheduled) return;
    // Let the completions of this turn of the event loop join the batch.
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      void flush();
    });
  }

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
        if (state !== 'running' || tries >= settleRetries) return { err };
        await new Promise((resolve) => setTimeout(resolve, errorBackoffMs));
      }
    }
  }

  /** Completes what finished; while one complete runs, the next batch gathers. Resolves when the buffer is empty. */
  function flush(): Promise<void> {
    if (flushing) return flushing;
    if (toComplete.length === 0) return Promise.resolve();
    flushing = (async () => {
      while (toComplete.length > 0) {
        const batch = toComplete;
        toComplete = [];
        const failed = await settle(() => port.complete(batch.map(attemptOf)));
        // Left claimed, these come back after their missed heartbeat; the stale check makes them no-ops.
        if (failed) logger.error({ err: failed.err, jobs: batch.length }, 'completing delivery jobs failed');
        for (const job of batch) unsettled.delete(job);
        // Completing frees the endpoints' group slots in pg-boss's count: their next jobs may be fetchable now.
        wake();
      }
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  async function failJobs(jobs: Job<T>[], error: unknown) {
    if (jobs.length === 0) return;
    const failed = await settle(() => port.fail(jobs.map(attemptOf), error));
    if (failed) {
      logger.error(
        { err: failed.err, jobs: jobs.length },
        'handing delivery jobs back failed; their heartbeat will lapse',
      );
    }
    for (const job of jobs) unsettled.delete(job);
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
    get inFlight() {
      return running.size;
    },
    wake,
    async start() {
      if (state !== 'new') return;
      state = 'running';
      heartbeat = setInterval(() => void beat(), heartbeatMs);
      heartbeat.unref();
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
        if (graceful && attempts.size > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.allSettled([...attempts]),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, Math.max(0, timeoutMs));
            }),
          ]);
          clearTimeout(timer);
        }
        await flush();
        // Still running: hand them back so that another worker (or this one restarted) makes the attempt.
        let left = [...unsettled].filter((job) => running.has(job));
        if (left.length > 0) {
          logger.warn({ jobs: left.length }, 'stopping with delivery attempts in flight; they will be retried');
          // Cut their requests off first, and give the handlers a moment to see it (an aborted attempt
          // records nothing; its handler's failure hands its job back). One that answered meanwhile is
          // recorded and completed as usual.
          for (const job of left) aborts.get(job)?.abort();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.allSettled([...attempts]),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, abortGraceMs);
            }),
          ]);
          clearTimeout(timer);
          await flush();
          left = left.filter((job) => running.has(job));
          await failJobs(left, new Error('worker stopped before the attempt finished'));
        }
        clearInterval(heartbeat);
        state = 'stopped';
      })();
      return stopping;
    },
  };
}
