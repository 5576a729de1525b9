import { realTimers, type Timers } from './timers.ts';

/**
 * Group commit for database work: callers hand in one item each and get their
 * own result, while the items are written (or read) together. Items that
 * arrive in the same turn of the event loop form one batch; while a batch
 * runs, the next one gathers, so under load each round trip carries whatever
 * finished during the previous one, and when idle an item waits for nothing
 * but the end of its turn.
 */
export interface Batcher<I, O> {
  run(item: I): Promise<O>;
  /** Items waiting or being run. */
  readonly pending: number;
}

export interface BatcherOptions {
  /** Most items in one batch (default 500); `Infinity` takes whatever gathered. */
  maxBatch?: number;
  /** Where the end of a turn is scheduled (setImmediate). */
  timers?: Timers;
}

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * `flush` gets the items of one batch in arrival order and returns one result
 * per item, in the same order. If it throws, every item of that batch rejects
 * with the error (and the next batch is still run).
 */
export function createBatcher<I, O>(
  flush: (items: readonly I[]) => Promise<readonly O[]>,
  options: BatcherOptions = {},
): Batcher<I, O> {
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const timers = options.timers ?? realTimers;
  let queued: Waiting<I, O>[] = [];
  let inBatch = 0;
  let scheduled = false;
  /** A drain is running: one batch at a time. */
  let active = false;

  async function drain() {
    active = true;
    while (queued.length > 0) {
      let batch = queued;
      if (batch.length > maxBatch) {
        batch = queued.slice(0, maxBatch);
        queued = queued.slice(maxBatch);
      } else queued = [];
      inBatch = batch.length;
      try {
        const results = await flush(batch.map((b) => b.item));
        if (results.length !== batch.length) throw new Error(`batch returned ${results.length} of ${batch.length}`);
        batch.forEach((b, i) => {
          b.resolve(results[i] as O);
        });
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
      inBatch = 0;
    }
    // Cleared in the same turn as the last look at the queue, so an item queued after it schedules a drain.
    active = false;
  }

  function startDrain() {
    if (!active && queued.length > 0) void drain();
  }

  return {
    get pending() {
      return queued.length + inBatch;
    },
    run(item) {
      return new Promise<O>((resolve, reject) => {
        queued.push({ item, resolve, reject });
        if (active || scheduled) return;
        scheduled = true;
        // Let the rest of this turn (the other jobs of a fetch, other attempts that just finished) join.
        timers.setImmediate(() => {
          scheduled = false;
          startDrain();
        });
      });
    },
  };
}
