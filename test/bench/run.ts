/**
 * `pnpm bench`: Hookport's delivery benchmark (issue 3). A script, not a test:
 * it runs a fixed sequence of phases against 127.0.0.1 only, prints a table and
 * refreshes the results block of docs/benchmarks.md. Bounded: every phase has
 * a deadline and the whole run stops itself after BENCH_DEADLINE_S (default 540 s).
 *
 *  a   raw baseline: signed POSTs straight from undici to the receiver
 *  b   Hookport end to end on PostgreSQL (in-process, role all)
 *  c   the same on embedded PGlite (in memory)
 *  d   publish-to-receive latency at a fixed offered rate, PostgreSQL
 *  e   isolation: healthy throughput while half the endpoints never answer
 *  f   worker peak RSS: API in-process, worker as a separate `hookport worker` process
 *
 * Every phase also records the CPU time it cost (this process, the receiver, a
 * worker child, the PostgreSQL backends of the bench database) and what other
 * processes on the machine used meanwhile, so contention is visible in the results.
 *
 * Environment knobs (all optional): BENCH_EVENTS, BENCH_WORKER_EVENTS, BENCH_ENDPOINTS, BENCH_BASELINE_REQUESTS,
 * BENCH_PUBLISH_CONCURRENCY, BENCH_RATE, BENCH_RATE_SECONDS, BENCH_WARM_EVENTS,
 * BENCH_PHASE_TIMEOUT_S, BENCH_STRESS_TIMEOUT_S, BENCH_DEADLINE_S, BENCH_QUIET_WAIT_S,
 * BENCH_PG_ADMIN_URL, BENCH_SKIP_STRESS=1, BENCH_ONLY=a,b,…, BENCH_WORKER_NODE_ARGS, BENCH_SERVER (see below),
 * BENCH_NO_DOCS=1, BENCH_QUICK=1 (a small smoke run), BENCH_TRACE=<path prefix> (the latency phase writes
 * <prefix>.events and <prefix>.pauses for tools/latency-trace.ts). docs/benchmarks.md is only rewritten by a
 * full run of the workspace's own server.
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism as nproc } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Hookport, Role } from '@hookport/server';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { binNodeFlags } from '../src/support/bin-flags.ts';
import { addCpu, CpuMeter, type CpuUse, machineBusy } from './cpu.ts';
import type { Command, PhaseReport, Reply } from './receiver.ts';

// ---------------------------------------------------------------------------------------------
// Settings

/**
 * BENCH_SERVER: the server entry to measure, default the workspace's @hookport/server. Point it at
 * a patched copy (its src/index.ts; the worker child then runs the cli.ts next to it) to compare a
 * change against the same machine and settings without touching the workspace.
 */
const serverEntry = process.env.BENCH_SERVER;
const { createLogger, loadConfig, openHookport, openPostgres } = (await import(
  serverEntry ?? '@hookport/server'
)) as typeof import('@hookport/server');
const cliPath = serverEntry ? fileURLToPath(new URL('./cli.ts', pathToFileURL(serverEntry))) : 'server/src/cli.ts';

const quick = process.env.BENCH_QUICK === '1';
const int = (name: string, dflt: number, quickValue: number) => {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : quick ? quickValue : dflt;
};
const settings = {
  /** Events per throughput run; each fans out to every endpoint. */
  events: int('BENCH_EVENTS', 300, 40),
  /**
   * Events of phase f (the worker as its own process): ten times a throughput run, so that its peak RSS
   * is that of a worker that has been busy for a while. A run of 300 hid a leak: the worker grew by about
   * 6 MB per 1,000 deliveries, and by V8's head-room over its live heap, which a short run never reaches.
   */
  workerEvents: int('BENCH_WORKER_EVENTS', 3000, 100),
  /** Endpoints in the throughput runs; the isolation run adds as many that never answer (half of all). */
  endpoints: int('BENCH_ENDPOINTS', 10, 4),
  baselineRequests: int('BENCH_BASELINE_REQUESTS', 20_000, 2_000),
  /** Concurrent publish requests in the throughput runs. */
  publishConcurrency: int('BENCH_PUBLISH_CONCURRENCY', 16, 8),
  /** Offered event rate and duration of the latency run. */
  rate: int('BENCH_RATE', 200, 200),
  rateSeconds: int('BENCH_RATE_SECONDS', 10, 3),
  /** Endpoints in the latency run: each event goes to exactly one of them (one delivery per event). */
  latencyEndpoints: 4,
  workerConcurrency: int('BENCH_WORKER_CONCURRENCY', 32, 32),
  endpointConcurrency: 4,
  deliveryTimeoutMs: 15_000,
  warmEvents: int('BENCH_WARM_EVENTS', 10, 5),
  /** Runs of (b), (c) and (e) each; the figures are their medians ((b) and (e) alternate, round by round). */
  repeats: int('BENCH_REPEATS', 5, 1),
  phaseTimeoutMs: int('BENCH_PHASE_TIMEOUT_S', 75, 30) * 1000,
  stressTimeoutMs: int('BENCH_STRESS_TIMEOUT_S', 40, 20) * 1000,
  /** How long the latency run waits for stragglers after the last publish. */
  latencyDrainMs: int('BENCH_LATENCY_DRAIN_S', 30, 15) * 1000,
  /** Before each phase, wait up to this long (90 s in all) for the machine to be quiet. */
  quietWaitMs: int('BENCH_QUIET_WAIT_S', 15, 3) * 1000,
  deadlineMs: int('BENCH_DEADLINE_S', 540, 240) * 1000,
  skipStress: process.env.BENCH_SKIP_STRESS === '1',
  /** BENCH_ONLY=a,b,f: run only these phases (a also covers a2; e covers its control and stress runs). */
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : null,
  /**
   * Node flags for the separate worker process of phase f: BENCH_WORKER_NODE_ARGS, or by default those
   * `server/bin/hookport.js` runs with (its `#!/usr/bin/env -S node …` line), so f measures the worker as shipped.
   */
  workerNodeArgs: process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? binNodeFlags(),
  pgAdminUrl: process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

const want = (phase: string) => settings.only === null || settings.only.has(phase);
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsxImport = import.meta.resolve('tsx');
const dbName = `hookport_bench_${process.pid}`;
const dbUrl = settings.pgAdminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
const secretKeyHex = randomBytes(32).toString('hex');
const adminToken = `hpa_${randomBytes(24).toString('base64url')}`;
const started = Date.now();

const now = () => performance.timeOrigin + performance.now();

/**
 * BENCH_TRACE: the latency phase's trace, read by tools/latency-trace.ts. `<prefix>.events` gets a line
 * per publish response (`ack <seq> <due> <ms after due>`; the receiver adds `recv <seq> <at> <ms after
 * due>` per receipt) and `<prefix>.pauses` one per GC pause of this process over 3 ms (`gc <start> <ms>`).
 */
const tracePrefix = process.env.BENCH_TRACE;
function trace(line: string): void {
  if (tracePrefix) appendFileSync(`${tracePrefix}.events`, `${line}\n`);
}
if (tracePrefix) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > 3)
        appendFileSync(`${tracePrefix}.pauses`, `gc ${performance.timeOrigin + e.startTime} ${e.duration}\n`);
    }
  }).observe({ entryTypes: ['gc'] });
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Results

interface Result {
  id: string;
  what: string;
  value: number | null;
  unit: string;
  note: string;
  /** Shown before the value: '≥' when the run ended before every delivery arrived. */
  bound?: '≥' | '≤';
}
const results: Result[] = [];
function record(id: string, what: string, value: number | null, unit: string, note = '', bound?: '≥' | '≤') {
  results.push({ id, what, value, unit, note, ...(bound ? { bound } : {}) });
  log(`${id}  ${what}: ${bound ?? ''}${fmt(value)} ${unit}${note ? `  (${note})` : ''}`);
}
const get = (id: string) => results.find((r) => r.id === id)?.value ?? null;
const boundOf = (id: string) => results.find((r) => r.id === id)?.bound;
const shown = (r: Result) => `${r.bound ? `${r.bound} ` : ''}${fmt(r.value)}${r.unit ? ` ${r.unit}` : ''}`;

function fmt(v: number | null, digits?: number): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  const d = digits ?? (a >= 100 ? 0 : a >= 10 ? 1 : a >= 0.1 || a === 0 ? 2 : 4);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** The p-th percentile of `count` values of which `sorted` are known and the rest are larger than all of them. */
function percentile(sorted: number[], count: number, p: number): { value: number | null; known: boolean } {
  if (count === 0) return { value: null, known: false };
  const i = Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1));
  if (i < sorted.length) return { value: sorted[i] ?? null, known: true };
  return { value: sorted.at(-1) ?? null, known: false };
}

// ---------------------------------------------------------------------------------------------
// CPU accounting and contention

let workerChild: ChildProcess | undefined;
let rx: ReceiverProcess | undefined;
const meter = new CpuMeter(
  dbName,
  () => rx?.child.pid,
  () => workerChild?.pid,
);
let quietBudgetMs = 90_000;

/** Waits (bounded) until other processes leave the machine mostly idle; returns the busy share last seen. */
async function waitQuiet(label: string): Promise<number> {
  const t0 = Date.now();
  let busy = await machineBusy(1000);
  while (busy > 0.2 && quietBudgetMs > 0 && Date.now() - t0 < settings.quietWaitMs) {
    busy = await machineBusy(1000);
    quietBudgetMs -= 1000;
  }
  if (busy > 0.2) log(`${label}: the machine is ${Math.round(busy * 100)} % busy with other work; measuring anyway`);
  return busy;
}

function cpuNote(cpu: CpuUse, deliveries: number, opts: { sender?: string } = {}): string {
  const per = (s: number) => fmt((s * 1000) / Math.max(deliveries, 1), 2);
  const hookport = cpu.selfS + cpu.workerS + cpu.postgresS;
  const parts = [
    `CPU per delivery ${per(hookport)} ms (${opts.sender ?? 'node'} ${per(cpu.selfS + cpu.workerS)}` +
      `${cpu.postgresS > 0 ? `, postgres ${per(cpu.postgresS)}` : ''}), receiver ${per(cpu.receiverS)} ms`,
    `other processes used ${fmt((cpu.othersS / Math.max(cpu.capacityS, 0.001)) * 100, 0)} % of the machine`,
  ];
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------
// The receiver child process

class ReceiverProcess {
  readonly child: ChildProcess;
  readonly #waiters: { match: (r: Reply) => boolean; resolve: (r: Reply) => void }[] = [];
  readonly #done = new Map<string, PhaseReport>();

  constructor() {
    this.child = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), [], {
      execArgv: ['--import', tsxImport],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (msg: Reply) => {
      if (msg.evt === 'done') this.#done.set(msg.report.name, msg.report);
      const i = this.#waiters.findIndex((w) => w.match(msg));
      if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(msg);
    });
  }

  #ask<R extends Reply>(cmd: Command, match: (r: Reply) => r is R): Promise<R> {
    return new Promise<R>((resolve) => {
      this.#waiters.push({ match, resolve: resolve as (r: Reply) => void });
      this.child.send(cmd);
    });
  }

  async open(kind: 'ok' | 'hang', count: number): Promise<number[]> {
    const r = await this.#ask({ cmd: 'open', kind, count }, (m): m is Extract<Reply, { evt: 'opened' }> => {
      return m.evt === 'opened' && m.kind === kind;
    });
    return r.ports;
  }

  async phase(name: string, expect: number, secrets: Record<string, string> = {}, verify = 50): Promise<void> {
    await this.#ask(
      { cmd: 'phase', name, expect, secrets, verify },
      (m): m is Extract<Reply, { evt: 'phase-started' }> => m.evt === 'phase-started' && m.name === name,
    );
  }

  /** Resolves with the phase's report once `expect` unique deliveries arrived, or the partial one at the deadline. */
  async waitDone(name: string, deadline: number): Promise<PhaseReport> {
    while (now() < deadline) {
      const done = this.#done.get(name);
      if (done) return done;
      await sleep(10);
    }
    return this.report();
  }

  async report(): Promise<PhaseReport> {
    const r = await this.#ask({ cmd: 'report' }, (m): m is Extract<Reply, { evt: 'report' }> => m.evt === 'report');
    return r.report;
  }

  /** Drops the requests the dead endpoints hold, and from now on drops new ones at once. */
  async release(): Promise<number> {
    const r = await this.#ask({ cmd: 'release' }, (m): m is Extract<Reply, { evt: 'released' }> => {
      return m.evt === 'released';
    });
    return r.sockets;
  }

  exit() {
    if (this.child.connected) this.child.send({ cmd: 'exit' } satisfies Command);
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads: the same data for the baseline and for Hookport

const eventType = 'ticket.updated';

function ticketData(seq: number, sentAt: number) {
  return {
    sentAt,
    seq,
    ticket: {
      id: `T-${100000 + seq}`,
      subject: 'Printer on the third floor is on fire again',
      status: 'open',
      priority: 'high',
      requester: { name: 'Ada Lovelace', email: 'ada@example.com' },
      tags: ['hardware', 'urgent'],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// (a) raw baseline

async function baseline(receiver: ReceiverProcess, id: string, ports: number[]): Promise<void> {
  await waitQuiet(id);
  const secrets = Object.fromEntries(ports.map((p) => [String(p), `whsec_${randomBytes(32).toString('base64')}`]));
  // The same client settings as Hookport's Sender (server/src/delivery/sender.ts).
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  const run = async (name: string, total: number) => {
    await receiver.phase(name, total, secrets);
    let next = 0;
    let errors = 0;
    const cpu0 = meter.begin();
    const t0 = now();
    const lane = async () => {
      for (let i = next++; i < total; i = next++) {
        const port = ports[i % ports.length] as number;
        const at = new Date();
        const msgId = `msg_${name}_${i}`;
        const body = JSON.stringify({ type: eventType, timestamp: at.toISOString(), data: ticketData(i, now()) });
        // Hookport signs with a new Webhook per attempt; so does the baseline.
        const signature = new Webhook(secrets[String(port)] as string).sign(msgId, at, body);
        try {
          const res = await request(`http://127.0.0.1:${port}/hook`, {
            method: 'POST',
            dispatcher: agent,
            headers: {
              'content-type': 'application/json',
              'webhook-id': msgId,
              'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
              'webhook-signature': signature,
              'user-agent': 'Hookport-bench-baseline',
            },
            body,
          });
          await res.body.text();
          if (res.statusCode !== 204) errors++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: settings.workerConcurrency }, lane));
    const report = await receiver.waitDone(name, now() + 10_000);
    const cpu = meter.end(cpu0);
    return { t0, report, errors, cpu };
  };
  await run(`${id}-warm`, Math.min(2000, settings.baselineRequests));
  const { t0, report, errors, cpu } = await run(id, settings.baselineRequests);
  const rate = report.lastAt ? report.unique / ((report.lastAt - t0) / 1000) : null;
  record(
    id,
    'raw undici baseline',
    rate,
    'deliveries/s',
    `${report.unique} signed POSTs, concurrency ${settings.workerConcurrency}, ${ports.length} receiver ports, ` +
      `${report.verified} signatures verified` +
      (errors ? `, ${errors} errors` : '') +
      (report.verifyFailures.length ? `, ${report.verifyFailures.length} SIGNATURE FAILURES` : '') +
      `; ${cpuNote(cpu, report.unique, { sender: 'sender' })}`,
  );
  await agent.close();
}

// ---------------------------------------------------------------------------------------------
// Hookport in-process

interface BenchHookport {
  hp: Hookport;
  token: string;
  /** Creates endpoints on the given receiver ports; returns port → secret. */
  endpoints(ports: number[], eventTypes?: (i: number) => string[]): Promise<Record<string, string>>;
  publish(seq: number, type?: string, sentAt?: number): Promise<number>;
  close(): Promise<void>;
}

let openInstances: BenchHookport[] = [];

function benchEnv(db: 'postgres' | 'pglite', schema: string, extra: Record<string, string> = {}) {
  return {
    ...(db === 'postgres' ? { DATABASE_URL: dbUrl } : {}),
    HOOKPORT_DB_SCHEMA: schema,
    HOOKPORT_DATA_DIR: ':memory:',
    HOOKPORT_SECRET_KEY: secretKeyHex,
    HOOKPORT_ADMIN_TOKEN: adminToken,
    HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8',
    HOOKPORT_WORKER_CONCURRENCY: String(settings.workerConcurrency),
    HOOKPORT_ENDPOINT_CONCURRENCY: String(settings.endpointConcurrency),
    HOOKPORT_DELIVERY_TIMEOUT_MS: String(settings.deliveryTimeoutMs),
    HOOKPORT_SHUTDOWN_SECONDS: '5',
    // The default (6,000 requests a minute per token) would refuse part of the latency phase's 6,000
    // publishes; a limit this high still counts every request, as the default does.
    HOOKPORT_API_RATE_LIMIT: '100000000',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

async function startHookport(env: Record<string, string>, role: Role = 'all'): Promise<BenchHookport> {
  const hp = await openHookport(loadConfig(env), createLogger('silent'), role);
  const call = async (method: string, path: string, json: unknown, token = adminToken) => {
    const res = await hp.app.fetch(
      new Request(`http://hookport.bench${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const must = async (path: string, json: unknown, status: number, token?: string) => {
    const res = await call('POST', path, json, token);
    if (res.status !== status) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const tenant = await must('/v1/tenants', { name: 'Bench', presets: ['helpdesk'] }, 201);
  const tok = await must(`/v1/tenants/${tenant.id}/tokens`, { name: 'bench', scopes: ['*'] }, 201);
  const token = String(tok.token);
  const b: BenchHookport = {
    hp,
    token,
    async endpoints(ports, eventTypes = () => ['ticket.*']) {
      const secrets: Record<string, string> = {};
      for (const [i, port] of ports.entries()) {
        const url = `http://127.0.0.1:${port}/hook`;
        const ep = await must('/v1/endpoints', { url, eventTypes: eventTypes(i) }, 201, token);
        secrets[String(port)] = String(ep.secret);
      }
      return secrets;
    },
    async publish(seq, type = eventType, sentAt = now()) {
      const res = await call('POST', '/v1/events', { type, data: ticketData(seq, sentAt) }, token);
      if (res.status !== 202) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`);
      return Number(res.body.deliveryCount);
    },
    async close() {
      openInstances = openInstances.filter((x) => x !== b);
      await hp.close();
    },
  };
  openInstances.push(b);
  return b;
}

/** Publishes `count` events with `concurrency` requests in flight; returns the elapsed ms. */
async function publishMany(b: BenchHookport, count: number, concurrency: number, offset = 0): Promise<number> {
  const t0 = now();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) await b.publish(offset + i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return now() - t0;
}

interface ThroughputOutcome {
  rate: number;
  report: PhaseReport;
  expected: number;
  publishMs: number;
  complete: boolean;
  elapsedMs: number;
  cpu: CpuUse;
  busyBefore: number;
}

/**
 * Warm-up (not measured), then `events` events fanned out to every endpoint; the rate is
 * unique deliveries at the healthy endpoints over first publish → last receipt (or → the
 * phase deadline, when not everything arrived by then).
 */
async function throughput(
  receiver: ReceiverProcess,
  b: BenchHookport,
  id: string,
  healthy: number,
  secrets: Record<string, string>,
  opts: { events?: number; timeoutMs?: number; beforeMeasure?: () => Promise<void> } = {},
): Promise<ThroughputOutcome> {
  const events = opts.events ?? settings.events;
  await receiver.phase(`${id}-warm`, settings.warmEvents * healthy, secrets);
  await publishMany(b, settings.warmEvents, settings.publishConcurrency, 1_000_000);
  const w = await receiver.waitDone(`${id}-warm`, now() + 60_000);
  if (!w.done) log(`${id}: warm-up incomplete (${w.unique}/${settings.warmEvents * healthy})`);
  await opts.beforeMeasure?.();
  const busyBefore = await waitQuiet(id);
  const expected = events * healthy;
  await receiver.phase(id, expected, secrets);
  const cpu0 = meter.begin();
  const t0 = now();
  const publishMs = await publishMany(b, events, settings.publishConcurrency);
  const report = await receiver.waitDone(id, t0 + (opts.timeoutMs ?? settings.phaseTimeoutMs));
  const cpu = meter.end(cpu0);
  const end = report.done ? (report.lastAt as number) : Math.max(now(), report.lastAt ?? 0);
  const elapsedMs = end - t0;
  const rate = report.unique / (elapsedMs / 1000);
  if (report.verifyFailures.length) log(`${id}: signature problems: ${report.verifyFailures.slice(0, 3).join('; ')}`);
  return { rate, report, expected, publishMs, complete: report.done, elapsedMs, cpu, busyBefore };
}

function throughputNote(o: ThroughputOutcome, extra = ''): string {
  const parts = [
    `${o.report.unique}/${o.expected} deliveries in ${fmt(o.elapsedMs / 1000, 2)} s`,
    `publishing took ${fmt(o.publishMs / 1000, 2)} s`,
    `${o.report.verified} signatures verified`,
  ];
  if (o.report.duplicates) parts.push(`${o.report.duplicates} duplicates`);
  if (o.report.verifyFailures.length) parts.push(`${o.report.verifyFailures.length} SIGNATURE FAILURES`);
  if (!o.complete) parts.push('INCOMPLETE at the phase deadline (rate over the deadline)');
  if (extra) parts.push(extra);
  return `${parts.join(', ')}; ${cpuNote(o.cpu, o.report.unique)}`;
}

/** The run with the median rate (the lower middle one for an even count). */
function medianRun(runs: ThroughputOutcome[]): ThroughputOutcome | null {
  const sorted = [...runs].sort((x, y) => x.rate - y.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}

function medianOf(values: number[]): number | null {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}

/** "median of 3 runs (…)" before the median run's own note, when there were several. */
function runsNote(runs: ThroughputOutcome[], median: ThroughputOutcome, extra = ''): string {
  const all =
    runs.length > 1 ? `median of ${runs.length} runs (${runs.map((r) => fmt(r.rate)).join(', ')}); that run: ` : '';
  return `${all}${throughputNote(median, extra)}`;
}

// ---------------------------------------------------------------------------------------------
// (q) the queue alone: what pg-boss itself carries here, with no HTTP and none of our tables

/**
 * The ceiling pg-boss puts on (b): the same jobs (one per delivery, grouped by endpoint) inserted
 * 10 to a transaction by 16 concurrent producers, as publishing does, while one loop claims up to
 * the worker's concurrency with the per-endpoint cap and completes each batch at once, as the
 * dispatcher does: every database step a delivery's job takes, and nothing else. Jobs/s over first
 * insert → last complete.
 */
async function queueAlone(id: string, kind: 'postgres' | 'pglite'): Promise<void> {
  const b = await startHookport(benchEnv(kind, kind === 'postgres' ? 'bench_queue' : 'hookport'), 'api');
  const { queue, db } = b.hp;
  // The worker's pool settings (server/src/runtime.ts): its commits do not wait for the WAL flush.
  const workerDb =
    kind === 'postgres'
      ? openPostgres({ url: dbUrl, schema: 'bench_queue', synchronousCommit: false, genericPlans: true })
      : null;
  const claimDb = workerDb ?? db;
  try {
    const groups = Array.from({ length: settings.endpoints }, () => randomUUID());
    const insertAll = async (count: number) => {
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < count; i = next++) {
          await db.transaction((tx) =>
            queue.enqueue(
              tx,
              groups.map((endpointId) => ({ deliveryId: randomUUID(), endpointId, attempt: 1, slow: false })),
            ),
          );
        }
      };
      await Promise.all(Array.from({ length: settings.publishConcurrency }, lane));
    };
    const consume = async (total: number) => {
      let done = 0;
      let idleSince = now();
      while (done < total && now() - idleSince < 10_000) {
        const jobs = await queue.fetch(claimDb, 'main', settings.workerConcurrency, settings.endpointConcurrency);
        if (jobs.length === 0) {
          // Polled, not woken: a tight poll keeps the measure the queue's own cost, not a wake-up's.
          await sleep(1);
          continue;
        }
        idleSince = now();
        await queue.complete(
          claimDb,
          jobs.map((j) => ({ id: j.id, retryCount: j.retryCount, name: j.name })),
        );
        done += jobs.length;
      }
      return done;
    };
    const run = async (events: number) => {
      const cpu0 = meter.begin();
      const t0 = now();
      const [, done] = await Promise.all([insertAll(events), consume(events * groups.length)]);
      return { done, ms: now() - t0, cpu: meter.end(cpu0) };
    };
    await run(settings.warmEvents);
    await waitQuiet(id);
    const { done, ms, cpu } = await run(settings.events);
    record(
      id,
      `pg-boss alone (no HTTP, no Hookport tables), ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite (in memory)'}`,
      done / (ms / 1000),
      'jobs/s',
      `${done}/${settings.events * groups.length} jobs inserted ${groups.length} per transaction by ` +
        `${settings.publishConcurrency} producers, claimed ≤ ${settings.workerConcurrency} at a time with ` +
        `${settings.endpointConcurrency} per group and completed, in ${fmt(ms / 1000, 2)} s: the most (b) can ` +
        `carry with one job per delivery; ${cpuNote(cpu, done)}`,
    );
  } finally {
    await workerDb?.close();
    await b.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (d) latency at a fixed offered rate

interface OpenLoopRun {
  /** receive time − due time of each event received, in ms. */
  latencies: number[];
  /** publish response time − due time, in ms. */
  acks: number[];
  maxLag: number;
  failures: number;
  firstFailure?: string;
  delivered: number;
  offeredMs: number;
}

/**
 * Publishes `total` events at settings.rate, open loop: event i is due at t0 + i/rate whatever happened
 * to the earlier ones, and its latency is counted from that due time (no coordinated omission if the
 * publisher falls behind). Waits for the receipts (at most settings.latencyDrainMs after the last publish).
 */
async function openLoop(
  b: BenchHookport,
  receiver: ReceiverProcess,
  id: string,
  total: number,
  seqBase: number,
  typeOf: (i: number) => string,
  secrets: Record<string, string>,
): Promise<OpenLoopRun> {
  await receiver.phase(id, total, secrets);
  const interval = 1000 / settings.rate;
  const run: OpenLoopRun = { latencies: [], acks: [], maxLag: 0, failures: 0, delivered: 0, offeredMs: 0 };
  const inFlight: Promise<void>[] = [];
  const t0 = now() + 20;
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    run.maxLag = Math.max(run.maxLag, now() - due);
    inFlight.push(
      b.publish(seqBase + i, typeOf(i), due).then(
        () => {
          run.acks.push(now() - due);
          trace(`ack ${seqBase + i} ${due} ${now() - due}`);
        },
        (err: unknown) => {
          run.failures++;
          run.firstFailure ??= err instanceof Error ? err.message : String(err);
        },
      ),
    );
  }
  run.offeredMs = now() - t0;
  await Promise.all(inFlight);
  const report = await receiver.waitDone(id, now() + settings.latencyDrainMs);
  run.latencies = report.latencies;
  run.delivered = report.unique;
  return run;
}

async function latency(receiver: ReceiverProcess, ports: number[]): Promise<void> {
  const b = await startHookport(benchEnv('postgres', 'bench_latency'));
  try {
    // Each endpoint subscribes to one type; events cycle through the types: one delivery per event.
    const types = ['ticket.created', 'ticket.updated', 'ticket.deleted', 'ticket.resolved'].slice(0, ports.length);
    const typeOf = (i: number) => types[i % types.length] as string;
    const secrets = await b.endpoints(ports, (i) => [typeOf(i)]);
    await waitQuiet('d');
    // The warm-up is a second at the offered rate, not a few events one by one. A process's first second
    // at 200 events/s is slow (p50 100-250 ms: code not yet optimised by V8, pool connections opened and
    // every statement prepared on each), and it took the first run's p99 to 100-400 ms. Opening the pools
    // before it changed nothing measurable. The figure is the steady state at that rate; the warm-up
    // second's own p50 / p99 are in the note, so the cold start stays visible.
    const warm = await openLoop(b, receiver, 'd-warm', settings.rate, 2_000_000, typeOf, secrets);
    const warmSorted = [...warm.latencies].sort((x, y) => x - y);
    const warmNote = `${fmt(percentile(warmSorted, settings.rate, 50).value, 1)} / ${fmt(percentile(warmSorted, settings.rate, 99).value, 1)} ms`;

    const total = settings.rate * settings.rateSeconds;
    // Several runs, one after the other, pooled: one 10 s run moved by a factor of four from one
    // minute to the next on a shared machine.
    const runs = Math.min(settings.repeats, 3);
    const lat: number[] = [];
    const acks: number[] = [];
    const perRun: string[] = [];
    let maxLag = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    let delivered = 0;
    let missing = 0;
    let offeredMs = 0;
    let cpu: CpuUse | undefined;
    for (let r = 1; r <= runs; r++) {
      if (r > 1) await waitQuiet('d');
      const cpu0 = meter.begin();
      const run = await openLoop(b, receiver, `d-${r}`, total, r * 100_000, typeOf, secrets);
      const used = meter.end(cpu0);
      cpu = cpu ? addCpu(cpu, used) : used;
      lat.push(...run.latencies);
      acks.push(...run.acks);
      maxLag = Math.max(maxLag, run.maxLag);
      failures += run.failures;
      firstFailure ??= run.firstFailure;
      delivered += run.delivered;
      missing += total - run.delivered;
      offeredMs += run.offeredMs;
      const own = [...run.latencies].sort((x, y) => x - y);
      const q = (x: number) => fmt(percentile(own, total, x).value, 1);
      perRun.push(`${q(50)} / ${q(99)} ms`);
    }
    lat.sort((x, y) => x - y);
    const ack = acks.sort((x, y) => x - y);
    const all = total * runs;
    const p = (q: number) => percentile(lat, all, q);
    const note =
      `${delivered}/${all} delivered, ${settings.rate} events/s offered for ${runs} × ` +
      `${fmt(offeredMs / runs / 1000, 1)} s after a warm-up second at that rate (its p50 / p99: ${warmNote}), ` +
      `pooled (p50 / p99 of each run: ${perRun.join(', ')}); ` +
      `one delivery per event, ${ports.length} endpoints` +
      (missing > 0 ? `; ${missing} had not arrived ${fmt(settings.latencyDrainMs / 1000, 0)} s after their run` : '') +
      (cpu ? `; ${cpuNote(cpu, delivered)}` : '');
    const p50 = p(50);
    const p99 = p(99);
    record('d.p50', 'latency p50, publish → receipt, PostgreSQL', p50.value, 'ms', note, p50.known ? undefined : '≥');
    record('d.p99', 'latency p99, publish → receipt, PostgreSQL', p99.value, 'ms', '', p99.known ? undefined : '≥');
    record('d.max', 'latency max', lat.at(-1) ?? null, 'ms', '', missing === 0 ? undefined : '≥');
    record('d.ack50', 'publish API response p50 (202)', percentile(ack, ack.length, 50).value, 'ms');
    record(
      'd.ack99',
      'publish API response p99 (202)',
      percentile(ack, ack.length, 99).value,
      'ms',
      `publisher max lag ${fmt(maxLag, 1)} ms` +
        (failures ? `, ${failures} publish failures (first: ${firstFailure?.slice(0, 120)})` : ''),
    );
  } finally {
    await b.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (f) the worker as its own process

function procStatus(pid: number | 'self'): { hwm: number | null; rss: number | null } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) / 1024 : null;
    };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { hwm: null, rss: null };
  }
}

async function workerProcess(receiver: ReceiverProcess, ports: number[]): Promise<void> {
  const env = benchEnv('postgres', 'bench_worker');
  // The API (publishing) in this process; deliveries only in the child.
  const b = await startHookport(env, 'api');
  try {
    const secrets = await b.endpoints(ports);
    const child = spawn(process.execPath, [...settings.workerNodeArgs, '--import', tsxImport, cliPath, 'worker'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workerChild = child;
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += String(c);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 60_000);
      child.stdout?.on('data', (c: Buffer) => {
        if (String(c).includes('worker is running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
    });
    const pid = child.pid as number;
    const idle = procStatus(pid);
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = procStatus(pid).rss;
      if (rss !== null) samples.push(rss);
    }, 250);
    const o = await throughput(receiver, b, 'f', ports.length, secrets, {
      events: settings.workerEvents,
      timeoutMs: 2 * settings.phaseTimeoutMs,
    });
    clearInterval(sampler);
    const peak = procStatus(pid);
    const quartiles = [0.25, 0.5, 0.75].map((q) => fmt(samples[Math.floor(q * samples.length)] ?? null, 0));
    record(
      'f.rate',
      'separate worker process, PostgreSQL',
      o.rate,
      'deliveries/s',
      throughputNote(o, 'API in the bench process, worker in the child'),
    );
    record(
      'f.rss',
      'worker peak RSS (VmHWM of `hookport worker`)',
      peak.hwm,
      'MB',
      `RSS ${fmt(idle.rss, 0)} MB after start, then ${quartiles.join(' / ')} MB at 1/4, 1/2, 3/4 of the run ` +
        `(warm-up included), ${fmt(peak.rss, 0)} MB at the end; ` +
        `run as \`node ${settings.workerNodeArgs.map((a) => `${a} `).join('')}--import tsx server/src/cli.ts worker\`, ` +
        'so it includes tsx compiling TypeScript at start',
    );
    child.kill('SIGTERM');
    const exited = await Promise.race([
      new Promise<number | null>((r) => child.once('exit', (code) => r(code))),
      sleep(25_000).then(() => 'timeout' as const),
    ]);
    if (exited === 'timeout') {
      log('worker did not stop within 25 s of SIGTERM; killing it');
      child.kill('SIGKILL');
    } else if (exited !== 0) {
      log(`worker exited with ${exited} after SIGTERM`);
    }
    workerChild = undefined;
  } finally {
    await b.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Machine, report

function machine() {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trimEnd();
    } catch {
      return 'n/a';
    }
  };
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    nproc: nproc(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'n/a',
    free: sh('free', ['-h']),
    kernel: sh('uname', ['-sr']),
    node: process.version,
    commit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

interface Goal {
  what: string;
  target: string;
  actual: string;
  met: boolean | null;
}

function goals(): Goal[] {
  const g = (what: string, target: string, id: string, unit: string, ok: (v: number) => boolean): Goal => {
    const v = get(id);
    const bound = boundOf(id);
    // A lower bound on a "≤" goal that already exceeds it is a miss; any other bound stays undecided.
    const met = v === null ? null : bound === '≥' ? (ok(v) ? null : false) : ok(v);
    return { what, target, actual: `${bound ? `${bound} ` : ''}${fmt(v)}${unit}`, met };
  };
  return [
    g('Hookport on PostgreSQL / raw baseline (b/a)', '≥ 0.5', 'ratio.b/a', '', (v) => v >= 0.5),
    g(`Latency p50 at ${settings.rate} events/s, PostgreSQL`, '≤ 10 ms', 'd.p50', ' ms', (v) => v <= 10),
    g(`Latency p99 at ${settings.rate} events/s, PostgreSQL`, '≤ 50 ms', 'd.p99', ' ms', (v) => v <= 50),
    g('Isolation: healthy throughput, half dead / all healthy', '≥ 0.9', 'e.ratio', '', (v) => v >= 0.9),
    g('Worker peak RSS', '≤ 200 MB', 'f.rss', ' MB', (v) => v <= 200),
    g('PGlite throughput', '≥ 1,000 deliveries/s', 'c', ' deliveries/s', (v) => v >= 1000),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')).join('\n');
}

function markdownResults(m: ReturnType<typeof machine>, pgVersion: string, pgliteVersion: string, seconds: number) {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const lines = [
    `Run of ${date}, ${fmt(seconds, 0)} s, commit \`${m.commit}\`${m.dirty ? ' plus uncommitted changes' : ''}.`,
    '',
    '**Machine**',
    '',
    `- CPU: ${m.cpu}, \`nproc\` = ${m.nproc}`,
    `- Kernel: ${m.kernel}`,
    `- Node.js ${m.node}`,
    `- PostgreSQL: ${pgVersion} (local server on 127.0.0.1, its configuration untouched)`,
    `- PGlite: ${pgliteVersion} (in memory, inside the bench process)`,
    '- `free -h`:',
    '',
    '```',
    m.free,
    '```',
    '',
    '**Command**',
    '',
    '```',
    `${quick ? 'BENCH_QUICK=1 ' : ''}${serverEntry ? `BENCH_SERVER=${serverEntry} ` : ''}pnpm bench`,
    '```',
    '',
    `Settings: ${settings.events} events × ${settings.endpoints} endpoints per throughput run, after ` +
      `${settings.warmEvents} warm-up events; ${settings.publishConcurrency} concurrent publish requests; ` +
      `HOOKPORT_WORKER_CONCURRENCY=${settings.workerConcurrency}, ` +
      `HOOKPORT_ENDPOINT_CONCURRENCY=${settings.endpointConcurrency}, ` +
      `HOOKPORT_DELIVERY_TIMEOUT_MS=${settings.deliveryTimeoutMs}; baseline ${settings.baselineRequests} ` +
      `requests at concurrency ${settings.workerConcurrency}; latency at ${settings.rate} events/s for ${settings.rateSeconds} s; ` +
      `the separate worker (f) over ${settings.workerEvents} events × ${settings.endpoints} endpoints.`,
    '',
    '**Figures**',
    '',
    '| | Measure | Value | Notes |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.id} | ${r.what} | ${shown(r)} | ${r.note.replaceAll('|', '\\|')} |`),
    '',
    '**Goals (issue 3)**',
    '',
    '| Goal | Target | Measured | Met |',
    '|---|---|---|---|',
    ...goals().map(
      (g) => `| ${g.what} | ${g.target} | ${g.actual} | ${g.met === null ? 'n/a' : g.met ? 'yes' : '**no**'} |`,
    ),
  ];
  return lines.join('\n');
}

const startMarker = '<!-- bench:results:start -->';
const endMarker = '<!-- bench:results:end -->';

function writeDocs(block: string) {
  const file = `${root}docs/benchmarks.md`;
  const wrapped = `${startMarker}\n${block}\n${endMarker}`;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const a = text.indexOf(startMarker);
    const z = text.indexOf(endMarker);
    if (a >= 0 && z > a) {
      writeFileSync(file, `${text.slice(0, a)}${wrapped}${text.slice(z + endMarker.length)}`);
      return;
    }
  }
  writeFileSync(
    file,
    `# Benchmarks\n\nProduced by \`pnpm bench\` (test/bench/run.ts); the block below is rewritten by each run.\n\n${wrapped}\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// Main

let dbCreated = false;

async function cleanup() {
  if (workerChild?.pid && workerChild.exitCode === null) workerChild.kill('SIGKILL');
  if (rx) await Promise.race([rx.release().catch(() => 0), sleep(2000)]);
  for (const b of [...openInstances]) await b.close().catch(() => {});
  rx?.exit();
  if (dbCreated) {
    const admin = openPostgres({ url: settings.pgAdminUrl, schema: 'public', max: 1 });
    try {
      await admin.query(`drop database if exists "${dbName}" with (force)`);
      dbCreated = false;
    } catch (err) {
      log(`could not drop database ${dbName}: ${(err as Error).message}`);
    } finally {
      await admin.close();
    }
  }
}

async function main() {
  const m = machine();
  log(`${m.cpu}, ${m.nproc} CPUs, Node ${m.node}; deadline ${settings.deadlineMs / 1000} s${quick ? ' (quick)' : ''}`);
  if (serverEntry) log(`measuring the server at ${serverEntry}, not the workspace's`);
  const admin = openPostgres({ url: settings.pgAdminUrl, schema: 'public', max: 1 });
  let pgVersion = 'n/a';
  try {
    const [v] = await admin.query<{ version: string }>('select version()');
    pgVersion = v?.version.replace(/ on .*$/, '') ?? 'n/a';
    await admin.query(`create database "${dbName}"`);
    dbCreated = true;
  } finally {
    await admin.close();
  }

  const receiver = new ReceiverProcess();
  rx = receiver;
  const n = settings.endpoints;
  const okPorts = await receiver.open('ok', n);
  const hangPorts = await receiver.open('hang', 3 * n);
  const latencyPorts = await receiver.open('ok', settings.latencyEndpoints);

  // (a) baseline
  if (want('a')) {
    log('(a) raw baseline');
    await baseline(receiver, 'a', okPorts);
  }

  // (b) PostgreSQL, and (e) isolation: the same healthy endpoints and events as (b), plus as many
  // endpoints that never answer (half of all), so e/b is what the dead endpoints cost the healthy ones.
  // They alternate, round by round, and e.ratio is the median of each round's e/b: the machine's other
  // load moves both runs of a round alike.
  const isolation = async (id: string, healthy: number, dead: number, timeoutMs: number, events: number) => {
    const b = await startHookport(benchEnv('postgres', `bench_${id.replace(/\W/g, '_')}`));
    try {
      const secrets = await b.endpoints(okPorts.slice(0, healthy));
      return await throughput(receiver, b, id, healthy, secrets, {
        events,
        timeoutMs,
        // The dead endpoints join after the warm-up, which only the healthy ones take part in.
        beforeMeasure: async () => {
          await b.endpoints(hangPorts.slice(0, dead));
        },
      });
    } finally {
      // Let go of held requests so in-flight attempts end (connection error) and shutdown is quick.
      await receiver.release();
      await b.close();
    }
  };
  const bRuns: ThroughputOutcome[] = [];
  const eRuns: ThroughputOutcome[] = [];
  for (let r = 1; r <= settings.repeats && (want('b') || want('e')); r++) {
    if (want('b')) {
      log(`(b) Hookport on PostgreSQL, run ${r} of ${settings.repeats}`);
      const b = await startHookport(benchEnv('postgres', `bench_pg_${r}`));
      try {
        const secrets = await b.endpoints(okPorts);
        const o = await throughput(receiver, b, `b-${r}`, n, secrets);
        bRuns.push(o);
        log(`b run ${r}: ${fmt(o.rate)} deliveries/s`);
      } finally {
        await b.close();
      }
    }
    if (want('e')) {
      log(`(e) isolation: ${n} healthy + ${n} dead endpoints, run ${r} of ${settings.repeats}`);
      const o = await isolation(`e-${r}`, n, n, settings.phaseTimeoutMs, settings.events);
      eRuns.push(o);
      log(`e run ${r}: ${fmt(o.rate)} deliveries/s`);
    }
  }
  const bMedian = medianRun(bRuns);
  if (bMedian) {
    record('b', 'Hookport end to end, PostgreSQL', bMedian.rate, 'deliveries/s', runsNote(bRuns, bMedian));
    record(
      'b.publish',
      'publish API rate during (b)',
      (settings.events / bMedian.publishMs) * 1000,
      'events/s',
      `${settings.publishConcurrency} concurrent POST /v1/events, ${n} deliveries each, while the worker runs`,
    );
  }
  const bRate = get('b');
  const eMedian = medianRun(eRuns);
  if (eMedian) {
    record(
      'e',
      `healthy throughput, ${n} healthy + ${n} dead endpoints`,
      eMedian.rate,
      'deliveries/s',
      runsNote(eRuns, eMedian, `${eMedian.report.hung} requests held open by the dead endpoints`),
    );
    if (bRuns.length === eRuns.length) {
      const ratios = eRuns.map((e, i) => e.rate / (bRuns[i] as ThroughputOutcome).rate);
      record(
        'e.ratio',
        'isolation ratio e/b (b: the same healthy endpoints alone)',
        medianOf(ratios),
        '',
        ratios.length > 1 ? `median of the rounds' ratios (${ratios.map((x) => fmt(x, 2)).join(', ')})` : '',
      );
    }
  }

  // (c) PGlite
  let pgliteVersion = 'n/a';
  const cRuns: ThroughputOutcome[] = [];
  for (let r = 1; r <= settings.repeats && want('c'); r++) {
    log(`(c) Hookport on PGlite, run ${r} of ${settings.repeats}`);
    const b = await startHookport(benchEnv('pglite', 'hookport'));
    try {
      const [v] = await b.hp.db.query<{ version: string }>('select version()');
      pgliteVersion = v?.version.replace(/ on .*$/, '') ?? 'n/a';
      const secrets = await b.endpoints(okPorts);
      const o = await throughput(receiver, b, `c-${r}`, n, secrets);
      cRuns.push(o);
      log(`c run ${r}: ${fmt(o.rate)} deliveries/s`);
    } finally {
      await b.close();
    }
  }
  const cMedian = medianRun(cRuns);
  if (cMedian) {
    record('c', 'Hookport end to end, PGlite (in memory)', cMedian.rate, 'deliveries/s', runsNote(cRuns, cMedian));
    record('c.publish', 'publish API rate during (c)', (settings.events / cMedian.publishMs) * 1000, 'events/s');
  }

  // (q) the queue's own ceiling
  if (want('q')) {
    log('(q) pg-boss alone, PostgreSQL and PGlite');
    await queueAlone('q', 'postgres');
    await queueAlone('q.pglite', 'pglite');
  }

  // (d) latency
  if (want('d')) {
    log(`(d) latency at ${settings.rate} events/s for ${settings.rateSeconds} s`);
    await latency(receiver, latencyPorts);
  }

  if (!settings.skipStress && want('e')) {
    // Stress: three dead endpoints per healthy one, holding more requests open than the worker has
    // slots (dead × per-endpoint cap > worker concurrency).
    const dead = 3 * n;
    log(`(e.stress) ${n} healthy + ${dead} dead endpoints`);
    const o = await isolation('e.stress', n, dead, settings.stressTimeoutMs, Math.ceil(settings.events / 2));
    record(
      'e.stress',
      `healthy throughput, ${n} healthy + ${dead} dead endpoints`,
      o.rate,
      'deliveries/s',
      throughputNote(
        o,
        `${o.report.hung} requests held open; ${dead} dead × ${settings.endpointConcurrency} per endpoint = ` +
          `${dead * settings.endpointConcurrency} against ${settings.workerConcurrency} worker slots`,
      ),
    );
    if (bRate) record('e.stress.ratio', 'stress ratio e.stress/b', o.rate / bRate, '');
  }

  // (f) the worker as a separate process
  if (want('f')) {
    log('(f) worker as a separate process');
    await workerProcess(receiver, okPorts);
  }

  // (a) again, to see whether the machine drifted during the run
  if (want('a')) {
    log('(a2) raw baseline again');
    await baseline(receiver, 'a2', okPorts);
  }

  // The ratios divide by the faster of the two baselines: a baseline taken in a slow moment of the
  // machine would flatter them.
  const baselines = [get('a'), get('a2')].filter((x): x is number => x !== null);
  const fastest = baselines.length > 0 ? Math.max(...baselines) : null;
  const ratio = (id: string, what: string, of: string) => {
    const v = get(of);
    if (fastest !== null && v !== null) record(id, what, v / fastest, '', 'over the faster of a and a2');
  };
  ratio('ratio.b/a', 'ratio b/a', 'b');
  ratio('ratio.c/a', 'ratio c/a', 'c');
  ratio('ratio.q/a', 'ratio q/a: the most b/a can be with one pg-boss job per delivery', 'q');

  const self = procStatus('self');
  record(
    'self.rss',
    'bench process peak RSS (in-process Hookport runs, PGlite included)',
    self.hwm,
    'MB',
    'for reference only; the worker figure is f.rss',
  );

  const seconds = (Date.now() - started) / 1000;
  const rows = [['', 'Measure', 'Value', 'Notes'], ...results.map((r) => [r.id, r.what, shown(r), r.note])];
  process.stdout.write(`\n${table(rows)}\n\nGoals (issue 3):\n`);
  const goalRows = goals().map((g) => [g.what, g.target, g.actual, g.met === null ? 'n/a' : g.met ? 'yes' : 'NO']);
  process.stdout.write(`${table([['Goal', 'Target', 'Measured', 'Met'], ...goalRows])}\n`);
  process.stdout.write(`\nTotal ${fmt(seconds, 0)} s.\n`);
  // A patched copy's figures are not the workspace's: they go to the terminal only.
  if (process.env.BENCH_NO_DOCS !== '1' && !serverEntry && settings.only === null && !quick) {
    writeDocs(markdownResults(m, pgVersion, pgliteVersion, seconds));
    process.stdout.write('docs/benchmarks.md updated.\n');
  }
}

const deadline = setTimeout(() => {
  log(`deadline of ${settings.deadlineMs / 1000} s reached; stopping`);
  void cleanup().finally(() => process.exit(2));
}, settings.deadlineMs);

process.once('SIGINT', () => {
  log('interrupted');
  void cleanup().finally(() => process.exit(130));
});

main()
  .then(async () => {
    clearTimeout(deadline);
    await cleanup();
    process.exit(0);
  })
  .catch(async (err: unknown) => {
    clearTimeout(deadline);
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanup();
    process.exit(1);
  });
