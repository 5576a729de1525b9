import type { Outcome } from '../delivery/outcome.ts';
import type { SendResult } from '../delivery/sender.ts';

/**
 * The label values of hookport_attempts_total, from the engine's own outcome of an attempt. Pure and
 * bounded: every value is one of the constants below, whatever the receiver answered.
 */

/**
 * succeeded (2xx), retrying (another attempt is scheduled), failed (no more attempts: the schedule is
 * spent or the receiver said 410), egress_blocked (the egress guard refused the address; never retried).
 */
export const attemptOutcomes = ['succeeded', 'retrying', 'failed', 'egress_blocked'] as const;
export type AttemptOutcome = (typeof attemptOutcomes)[number];

/** The class of the HTTP status; `none` when no status came back (timeout, refused, DNS, TLS, egress). */
export const statusClasses = ['2xx', '3xx', '4xx', '5xx', 'none'] as const;
export type StatusClass = (typeof statusClasses)[number];

export function attemptOutcome(result: SendResult, outcome: Outcome): AttemptOutcome {
  if (result.httpStatus === null && result.errorKind === 'egress_blocked') return 'egress_blocked';
  if (outcome.status === 'succeeded') return 'succeeded';
  return outcome.status === 'pending' ? 'retrying' : 'failed';
}

/** A status outside 200–599 (a receiver's oddity) is `none` too: the label set stays the five values. */
export function statusClass(httpStatus: number | null): StatusClass {
  if (httpStatus === null || httpStatus < 200 || httpStatus > 599) return 'none';
  if (httpStatus < 300) return '2xx';
  if (httpStatus < 400) return '3xx';
  return httpStatus < 500 ? '4xx' : '5xx';
}

/** The surfaces events are published through: the native API and the five vendor surfaces. */
export const publishSurfaces = ['native', 'spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'] as const;
export type PublishSurface = (typeof publishSurfaces)[number];

/** The route label of a request that matched no route: raw paths never become label values. */
export const unmatchedRoute = 'unmatched';
