import type { TenantFixture, TestHookport } from './harness.ts';
import { uuidOf } from './ids.ts';
import {
  halfStored,
  type PublishOutcome,
  publishOverHttp,
  type Receivers,
  randomMs,
  sleep,
  startReceivers,
  unrecordedReceipts,
} from './soak-load.ts';
import { until } from './until.ts';
import { type ApiProcess, startApiProcess, startWorkerProcess, type WorkerProcess } from './worker-process.ts';

/*
 * The crash and shutdown scenarios of issue 6, sized by their callers: the CI
 * variant (test/src/crash.load.pg.test.ts) and the long one
 * (test/soak/crash.soak.test.ts). Each runs real OS processes on one
 * PostgreSQL schema and returns what it measured; the callers assert.
 */

export interface Kill {
  /** ms since the scenario started. */
  atMs: number;
  /** Requests the receivers held open (body read, not answered) at the kill. */
  open: number;
  /** Pairs received but not recorded as succeeded right after the kill (any worker's, earlier kills' too). */
  unrecorded: number;
  /**
   * Of those, the ones received anew since the previous kill: the most this kill can duplicate. A
   * receipt orphaned by a death is unrecorded at the first kill after it arrived, so it is counted there
   * once; each duplicate needs an orphaned receipt, so duplicates ≤ the sum over the kills.
   */
  inFlight: number;
  /** Distinct (endpoint, event) pairs received before the kill. */
  delivered: number;
}

export interface Statuses {
  /** Deliveries by status. */
  byStatus: Record<string, number>;
  total: number;
}

async function deliveryStatuses(t: TestHookport): Promise<Statuses> {
  const rows = await t.hp.db.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from deliveries group by status',
  );
  return {
    byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
    total: rows.reduce((n, r) => n + r.n, 0),
  };
}

/** Waits until every delivery of the schema is recorded as succeeded (or fails with what is left). */
async function waitAllSucceeded(t: TestHookport, receivers: Receivers, timeoutMs: number): Promise<Statuses> {
  try {
    return await until(
      'every delivery to succeed',
      async () => {
        const s = await deliveryStatuses(t);
        return s.total > 0 && s.byStatus.succeeded === s.total ? s : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } catch (err) {
    const s = await deliveryStatuses(t);
    throw new Error(`${(err as Error).message}: ${JSON.stringify(s.byStatus)}, ${receivers.distinct()} received`, {
      cause: err,
    });
  }
}

/** (endpoint, event) pairs of the database that no receiver got. */
async function undelivered(t: TestHookport, receivers: Receivers): Promise<number> {
  const rows = await t.hp.db.query<{ event_id: string; endpoint_id: string }>(
    'select event_id, endpoint_id from deliveries',
  );
  return rows.filter((r) => !receivers.has(r.endpoint_id, r.event_id)).length;
}

export interface WorkerCrashPlan {
  events: number;
  endpoints: number;
  workers: number;
  kills: number;
  /** Random pause before each kill. */
  killEveryMs: [number, number];
  /** Receivers answer after a random delay below this. */
  maxAnswerMs: number;
  publishConcurrency: number;
  /** Bound on the wait for the last deliveries after the last kill. */
  drainTimeoutMs: number;
}

export interface WorkerCrashResult {
  events: number;
  accepted: number;
  endpoints: number;
  expected: number;
  kills: Kill[];
  inFlightSum: number;
  distinct: number;
  duplicates: number;
  statuses: Statuses;
  undelivered: number;
  half: { eventsWithoutDeliveries: number; deliveriesWithoutJobs: number };
  publishMs: number;
  totalMs: number;
  /** The last kill, ms before every delivery was received. */
  recoveredMs: number;
}

/**
 * Events published through an API process to many endpoints while worker
 * processes are SIGKILLed one at a time, at random moments, and restarted.
 */
export async function runWorkerCrashes(
  t: TestHookport,
  tenant: TenantFixture,
  plan: WorkerCrashPlan,
  cleanup: { receivers?: Receivers },
): Promise<WorkerCrashResult> {
  const receivers = await startReceivers(t, tenant, { count: plan.endpoints, maxDelayMs: plan.maxAnswerMs });
  cleanup.receivers = receivers;
  const api = await startApiProcess(t);
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < plan.workers; i++) workers.push(await startWorkerProcess(t));
  const started = Date.now();
  const publisher = publishOverHttp(async () => api.url, tenant.token, {
    total: plan.events,
    concurrency: plan.publishConcurrency,
  });
  let publishMs = 0;
  void publisher.done.then(() => {
    publishMs = Date.now() - started;
  });

  const kills: Kill[] = [];
  let previous = new Map<string, number>();
  while (kills.length < plan.kills) {
    await sleep(randomMs(...plan.killEveryMs));
    // A random moment with requests on the wire, if one comes within a few seconds: a kill between two
    // deliveries proves less. (After a kill, the dead worker's jobs hold their endpoints' slots until its
    // missed heartbeat gives them back, so there can be a pause with nothing on the wire.)
    await until('requests on the wire', async () => (receivers.open() > 0 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 5,
    }).catch(() => undefined);
    const slot = Math.floor(Math.random() * workers.length);
    const victim = workers[slot];
    if (!victim) throw new Error('no worker in that slot');
    const open = receivers.open();
    const atMs = victim.signal('SIGKILL') - started;
    await victim.exited;
    // A request it finished sending just before it died may still sit unread in a receiver's socket.
    await sleep(100);
    // Dead: nothing it claimed can be recorded any more, so what is received and unrecorded now is the most
    // its death can duplicate.
    const unrecorded = await unrecordedReceipts(t, receivers);
    const fresh = [...unrecorded].filter(([pair, n]) => n > (previous.get(pair) ?? 0)).length;
    previous = unrecorded;
    kills.push({ atMs, open, unrecorded: unrecorded.size, inFlight: fresh, delivered: receivers.distinct() });
    workers[slot] = await startWorkerProcess(t);
  }
  const lastKillAt = started + (kills.at(-1)?.atMs ?? 0);
  await publisher.done;
  const accepted = publisher.accepted().length;
  const statuses = await waitAllSucceeded(t, receivers, plan.drainTimeoutMs);
  // The receivers may still be reading the last requests the database already records.
  await until('the receivers to have every pair', async () =>
    receivers.distinct() >= statuses.total ? true : undefined,
  );
  const recoveredMs = Date.now() - lastKillAt;
  api.signal('SIGKILL');
  return {
    events: plan.events,
    accepted,
    endpoints: plan.endpoints,
    expected: accepted * plan.endpoints,
    kills,
    inFlightSum: kills.reduce((n, k) => n + k.inFlight, 0),
    distinct: receivers.distinct(),
    duplicates: receivers.duplicates(),
    statuses,
    undelivered: await undelivered(t, receivers),
    half: await halfStored(t),
    publishMs,
    totalMs: Date.now() - started,
    recoveredMs,
  };
}

export interface ApiCrashPlan {
  endpoints: number;
  kills: number;
  killEveryMs: [number, number];
  maxAnswerMs: number;
  publishConcurrency: number;
  drainTimeoutMs: number;
}

export interface ApiCrashResult {
  endpoints: number;
  kills: number;
  /** Publish requests sent, and how they ended. */
  requests: number;
  accepted: number;
  serverErrors: number;
  noAnswer: number;
  /** Requests without a 202 whose event was nonetheless stored (whole): allowed. */
  storedWithoutAnswer: number;
  /** Accepted events missing from the database, or not at every endpoint. */
  acceptedLost: number;
  /** Events stored for an unanswered request that are not whole (wrong delivery count, missing rows). */
  partial: number;
  statuses: Statuses;
  undelivered: number;
  half: { eventsWithoutDeliveries: number; deliveriesWithoutJobs: number };
  duplicates: number;
  totalMs: number;
}

/**
 * Events published through an API process that is SIGKILLed at random
 * moments while requests are under way, and restarted; one worker process
 * delivers throughout.
 */
export async function runApiCrashes(
  t: TestHookport,
  tenant: TenantFixture,
  plan: ApiCrashPlan,
  cleanup: { receivers?: Receivers },
): Promise<ApiCrashResult> {
  const receivers = await startReceivers(t, tenant, { count: plan.endpoints, maxDelayMs: plan.maxAnswerMs });
  cleanup.receivers = receivers;
  await startWorkerProcess(t);
  let api: Promise<ApiProcess> = startApiProcess(t);
  const started = Date.now();
  const publisher = publishOverHttp(async () => (await api).url, tenant.token, {
    concurrency: plan.publishConcurrency,
  });
  for (let k = 0; k < plan.kills; k++) {
    const current = await api;
    await sleep(randomMs(...plan.killEveryMs));
    current.signal('SIGKILL');
    await current.exited;
    api = startApiProcess(t);
  }
  // One more stretch of publishing on the last API, then stop.
  await api;
  await sleep(plan.killEveryMs[0]);
  await publisher.stop();
  (await api).signal('SIGKILL');

  const statuses = await waitAllSucceeded(t, receivers, plan.drainTimeoutMs);
  await until('the receivers to have every pair', async () =>
    receivers.distinct() >= statuses.total ? true : undefined,
  );
  const rows = await t.hp.db.query<{ id: string; key: string; delivery_count: number; n: number }>(
    `select e.id, e.data->>'key' as key, e.delivery_count,
       (select count(*)::int from deliveries d where d.event_id = e.id) as n
     from events e`,
  );
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const whole = (r: { id: string; delivery_count: number; n: number }) =>
    r.delivery_count === plan.endpoints &&
    r.n === plan.endpoints &&
    receivers.endpoints.every((e) => receivers.has(e.endpointUuid, r.id));
  const outcomes: PublishOutcome[] = publisher.outcomes;
  let acceptedLost = 0;
  let storedWithoutAnswer = 0;
  let partial = 0;
  for (const o of outcomes) {
    const row = byKey.get(o.key);
    if (o.kind === 'accepted') {
      if (!row || row.id !== uuidOf(o.eventId) || !whole(row)) acceptedLost++;
    } else if (row) {
      storedWithoutAnswer++;
      if (!whole(row)) partial++;
    }
  }
  return {
    endpoints: plan.endpoints,
    kills: plan.kills,
    requests: outcomes.length,
    accepted: outcomes.filter((o) => o.kind === 'accepted').length,
    serverErrors: outcomes.filter((o) => o.kind === 'server_error').length,
    noAnswer: outcomes.filter((o) => o.kind === 'no_answer').length,
    storedWithoutAnswer,
    acceptedLost,
    partial,
    statuses,
    undelivered: await undelivered(t, receivers),
    half: await halfStored(t),
    duplicates: receivers.duplicates(),
    totalMs: Date.now() - started,
  };
}

export interface ShutdownPlan {
  endpoints: number;
  rounds: number;
  shutdownSeconds: number;
  /** Receivers answer after a random delay below this: some attempts outlast the shutdown bound. */
  maxAnswerMs: number;
  /** Load before each SIGTERM, and after it before the restart. */
  loadMs: number;
  publishConcurrency: number;
  paceMs: number;
  drainTimeoutMs: number;
}

export interface ShutdownRound {
  /** Requests open at the receivers when the signal went. */
  open: number;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  exitMs: number;
  /** Requests abandoned by the stopping worker (handed back to the queue). */
  abandoned: number;
  /** Attempts the worker said it handed back (from its log): the most that can arrive twice. */
  handedBack: number;
}

/**
 * The attempts a stopping worker handed back, from its warnings (pino JSON: `"jobs":N … will be
 * retried`), one per delivery lane's dispatcher that had attempts in flight.
 */
function handedBackIn(output: string): number {
  return output
    .split('\n')
    .filter((l) => l.includes('they will be retried'))
    .reduce((n, l) => n + Number(/"jobs":(\d+)/.exec(l)?.[1] ?? 0), 0);
}

export interface ShutdownResult {
  rounds: ShutdownRound[];
  accepted: number;
  endpoints: number;
  statuses: Statuses;
  undelivered: number;
  duplicates: number;
  abandoned: number;
  handedBack: number;
  totalMs: number;
}

/**
 * A steady publishing load while the worker processes are told, one after the
 * other, to stop with SIGTERM; each is restarted after a stretch of load.
 */
export async function runShutdowns(
  t: TestHookport,
  tenant: TenantFixture,
  plan: ShutdownPlan,
  cleanup: { receivers?: Receivers },
): Promise<ShutdownResult> {
  const receivers = await startReceivers(t, tenant, { count: plan.endpoints, maxDelayMs: plan.maxAnswerMs });
  cleanup.receivers = receivers;
  const env = { HOOKPORT_SHUTDOWN_SECONDS: String(plan.shutdownSeconds) };
  const api = await startApiProcess(t);
  const workers = [await startWorkerProcess(t, env), await startWorkerProcess(t, env)];
  const started = Date.now();
  const publisher = publishOverHttp(async () => api.url, tenant.token, {
    concurrency: plan.publishConcurrency,
    paceMs: plan.paceMs,
  });
  const rounds: ShutdownRound[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    await sleep(plan.loadMs);
    const slot = r % workers.length;
    const worker = workers[slot];
    if (!worker) throw new Error('no worker in that slot');
    const open = receivers.open();
    const abandonedBefore = receivers.abandoned();
    const termAt = worker.signal('SIGTERM');
    const exit = await until('the worker to exit', async () => worker.exit, {
      timeoutMs: (plan.shutdownSeconds + 10) * 1000,
    });
    // Its sockets are closed once it exited; the receivers see them close within a moment.
    await sleep(200);
    rounds.push({
      open,
      exitCode: exit.code,
      exitSignal: exit.signal,
      exitMs: exit.at - termAt,
      abandoned: receivers.abandoned() - abandonedBefore,
      handedBack: handedBackIn(worker.output.join('')),
    });
    await sleep(plan.loadMs);
    workers[slot] = await startWorkerProcess(t, env);
  }
  await publisher.stop();
  api.signal('SIGKILL');
  const statuses = await waitAllSucceeded(t, receivers, plan.drainTimeoutMs);
  await until('the receivers to have every pair', async () =>
    receivers.distinct() >= statuses.total ? true : undefined,
  );
  return {
    rounds,
    accepted: publisher.accepted().length,
    endpoints: plan.endpoints,
    statuses,
    undelivered: await undelivered(t, receivers),
    duplicates: receivers.duplicates(),
    abandoned: receivers.abandoned(),
    handedBack: rounds.reduce((n, round) => n + round.handedBack, 0),
    totalMs: Date.now() - started,
  };
}
