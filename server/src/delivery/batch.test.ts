import { describe, expect, it } from 'vitest';
import { createBatcher } from './batch.ts';
import { ManualTimers } from './manual-timers.ts';

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createBatcher', () => {
  it('runs the items of one turn together and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>(async (items) => {
      batches.push([...items]);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => b.run(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers what arrives while a batch runs into the next one, one batch at a time', async () => {
    const batches: number[][] = [];
    const gate = latch();
    let running = 0;
    let peak = 0;
    const b = createBatcher<number, number>(async (items) => {
      running++;
      peak = Math.max(peak, running);
      batches.push([...items]);
      if (items.includes(1)) await gate.promise;
      running--;
      return items;
    });
    const first = b.run(1);
    await new Promise((r) => setImmediate(r));
    const later = [b.run(2), b.run(3)];
    expect(b.pending).toBe(3);
    gate.resolve();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
    expect(peak).toBe(1);
  });

  it('rejects every item of a failed batch, and still runs the next one', async () => {
    const b = createBatcher<number, number>(async (items) => {
      if (items.includes(0)) throw new Error('database down');
      return items;
    });
    const failed = [b.run(0), b.run(1)];
    await expect(failed[0]).rejects.toThrow('database down');
    await expect(failed[1]).rejects.toThrow('database down');
    expect(await b.run(2)).toBe(2);
  });

  it('splits a large gathering into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((n) => b.run(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('waits for the end of the turn on the timers it is given', async () => {
    const clock = new ManualTimers();
    const batches: number[][] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        batches.push([...items]);
        return items;
      },
      { timers: clock },
    );
    const results = [b.run(1), b.run(2)];
    // Promise callbacks run, the end of the turn does not: nothing is sent yet.
    await Promise.resolve();
    expect(batches).toEqual([]);
    await clock.settle();
    expect(batches).toEqual([[1, 2]]);
    expect(await Promise.all(results)).toEqual([1, 2]);
  });

  it('takes whatever gathered with maxBatch Infinity', async () => {
    const sizes: number[] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: Number.POSITIVE_INFINITY },
    );
    await Promise.all(Array.from({ length: 1000 }, (_, n) => b.run(n)));
    expect(sizes).toEqual([1000]);
  });
});
