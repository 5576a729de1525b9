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

/**
 * `flush` gets the items of one batch in arrival order and returns one result
 * per item, in the same order. If it throws, every item of that batch rejects
 * with the error (and the next batch is still run).
 */
export function createBatcher<I, O>(
  flush: (items: readonly I[]) => Promise<readonly O[]>,
  options: { maxBatch?: number } = {},
): Batcher<I, O> {
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  let queued: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let inBatch = 0;
  let active = false;

  async function drain() {
    while (queued.length > 0) {
      const batch = queued.slice(0, maxBatch);
      queued = queued.slice(batch.length);
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
    active = false;
  }

  return {
    get pending() {
      return queued.length + inBatch;
    },
    run(item) {
      return new Promise<O>((resolve, reject) => {
        queued.push({ item, resolve, reject });
        if (active) return;
        active = true;
        // Let the rest of this turn (the other jobs of a fetch, other attempts that just finished) join.
        setImmediate(() => void drain());
      });
    },
  };
}
