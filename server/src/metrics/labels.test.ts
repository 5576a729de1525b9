import { describe, expect, it } from 'vitest';
import type { Outcome } from '../delivery/outcome.ts';
import type { SendResult } from '../delivery/sender.ts';
import { attemptOutcome, statusClass } from './labels.ts';

const answered = (httpStatus: number): SendResult => ({
  ok: httpStatus >= 200 && httpStatus < 300,
  httpStatus,
  headers: {},
  excerpt: '',
  truncated: false,
  durationMs: 5,
});
const failedSend = (errorKind: 'egress_blocked' | 'timeout'): SendResult => ({
  ok: false,
  httpStatus: null,
  errorKind,
  errorMessage: 'x',
  durationMs: 5,
});
const outcome = (status: Outcome['status']): Outcome => ({
  status,
  retryInSeconds: status === 'pending' ? 5 : null,
  disable: null,
});

describe('attemptOutcome', () => {
  it.each([
    ['a 2xx', answered(204), outcome('succeeded'), 'succeeded'],
    ['a 500 with retries left', answered(500), outcome('pending'), 'retrying'],
    ['a 500 on the last attempt', answered(500), outcome('failed'), 'failed'],
    ['a 410', answered(410), outcome('failed'), 'failed'],
    ['a timeout with retries left', failedSend('timeout'), outcome('pending'), 'retrying'],
    ['an egress refusal', failedSend('egress_blocked'), outcome('failed'), 'egress_blocked'],
  ] as const)('%s is %s', (_what, result, decided, expected) => {
    expect(attemptOutcome(result, decided)).toBe(expected);
  });
});

describe('statusClass', () => {
  it.each([
    [null, 'none'],
    [200, '2xx'],
    [299, '2xx'],
    [301, '3xx'],
    [404, '4xx'],
    [429, '4xx'],
    [500, '5xx'],
    [599, '5xx'],
    [199, 'none'],
    [600, 'none'],
    [999, 'none'],
  ] as const)('%s is %s', (status, expected) => {
    expect(statusClass(status)).toBe(expected);
  });
});
