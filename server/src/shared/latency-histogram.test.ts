import { describe, expect, it } from 'vitest';
import { emptyHistogram, latencyBoundsMs, latencyBucketOf, percentileOf, statusClassOf } from './latency-histogram.ts';

describe('the latency histogram', () => {
  it('has strictly increasing bounds from 1 ms to 120 s', () => {
    expect(latencyBoundsMs[0]).toBe(1);
    expect(latencyBoundsMs.at(-1)).toBe(120_000);
    for (let i = 1; i < latencyBoundsMs.length; i++) {
      expect(latencyBoundsMs[i]).toBeGreaterThan(latencyBoundsMs[i - 1] ?? Number.POSITIVE_INFINITY);
    }
  });

  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [9, 8],
    [10, 9],
    [12, 9],
    [13, 10],
    [120_000, 43],
    [500_000, 43],
  ])('counts %i ms in bucket %i (bounds are inclusive upper bounds)', (ms, bucket) => {
    expect(latencyBucketOf(ms)).toBe(bucket);
  });

  it('reads nearest-rank percentiles as the upper bound of their bucket', () => {
    const h = emptyHistogram();
    // 19 attempts of 5 ms and one of 1,000 ms: p95 is the 19th (5 ms), p99 the 20th.
    h[latencyBucketOf(5)] = 19;
    h[latencyBucketOf(1000)] = 1;
    expect(percentileOf(h, 50)).toBe(5);
    expect(percentileOf(h, 95)).toBe(5);
    expect(percentileOf(h, 99)).toBe(1178);
    expect(percentileOf(emptyHistogram(), 50)).toBeNull();
  });

  it.each([
    [null, 'error'],
    [200, '2xx'],
    [204, '2xx'],
    [302, '3xx'],
    [410, '4xx'],
    [503, '5xx'],
  ] as const)('classes status %s as %s', (status, cls) => {
    expect(statusClassOf(status)).toBe(cls);
  });
});
