import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Fanout } from './fanout.ts';
import { type Api, type ApiResponse, type TenantFixture, type TestHookport, vendorApi } from './harness.ts';
import { until } from './until.ts';
import type { WorkerProcess } from './worker-process.ts';

/**
 * Load and probes for the database outage tests: a publisher that keeps
 * publishing through the API while the database goes away and comes back,
 * and a prober that asks every kind of question the outage must answer well.
 */

/** What the publisher saw: every answer is a 202 (kept) or a 503 problem (counted), nothing else. */
export interface PublishStats {
  accepted: number;
  /** When each accepted event was answered (Date.now()), by event id. */
  acceptedAt: Map<string, number>;
  unavailable: number;
  /** Anything else: another status, a 503 not shaped as a problem, a contract violation, a thrown request. */
  wrong: string[];
  /** The longest a single publish took, in ms (a hang shows here, and as a test timeout). */
  slowestMs: number;
}

export interface Publisher {
  stats: PublishStats;
  /** Stops publishing and waits for the requests in flight. */
  stop(): Promise<PublishStats>;
}

/**
 * `concurrency` loops each publishing `ticket.created` as fast as the API
 * answers (with `pauseMs` between requests). Every 202's event id goes into
 * the fanout's list, so `fan.missing()` covers exactly what was accepted.
 */
export function startPublisher(
  t: TestHookport,
  tenant: TenantFixture,
  fan: Fanout,
  { concurrency, pauseMs, maxBacklog }: { concurrency: number; pauseMs: number; maxBacklog: number },
): Publisher {
  const stats: PublishStats = { accepted: 0, acceptedAt: new Map(), unavailable: 0, wrong: [], slowestMs: 0 };
  let running = true;
  let seq = 0;
  const one = async () => {
    const started = Date.now();
    try {
      const res = await t.api.post<{ id: string; deliveryCount: number }>('/v1/events', {
        token: tenant.token,
        json: { type: 'ticket.created', data: { seq: seq++ } },
      });
      if (res.status === 202 && res.body.deliveryCount === fan.endpoints.length) {
        fan.eventIds.push(res.body.id);
        stats.acceptedAt.set(res.body.id, Date.now());
        stats.accepted++;
      } else if (isUnavailableProblem(res)) {
        stats.unavailable++;
      } else {
        stats.wrong.push(`${res.status} ${res.text.slice(0, 300)}`);
      }
    } catch (err) {
      stats.wrong.push(`threw: ${err instanceof Error ? err.message : String(err)}`);
    }
    stats.slowestMs = Math.max(stats.slowestMs, Date.now() - started);
  };
  const loop = async () => {
    while (running) {
      // Publish no faster than the worker delivers: a growing backlog would hide when delivery resumed.
      if (fan.expected() - fan.delivered() > maxBacklog) {
        await sleep(20);
        continue;
      }
      await one();
      // A refused request comes back in well under a millisecond: without a pause the loop would spin.
      await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

/** A native 503: RFC 9457 problem+json with the `unavailable` code and a Retry-After. */
export function isUnavailableProblem(res: ApiResponse): boolean {
  const body = res.body as { code?: unknown; status?: unknown } | undefined;
  return (
    res.status === 503 &&
    /^application\/problem\+json/.test(res.headers.get('content-type') ?? '') &&
    body?.code === 'unavailable' &&
    body.status === 503 &&
    res.headers.get('retry-after') !== null
  );
}

/** A Spedy 503: NestJS's `{statusCode, message, error}`, not a problem document. */
export function isSpedyUnavailable(res: ApiResponse): boolean {
  const body = res.body as { statusCode?: unknown; error?: unknown; code?: unknown } | undefined;
  return (
    res.status === 503 &&
    body?.statusCode === 503 &&
    body.error === 'Service Unavailable' &&
    body.code === undefined &&
    res.headers.get('retry-after') !== null
  );
}

/** One look at the service while the database may be down. Each answer is checked against its own document. */
export interface Probe {
  health: number;
  ready: ApiResponse;
  native: ApiResponse;
  vendor: ApiResponse;
}

export interface Prober {
  probe(): Promise<Probe>;
  /** GET /ready: 200 or a 503 problem. */
  ready(): Promise<ApiResponse>;
}

/** Polls /ready until it answers 200; returns when (Date.now()). */
async function readyAgain(prober: Prober, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while ((await prober.ready()).status !== 200) {
    if (Date.now() > deadline) throw new Error(`/ready not 200 ${timeoutMs} ms after the database was back`);
    await sleep(20);
  }
  return Date.now();
}

export function createProber(t: TestHookport, tenant: TenantFixture): Prober {
  const spedy: Api = vendorApi(t, 'spedy');
  return {
    async probe() {
      const [health, ready, native, vendor] = await Promise.all([
        t.api.get('/health'),
        t.api.get('/ready'),
        t.api.get('/v1/events?limit=1', { token: tenant.token }),
        spedy.get('/api/v1/webhook-endpoints', { token: tenant.token }),
      ]);
      return { health: health.status, ready, native, vendor };
    },
    ready: () => t.api.get('/ready'),
  };
}

/** Which of the outage answers a probe shows: all four must hold while the database is down. */
export function outageAnswers(p: Probe) {
  return {
    healthUp: p.health === 200,
    readyDown: isUnavailableProblem(p.ready),
    native503: isUnavailableProblem(p.native),
    vendor503: isSpedyUnavailable(p.vendor),
  };
}

/** Waits until `probe` returns true, polling every `intervalMs`; returns when (Date.now()) it first did. */
export async function firstTime(
  what: string,
  probe: () => boolean,
  timeoutMs: number,
  intervalMs = 20,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
  return Date.now();
}

/** What one outage looked like from outside. */
export interface OutageRecord {
  kind: string;
  /** How long the cause took (restart, stop + wait + start, termination). */
  causeMs: number;
  probes: number;
  /** Probes that showed the full outage picture: /health 200, /ready 503, native and vendor 503 in their shapes. */
  outageProbes: number;
  /** Single answers that were 503s of the right shape (ready, native, vendor). */
  answered503: number;
  /** Probe answers that were neither healthy nor a well-shaped 503 (must stay empty). */
  wrong: string[];
  /** From the database being back to the first /ready 200 of the API. */
  apiResumeMs: number;
  /** From the database being back to every endpoint having received a delivery (the worker working again). */
  workerResumeMs: number;
}

/**
 * Runs one outage (`cause`) while the publisher keeps publishing and a
 * prober asks every 25 ms; then measures how long the API and the worker
 * took to work again on their own.
 */
export async function rideOutage(
  kind: string,
  prober: Prober,
  fan: Fanout,
  cause: (probes: readonly Probe[]) => Promise<void>,
  { resumeTimeoutMs = 60_000 }: { resumeTimeoutMs?: number } = {},
): Promise<OutageRecord> {
  const probes: Probe[] = [];
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      probes.push(await prober.probe());
      await sleep(25);
    }
  })();
  const started = Date.now();
  try {
    await cause(probes);
  } finally {
    probing = false;
    await probeLoop;
  }
  const upAt = Date.now();
  const apiAt = await readyAgain(prober, resumeTimeoutMs);
  // Every endpoint, not just one: jobs left claimed by the outage would hold their endpoint's slots.
  const workerAt = await firstTime(
    `every endpoint to get a delivery after ${kind} (${fan.expected() - fan.delivered()} of ${fan.expected()} not delivered yet)`,
    () => fan.endpoints.every((e) => e.receiver.received.some((r) => r.at >= upAt)),
    resumeTimeoutMs,
  );
  const record: OutageRecord = {
    kind,
    causeMs: upAt - started,
    probes: probes.length,
    outageProbes: 0,
    answered503: 0,
    wrong: [],
    apiResumeMs: apiAt - upAt,
    workerResumeMs: workerAt - upAt,
  };
  for (const p of probes) {
    const a = outageAnswers(p);
    if (a.healthUp && a.readyDown && a.native503 && a.vendor503) record.outageProbes++;
    record.answered503 += [a.readyDown, a.native503, a.vendor503].filter(Boolean).length;
    if (!a.healthUp) record.wrong.push(`/health ${p.health}`);
    if (!a.readyDown && p.ready.status !== 200) record.wrong.push(`/ready ${p.ready.status} ${p.ready.text}`);
    if (!a.native503 && p.native.status !== 200) record.wrong.push(`native ${p.native.status} ${p.native.text}`);
    if (!a.vendor503 && p.vendor.status !== 200) record.wrong.push(`spedy ${p.vendor.status} ${p.vendor.text}`);
  }
  return record;
}

/** One line of figures for the test output and docs/reliability/outage.md. */
export function outageLine(r: OutageRecord): string {
  return (
    `${r.kind}: the cause took ${r.causeMs} ms, ${r.probes} probes (${r.outageProbes} showing the whole outage), ` +
    `${r.answered503} × 503 to probes; API back ${r.apiResumeMs} ms, worker delivering ${r.workerResumeMs} ms after`
  );
}

/**
 * What must hold after the outages, once the publisher stopped: every answer was a 202 or a well-shaped
 * 503, none hung, the worker process never died and resumed each time by itself, every accepted event
 * reached every endpoint, and nothing is half-stored.
 */
export async function expectNothingLost(
  t: TestHookport,
  fan: Fanout,
  worker: WorkerProcess,
  stats: PublishStats,
  records: readonly OutageRecord[],
): Promise<void> {
  try {
    await fan.waitForAll(120_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nworker output:\n${worker.output.join('').slice(-4000)}`);
  }
  expect(stats.wrong).toEqual([]);
  expect(records.flatMap((r) => r.wrong)).toEqual([]);
  // Not speed figures: bounds that tell an answer from a hang (postgres.js once held requests for up to
  // 30 s while the database was down) and a worker that resumed by itself from one whose claimed jobs
  // held their endpoints until their heartbeat lapsed (10 s and more).
  expect(stats.slowestMs).toBeLessThan(10_000);
  expect(Math.max(...records.map((r) => r.workerResumeMs))).toBeLessThan(8_000);
  expect(fan.missing()).toEqual([]);
  // The worker rode every outage out: it never exited, and nobody restarted it.
  expect(worker.exit, worker.output.join('').slice(-4000)).toBeUndefined();
  // A delivery whose receipt came before an outage cut off the write of its attempt is recorded when
  // pg-boss runs its job again, after the queue's retry backoff (1 s doubling per failure, at most 60 s,
  // queue.ts): a job that failed in several rounds waits longer than a few seconds, so the bound is that cap.
  const statuses = await until(
    'every delivery recorded',
    async () => {
      const rows = await t.hp.db.query<{ status: string }>('select distinct status from deliveries');
      return rows.length === 1 ? rows.map((r) => r.status) : undefined;
    },
    { timeoutMs: 60_000 },
  );
  expect(statuses).toEqual(['succeeded']);
  // Every stored event has its delivery to every endpoint: no event without its deliveries, whatever
  // its publish was answered (a 503 after a commit the connection did not report is stored whole).
  const [halfStored] = await t.hp.db.query<{ n: number }>(
    `select count(*)::int as n from events e
     where (select count(*) from deliveries d where d.event_id = e.id) <> $1`,
    [fan.endpoints.length],
  );
  expect(halfStored?.n).toBe(0);
}
