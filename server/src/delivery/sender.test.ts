import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import ipaddr from 'ipaddr.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Cidr } from '../config.ts';
import { ProxyFailure } from './proxy-dispatcher.ts';
import { classifyError, deadlineSignal, guardedLookup, Sender } from './sender.ts';

type LookupOutcome = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

function lookup(allowlist: Cidr[], host: string, all: boolean): Promise<LookupOutcome> {
  return new Promise((resolve) => {
    guardedLookup(allowlist)(host, { all }, (err, address, family) => resolve({ err, address, family }));
  });
}

const loopback: Cidr[] = [ipaddr.parseCIDR('127.0.0.0/8'), ipaddr.parseCIDR('::1/128')];

describe('guardedLookup: the connect-time egress check on resolved addresses', () => {
  // `localhost` is resolved by the machine's resolver here, as any other name would be.
  it('refuses a name that resolves to loopback', async () => {
    for (const all of [true, false]) {
      const { err } = await lookup([], 'localhost', all);
      expect(err?.code).toBe('EGRESS_BLOCKED');
    }
  });

  it('passes the resolved addresses through when they are allowlisted', async () => {
    const many = await lookup(loopback, 'localhost', true);
    expect(many.err).toBeNull();
    expect(Array.isArray(many.address) && many.address.length > 0).toBe(true);
    const one = await lookup(loopback, 'localhost', false);
    expect(one.err).toBeNull();
    expect(typeof one.address).toBe('string');
    expect([4, 6]).toContain(one.family);
  });

  it('answers localhost with the admitted loopback address only, without asking the resolver', async () => {
    const onlyV4: Cidr[] = [ipaddr.parseCIDR('127.0.0.1/32')];
    const many = await lookup(onlyV4, 'localhost', true);
    expect(many.err).toBeNull();
    expect(many.address).toEqual([{ address: '127.0.0.1', family: 4 }]);
    const one = await lookup(onlyV4, 'api.localhost.', false);
    expect([one.err, one.address, one.family]).toEqual([null, '127.0.0.1', 4]);
    const onlyV6 = await lookup([ipaddr.parseCIDR('::1/128')], 'localhost', true);
    expect(onlyV6.address).toEqual([{ address: '::1', family: 6 }]);
  });

  it('says, when it refuses, what the name resolved to and what to allowlist', async () => {
    const { err } = await lookup([], 'localhost', true);
    expect(err?.message).toBe(
      'localhost resolves to 127.0.0.1, ::1, none of them public or in HOOKPORT_EGRESS_ALLOWLIST; add 127.0.0.1 (or ::1) to HOOKPORT_EGRESS_ALLOWLIST to allow it',
    );
  });

  it('reports a name that does not resolve as a DNS error', async () => {
    const { err } = await lookup([], 'no-such-host.invalid', true);
    expect(err).not.toBeNull();
    expect(classifyError(err)).toBe('dns');
  });
});

describe('classifyError: the egress proxy', () => {
  const connectAnswer = (status: number) => {
    const err = new Error(`Proxy response (${status}) !== 200 when HTTP Tunneling`);
    return Object.assign(err, { code: 'UND_ERR_ABORTED', name: 'AbortError' });
  };
  it.each<[string, unknown, string]>([
    ['a 403 to CONNECT is the proxy refusing', connectAnswer(403), 'proxy_refused'],
    ['a 407 to CONNECT is the proxy refusing', connectAnswer(407), 'proxy_refused'],
    ['a 502 to CONNECT: the receiver is unreachable', connectAnswer(502), 'connection'],
    ['a 503 to CONNECT: the receiver is unreachable', connectAnswer(503), 'connection'],
    ['a 504 to CONNECT: the receiver timed out', connectAnswer(504), 'timeout'],
    ['an unreachable proxy', new ProxyFailure('egress proxy unreachable: connect ECONNREFUSED'), 'proxy_error'],
    [
      'a proxy breaking off the CONNECT',
      Object.assign(new Error('Proxy Connection failed'), { code: 'UND_ERR_PRX_CONN' }),
      'proxy_error',
    ],
    ['wrapped', new Error('fetch failed', { cause: new ProxyFailure('x') }), 'proxy_error'],
  ])('%s', (_name, err, kind) => {
    expect(classifyError(err)).toBe(kind);
  });
});

describe('classifyError', () => {
  const withCode = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });

  it('sorts errors into attempt kinds, looking through causes', () => {
    expect(classifyError(withCode('EGRESS_BLOCKED'))).toBe('egress_blocked');
    expect(classifyError(withCode('ENOTFOUND'))).toBe('dns');
    expect(classifyError(withCode('CERT_HAS_EXPIRED'))).toBe('tls');
    expect(classifyError(withCode('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe('tls');
    expect(classifyError(withCode('UND_ERR_HEADERS_TIMEOUT'))).toBe('timeout');
    expect(classifyError(withCode('ABORT_ERR', 'TimeoutError'))).toBe('timeout');
    expect(classifyError(withCode('UND_ERR_HEADERS_OVERFLOW'))).toBe('response_too_large');
    expect(classifyError(withCode('ECONNREFUSED'))).toBe('connection');
    expect(classifyError(new Error('fetch failed', { cause: withCode('EGRESS_BLOCKED') }))).toBe('egress_blocked');
  });
});

describe('deadlineSignal: the abort signal of one attempt', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts at the deadline with a TimeoutError, which counts as a timeout', () => {
    vi.useFakeTimers();
    const { signal } = deadlineSignal(15_000);
    vi.advanceTimersByTime(14_999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    vi.runAllTimers();
    expect(signal.aborted).toBe(true);
    expect(classifyError(signal.reason)).toBe('timeout');
  });

  it('aborts one turn after the timer fires, so I/O that arrived in that turn is read first', () => {
    vi.useFakeTimers();
    const { signal, release } = deadlineSignal(1_000);
    vi.advanceTimersToNextTimer();
    expect(signal.aborted).toBe(false);
    vi.runAllTimers();
    expect(signal.aborted).toBe(true);
    release();
    const released = deadlineSignal(1_000);
    vi.advanceTimersToNextTimer();
    released.release();
    vi.runAllTimers();
    expect(released.signal.aborted).toBe(false);
  });

  it('aborts with the outer signal, at once when it is already aborted', () => {
    const outer = new AbortController();
    const { signal, release } = deadlineSignal(15_000, outer.signal);
    const reason = new Error('worker stopping');
    outer.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    release();
    expect(deadlineSignal(15_000, outer.signal).signal.reason).toBe(reason);
  });

  it('leaves no timer and no listener behind once released', () => {
    // AbortSignal.timeout kept every attempt's timer (and its signals) until the deadline: tens of
    // thousands of them in a busy worker.
    vi.useFakeTimers();
    const outer = new AbortController();
    const signals = Array.from({ length: 1000 }, () => deadlineSignal(15_000, outer.signal));
    expect(vi.getTimerCount()).toBe(1000);
    for (const s of signals) s.release();
    expect(vi.getTimerCount()).toBe(0);
    outer.abort();
    vi.advanceTimersByTime(20_000);
    expect(signals.filter((s) => s.signal.aborted)).toEqual([]);
  });
});

/**
 * A receiver on another thread, so it can answer while this one is blocked: it says when it has read the
 * request, waits 50 ms, answers 204, and raises `answered` once the answer is on the wire.
 */
const lateReceiverSource = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const answered = new Int32Array(workerData.answered);
const server = net.createServer((socket) => {
  let head = '';
  socket.on('data', (chunk) => {
    head += chunk;
    if (!head.includes('\\r\\n\\r\\n')) return;
    parentPort.postMessage('received');
    setTimeout(() => socket.write('HTTP/1.1 204 No Content\\r\\n\\r\\n', () => {
      Atomics.store(answered, 0, 1);
      Atomics.notify(answered, 0);
    }), 50);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

describe('Sender: the deadline on a stalled event loop', () => {
  it('records the answer that arrived before the deadline, even when the loop runs again only after it', async () => {
    const answered = new Int32Array(new SharedArrayBuffer(4));
    const receiver = new Worker(lateReceiverSource, { eval: true, workerData: { answered: answered.buffer } });
    const sender = new Sender([ipaddr.parseCIDR('127.0.0.1/32')], 'sender-test');
    try {
      const [port] = (await once(receiver, 'message')) as [number];
      const timeoutMs = 3_000;
      const started = performance.now();
      const result = sender.send({ url: `http://127.0.0.1:${port}/hook`, headers: {}, body: '{}', timeoutMs });
      await once(receiver, 'message');
      // Stall this thread as a busy machine would: until the answer is on the wire, then past the deadline.
      Atomics.wait(answered, 0, 0, 10_000);
      expect(Atomics.load(answered, 0)).toBe(1);
      while (performance.now() - started < timeoutMs + 100) {
        // Busy: the deadline's timer and the answer's bytes are both due when the loop runs again.
      }
      expect(await result).toMatchObject({ ok: true, httpStatus: 204 });
    } finally {
      await sender.close();
      await receiver.terminate();
    }
  });
});
