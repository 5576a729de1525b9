/**
 * Native retry delays after the first (immediate) attempt, in seconds: 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h — about three days in all,
 * close to the Standard Webhooks recommendation. HOOKPORT_RETRY_SCHEDULE
 * replaces it (tests use 1,1,2).
 */
export const nativeRetrySchedule: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

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
