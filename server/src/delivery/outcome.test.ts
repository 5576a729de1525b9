import { describe, expect, it } from 'vitest';
import {
  chargesEndpoint,
  decide,
  disableReason,
  errorOf,
  failingLevel,
  maxRetryAfterSeconds,
  type Outcome,
  parseRetryAfter,
  withJitter,
} from './outcome.ts';
import type { SendResult } from './sender.ts';

const now = new Date('2026-03-02T10:00:00Z');
const schedule = [5, 300] as const;
/** The middle of the jitter's range: withJitter(s) = s exactly. */
const middle = () => 0.5;

const answered = (httpStatus: number, headers: Record<string, string | string[]> = {}): SendResult => ({
  ok: httpStatus >= 200 && httpStatus < 300,
  httpStatus,
  headers,
  excerpt: '',
  truncated: false,
  durationMs: 12,
});
const unanswered = (
  errorKind: 'timeout' | 'egress_blocked' | 'connection' | 'proxy_refused' | 'proxy_error',
): SendResult => ({
  ok: false,
  httpStatus: null,
  errorKind,
  errorMessage: errorKind,
  durationMs: 3,
});

const pending = (retryInSeconds: number): Outcome => ({ status: 'pending', retryInSeconds, disable: null });
const failed = (disable: string | null = null): Outcome => ({ status: 'failed', retryInSeconds: null, disable });

describe('chargesEndpoint', () => {
  it.each<[string | null, boolean]>([
    ['proxy_refused', false],
    ['proxy_error', false],
    ['connection', true],
    ['timeout', true],
    ['egress_blocked', true],
    ['http_status', true],
    [null, true],
  ])('%s counts against the endpoint: %s', (kind, charged) => {
    expect(chargesEndpoint(kind)).toBe(charged);
  });
});

describe('decide', () => {
  it.each<[string, SendResult, number, Outcome]>([
    ['a 2xx succeeds', answered(204), 1, { status: 'succeeded', retryInSeconds: null, disable: null }],
    [
      'a 2xx on the last attempt succeeds',
      answered(200),
      3,
      { status: 'succeeded', retryInSeconds: null, disable: null },
    ],
    ['a 500 retries on the schedule', answered(500), 1, pending(5)],
    ['the second attempt takes the second delay', answered(500), 2, pending(300)],
    ['past the schedule it fails', answered(500), 3, failed()],
    ['a timeout retries', unanswered('timeout'), 1, pending(5)],
    ['a refused connection retries', unanswered('connection'), 2, pending(300)],
    ['a blocked address never retries', unanswered('egress_blocked'), 1, failed()],
    ['a refused CONNECT retries on the schedule', unanswered('proxy_refused'), 1, pending(5)],
    ['an unreachable proxy retries on the schedule', unanswered('proxy_error'), 2, pending(300)],
    ['past the schedule a proxy failure fails (without disabling)', unanswered('proxy_error'), 3, failed()],
    ['a 410 fails and disables the endpoint', answered(410), 1, failed('gone')],
    ['a 3xx is a failure (redirects are not followed)', answered(302), 1, pending(5)],
    ['a 429 takes Retry-After seconds', answered(429, { 'retry-after': '42' }), 1, pending(42)],
    [
      'a 503 takes Retry-After as a date',
      answered(503, { 'retry-after': 'Mon, 02 Mar 2026 10:01:00 GMT' }),
      1,
      pending(60),
    ],
    ['a repeated Retry-After takes the first', answered(429, { 'retry-after': ['7', '9'] }), 1, pending(7)],
    ['a 429 without Retry-After takes the schedule', answered(429), 1, pending(5)],
    ['an unreadable Retry-After takes the schedule', answered(503, { 'retry-after': 'soon' }), 1, pending(5)],
    ['a 500 ignores Retry-After', answered(500, { 'retry-after': '42' }), 1, pending(5)],
    ['Retry-After does not outlast the schedule', answered(429, { 'retry-after': '42' }), 3, failed()],
    ['Retry-After is bounded', answered(429, { 'retry-after': '999999' }), 1, pending(maxRetryAfterSeconds)],
  ])('%s', (_name, result, attempt, outcome) => {
    expect(decide(result, attempt, schedule, now, middle)).toEqual(outcome);
  });

  it('jitters the schedule with the randomness it is given', () => {
    expect(decide(answered(500), 1, schedule, now, () => 0).retryInSeconds).toBeCloseTo(4, 9);
    expect(decide(answered(500), 1, schedule, now, () => 1).retryInSeconds).toBeCloseTo(6, 9);
  });
});

describe('withJitter', () => {
  it.each([
    [100, 0, 80],
    [100, 0.5, 100],
    [100, 1, 120],
    [0, 0.3, 0],
  ])('%d s with randomness %d is %d s', (seconds, random, expected) => {
    expect(withJitter(seconds, () => random)).toBeCloseTo(expected, 9);
  });
});

describe('parseRetryAfter', () => {
  it.each<[string | null | undefined, number | null]>([
    [undefined, null],
    [null, null],
    ['', null],
    ['0', 0],
    [' 120 ', 120],
    ['7200', maxRetryAfterSeconds],
    ['Mon, 02 Mar 2026 10:00:30 GMT', 30],
    ['Monday, 02-Mar-26 10:00:30 GMT', 30],
    ['Mon Mar  2 10:00:30 2026', 30],
    ['Mon, 02 Mar 2026 09:00:00 GMT', 0],
    ['-5', null],
    [' 3 ', 3],
    ['3.5', null],
    ['tomorrow', null],
    ['Mon, 99 Foo 2026 10:00:30 GMT', null],
  ])('%j is %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('errorOf', () => {
  it.each<[string, SendResult, ReturnType<typeof errorOf>]>([
    ['a success has none', answered(200), { kind: null, message: null }],
    ['a 500', answered(500), { kind: 'http_status', message: 'HTTP 500 (non-2xx status)' }],
    ['a redirect', answered(301), { kind: 'http_status', message: 'HTTP 301 (redirects are not followed)' }],
    ['a timeout', unanswered('timeout'), { kind: 'timeout', message: 'timeout' }],
  ])('%s', (_name, result, expected) => {
    expect(errorOf(result)).toEqual(expected);
  });
});

describe('disableReason', () => {
  const limits = { afterFailedDeliveries: 3, afterFailingSeconds: 3600 };
  it.each<[string, number, number, typeof limits, string | null]>([
    ['a short streak', 2, 10, limits, null],
    ['enough failed deliveries', 3, 10, limits, 'failed 3 deliveries in a row'],
    ['failing long enough', 0, 3600.4, limits, 'failing for 3600 s without a success'],
    ['both: the count first', 5, 7200, limits, 'failed 5 deliveries in a row'],
    ['never, by count', 99, 10, { afterFailedDeliveries: 0, afterFailingSeconds: 3600 }, null],
    ['never, by time', 0, 99_999, { afterFailedDeliveries: 3, afterFailingSeconds: 0 }, null],
  ])('%s', (_name, consecutiveFailures, failingForSeconds, l, expected) => {
    expect(disableReason({ consecutiveFailures, failingForSeconds }, l)).toBe(expected);
  });
});

describe('failingLevel', () => {
  const limits = { afterFailedDeliveries: 10, afterFailingSeconds: 1000 };
  it.each<[string, number, number, typeof limits, number]>([
    ['a fresh streak', 0, 0, limits, 0],
    ['just under half, by count', 4, 10, limits, 0],
    ['exactly half, by count', 5, 10, limits, 50],
    ['just under 90 %, by count', 8, 10, limits, 50],
    ['exactly 90 %, by count', 9, 10, limits, 90],
    ['at the threshold itself (disabling decides)', 10, 0, limits, 90],
    ['just under half, by time', 0, 499.9, limits, 0],
    ['exactly half, by time', 0, 500, limits, 50],
    ['exactly 90 %, by time', 1, 900, limits, 90],
    ['the further along of the two', 5, 950, limits, 90],
    ['an odd threshold: 2 of 3 is past half', 2, 0, { afterFailedDeliveries: 3, afterFailingSeconds: 0 }, 50],
    ['a threshold of 2: the first failure is half', 1, 0, { afterFailedDeliveries: 2, afterFailingSeconds: 0 }, 50],
    ['count off', 99, 10, { afterFailedDeliveries: 0, afterFailingSeconds: 1000 }, 0],
    ['time off', 0, 99_999, { afterFailedDeliveries: 10, afterFailingSeconds: 0 }, 0],
    ['both off: never failing', 99, 99_999, { afterFailedDeliveries: 0, afterFailingSeconds: 0 }, 0],
  ])('%s', (_name, consecutiveFailures, failingForSeconds, l, expected) => {
    expect(failingLevel({ consecutiveFailures, failingForSeconds }, l)).toBe(expected);
  });
});
