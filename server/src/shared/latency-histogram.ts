/**
 * The fixed latency histogram of the delivery statistics (migration 0010, docs/api.md "Statistics"):
 * the delivery store counts each attempt's duration in one of these buckets, and the stats routes merge
 * the counts of many minutes and read percentiles from them. Fixed bounds are what make a merge exact:
 * an hour's histogram is the sum of its minutes', element by element, so a percentile over a day is the
 * same whether read from minute, hour or day buckets.
 */

/**
 * The buckets' inclusive upper bounds in milliseconds: 1 ms to 120 s (the longest delivery timeout),
 * 44 buckets, about 31 % apart above 10 ms (round(120000^(i/43)), kept strictly increasing below 10 ms,
 * where the steps are whole milliseconds). Bucket i holds a duration d with bounds[i-1] < d <= bounds[i];
 * bucket 0 holds d <= 1. Never change it in place: stored rows are counted against these bounds.
 */
export const latencyBoundsMs: readonly number[] = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 20, 26, 34, 45, 59, 78, 102, 134, 176, 230, 302, 397, 521, 684, 897, 1178, 1546,
  2029, 2664, 3496, 4589, 6024, 7906, 10378, 13621, 17879, 23467, 30802, 40430, 53066, 69653, 91424, 120000,
];

/** The bucket of a duration; a duration past the last bound (a stalled process) counts in the last bucket. */
export function latencyBucketOf(durationMs: number): number {
  let low = 0;
  let high = latencyBoundsMs.length - 1;
  // The first bound at or above the duration: a binary search over 44 numbers.
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((latencyBoundsMs[mid] ?? 0) >= durationMs) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** An empty histogram: one count per bucket. */
export const emptyHistogram = (): number[] => latencyBoundsMs.map(() => 0);

/**
 * The p-th percentile (0 < p <= 100) of the durations a histogram counts, as the upper bound of the bucket
 * it falls in: the nearest-rank percentile (the ceil(p/100 × n)-th smallest duration) is at most this, and
 * above the previous bound. Null when the histogram counts nothing.
 */
export function percentileOf(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  // p × total first: (95 / 100) × 20 is 19.000000000000004 in floating point, whose ceiling is 20.
  const rank = Math.max(1, Math.ceil((p * total) / 100));
  let seen = 0;
  for (const [i, n] of histogram.entries()) {
    seen += n;
    if (seen >= rank) return latencyBoundsMs[i] ?? null;
  }
  return null;
}

/** The class of an attempt's answer, as the statistics count it: no HTTP answer at all is `error`. */
export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'error';

export function statusClassOf(httpStatus: number | null): StatusClass {
  if (httpStatus === null) return 'error';
  if (httpStatus >= 500) return '5xx';
  if (httpStatus >= 400) return '4xx';
  if (httpStatus >= 300) return '3xx';
  return '2xx';
}
