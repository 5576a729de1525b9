import type { Job, JobAttempt } from 'pg-boss';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type AttemptControl,
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchPort,
  type StopOptions,
} from './dispatcher.ts';
import { ManualTimers } from './manual-timers.ts';
import { sleep } from './timers.ts';

// Every test runs on ManualTimers: time moves only when the test moves it, so "nothing happened after
// N ms" means after advancing the clock N ms, and waits are on conditions, never on real time.

const logger = pino({ level: 'silent' });

interface Fake extends DispatchPort<{ n: number }> {
  ready: Job<{ n: number }>[];
  fetches: number[];
  /** What each fetch was told of the slow allowance's room. */
  allowanceRoom: number[];
  /** The jobs the handlers completed (see dispatch). */
  completed: JobAttempt[][];
  failed: JobAttempt[][];
  touched: JobAttempt[][];
  notify?: () => void;
}

/** A queue in memory whose fetch takes 1 ms of `clock`'s time. */
function fakePort(clock: ManualTimers, count: number): Fake {
  const ready = Array.from(
    { length: count },
    (_, n) => ({ id: `job-${n}`, retryCount: 0, data: { n } }) as Job<{ n: number }>,
  );
  const port: Fake = {
    ready,
    fetches: [],
    allowanceRoom: [],
    completed: [],
    failed: [],
    touched: [],
    async fetch(batchSize, allowanceRoom) {
      port.fetches.push(batchSize);
      port.allowanceRoom.push(allowanceRoom);
      await sleep(clock, 1);
      return port.ready.splice(0, batchSize);
    },
    async fail(jobs) {
      port.failed.push(jobs);
    },
    async touch(jobs) {
      port.touched.push(jobs);
    },
    async listen(onJob) {
      port.notify = onJob;
      return { close: async () => {} };
    },
  };
  return port;
}

type Handler = (job: Job<{ n: number }>, control: AttemptControl) => Promise<void>;

/**
 * createDispatcher with handlers that complete their own jobs, as the worker's do (in the delivery store,
 * in the transaction that writes the outcome): a handler that returns records its job in port.completed
 * 2 ms of the clock's time later; one that throws records nothing.
 */
function dispatch(
  port: Fake,
  handle: Handler,
  log: typeof logger,
  options: DispatcherOptions & { timers: ManualTimers },
): Dispatcher {
  const clock = options.timers;
  return createDispatcher(
    port,
    async (job, control) => {
      await handle(job, control);
      await sleep(clock, 2);
      port.completed.push([{ id: job.id, retryCount: job.retryCount }]);
    },
    log,
    options,
  );
}

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Stops `d`, moving the clock until it has stopped. */
async function stop(clock: ManualTimers, d: Dispatcher, options?: StopOptions) {
  let stopped = false;
  const done = d.stop(options).then(() => {
    stopped = true;
  });
  await clock.until(() => stopped);
  await done;
}

const ids = (attempts: JobAttempt[][]) =>
  attempts
    .flat()
    .map((j) => j.id)
    .sort();

describe('createDispatcher', () => {
  it('keeps at most maxInFlight attempts running, and fetches only free slots', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 200);
    let running = 0;
    let peak = 0;
    const d = dispatch(
      port,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(clock, 5);
        running--;
      },
      logger,
      { maxInFlight: 8, pollIntervalMs: 20, timers: clock },
    );
    await d.start();
    await clock.until(() => port.completed.flat().length === 200);
    await stop(clock, d);
    expect(peak).toBeLessThanOrEqual(8);
    expect(Math.max(...port.fetches)).toBeLessThanOrEqual(8);
    expect(new Set(port.completed.flat().map((j) => j.id)).size).toBe(200);
    expect(port.failed).toEqual([]);
  });

  it('does not starve the event loop while every slot is busy and wake-ups keep coming', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 10);
    const gate = latch();
    const d = dispatch(port, () => gate.promise, logger, {
      maxInFlight: 2,
      pollIntervalMs: 50,
      timers: clock,
    });
    await d.start();
    await clock.until(() => d.inFlight === 2);
    const fetches = port.fetches.length;
    for (let i = 0; i < 5; i++) port.notify?.();
    // Advancing settles the event loop first: a loop spinning on resolved promises would never let it.
    await clock.advance(30);
    expect(d.inFlight).toBe(2);
    // And it waited instead of fetching for slots it does not have.
    expect(port.fetches.length).toBe(fetches);
    gate.resolve();
    await clock.until(() => port.completed.flat().length === 10);
    await stop(clock, d);
  });

  it('stops counting slow attempts against maxInFlight, up to maxSlow more', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 10);
    const stuck = latch();
    const fast = latch();
    const started: number[] = [];
    const d = dispatch(
      port,
      (job) => {
        started.push(job.data.n);
        // The first two hang (a dead endpoint); the others wait for the test.
        return job.data.n < 2 ? stuck.promise : fast.promise;
      },
      logger,
      { maxInFlight: 2, slowAfterMs: 10, maxSlow: 2, pollIntervalMs: 20, timers: clock },
    );
    await d.start();
    // The two hanging attempts turn slow and two more start; when those turn slow too, the hard cap holds.
    await clock.until(() => d.inFlight === 4);
    await clock.advance(50);
    // maxInFlight + maxSlow is the hard cap, however long they all take.
    expect(d.inFlight).toBe(4);
    expect(started.sort()).toEqual([0, 1, 2, 3]);
    fast.resolve();
    stuck.resolve();
    await clock.until(() => port.completed.flat().length === 10);
    await stop(clock, d);
  });

  it('refuses to demote past maxSlow and keeps fetching for the free slots meanwhile', async () => {
    // Jobs 0-5 go to dead endpoints (they demote themselves and hang, or hand the job back when refused);
    // jobs 6-9 go to endpoints that answer. A full slow allowance must not stop their fetch.
    const clock = new ManualTimers();
    const port = fakePort(clock, 10);
    const stuck = latch();
    const refused: number[] = [];
    const d = dispatch(
      port,
      async (job, control) => {
        if (job.data.n >= 6) return;
        if (!control.demote()) {
          refused.push(job.data.n);
          return;
        }
        await stuck.promise;
      },
      logger,
      { maxInFlight: 2, slowAfterMs: 60_000, maxSlow: 2, pollIntervalMs: 20, timers: clock },
    );
    await d.start();
    await clock.until(() => port.completed.flat().length === 8);
    // Two dead attempts hold the whole slow allowance; the other four were refused, the answering ones ran.
    expect(d.inFlight).toBe(2);
    expect(refused.sort()).toEqual([2, 3, 4, 5]);
    // Fetches say how much room the allowance has, so the worker can leave the jobs that need it queued.
    expect(port.allowanceRoom[0]).toBe(2);
    expect(port.allowanceRoom.at(-1)).toBe(0);
    stuck.resolve();
    await clock.until(() => port.completed.flat().length === 10);
    const fetches = port.allowanceRoom.length;
    d.wake();
    await clock.until(() => port.allowanceRoom.length > fetches);
    expect(port.allowanceRoom.at(-1)).toBe(2);
    await stop(clock, d);
  });

  it('leaves completing to the handler: a job whose handler returned is neither failed nor heartbeated again', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 4);
    const d = dispatch(port, async () => {}, logger, {
      maxInFlight: 4,
      pollIntervalMs: 20,
      heartbeatMs: 50,
      timers: clock,
    });
    await d.start();
    await clock.until(() => port.completed.flat().length === 4);
    const touches = port.touched.length;
    await clock.advance(200);
    expect(port.touched.length).toBe(touches);
    await stop(clock, d);
    expect(ids(port.completed)).toEqual(['job-0', 'job-1', 'job-2', 'job-3']);
    expect(port.failed).toEqual([]);
  });

  it('fails the job of a handler that throws, so pg-boss retries it', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 3);
    const d = dispatch(
      port,
      async (job) => {
        if (job.data.n === 1) throw new Error('database down');
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 20, timers: clock },
    );
    await d.start();
    await clock.until(() => port.completed.flat().length === 2 && port.failed.length === 1);
    await stop(clock, d);
    expect(port.failed).toEqual([[{ id: 'job-1', retryCount: 0 }]]);
  });

  it('touches claimed jobs while their attempts run', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 2);
    const gate = latch();
    const d = dispatch(port, () => gate.promise, logger, { maxInFlight: 4, heartbeatMs: 20, timers: clock });
    await d.start();
    await clock.until(() => port.touched.length >= 2);
    expect(
      port.touched
        .at(-1)
        ?.map((j) => j.id)
        .sort(),
    ).toEqual(['job-0', 'job-1']);
    gate.resolve();
    await stop(clock, d);
  });

  it('on stop: fetches no more, lets attempts finish within the timeout, completes them, fails the rest', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 4);
    const d = dispatch(
      port,
      async (job) => {
        await sleep(clock, job.data.n < 2 ? 20 : 5_000);
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 20, timers: clock },
    );
    await d.start();
    await clock.until(() => d.inFlight === 4);
    const fetches = port.fetches.length;
    const started = clock.now;
    await stop(clock, d, { graceful: true, timeoutMs: 200 });
    expect(clock.now - started).toBeLessThan(1000);
    expect(port.fetches.length).toBe(fetches);
    expect(ids(port.completed)).toEqual(['job-0', 'job-1']);
    expect(ids(port.failed)).toEqual(['job-2', 'job-3']);
  });

  it('on stop: aborts the attempts that outlast the timeout before handing their jobs back, once each', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 4);
    const aborted: number[] = [];
    const d = dispatch(
      port,
      async (job, control) => {
        if (job.data.n < 2) return sleep(clock, 20);
        // A request that would outlast the bound: handed back while still on the wire, it would be sent
        // twice at once (found by test/soak/crash.soak.test.ts).
        await new Promise<void>((_, reject) => {
          control.signal?.addEventListener('abort', () => {
            aborted.push(job.data.n);
            reject(new Error('aborted'));
          });
        });
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 20, timers: clock },
    );
    await d.start();
    await clock.until(() => d.inFlight === 4);
    await stop(clock, d, { graceful: true, timeoutMs: 200 });
    expect(aborted.sort()).toEqual([2, 3]);
    expect(d.inFlight).toBe(0);
    expect(ids(port.failed)).toEqual(['job-2', 'job-3']);
  });

  it('wakes on a notification instead of waiting out the poll', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 0);
    let handled = 0;
    const d = dispatch(
      port,
      async () => {
        handled++;
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 60_000, timers: clock },
    );
    await d.start();
    await clock.advance(20);
    port.ready.push({ id: 'late', retryCount: 0, data: { n: 0 } } as Job<{ n: number }>);
    port.notify?.();
    await clock.until(() => handled === 1, 1000);
    await stop(clock, d);
  });

  it('on stop: waits out the timeout, then the abort grace, completes what answered meanwhile, fails the rest', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 2);
    const d = dispatch(
      port,
      async (job, control) => {
        // job-0 ignores the abort (a request that will not let go); job-1 answers 100 ms after it.
        if (job.data.n === 0) return sleep(clock, 60_000);
        await new Promise<void>((resolve) => control.signal?.addEventListener('abort', () => resolve()));
        await sleep(clock, 100);
      },
      logger,
      { maxInFlight: 2, pollIntervalMs: 20, abortGraceMs: 500, timers: clock },
    );
    await d.start();
    await clock.until(() => d.inFlight === 2);
    const stoppedAt = clock.now;
    let stopped = false;
    const done = d.stop({ timeoutMs: 200 }).then(() => {
      stopped = true;
    });
    await clock.advance(199);
    expect(port.completed).toEqual([]);
    expect(port.failed).toEqual([]);
    await clock.advance(101);
    await clock.until(() => port.completed.length === 1);
    expect(ids(port.completed)).toEqual(['job-1']);
    expect(port.failed).toEqual([]);
    await clock.advance(stoppedAt + 200 + 500 - 1 - clock.now);
    expect(stopped).toBe(false);
    await clock.advance(1);
    await done;
    expect(ids(port.failed)).toEqual(['job-0']);
    expect(d.inFlight).toBe(1);
  });

  it('on a stop that is not graceful: aborts at once, without waiting for the timeout', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 2);
    const d = dispatch(
      port,
      (_job, control) =>
        new Promise<void>((_, reject) => control.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
      logger,
      { maxInFlight: 2, pollIntervalMs: 20, timers: clock },
    );
    await d.start();
    await clock.until(() => d.inFlight === 2);
    const started = clock.now;
    await stop(clock, d, { graceful: false, timeoutMs: 20_000 });
    expect(clock.now - started).toBeLessThan(20_000);
    expect(ids(port.failed)).toEqual(['job-0', 'job-1']);
    expect(d.inFlight).toBe(0);
  });

  it('waits errorBackoffMs after a failed fetch, and polls without LISTEN when it fails', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 1);
    const fetch = port.fetch;
    let fetchFailures = 1;
    port.fetch = async (batchSize, allowanceRoom) => {
      if (fetchFailures-- > 0) {
        port.fetches.push(batchSize);
        throw new Error('database down');
      }
      return fetch(batchSize, allowanceRoom);
    };
    port.listen = async () => {
      throw new Error('no LISTEN here');
    };
    const d = dispatch(port, async () => {}, logger, {
      maxInFlight: 2,
      pollIntervalMs: 20,
      errorBackoffMs: 300,
      timers: clock,
    });
    await d.start();
    await clock.advance(299);
    expect(port.fetches.length).toBe(1);
    await clock.advance(1);
    await clock.until(() => port.completed.length === 1);
    expect(clock.now).toBeLessThan(310);
    await stop(clock, d);
  });

  it('tries a failed hand-back again errorBackoffMs apart, heartbeating its job until it goes through', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 1);
    const fail = port.fail;
    let failFailures = 2;
    const tries: number[] = [];
    port.fail = async (jobs, error) => {
      tries.push(clock.now);
      if (failFailures-- > 0) throw new Error('database down');
      return fail(jobs, error);
    };
    const d = dispatch(
      port,
      async () => {
        throw new Error('the attempt could not be recorded');
      },
      logger,
      { maxInFlight: 2, pollIntervalMs: 20, errorBackoffMs: 300, heartbeatMs: 100, timers: clock },
    );
    await d.start();
    await clock.until(() => port.failed.length === 1);
    expect(tries.map((t) => t - (tries[0] ?? 0))).toEqual([0, 300, 600]);
    expect(port.touched.length).toBeGreaterThan(0);
    expect(port.touched.every((jobs) => jobs.map((j) => j.id).join() === 'job-0')).toBe(true);
    const touches = port.touched.length;
    await clock.advance(500);
    expect(port.touched.length).toBe(touches);
    await stop(clock, d);
    expect(port.completed).toEqual([]);
  });

  it('gives a failed hand-back up after settleRetries, and stops heartbeating its job', async () => {
    const clock = new ManualTimers();
    const port = fakePort(clock, 1);
    let tries = 0;
    port.fail = async () => {
      tries++;
      throw new Error('database down');
    };
    const d = dispatch(
      port,
      async () => {
        throw new Error('the attempt could not be recorded');
      },
      logger,
      { maxInFlight: 2, pollIntervalMs: 20, errorBackoffMs: 300, heartbeatMs: 100, settleRetries: 2, timers: clock },
    );
    await d.start();
    await clock.until(() => tries === 3);
    await clock.advance(300);
    expect(tries).toBe(3);
    const touches = port.touched.length;
    await clock.advance(500);
    expect(port.touched.length).toBe(touches);
    await stop(clock, d);
    expect(port.completed).toEqual([]);
  });
});
