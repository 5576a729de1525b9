import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { AttemptErrorKind } from '@hookport/spec';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import type { Cidr } from '../config.ts';
import { type Address, admittedAddresses, egressRefusal, fixedAddresses } from '../shared/egress.ts';

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

function familyOf(addr: Address): 4 | 6 {
  return addr.kind() === 'ipv4' ? 4 : 6;
}

/**
 * The DNS lookup of the HTTP client, which is the egress check: it hands the
 * socket only the answers that are public or allowlisted, and refuses the
 * connection when there are none, saying which addresses the name resolved to
 * and what to allowlist. It runs at connect time and the socket connects to
 * exactly what it returns, so a name that rebinds inward between checks never
 * reaches an internal address. Localhost names are answered with both
 * loopback addresses without asking the resolver (as endpoint creation judges
 * them), so `http://localhost:…` with 127.0.0.1 allowlisted connects to
 * 127.0.0.1 whatever the machine's resolver says about ::1.
 */
export function guardedLookup(allowlist: readonly Cidr[]) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    const family = Number(options.family) || 0;
    const answer = (addresses: readonly Address[]) => {
      const admitted = admittedAddresses(addresses, allowlist);
      if (admitted.length === 0) return callback(new EgressBlockedError(egressRefusal(hostname, addresses)), []);
      const found: LookupAddress[] = admitted.map((a) => ({ address: a.toString(), family: familyOf(a) }));
      if (options.all) return callback(null, found);
      const first = found[0] as LookupAddress;
      return callback(null, first.address, first.family);
    };
    const fixed = fixedAddresses(hostname).filter((a) => family === 0 || familyOf(a) === family);
    // Asynchronously, as a resolver answers: net.connect expects its lookup callback on a later tick.
    if (fixed.length > 0) return void process.nextTick(answer, fixed);
    dnsLookup(hostname, { all: true, family }, (err, addresses) => {
      if (err) return callback(err, []);
      answer(addresses.map((a) => ipaddr.parse(a.address)));
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
    // A localhost name with one admitted loopback address goes on: the lookup connects to that one only.
    const host = new URL(input.url).hostname;
    const fixed = fixedAddresses(host);
    if (fixed.length > 0 && admittedAddresses(fixed, this.#allowlist).length === 0) {
      return {
        ok: false,
        httpStatus: null,
        errorKind: 'egress_blocked',
        errorMessage: egressRefusal(host, fixed),
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
        // Backstops only: the deadline signal is the rule. Equal to it, undici's own timers would fire in
        // the same late turn of a stalled event loop and call an answer that had arrived a timeout.
        headersTimeout: 2 * input.timeoutMs,
        bodyTimeout: 2 * input.timeoutMs,
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
 *
 * The deadline aborts one turn of the event loop after its timer fires (setImmediate runs after the I/O
 * poll): when the loop was stalled past the deadline (a busy machine, a long synchronous stretch of the
 * embedded database), the timer runs before the I/O of that turn, and an answer that had already arrived
 * would otherwise be recorded as a timeout. What arrived in time is read first; what did not, times out.
 */
export function deadlineSignal(ms: number, outer?: AbortSignal): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(() =>
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    );
  }, ms);
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
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
