import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { AttemptErrorKind } from '@hookport/spec';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import type { Cidr } from '../config.ts';
import { fixedAddresses, isAddressAllowed } from '../shared/egress.ts';

export const responseCap = 16 * 1024;

export interface SendInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Cuts the request off early (the worker is stopping). */
  signal?: AbortSignal | undefined;
}

export type SendResult =
  | {
      ok: boolean;
      httpStatus: number;
      headers: Record<string, string | string[] | undefined>;
      excerpt: string;
      truncated: boolean;
      durationMs: number;
    }
  | { ok: false; httpStatus: null; errorKind: AttemptErrorKind; errorMessage: string; durationMs: number };

class EgressBlockedError extends Error {
  readonly code = 'EGRESS_BLOCKED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for the HTTP client that refuses non-public answers. It runs at
 * connect time on the very addresses the socket will use, so a name that
 * rebinds to an internal address between checks is still refused.
 */
export function guardedLookup(allowlist: readonly Cidr[]) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true, family: Number(options.family) || 0 }, (err, addresses) => {
      if (err) return callback(err, []);
      const blocked = addresses.find((a) => !isAddressAllowed(ipaddr.parse(a.address), allowlist));
      if (blocked || addresses.length === 0) {
        return callback(new EgressBlockedError(`${hostname} resolves to a non-public address`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

const tlsCodes = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY))/;

/** Sorts a failure into the kinds the attempt log shows, looking through wrapped causes. */
export function classifyError(err: unknown): AttemptErrorKind {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    const name = String((e as { name?: unknown }).name ?? '');
    if (code === 'EGRESS_BLOCKED') return 'egress_blocked';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA') return 'dns';
    if (tlsCodes.test(code)) return 'tls';
    if (code === 'UND_ERR_HEADERS_OVERFLOW') return 'response_too_large';
    if (
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'ETIMEDOUT'
    ) {
      return 'timeout';
    }
  }
  return 'connection';
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && message && !parts.includes(message)) parts.push(message);
  }
  return parts.join(': ').slice(0, 500) || 'request failed';
}

/**
 * Sends webhook requests: keep-alive pools per origin, the egress guard on
 * every connection, no redirects (a 3xx is a failure), a total deadline, and
 * at most 16 KiB of any response read.
 */
export class Sender {
  readonly #agent: Agent;
  readonly #allowlist: readonly Cidr[];
  readonly #userAgent: string;

  constructor(allowlist: readonly Cidr[], userAgent: string) {
    this.#allowlist = allowlist;
    this.#userAgent = userAgent;
    this.#agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 32,
      connect: { timeout: 5_000, lookup: guardedLookup(allowlist) },
    });
  }

  async send(input: SendInput): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // IP literals never reach the lookup, so they are judged here; so are localhost names, which the
    // machine's resolver may not know (`localhost.`, `api.localhost`) and endpoint creation already
    // treats as loopback: the same rule at delivery, whatever the resolver says.
    const host = new URL(input.url).hostname;
    if (fixedAddresses(host).some((a) => !isAddressAllowed(a, this.#allowlist))) {
      return {
        ok: false,
        httpStatus: null,
        errorKind: 'egress_blocked',
        errorMessage: `${host} is not a public address`,
        durationMs: elapsed(),
      };
    }
    const { signal, release } = deadlineSignal(input.timeoutMs, input.signal);
    try {
      const res = await request(input.url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: { ...input.headers, 'user-agent': this.#userAgent },
        body: input.body,
        signal,
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
      });
      const { excerpt, truncated } = await readCapped(res.body);
      return {
        ok: res.statusCode >= 200 && res.statusCode < 300,
        httpStatus: res.statusCode,
        headers: res.headers,
        excerpt,
        truncated,
        durationMs: elapsed(),
      };
    } catch (err) {
      return {
        ok: false,
        httpStatus: null,
        errorKind: classifyError(err),
        errorMessage: describe(err),
        durationMs: elapsed(),
      };
    } finally {
      release();
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/**
 * A signal that aborts at the attempt's deadline (a TimeoutError, as `AbortSignal.timeout` gives) or when
 * `outer` aborts (the worker stopping), and `release`, which drops its timer and its listener on `outer`.
 * Not `AbortSignal.any([AbortSignal.timeout(ms), outer])`: that timer lives until the deadline whether the
 * attempt ended or not, holding its signals with it, so a worker kept about rate × timeout of them (35,000
 * timers and 25 MB of live heap at 2,300 deliveries/s with the 15 s default, growing the worker's RSS with
 * every second of a run).
 */
export function deadlineSignal(ms: number, outer?: AbortSignal): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ms,
  );
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}

/** Reads at most responseCap bytes, then drops the rest (and the connection) instead of reading on. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of body) {
      const room = responseCap - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch {
    // A body that breaks off after the status arrived (reset, deadline) still leaves the status as the
    // outcome; the excerpt is then not the whole body, and says so.
    truncated = true;
  } finally {
    body.destroy();
  }
  return { excerpt: Buffer.concat(chunks).toString('utf8'), truncated };
}
