/**
 * The benchmark's webhook receiver, run as a child process of the bench
 * (receiver-process.ts starts and drives it), so its CPU time is not charged
 * to the sender it measures. One node:http server per
 * endpoint, each on its own 127.0.0.1 port: every endpoint is its own origin,
 * as in production, so a dead endpoint cannot block a healthy one inside the
 * sender's per-origin connection pool.
 *
 * - `ok` servers answer 204 once the body has arrived;
 * - `hang` servers read the request and never answer (until `release`, after which they
 *   drop requests at once until the next phase).
 *
 * Driven over the IPC channel; see the Command and Reply types.
 */
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type Command =
  | { cmd: 'open'; kind: 'ok' | 'hang'; count: number }
  | { cmd: 'phase'; name: string; expect: number; secrets: Record<string, string>; verify: number }
  | { cmd: 'report' }
  | { cmd: 'release' }
  | { cmd: 'exit' };

export interface PhaseReport {
  name: string;
  /** Distinct (endpoint, webhook-id) pairs received on ok servers in this phase. */
  unique: number;
  /** Requests beyond the first for a pair (at-least-once redeliveries). */
  duplicates: number;
  /** Requests that arrived at hang servers. */
  hung: number;
  /** Wall clock (ms since epoch, sub-ms) of the first and last unique receipt. */
  firstAt: number | null;
  lastAt: number | null;
  /** receive time − data.sentAt for each unique receipt that carried sentAt, in ms. */
  latencies: number[];
  verified: number;
  verifyFailures: string[];
  done: boolean;
}

export type Reply =
  | { evt: 'opened'; kind: 'ok' | 'hang'; ports: number[] }
  | { evt: 'phase-started'; name: string }
  | { evt: 'done'; report: PhaseReport }
  | { evt: 'report'; report: PhaseReport }
  | { evt: 'released'; sockets: number };

const now = () => performance.timeOrigin + performance.now();
const tracePrefix = process.env.BENCH_TRACE;

const send = (msg: Reply) => process.send?.(msg);

interface Phase {
  name: string;
  expect: number;
  secrets: Map<number, Webhook>;
  verifyLeft: number;
  seen: Set<string>;
  report: PhaseReport;
}

let phase: Phase = newPhase('idle', Number.POSITIVE_INFINITY, {}, 0);
const servers: Server[] = [];
const heldSockets = new Set<Socket>();
const heldResponses = new Set<ServerResponse>();
/** Off after `release`: dead endpoints then drop new requests at once (so shutdown does not wait on them). */
let holding = true;

function newPhase(name: string, expect: number, secrets: Record<string, string>, verify: number): Phase {
  return {
    name,
    expect,
    secrets: new Map(Object.entries(secrets).map(([port, secret]) => [Number(port), new Webhook(secret)])),
    verifyLeft: verify,
    seen: new Set(),
    report: {
      name,
      unique: 0,
      duplicates: 0,
      hung: 0,
      firstAt: null,
      lastAt: null,
      latencies: [],
      verified: 0,
      verifyFailures: [],
      done: false,
    },
  };
}

function onOk(port: number, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    res.writeHead(204).end();
    const p = phase;
    const id = String(req.headers['webhook-id'] ?? '');
    const key = `${port}:${id}`;
    if (p.seen.has(key)) {
      p.report.duplicates++;
      return;
    }
    p.seen.add(key);
    const body = Buffer.concat(chunks).toString('utf8');
    const r = p.report;
    r.unique++;
    r.firstAt ??= at;
    r.lastAt = at;
    try {
      const data = (JSON.parse(body) as { data?: { sentAt?: unknown; seq?: unknown } }).data;
      if (typeof data?.sentAt === 'number') {
        r.latencies.push(at - data.sentAt);
        // BENCH_TRACE (trace.ts): the same file as the publisher's lines; appends of a line each do not interleave.
        if (tracePrefix)
          appendFileSync(`${tracePrefix}.events`, `recv ${String(data.seq)} ${at} ${at - data.sentAt}\n`);
      }
    } catch {
      r.verifyFailures.push(`unparseable body on port ${port}`);
    }
    const wh = p.secrets.get(port);
    if (p.verifyLeft > 0 && wh) {
      p.verifyLeft--;
      try {
        wh.verify(body, req.headers as Record<string, string>);
        r.verified++;
      } catch (err) {
        r.verifyFailures.push(`port ${port}: ${(err as Error).message}`);
      }
    }
    if (!r.done && r.unique >= p.expect) {
      r.done = true;
      send({ evt: 'done', report: r });
    }
  });
}

function onHang(req: IncomingMessage, res: ServerResponse) {
  if (!holding) {
    req.socket.destroy();
    return;
  }
  phase.report.hung++;
  req.resume();
  heldResponses.add(res);
  heldSockets.add(req.socket);
  res.on('close', () => {
    heldResponses.delete(res);
    heldSockets.delete(req.socket);
  });
}

async function open(kind: 'ok' | 'hang', count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    let port = 0;
    const server = createServer((req, res) => (kind === 'ok' ? onOk(port, req, res) : onHang(req, res)));
    // Keep-alive connections stay open across the whole run; no request deadline on held requests.
    server.keepAliveTimeout = 120_000;
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    servers.push(server);
    ports.push(port);
  }
  return ports;
}

process.on('message', async (msg: Command) => {
  switch (msg.cmd) {
    case 'open':
      send({ evt: 'opened', kind: msg.kind, ports: await open(msg.kind, msg.count) });
      return;
    case 'phase':
      phase = newPhase(msg.name, msg.expect, msg.secrets, msg.verify);
      holding = true;
      send({ evt: 'phase-started', name: msg.name });
      return;
    case 'report':
      send({ evt: 'report', report: phase.report });
      return;
    case 'release': {
      holding = false;
      const n = heldSockets.size;
      for (const s of heldSockets) s.destroy();
      heldSockets.clear();
      heldResponses.clear();
      send({ evt: 'released', sockets: n });
      return;
    }
    case 'exit':
      for (const s of heldSockets) s.destroy();
      for (const server of servers) server.closeAllConnections();
      process.exit(0);
  }
});

// The parent went away: do not linger.
process.on('disconnect', () => process.exit(0));
