import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Cidr } from '../config.ts';
import { classifyError, deadlineSignal, guardedLookup } from './sender.ts';

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
    expect(signal.aborted).toBe(true);
    expect(classifyError(signal.reason)).toBe('timeout');
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
