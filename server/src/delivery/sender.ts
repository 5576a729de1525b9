import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { AttemptErrorKind } from '@hookport/spec';
import ipaddr from 'ipaddr.js';
import { Agent, type Dispatcher, request } from 'undici';
import type { Cidr, EgressProxy } from '../config.ts';
import { type Address, admittedAddresses, egressRefusal, fixedAddresses } from '../shared/egress.ts';
import { bypassesProxy } from '../shared/no-proxy.ts';
import { proxyDispatcher, refusedConnect } from './proxy-dispatcher.ts';

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

/**
 * A non-200 answer to CONNECT: 502 and 503 are the proxy saying it could not reach the receiver, 504
 * that the receiver did not answer in time (smokescreen's words for them), so they are the receiver's
 * failure, charged as without a proxy; any other status is the proxy's refusal (403, 407: its policy
 * or its credentials).
 */
function connectAnswerKind(status: number): AttemptErrorKind {
  if (status === 502 || status === 503) return 'connection';
  if (status === 504) return 'timeout';
  return 'proxy_refused';
}

const tlsCodes = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY))/;

/** Sorts a failure into the kinds the attempt log shows, looking through wrapped causes. */
export function classifyError(err: unknown): AttemptErrorKind {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    const name = String((e as { name?: unknown }).name ?? '');
    if (code === 'EGRESS_BLOCKED') return 'egress_blocked';
    if (code === 'HOOKPORT_PROXY_ERROR' || code === 'UND_ERR_PRX_CONN') return 'proxy_error';
    const refused = refusedConnect.exec(String((e as { message?: unknown }).message ?? ''));
    if (refused) return connectAnswerKind(Number(refused[1]));
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

/** What the egress guard makes of a host before a CONNECT for it: null when admitted, else the refusal. */
function judgeBeforeConnect(host: string, lookup: ReturnType<typeof guardedLookup>): Promise<Error | null> {
  return new Promise((resolve) => lookup(host, { all: true }, (err) => resolve(err)));
}

/**
 * Sends webhook requests: keep-alive pools per origin, the egress guard on
 * every connection, no redirects (a 3xx is a failure), a total deadline, and
 * at most 16 KiB of any response read. With an egress proxy, every target
 * but those HOOKPORT_EGRESS_NO_PROXY names goes through it (CONNECT).
 */
export class Sender {
  readonly #agent: Agent;
  readonly #proxied: { dispatcher: Dispatcher; proxy: EgressProxy } | null;
  readonly #lookup: ReturnType<typeof guardedLookup>;
  readonly #allowlist: readonly Cidr[];
  readonly #userAgent: string;

  constructor(allowlist: readonly Cidr[], userAgent: string, proxy?: EgressProxy) {
    this.#allowlist = allowlist;
    this.#userAgent = userAgent;
    this.#lookup = guardedLookup(allowlist);
    this.#agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 32,
      connect: { timeout: 5_000, lookup: this.#lookup },
    });
    this.#proxied = proxy ? { dispatcher: proxyDispatcher(proxy, 5_000), proxy } : null;
  }

  /**
   * The dispatcher for this host, and for a proxied one the egress guard's verdict first: the proxy
   * resolves the name itself, so Hookport judges what the name resolves to here before asking for a
   * tunnel (names that rebind between the two are the proxy's policy to catch: docs/delivery.md).
   */
  async #route(host: string): Promise<{ dispatcher: Dispatcher; refusal: Error | null }> {
    if (!this.#proxied || bypassesProxy(host, this.#proxied.proxy.noProxy)) {
      return { dispatcher: this.#agent, refusal: null };
    }
    return { dispatcher: this.#proxied.dispatcher, refusal: await judgeBeforeConnect(host, this.#lookup) };
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
      const { dispatcher, refusal } = await this.#route(host);
      if (refusal) throw refusal;
      const res = await request(input.url, {
        method: 'POST',
        dispatcher,
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

  async close(): Promise<void> {
    await Promise.all([this.#agent.close(), this.#proxied?.dispatcher.close()]);
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
