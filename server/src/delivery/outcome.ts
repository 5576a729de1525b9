import type { AttemptErrorKind } from '@hookport/spec';
import type { SendResult } from './sender.ts';

/**
 * What one attempt's result means, and nothing else: pure functions of the result, the schedule, the
 * time and (for jitter) a source of randomness, so each rule has a table test (outcome.test.ts).
 */

/** What one attempt's outcome does to the delivery. */
export interface Outcome {
  status: 'succeeded' | 'failed' | 'pending';
  /** Seconds until the next attempt, when status is pending. */
  retryInSeconds: number | null;
  /** Why the endpoint must be disabled now, if it must. */
  disable: string | null;
}

/**
 * Decides what an attempt's result means: success on 2xx; no retry for a
 * blocked address or a 410 (which also disables the endpoint); otherwise the
 * profile's schedule, or the receiver's Retry-After on 429/503 within a bound.
 */
export function decide(
  result: SendResult,
  attempt: number,
  schedule: readonly number[],
  now: Date,
  random: () => number = Math.random,
): Outcome {
  if (result.ok) return { status: 'succeeded', retryInSeconds: null, disable: null };
  if (result.httpStatus === null && result.errorKind === 'egress_blocked') {
    return { status: 'failed', retryInSeconds: null, disable: null };
  }
  if (result.httpStatus === 410) return { status: 'failed', retryInSeconds: null, disable: 'gone' };
  const planned = schedule[attempt - 1];
  if (planned === undefined) return { status: 'failed', retryInSeconds: null, disable: null };
  const retryAfter =
    result.httpStatus === 429 || result.httpStatus === 503
      ? parseRetryAfter(headerValue(result.headers['retry-after']), now)
      : null;
  return { status: 'pending', retryInSeconds: retryAfter ?? withJitter(planned, random), disable: null };
}

/** The attempt errors that are the egress proxy's, not the receiver's (docs/delivery.md, "Egress proxy"). */
const proxyKinds: ReadonlySet<string> = new Set<AttemptErrorKind>(['proxy_refused', 'proxy_error']);

/**
 * Does a failed attempt with this error count against its endpoint's failure streak (and so towards
 * disabling it)? Not when the egress proxy refused or failed: the receiver was never asked, and a proxy
 * outage or a policy mistake would otherwise disable every endpoint at once. Such attempts are still
 * retried by the schedule, and a delivery they exhaust still fails.
 */
export function chargesEndpoint(errorKind: string | null): boolean {
  return errorKind === null || !proxyKinds.has(errorKind);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The error an attempt's log shows: the transport's kind, or the status of a non-2xx answer. */
export function errorOf(result: SendResult): { kind: AttemptErrorKind | null; message: string | null } {
  if (result.httpStatus === null) return { kind: result.errorKind, message: result.errorMessage };
  if (result.ok) return { kind: null, message: null };
  const kind = result.httpStatus >= 300 && result.httpStatus < 400 ? 'redirects are not followed' : 'non-2xx status';
  return { kind: 'http_status', message: `HTTP ${result.httpStatus} (${kind})` };
}

/** Spreads retries of many deliveries that failed together: ±20 % of the delay. */
export function withJitter(seconds: number, random: () => number = Math.random): number {
  return seconds * (0.8 + 0.4 * random());
}

/** The longest Retry-After we honour; a receiver cannot park a delivery for days. */
export const maxRetryAfterSeconds = 3600;

/**
 * The three HTTP-date forms (RFC 9110 5.6.7), all led by a day name and
 * carrying a time of day. Anything else is not handed to Date.parse, which
 * reads `-5` or ` 3 ` as dates in 2001: a receiver's garbage would become a
 * past date, so an immediate retry in place of the schedule's backoff.
 */
const httpDate = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,? .*\b\d{2}:\d{2}:\d{2}\b/i;

/**
 * Parses a Retry-After header (seconds or an HTTP date) into seconds from now,
 * bounded to [0, maxRetryAfterSeconds]; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else {
    if (!httpDate.test(trimmed)) return null;
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    seconds = (at - now.getTime()) / 1000;
  }
  return Math.min(Math.max(seconds, 0), maxRetryAfterSeconds);
}

/** When an endpoint is disabled for failing: after so many failed deliveries in a row, or so long failing (0: never). */
export interface DisableLimits {
  afterFailedDeliveries: number;
  afterFailingSeconds: number;
}

/** Why an endpoint with this failure streak must be disabled, if it must. */
export function disableReason(
  health: { consecutiveFailures: number; failingForSeconds: number },
  limits: DisableLimits,
): string | null {
  const n = limits.afterFailedDeliveries;
  const s = limits.afterFailingSeconds;
  if (n > 0 && health.consecutiveFailures >= n) return `failed ${health.consecutiveFailures} deliveries in a row`;
  if (s > 0 && health.failingForSeconds >= s)
    return `failing for ${Math.round(health.failingForSeconds)} s without a success`;
  return null;
}

/** The failing notices an endpoint gets on its way to being disabled: percent of its disable threshold. */
export const failingLevels = [50, 90] as const;
/** 0: no notice due (yet); otherwise the highest level of failingLevels the streak has reached. */
export type FailingLevel = 0 | (typeof failingLevels)[number];

/**
 * How far a failure streak has gone towards disabling its endpoint, as the highest level it has
 * reached: the count (failed deliveries in a row) and the time (failing without a success) are each
 * measured against their threshold, and the further along of the two counts. A level is reached at
 * exactly its share (5 of 10 failed deliveries is 50 %, 9 of 10 is 90 %). A threshold of 0 is off and
 * never counts; with both off an endpoint is never disabled, so never failing either.
 */
export function failingLevel(
  health: { consecutiveFailures: number; failingForSeconds: number },
  limits: DisableLimits,
): FailingLevel {
  // Multiplied out rather than divided, so 9 of 10 is exactly 90 % and not 89.99… through floating point.
  const reached = (level: number, value: number, threshold: number) =>
    threshold > 0 && value * 100 >= level * threshold;
  let highest: FailingLevel = 0;
  for (const level of failingLevels) {
    if (
      reached(level, health.consecutiveFailures, limits.afterFailedDeliveries) ||
      reached(level, health.failingForSeconds, limits.afterFailingSeconds)
    ) {
      highest = level;
    }
  }
  return highest;
}
