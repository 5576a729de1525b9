import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.ts';

describe('FairQueue', () => {
  it('runs at most one job per tenant and lets tenants take turns', () => {
    const q = new FairQueue<string>();
    for (const job of ['a1', 'a2', 'a3']) q.push('a', job);
    q.push('b', 'b1');
    q.push('c', 'c1');
    q.push('b', 'b2');
    // Three threads free: a's first job, then b's and c's — never a second of a's.
    expect([q.take(), q.take(), q.take(), q.take()]).toEqual([
      { tenant: 'a', job: 'a1' },
      { tenant: 'b', job: 'b1' },
      { tenant: 'c', job: 'c1' },
      undefined,
    ]);
    // b finishes first: its next job waits for b's turn, which comes now (a still runs).
    q.done('b');
    expect(q.take()).toEqual({ tenant: 'b', job: 'b2' });
    q.done('a');
    q.done('c');
    q.done('b');
    expect(q.take()).toEqual({ tenant: 'a', job: 'a2' });
    expect(q.take()).toBeUndefined();
    q.done('a');
    expect(q.take()).toEqual({ tenant: 'a', job: 'a3' });
  });

  it('puts a tenant that finished behind the tenants already waiting', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a1');
    q.push('a', 'a2');
    expect(q.take()?.job).toBe('a1');
    q.push('b', 'b1');
    q.done('a');
    expect([q.take()?.job, q.take()?.job]).toEqual(['b1', 'a2']);
  });

  it('drains every waiting job', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a1');
    q.push('a', 'a2');
    q.push('b', 'b1');
    expect(q.take()?.job).toBe('a1');
    expect(q.drain().sort()).toEqual(['a2', 'b1']);
    expect(q.take()).toBeUndefined();
  });
});
