import { HookportNetworkError, HookportTimeoutError } from './errors.ts';

/** Any fetch-like function: `globalThis.fetch`, undici's, or an in-process app's (`app.fetch`). */
export type FetchLike = (request: Request) => Response | Promise<Response>;

export interface TransportOptions {
  fetch: FetchLike;
  baseUrl: string;
  /** Per attempt, from sending the request to the last byte of the response body. */
  timeoutMs: number;
  /** Retries after the first attempt, for the requests that are safe to retry. */
  maxRetries: number;
}

/** Time as the retry loop sees it; tests substitute one that does not really wait. */
export interface Clock {
  now(): number;
  random(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), random: () => Math.random(), sleep };

/** Methods a retry cannot turn into a second, different change. */
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** The longest Retry-After we wait for; past it the 429 or 5xx is returned to the caller at once. */
const maxRetryAfterMs = 60_000;
const initialBackoffMs = 500;
const maxBackoffMs = 8_000;

/**
 * Wraps fetch with what every call needs: a timeout per attempt, retries with
 * exponential backoff and jitter on network errors, 429 and 5xx (Retry-After
 * respected), and an Idempotency-Key on event publishing and bulk replay so that
 * a retried publish cannot create a second event, nor a retried replay queue twice. It sits under openapi-fetch, so the
 * raw client gets the same behaviour as the resource methods.
 */
export function createTransport(
  options: TransportOptions,
  clock: Clock = systemClock,
): (request: Request) => Promise<Response> {
  // A relative base URL (same-origin use in a browser) has a path too; the origin does not matter here.
  const basePath = new URL(options.baseUrl, 'http://base.invalid').pathname.replace(/\/+$/, '');
  // The POSTs the server deduplicates by Idempotency-Key: publishing and bulk replay.
  const keyedPaths = new Set([`${basePath}/v1/events`, `${basePath}/v1/deliveries/replay`]);

  return async (request) => {
    const keyed = request.method === 'POST' && keyedPaths.has(new URL(request.url).pathname);
    if (keyed && !request.headers.has('idempotency-key')) {
      request.headers.set('idempotency-key', globalThis.crypto.randomUUID());
    }
    const retries = keyed || idempotentMethods.has(request.method) ? options.maxRetries : 0;

    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      let response: Response;
      try {
        response = await attemptOnce(options, request.clone());
      } catch (error) {
        // The caller's own abort is final, and so is anything once the retries are spent.
        if (request.signal.aborted) throw error;
        const failure =
          error instanceof HookportTimeoutError
            ? error
            : new HookportNetworkError(`${request.method} ${request.url} failed: ${describe(error)}`, { cause: error });
        if (last) throw failure;
        await clock.sleep(backoffMs(attempt, clock.random), request.signal);
        continue;
      }
      if (last || !(response.status === 429 || response.status >= 500)) return response;
      const retryAfter = retryAfterMs(response.headers.get('retry-after'), clock.now());
      if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) return response;
      await clock.sleep(retryAfter ?? backoffMs(attempt, clock.random), request.signal);
    }
  };
}

/** One attempt, bounded by the timeout even when the fetch given to us ignores abort signals. */
async function attemptOnce(options: TransportOptions, request: Request): Promise<Response> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new HookportTimeoutError(options.timeoutMs)), options.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout.signal]);
  try {
    return await abortable(signal, async () => {
      const response = await options.fetch(new Request(request, { signal }));
      // Read the body inside the attempt, so the timeout covers a response that stalls half-way.
      const body = nullBodyStatuses.has(response.status) ? null : await response.arrayBuffer();
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    });
  } finally {
    clearTimeout(timer);
  }
}

const nullBodyStatuses = new Set([101, 204, 205, 304]);

function abortable<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Exponential backoff with equal jitter: half of the step is fixed, half random. */
export function backoffMs(attempt: number, random: () => number): number {
  const step = Math.min(maxBackoffMs, initialBackoffMs * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici reports "fetch failed" and puts the reason (ECONNREFUSED, …) in cause.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
