/**
 * The bench's knobs, read once from the environment (the list is in run.ts's head comment and in
 * docs/benchmarks.md). BENCH_QUICK=1 swaps every size for a small one (a smoke run); a knob that is
 * set wins over both.
 */
import { fileURLToPath } from 'node:url';
import { binNodeFlags } from '../src/support/bin-flags.ts';

export const quick = process.env.BENCH_QUICK === '1';

/**
 * BENCH_SERVER: the server entry to measure, default the workspace's @hookport/server. Point it at
 * a patched copy (its src/index.ts; the worker child then runs the cli.ts next to it) to compare a
 * change against the same machine and settings without touching the workspace.
 */
export const serverEntry = process.env.BENCH_SERVER;

const int = (name: string, dflt: number, quickValue: number) => {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : quick ? quickValue : dflt;
};

export const settings = {
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
  /** The latency run's second, lower offered rate (issue 21: p99 at 100 and at 200 events/s). */
  lowRate: int('BENCH_LOW_RATE', 100, 100),
  rateSeconds: int('BENCH_RATE_SECONDS', 10, 3),
  /** Endpoints in the latency run: each event goes to exactly one of them (one delivery per event). */
  latencyEndpoints: 4,
  /** Concurrent publishers of the ingest phase (p), each sending POST /v1/events one after the other. */
  publishers: int('BENCH_PUBLISHERS', 50, 50),
  /** How long each of (p)'s four runs publishes, after its warm-up. */
  ingestSeconds: int('BENCH_INGEST_SECONDS', 5, 2),
  /** Events of (p)'s warm-up, before each run (not measured). */
  ingestWarmEvents: int('BENCH_INGEST_WARM_EVENTS', 200, 100),
  /** Endpoints subscribed in (p)'s fan-out runs: every event is stored as this many deliveries. */
  fanOut: 10,
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
  /** BENCH_ONLY=a,b,f: run only these phases (a also covers a2; e covers its control and stress runs; d covers d100). */
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : null,
  /**
   * Node flags for the separate worker process of phase f: BENCH_WORKER_NODE_ARGS, or by default those
   * `server/bin/hookport.js` runs with (its `#!/usr/bin/env -S node …` line), so f measures the worker as shipped.
   */
  workerNodeArgs: process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? binNodeFlags(),
  pgAdminUrl: process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

export const want = (phase: string) => settings.only === null || settings.only.has(phase);

/** Only a full run of the workspace's own server rewrites docs/benchmarks.md: a patched copy's figures are not the workspace's. */
export const writesDocs = process.env.BENCH_NO_DOCS !== '1' && !serverEntry && settings.only === null && !quick;

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const tsxImport = import.meta.resolve('tsx');
