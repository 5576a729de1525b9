import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import type { AttemptErrorKind } from '@hookport/spec';
import type { Attempt, DeliveryKit, DeliveryWithAttempts } from './delivery.ts';
import type { Received, Receiver } from './receiver.ts';
import { until } from './until.ts';

/**
 * Receivers that misbehave below HTTP: raw TCP servers on 127.0.0.1 that
 * read a request and then answer slowly, endlessly, with garbage, or not at
 * all. Each counts the requests it read, the connections it accepted, and the
 * bytes it managed to push to the worker, so a test can tell what happened on
 * the wire and not only what Hookport recorded.
 */

export type HostileKind =
  /** Reads the request, never answers: the crowd of dead endpoints. */
  | 'silent'
  /** A status line, then one short header line every 100 ms, never the blank line. */
  | 'slow-headers'
  /** A status line, then header lines as fast as the socket takes them, for ever. */
  | 'header-flood'
  /** 200 and a Content-Length of 1 MB, then one byte every 100 ms. */
  | 'slow-body'
  /** 200, chunked, 64 KiB chunks for ever (as fast as the worker reads). */
  | 'endless-body'
  /** 500, chunked, 64 KiB chunks for ever. */
  | 'endless-error'
  /** Half a header block, then a TCP reset. */
  | 'reset-headers'
  /** 200 with a Content-Length of 1000, seven bytes of it, then a TCP reset. */
  | 'reset-body'
  /** 512 random bytes, then the connection closed. */
  | 'garbage'
  /** An HTTP/0.9-style answer: a bare body, no status line, then close. */
  | 'http09'
  /** Used with an https:// URL: the TLS ClientHello is answered with random bytes. */
  | 'tls-junk'
  /** 302 to itself. */
  | 'redirect-loop'
  /** 429 with the Retry-After given in the options. */
  | 'retry-after';

export interface HostileOptions {
  /** The Retry-After header value of a `retry-after` receiver. */
  retryAfter?: string;
}

export interface HostileReceiver {
  kind: HostileKind;
  url: string;
  /** Requests read in full (TLS: handshakes answered). */
  readonly hits: number;
  readonly connections: number;
  /** Bytes written to the worker's sockets. */
  readonly bytesSent: number;
  /** Sockets open now. */
  readonly open: number;
  close(): Promise<void>;
}

const headerEnd = Buffer.from('\r\n\r\n');

/**
 * Calls `onRequest` once per complete request on the connection (headers and
 * Content-Length body; the worker always sends a Content-Length).
 */
function readRequests(socket: Socket, onRequest: () => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const end = buffered.indexOf(headerEnd);
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      const total = end + headerEnd.length + length;
      if (buffered.length < total) return;
      buffered = buffered.subarray(total);
      onRequest();
    }
  });
}

/** Writes for ever, only as fast as the peer reads, until the socket closes. */
function pump(socket: Socket, next: () => Buffer, count: (n: number) => void): void {
  const go = () => {
    while (!socket.destroyed && socket.writable) {
      const chunk = next();
      count(chunk.length);
      if (!socket.write(chunk)) {
        socket.once('drain', go);
        return;
      }
    }
  };
  go();
}

/** Writes `chunk` every `ms` until the socket closes. */
function trickle(socket: Socket, ms: number, chunk: string, count: (n: number) => void): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) {
      clearInterval(timer);
      return;
    }
    count(chunk.length);
    socket.write(chunk);
  }, ms);
  socket.once('close', () => clearInterval(timer));
}

export async function startHostile(kind: HostileKind, options: HostileOptions = {}): Promise<HostileReceiver> {
  const sockets = new Set<Socket>();
  let url = '';
  const state = {
    hits: 0,
    connections: 0,
    bytesSent: 0,
  };
  const count = (n: number) => {
    state.bytesSent += n;
  };
  const send = (socket: Socket, data: string | Buffer) => {
    count(data.length);
    socket.write(data);
  };

  const answer = (socket: Socket) => {
    state.hits++;
    switch (kind) {
      case 'silent':
        return;
      case 'slow-headers':
        send(socket, 'HTTP/1.1 200 OK\r\n');
        return trickle(socket, 100, 'x-slow: a\r\n', count);
      case 'header-flood': {
        send(socket, 'HTTP/1.1 200 OK\r\n');
        const line = Buffer.from(`x-flood: ${'f'.repeat(1000)}\r\n`);
        return pump(socket, () => line, count);
      }
      case 'slow-body':
        send(socket, 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000000\r\n\r\n');
        return trickle(socket, 100, 's', count);
      case 'endless-body':
      case 'endless-error': {
        const status = kind === 'endless-body' ? '200 OK' : '500 Internal Server Error';
        send(socket, `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n`);
        const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 'e'), Buffer.from('\r\n')]);
        return pump(socket, () => chunk, count);
      }
      case 'reset-headers':
        send(socket, 'HTTP/1.1 200 OK\r\ncontent-ty');
        // Let the bytes leave before the RST (a reset discards unsent data).
        setTimeout(() => socket.resetAndDestroy(), 50);
        return;
      case 'reset-body':
        send(socket, 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 50);
        return;
      case 'garbage':
        send(socket, randomBytes(512));
        socket.end();
        return;
      case 'http09':
        send(socket, '<html>hello from 1991</html>\n');
        socket.end();
        return;
      case 'redirect-loop':
        send(socket, `HTTP/1.1 302 Found\r\nlocation: ${url}\r\ncontent-length: 0\r\n\r\n`);
        return;
      case 'retry-after':
        send(
          socket,
          `HTTP/1.1 429 Too Many Requests\r\nretry-after: ${options.retryAfter ?? ''}\r\ncontent-length: 4\r\n\r\nslow`,
        );
        return;
      case 'tls-junk':
        send(socket, randomBytes(256));
        return;
    }
  };

  const server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // The worker resets connections it gives up on: expected, not a failure of the receiver.
    socket.on('error', () => undefined);
    if (kind === 'tls-junk') socket.once('data', () => answer(socket));
    else readRequests(socket, () => answer(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `${kind === 'tls-junk' ? 'https' : 'http'}://127.0.0.1:${port}/hook`;
  return {
    kind,
    url,
    get hits() {
      return state.hits;
    },
    get connections() {
      return state.connections;
    },
    get bytesSent() {
      return state.bytesSent;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What Hookport must record for a hostile endpoint's delivery. */
export type HostileExpectation =
  /** Every attempt fails with this kind (and this status, for http_status) and is retried on the schedule until it runs out. */
  | { outcome: 'fails'; errorKind: AttemptErrorKind; httpStatus?: number }
  /** The status arrived, so the attempt succeeds; the body was cut short, and the excerpt says so. */
  | { outcome: 'succeeds' }
  /** A 429 whose Retry-After is over the bound: one attempt, the next one exactly maxRetryAfterSeconds later. */
  | { outcome: 'parks' };

export interface ZooMember {
  name: string;
  kind: HostileKind;
  options?: HostileOptions;
  expect: HostileExpectation;
}

/** The bound on Retry-After (server/src/delivery/outcome.ts: maxRetryAfterSeconds). */
export const retryAfterBoundSeconds = 3600;

/** One of each misbehaviour, and the Retry-After values a 429 storm may carry. */
export const zooMembers: readonly ZooMember[] = [
  { name: 'slow headers', kind: 'slow-headers', expect: { outcome: 'fails', errorKind: 'timeout' } },
  { name: 'header flood', kind: 'header-flood', expect: { outcome: 'fails', errorKind: 'response_too_large' } },
  { name: 'slow body', kind: 'slow-body', expect: { outcome: 'succeeds' } },
  { name: 'endless body (200)', kind: 'endless-body', expect: { outcome: 'succeeds' } },
  {
    name: 'endless body (500)',
    kind: 'endless-error',
    expect: { outcome: 'fails', errorKind: 'http_status', httpStatus: 500 },
  },
  { name: 'reset in the headers', kind: 'reset-headers', expect: { outcome: 'fails', errorKind: 'connection' } },
  { name: 'reset in the body', kind: 'reset-body', expect: { outcome: 'succeeds' } },
  { name: 'random bytes', kind: 'garbage', expect: { outcome: 'fails', errorKind: 'connection' } },
  { name: 'HTTP/0.9 answer', kind: 'http09', expect: { outcome: 'fails', errorKind: 'connection' } },
  { name: 'TLS handshake answered with junk', kind: 'tls-junk', expect: { outcome: 'fails', errorKind: 'tls' } },
  {
    name: '302 to itself',
    kind: 'redirect-loop',
    expect: { outcome: 'fails', errorKind: 'http_status', httpStatus: 302 },
  },
  {
    name: '429 Retry-After 10^9 s',
    kind: 'retry-after',
    options: { retryAfter: '1000000000' },
    expect: { outcome: 'parks' },
  },
  {
    name: '429 Retry-After in 9999',
    kind: 'retry-after',
    options: { retryAfter: 'Fri, 31 Dec 9999 23:59:59 GMT' },
    expect: { outcome: 'parks' },
  },
  {
    name: '429 Retry-After 10^23 s',
    kind: 'retry-after',
    options: { retryAfter: '99999999999999999999999' },
    expect: { outcome: 'parks' },
  },
  {
    name: '429 Retry-After -5',
    kind: 'retry-after',
    options: { retryAfter: '-5' },
    expect: { outcome: 'fails', errorKind: 'http_status', httpStatus: 429 },
  },
  {
    name: '429 Retry-After garbage',
    kind: 'retry-after',
    options: { retryAfter: 'soon, maybe' },
    expect: { outcome: 'fails', errorKind: 'http_status', httpStatus: 429 },
  },
];

export interface Zoo {
  members: { member: ZooMember; receiver: HostileReceiver }[];
  /** Silent receivers: endpoints that all time out at once. */
  crowd: HostileReceiver[];
  close(): Promise<void>;
}

export async function startZoo(crowdSize: number): Promise<Zoo> {
  const members: Zoo['members'] = [];
  for (const member of zooMembers) members.push({ member, receiver: await startHostile(member.kind, member.options) });
  const crowd: HostileReceiver[] = [];
  for (let i = 0; i < crowdSize; i++) crowd.push(await startHostile('silent'));
  return {
    members,
    crowd,
    close: async () => {
      await Promise.all([...members.map((m) => m.receiver.close()), ...crowd.map((c) => c.close())]);
    },
  };
}

/** When the answer (or the failure) came: the start of the attempt plus its duration. */
function answeredAt(a: Attempt): number {
  return Date.parse(a.startedAt) + a.durationMs;
}

/**
 * What is wrong with a settled hostile delivery, as readable lines (none when
 * it is right): the outcome, each attempt's error kind and status, and the
 * wait before each retry — the schedule's step ±20 %, or the Retry-After bound.
 */
export function hostileProblems(
  m: ZooMember,
  d: DeliveryWithAttempts,
  hits: number,
  schedule: readonly number[],
): string[] {
  const out: string[] = [];
  const e = m.expect;
  const attempts = d.attempts;
  const kinds = attempts.map((a) => `${a.errorKind ?? 'ok'}/${a.httpStatus ?? '-'}`).join(' ');
  const say = (what: string) => out.push(`${m.name}: ${what} (status ${d.status}, attempts ${kinds})`);
  // Each attempt reached the receiver once: nothing hidden retried, no redirect followed.
  if (hits !== attempts.length) say(`the receiver saw ${hits} requests for ${attempts.length} attempts`);
  if (e.outcome === 'succeeds') {
    const [a] = attempts;
    if (d.status !== 'succeeded' || attempts.length !== 1) say('expected one successful attempt');
    if (a && (a.httpStatus !== 200 || a.errorKind !== null || !a.responseTruncated)) {
      say('expected 200 with a truncated excerpt');
    }
    if (a && Buffer.byteLength(a.responseExcerpt ?? '') > responseCapBytes) say('excerpt over 16 KiB');
    return out;
  }
  if (e.outcome === 'parks') {
    const [a] = attempts;
    if (d.status !== 'pending' || attempts.length !== 1 || !a?.nextAttemptAt) {
      say('expected one attempt and a parked retry');
      return out;
    }
    const wait = (Date.parse(a.nextAttemptAt) - answeredAt(a)) / 1000;
    if (a.httpStatus !== 429) say('expected 429');
    if (Math.abs(wait - retryAfterBoundSeconds) > 1)
      say(`next attempt in ${wait} s, not the ${retryAfterBoundSeconds} s bound`);
    return out;
  }
  if (d.status !== 'failed' || attempts.length !== schedule.length + 1) {
    say(`expected failed after ${schedule.length + 1} attempts`);
  }
  attempts.forEach((a, i) => {
    if (a.errorKind !== e.errorKind || a.httpStatus !== (e.httpStatus ?? null)) {
      say(`attempt ${a.number} is ${a.errorKind}/${a.httpStatus}, not ${e.errorKind}/${e.httpStatus ?? null}`);
    }
    const step = schedule[i];
    if (step === undefined) {
      if (a.nextAttemptAt !== null) say(`the last attempt has a next attempt at ${a.nextAttemptAt}`);
      return;
    }
    const wait = a.nextAttemptAt ? (Date.parse(a.nextAttemptAt) - answeredAt(a)) / 1000 : Number.NaN;
    if (!(wait >= step * 0.8 - 0.05 && wait <= step * 1.2 + 0.05)) {
      say(`attempt ${a.number} waits ${wait} s for its retry, not the schedule's ${step} s ±20 %`);
    }
  });
  return out;
}

const responseCapBytes = 16 * 1024;

export interface HealthyFigures {
  /** Distinct (endpoint, event) pairs received. */
  deliveries: number;
  expected: number;
  duplicates: number;
  /** From the first publish to the last arrival. */
  seconds: number;
  perSecond: number;
  /** Publish → arrival at the receiver, ms. */
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Publishes `events` events of `type` (each carrying its publish time),
 * `parallel` at a time, and waits up to `waitMs` for every one of them at
 * every healthy receiver. Returns what arrived; the caller asserts on counts.
 */
export async function healthyBurst(
  k: DeliveryKit,
  receivers: readonly Receiver[],
  { events, type, parallel, waitMs }: { events: number; type: string; parallel: number; waitMs: number },
): Promise<HealthyFigures> {
  const started = Date.now();
  let next = 0;
  const publisher = async () => {
    for (let n = next++; n < events; n = next++) {
      const res = await k.publish(type, { n, sentAt: Date.now() });
      if (res.status !== 202) throw new Error(`publish failed: ${res.status} ${res.text}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, publisher));
  const expected = events * receivers.length;
  const firsts = () =>
    receivers.flatMap((r) => {
      const seen = new Map<string, Received>();
      for (const x of r.received) {
        const id = String(x.headers['webhook-id']);
        if (!seen.has(id)) seen.set(id, x);
      }
      return [...seen.values()];
    });
  await until('every healthy delivery', async () => (firsts().length >= expected ? true : undefined), {
    timeoutMs: waitMs,
    intervalMs: 50,
  }).catch(() => undefined);
  const got = firsts();
  const latencies = got
    .map((x) => x.at - Number((JSON.parse(x.body) as { data: { sentAt: number } }).data.sentAt))
    .sort((a, b) => a - b);
  const last = Math.max(started, ...got.map((x) => x.at));
  const seconds = (last - started) / 1000;
  return {
    deliveries: got.length,
    expected,
    duplicates: receivers.reduce((n, r) => n + r.received.length, 0) - got.length,
    seconds,
    perSecond: got.length / Math.max(seconds, 0.001),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export function figuresLine(label: string, f: HealthyFigures): string {
  return (
    `${label}: ${f.deliveries}/${f.expected} healthy deliveries in ${f.seconds.toFixed(2)} s ` +
    `(${f.perSecond.toFixed(0)}/s), publish→receive p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.duplicates} duplicates`
  );
}

/** The resident set size of a process, in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
