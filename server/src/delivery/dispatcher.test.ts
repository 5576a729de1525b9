import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobAttempt } from 'pg-boss';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createDispatcher, type DispatchPort } from './dispatcher.ts';

const logger = pino({ level: 'silent' });

interface Fake extends DispatchPort<{ n: number }> {
  ready: Job<{ n: number }>[];
  fetches: number[];
  /** What each fetch was told of the slow allowance's room. */
  allowanceRoom: number[];
  completed: JobAttempt[][];
  failed: JobAttempt[][];
  touched: JobAttempt[][];
  notify?: () => void;
}

function fakePort(count: number): Fake {
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
      await sleep(1);
      return port.ready.splice(0, batchSize);
    },
    async complete(jobs) {
      port.completed.push(jobs);
      await sleep(2);
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

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function until(check: () => boolean, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

describe('createDispatcher', () => {
  it('keeps at most maxInFlight attempts running, fetches only free slots, and completes in batches', async () => {
    const port = fakePort(200);
    let running = 0;
    let peak = 0;
    const d = createDispatcher(
      port,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        running--;
      },
      logger,
      { maxInFlight: 8, pollIntervalMs: 20 },
    );
    await d.start();
    await until(() => port.completed.flat().length === 200);
    await d.stop();
    expect(peak).toBeLessThanOrEqual(8);
    expect(Math.max(...port.fetches)).toBeLessThanOrEqual(8);
    // Group commit: far fewer completes than jobs.
    expect(port.completed.length).toBeLessThan(200);
    expect(new Set(port.completed.flat().map((j) => j.id)).size).toBe(200);
    expect(port.failed).toEqual([]);
  });

  it('does not starve the event loop while every slot is busy and wake-ups keep coming', async () => {
    const port = fakePort(10);
    const gate = latch();
    const d = createDispatcher(port, () => gate.promise, logger, { maxInFlight: 2, pollIntervalMs: 50 });
    await d.start();
    await until(() => d.inFlight === 2);
    for (let i = 0; i < 5; i++) port.notify?.();
    // A timer still fires: the loop waits instead of spinning on resolved promises.
    await sleep(30);
    expect(d.inFlight).toBe(2);
    gate.resolve();
    await until(() => port.completed.flat().length === 10);
    await d.stop();
  });

  it('stops counting slow attempts against maxInFlight, up to maxSlow more', async () => {
    const port = fakePort(10);
    const stuck = latch();
    const fast = latch();
    const started: number[] = [];
    const d = createDispatcher(
      port,
      (job) => {
        started.push(job.data.n);
        // The first two hang (a dead endpoint); the others wait for the test.
        return job.data.n < 2 ? stuck.promise : fast.promise;
      },
      logger,
      { maxInFlight: 2, slowAfterMs: 10, maxSlow: 2, pollIntervalMs: 20 },
    );
    await d.start();
    // The two hanging attempts turn slow and two more start; when those turn slow too, the hard cap holds.
    await until(() => d.inFlight === 4);
    await sleep(50);
    // maxInFlight + maxSlow is the hard cap, however long they all take.
    expect(d.inFlight).toBe(4);
    expect(started.sort()).toEqual([0, 1, 2, 3]);
    fast.resolve();
    stuck.resolve();
    await until(() => port.completed.flat().length === 10);
    await d.stop();
  });

  it('refuses to demote past maxSlow and keeps fetching for the free slots meanwhile', async () => {
    // Jobs 0-5 go to dead endpoints (they demote themselves and hang, or hand the job back when refused);
    // jobs 6-9 go to endpoints that answer. A full slow allowance must not stop their fetch.
    const port = fakePort(10);
    const stuck = latch();
    const refused: number[] = [];
    const d = createDispatcher(
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
      { maxInFlight: 2, slowAfterMs: 60_000, maxSlow: 2, pollIntervalMs: 20 },
    );
    await d.start();
    await until(() => port.completed.flat().length === 8);
    // Two dead attempts hold the whole slow allowance; the other four were refused, the answering ones ran.
    expect(d.inFlight).toBe(2);
    expect(refused.sort()).toEqual([2, 3, 4, 5]);
    // Fetches say how much room the allowance has, so the worker can leave the jobs that need it queued.
    expect(port.allowanceRoom[0]).toBe(2);
    expect(port.allowanceRoom.at(-1)).toBe(0);
    stuck.resolve();
    await until(() => port.completed.flat().length === 10);
    const fetches = port.allowanceRoom.length;
    d.wake();
    await until(() => port.allowanceRoom.length > fetches);
    expect(port.allowanceRoom.at(-1)).toBe(2);
    await d.stop();
  });

  it('does not complete again a job its handler completed itself', async () => {
    const port = fakePort(4);
    let handled = 0;
    const d = createDispatcher(
      port,
      async (job, control) => {
        if (job.data.n % 2 === 0) control.completed();
        handled++;
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 20 },
    );
    await d.start();
    await until(() => handled === 4 && port.completed.flat().length === 2);
    await d.stop();
    expect(
      port.completed
        .flat()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['job-1', 'job-3']);
    expect(port.failed).toEqual([]);
  });

  it('fails the job of a handler that throws, so pg-boss retries it', async () => {
    const port = fakePort(3);
    const d = createDispatcher(
      port,
      async (job) => {
        if (job.data.n === 1) throw new Error('database down');
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 20 },
    );
    await d.start();
    await until(() => port.completed.flat().length === 2 && port.failed.length === 1);
    await d.stop();
    expect(port.failed).toEqual([[{ id: 'job-1', retryCount: 0 }]]);
  });

  it('touches claimed jobs while their attempts run', async () => {
    const port = fakePort(2);
    const gate = latch();
    const d = createDispatcher(port, () => gate.promise, logger, { maxInFlight: 4, heartbeatMs: 20 });
    await d.start();
    await until(() => port.touched.length >= 2);
    expect(
      port.touched
        .at(-1)
        ?.map((j) => j.id)
        .sort(),
    ).toEqual(['job-0', 'job-1']);
    gate.resolve();
    await d.stop();
  });

  it('on stop: fetches no more, lets attempts finish within the timeout, completes them, fails the rest', async () => {
    const port = fakePort(4);
    const d = createDispatcher(
      port,
      async (job) => {
        await sleep(job.data.n < 2 ? 20 : 5_000);
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 20 },
    );
    await d.start();
    await until(() => d.inFlight === 4);
    const fetches = port.fetches.length;
    const started = Date.now();
    await d.stop({ graceful: true, timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(port.fetches.length).toBe(fetches);
    expect(
      port.completed
        .flat()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['job-0', 'job-1']);
    expect(
      port.failed
        .flat()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['job-2', 'job-3']);
  });

  it('on stop: aborts the attempts that outlast the timeout before handing their jobs back, once each', async () => {
    const port = fakePort(4);
    const aborted: number[] = [];
    const d = createDispatcher(
      port,
      async (job, control) => {
        if (job.data.n < 2) return sleep(20);
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
      { maxInFlight: 4, pollIntervalMs: 20 },
    );
    await d.start();
    await until(() => d.inFlight === 4);
    await d.stop({ graceful: true, timeoutMs: 200 });
    expect(aborted.sort()).toEqual([2, 3]);
    expect(d.inFlight).toBe(0);
    expect(
      port.failed
        .flat()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['job-2', 'job-3']);
  });

  it('wakes on a notification instead of waiting out the poll', async () => {
    const port = fakePort(0);
    let handled = 0;
    const d = createDispatcher(
      port,
      async () => {
        handled++;
      },
      logger,
      { maxInFlight: 4, pollIntervalMs: 60_000 },
    );
    await d.start();
    await sleep(20);
    port.ready.push({ id: 'late', retryCount: 0, data: { n: 0 } } as Job<{ n: number }>);
    port.notify?.();
    await until(() => handled === 1, 1000);
    await d.stop();
  });
});
