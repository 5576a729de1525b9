import { setTimeout as sleep } from 'node:timers/promises';
import { type AttemptErrorKind, boundedCache, type ProfileName } from '@hookport/spec';
import type { Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { SecretBox } from '../core/crypto.ts';
import { storeEvent } from '../core/events.ts';
import { newId, toTypeId } from '../core/ids.ts';
import type { Database, Queryable } from '../db/database.ts';
import { createBatcher } from './batch.ts';
import { type AttemptControl, createDispatcher } from './dispatcher.ts';
import type { ProfileRegistry } from './profiles.ts';
import { type DeliverJob, type JobSpec, type Lane, type LaneJob, laneOfQueue, type Queue } from './queue.ts';
import { parseRetryAfter, withJitter } from './schedule.ts';
import type { Sender, SendResult } from './sender.ts';

export interface WorkerOptions {
  /**
   * Parallel attempts in this process. Attempts past 1 s, or to an endpoint without a recent success, run
   * on an allowance of 3 × this on top (sockets held open are cheap; the slots of answering endpoints are not).
   */
  concurrency: number;
  /** In-flight attempts per endpoint across all processes, so one slow endpoint cannot take every slot. */
  endpointConcurrency: number;
  /** Disable an endpoint after this many deliveries failed in a row (0: never). */
  disableAfterFailedDeliveries: number;
  /** Disable an endpoint that has failed without a success for this long (0: never). */
  disableAfterFailingSeconds: number;
}

/**
 * The longest a worker holds a job for its rate-limit slot: long enough to
 * keep a backlog flowing at the limit, far shorter than the delivery timeout
 * a slow endpoint may hold a slot for. Later slots wait in the queue.
 */
const maxRateHoldSeconds = 1;

/**
 * An attempt unanswered for this long while its endpoint holds all its slots here marks the endpoint
 * saturated (slow lane, queue.ts); any attempt unanswered for slowAfterMs does too.
 */
const saturatedAfterMs = 250;
/** The dispatchers' slowAfterMs: past it an attempt no longer counts against the concurrency. */
const slowAfterMs = 1000;

/** A rate-limited request either goes after holding its reserved slot, or comes back from the queue later. */
type RateSlot = { holdSeconds: number } | { retryInSeconds: number };

export interface WorkerDeps {
  db: Database;
  queue: Queue;
  sender: Sender;
  profiles: ProfileRegistry;
  box: SecretBox;
  logger: Logger;
  options: WorkerOptions;
  /** Test seams; never set in production. */
  hooks?: WorkerHooks;
}

export interface WorkerHooks {
  /** Runs after a job's delivery was loaded and found to need parking, before the park's transaction. */
  beforePark?(deliveryId: string): Promise<void>;
}

interface AttemptContext {
  id: string;
  tenant_id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  data: Record<string, unknown>;
  event_created_at: Date;
  url: string;
  endpoint_status: string;
  profile: ProfileName;
  headers: Record<string, string>;
  rate_limit: number | null;
  metadata: Record<string, string>;
  secret_enc: string;
  previous_secret_enc: string | null;
  endpoint_failing: boolean;
  /** The endpoint is in the slow lane (queue.ts): its jobs go to that lane's queue. */
  slow_lane: boolean;
}

/** What one attempt's outcome does to the delivery. */
export interface Outcome {
  status: 'succeeded' | 'failed' | 'pending';
  /** Seconds until the next attempt, when status is pending. */
  retryInSeconds: number | null;
  /** Why the endpoint must be disabled now, if it must. */
  disable: string | null;
}

/**
 * Decides what an attempt's result means: success on 2xx; no retry for a
 * blocked address or a 410 (which also disables the endpoint); otherwise the
 * profile's schedule, or the receiver's Retry-After on 429/503 within a bound.
 */
export function decide(result: SendResult, attempt: number, schedule: readonly number[], now: Date): Outcome {
  if (result.ok) return { status: 'succeeded', retryInSeconds: null, disable: null };
  if (result.httpStatus === null && result.errorKind === 'egress_blocked') {
    return { status: 'failed', retryInSeconds: null, disable: null };
  }
  if (result.httpStatus === 410) return { status: 'failed', retryInSeconds: null, disable: 'gone' };
  const planned = schedule[attempt - 1];
  if (planned === undefined) return { status: 'failed', retryInSeconds: null, disable: null };
  const retryAfter =
    result.httpStatus === 429 || result.httpStatus === 503
      ? parseRetryAfter(headerValue(result.headers['retry-after']), now)
      : null;
  return { status: 'pending', retryInSeconds: retryAfter ?? withJitter(planned), disable: null };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function errorOf(result: SendResult): { kind: AttemptErrorKind | null; message: string | null } {
  if (result.httpStatus === null) return { kind: result.errorKind, message: result.errorMessage };
  if (result.ok) return { kind: null, message: null };
  const kind = result.httpStatus >= 300 && result.httpStatus < 400 ? 'redirects are not followed' : 'non-2xx status';
  return { kind: 'http_status', message: `HTTP ${result.httpStatus} (${kind})` };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A PostgreSQL array literal of uuids, bound as text and cast (`$1::text::uuid[]`): the seam takes no arrays. */
function uuidArray(ids: Iterable<string>): string {
  return `{${[...new Set(ids)].join(',')}}`;
}

/**
 * The job of attempt `attempt` of ctx's delivery, `delaySeconds` from now, in its endpoint's lane as
 * this attempt last knew it (a stale lane only costs the other lane's fetch a step: both are fetched).
 */
function jobFor(ctx: AttemptContext, attempt: number, delaySeconds = 0): JobSpec {
  return { deliveryId: ctx.id, endpointId: ctx.endpoint_id, attempt, delaySeconds, slow: ctx.slow_lane };
}

/** How the dispatcher runs a job: the claimed attempt of the job, and the attempt's slot. */
interface JobRun {
  job: LaneJob;
  control: AttemptControl;
}

/** A successful attempt waiting to be written with others. */
interface Success {
  ctx: AttemptContext;
  attempt: number;
  started: Date;
  httpStatus: number;
  durationMs: number;
  excerpt: string;
  truncated: boolean;
  /** The job that made this attempt, completed in the same transaction (absent when run outside the dispatcher). */
  job: LaneJob | undefined;
}

/**
 * Records many successful attempts in one statement (so one commit): the
 * deliveries are claimed with the same fence as `record()` (attempt_count =
 * n - 1, still pending), and an attempt row is inserted for each claimed one
 * only. Returns the ids of the deliveries recorded.
 */
const recordSuccessesSql = `
  with input as (
    select * from jsonb_to_recordset($1::text::jsonb) as x(
      attempt_id uuid, delivery_id uuid, number integer, started_at timestamptz, duration_ms integer,
      http_status integer, excerpt text, truncated boolean)
  ),
  claimed as (
    update deliveries d set attempt_count = i.number, status = 'succeeded', next_attempt_at = null,
      last_http_status = i.http_status, last_error = null, updated_at = now()
    from input i
    -- The array as well as the join: it keeps the lookup on the primary key even in a generic plan.
    where d.id = any($2::text::uuid[]) and d.id = i.delivery_id and d.attempt_count = i.number - 1
      and d.status = 'pending'
    returning d.id, d.tenant_id
  )
  insert into attempts (id, tenant_id, delivery_id, number, started_at, duration_ms, http_status, error_kind,
    error_message, response_excerpt, response_truncated, next_attempt_at)
  select i.attempt_id, c.tenant_id, c.id, i.number, i.started_at, i.duration_ms, i.http_status, null, null,
    i.excerpt, i.truncated, null
  from input i join claimed c on c.id = i.delivery_id
  returning delivery_id`;

function successRow(s: Success) {
  return {
    attempt_id: newId(),
    delivery_id: s.ctx.id,
    number: s.attempt,
    started_at: s.started.toISOString(),
    duration_ms: s.durationMs,
    http_status: s.httpStatus,
    excerpt: s.excerpt,
    truncated: s.truncated,
  };
}

export function createWorker({ db, queue, sender, profiles, box, logger, options, hooks }: WorkerDeps) {
  /**
   * Loads the contexts of many deliveries in one query: the jobs of one fetch
   * start in the same turn of the event loop, so they arrive here together.
   */
  const loader = createBatcher<string, AttemptContext | undefined>(async (deliveryIds) => {
    // Job data is ours, but a malformed id must not fail the other jobs of the batch: it loads nothing.
    const ids = deliveryIds.filter((id) => uuidPattern.test(id));
    const rows =
      ids.length === 0
        ? []
        : await db.query<AttemptContext>(
            // One index lookup per id whatever the statistics say: a prepared statement's generic plan
            // made while the tables were small would otherwise scan events (and grow with them).
            `select x.* from unnest($1::text::uuid[]) as k(id) cross join lateral (
               select d.id, d.tenant_id, d.event_id, d.endpoint_id, d.event_type, d.status, d.attempt_count,
                 e.data, e.created_at as event_created_at,
                 p.url, p.status as endpoint_status, p.profile, p.headers, p.rate_limit, p.metadata, p.secret_enc,
                 p.failing_since is not null as endpoint_failing, p.slow_lane_since is not null as slow_lane,
                 case when p.previous_secret_expires_at > now() then p.previous_secret_enc end as previous_secret_enc
               from deliveries d
               join events e on e.id = d.event_id
               join endpoints p on p.id = d.endpoint_id
               where d.id = k.id
               offset 0
             ) x`,
            [uuidArray(ids)],
          );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return deliveryIds.map((id) => byId.get(id));
  });

  const load = (deliveryId: string): Promise<AttemptContext | undefined> => loader.run(deliveryId);

  /**
   * Endpoint secrets by their sealed form: opening one (AES-GCM and a key object) cost more per attempt
   * than signing with it. A rotated secret is sealed anew, so it is a new entry.
   */
  const secrets = boundedCache<string>(10_000);
  const openSecret = (sealed: string): string => secrets.get(sealed, () => box.open(sealed));

  /**
   * Group-commits successful attempts: whatever succeeded while the previous
   * write ran goes in the next one. Each caller learns whether its attempt was
   * recorded (false: another run of the same attempt got there first).
   */
  const successes = createBatcher<Success, boolean>(async (items) => {
    const recorded = new Set<Success>();
    // Two runs of one attempt in a batch would insert the same (delivery, number) twice and fail the
    // whole statement: a repeat goes in a statement of its own after the first (where the fence turns it away).
    let rest = items;
    while (rest.length > 0) {
      const now = new Map<string, Success>();
      const later: Success[] = [];
      for (const s of rest) {
        if (now.has(s.ctx.id)) later.push(s);
        else now.set(s.ctx.id, s);
      }
      const batch = [...now.values()];
      const jobs = batch.flatMap((s) => (s.job ? [s.job] : []));
      // The jobs are completed in the transaction that records their attempts: one commit for both, and
      // a job is never completed without its outcome (nor an outcome left behind a completed job).
      // Both statements are sent at once (one round trip on PostgreSQL): the complete does not depend on
      // what the record claimed (a job whose attempt lost the fence is done all the same).
      const rows = await db.transaction(async (tx) => {
        const [written] = await Promise.all([
          tx.query<{ delivery_id: string }>(recordSuccessesSql, [
            JSON.stringify(batch.map(successRow)),
            uuidArray(now.keys()),
          ]),
          queue.complete(tx, jobs),
        ]);
        return written;
      });
      for (const r of rows) {
        const s = now.get(r.delivery_id);
        if (s) recorded.add(s);
      }
      rest = later;
    }
    return items.map((s) => recorded.has(s));
  });

  /**
   * Reserves the endpoint's next send time under its rate limit, shared by
   * every process: requests go evenly spaced, 1/limit s apart (one
   * rate_windows row per reserved send time, taken under a per-endpoint
   * lock). Letting `limit` requests through per calendar second instead sends
   * twice the limit within a few ms around the turn of a second. A slot due
   * soon is held by the worker; a later one is not reserved, and the job
   * goes back to the queue until then.
   */
  async function takeRateSlot(ctx: AttemptContext): Promise<RateSlot> {
    if (ctx.rate_limit === null) return { holdSeconds: 0 };
    const intervalSeconds = 1 / ctx.rate_limit;
    return db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`rate:${ctx.endpoint_id}`]);
      // clock_timestamp(), not now(): the transaction may have started before it got the lock.
      await tx.query(
        `delete from rate_windows where endpoint_id = $1 and window_start < clock_timestamp() - interval '1 second'`,
        [ctx.endpoint_id],
      );
      const [next] = await tx.query<{ wait: number }>(
        `select greatest(0, coalesce(extract(epoch from max(window_start) - clock_timestamp())::float8 + $2, 0)) as wait
         from rate_windows where endpoint_id = $1`,
        [ctx.endpoint_id, intervalSeconds],
      );
      const wait = next?.wait ?? 0;
      if (wait > maxRateHoldSeconds) return { retryInSeconds: wait };
      await tx.query(
        `insert into rate_windows (endpoint_id, window_start, count)
         values ($1, clock_timestamp() + make_interval(secs => $2), 1)
         on conflict (endpoint_id, window_start) do update set count = rate_windows.count + 1`,
        [ctx.endpoint_id, wait],
      );
      return { holdSeconds: wait };
    });
  }

  /**
   * Parks a delivery whose endpoint is paused (held) or disabled (skipped).
   * The endpoint row is read FOR SHARE: a concurrent resume (which updates
   * that row, then queues every held delivery) either commits first — and the
   * delivery is attempted instead of parked — or waits for this park and then
   * finds it held. Without the lock a resume could miss a delivery parked in
   * the meantime and leave it held on an active endpoint.
   */
  async function park(ctx: AttemptContext, status: 'held' | 'skipped') {
    const parked = await db.transaction(async (tx) => {
      const [endpoint] = await tx.query<{ status: string }>('select status from endpoints where id = $1 for share', [
        ctx.endpoint_id,
      ]);
      if (endpoint?.status !== (status === 'held' ? 'paused' : 'disabled')) return false;
      await tx.query(
        `update deliveries set status = $2, next_attempt_at = null, updated_at = now()
         where id = $1 and status = 'pending' and attempt_count = $3`,
        [ctx.id, status, ctx.attempt_count],
      );
      return true;
    });
    // The endpoint changed since this job loaded it: run the attempt again from the queue, as it is now.
    if (!parked) {
      await queue.enqueue(db, [jobFor(ctx, ctx.attempt_count + 1)]);
    }
  }

  async function disableEndpoint(tx: Queryable, ctx: AttemptContext, reason: string) {
    const [changed] = await tx.query(
      `update endpoints set status = 'disabled', disabled_reason = $2, updated_at = now()
       where id = $1 and status = 'active' returning id`,
      [ctx.endpoint_id, reason],
    );
    if (!changed) return;
    // This commit waits for the WAL flush, unlike the rest of the worker's: it publishes an event (with
    // its own id) that the tenant may receive at once; lost in a database crash, it would be made again
    // under another id, or not at all if the endpoint then answered.
    await tx.query('set local synchronous_commit to on');
    logger.warn({ endpointId: ctx.endpoint_id, reason }, 'endpoint disabled');
    // Tell the tenant, through its own endpoints, that one of them stopped receiving.
    await storeEvent(
      tx,
      queue.enqueue,
      ctx.tenant_id,
      { type: 'endpoint.disabled', data: { endpointId: toTypeId('endpoint', ctx.endpoint_id), url: ctx.url, reason } },
      null,
    );
  }

  /** Updates the endpoint's failure streak; returns why it must be disabled, if it must. */
  async function trackHealth(tx: Queryable, ctx: AttemptContext, outcome: Outcome): Promise<string | null> {
    if (outcome.status === 'succeeded') {
      // Most deliveries go to healthy endpoints: no write when there is no streak to reset.
      if (!ctx.endpoint_failing) return null;
      await tx.query(
        `update endpoints set consecutive_failures = 0, failing_since = null
         where id = $1 and (consecutive_failures > 0 or failing_since is not null)`,
        [ctx.endpoint_id],
      );
      return null;
    }
    const [health] = await tx.query<{ consecutive_failures: number; failing_for: number }>(
      `update endpoints set
         failing_since = coalesce(failing_since, now()),
         consecutive_failures = consecutive_failures + (case when $2::boolean then 1 else 0 end)
       where id = $1
       returning consecutive_failures, extract(epoch from now() - failing_since)::float8 as failing_for`,
      [ctx.endpoint_id, outcome.status === 'failed'],
    );
    if (outcome.disable) return outcome.disable;
    if (!health) return null;
    const n = profiles.get(ctx.profile).disableAfterFailedDeliveries ?? options.disableAfterFailedDeliveries;
    const s = options.disableAfterFailingSeconds;
    if (n > 0 && health.consecutive_failures >= n) return `failed ${health.consecutive_failures} deliveries in a row`;
    if (s > 0 && health.failing_for >= s) return `failing for ${Math.round(health.failing_for)} s without a success`;
    return null;
  }

  /** Writes the attempt and its consequences in one transaction; false when another attempt got there first. */
  async function record(ctx: AttemptContext, attempt: number, started: Date, result: SendResult, outcome: Outcome) {
    const nextAt = outcome.retryInSeconds === null ? null : new Date(Date.now() + outcome.retryInSeconds * 1000);
    const error = errorOf(result);
    return db.transaction(async (tx) => {
      const [claimed] = await tx.query(
        `update deliveries set attempt_count = $2, status = $3, next_attempt_at = $4, last_http_status = $5,
           last_error = $6, updated_at = now()
         where id = $1 and attempt_count = $2 - 1 and status = 'pending' returning id`,
        [ctx.id, attempt, outcome.status, nextAt, result.httpStatus, error.message],
      );
      if (!claimed) return false;
      await tx.query(
        `insert into attempts (id, tenant_id, delivery_id, number, started_at, duration_ms, http_status, error_kind,
           error_message, response_excerpt, response_truncated, next_attempt_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          newId(),
          ctx.tenant_id,
          ctx.id,
          attempt,
          started,
          result.durationMs,
          result.httpStatus,
          error.kind,
          error.message,
          result.httpStatus === null ? null : result.excerpt,
          result.httpStatus === null ? false : result.truncated,
          nextAt,
        ],
      );
      if (outcome.status === 'pending') {
        await queue.enqueue(tx, [jobFor(ctx, attempt + 1, outcome.retryInSeconds ?? 0)]);
      }
      const disable = await trackHealth(tx, ctx, outcome);
      if (disable) await disableEndpoint(tx, ctx, disable);
      return true;
    });
  }

  /**
   * Attempts in flight per endpoint in this process. pg-boss's group
   * concurrency is counted when jobs are fetched, and concurrent fetchers can
   * overshoot it; this gate makes the cap hold locally. An endpoint that is
   * failing gets one slot only, so dead endpoints waiting out their timeouts
   * cannot take the worker from the healthy ones.
   */
  const inFlight = new Map<string, { n: number; cap: number }>();

  const capOf = (ctx: AttemptContext): number => (ctx.endpoint_failing ? 1 : options.endpointConcurrency);
  const inFlightTo = (endpointId: string): number => inFlight.get(endpointId)?.n ?? 0;

  function tryEnter(ctx: AttemptContext): boolean {
    const cap = capOf(ctx);
    const n = inFlightTo(ctx.endpoint_id);
    if (n >= cap) return false;
    // The smallest cap seen among the attempts in flight: an endpoint that started failing meanwhile is
    // at its cap of one as soon as it has one attempt here.
    inFlight.set(ctx.endpoint_id, { n: n + 1, cap: Math.min(cap, inFlight.get(ctx.endpoint_id)?.cap ?? cap) });
    return true;
  }

  function leave(endpointId: string) {
    const entry = inFlight.get(endpointId);
    if (!entry || entry.n <= 1) inFlight.delete(endpointId);
    else entry.n -= 1;
  }

  /**
   * The endpoints with every slot they may hold here taken. Fetches skip them: pg-boss counts a group's
   * cap per queue, so while an endpoint has attempts in flight from one lane, the other lane would hand
   * its jobs out, only for the gate above to hand them back a second later, over and over.
   */
  function atCapHere(): string[] {
    const full: string[] = [];
    for (const [endpointId, { n, cap }] of inFlight) if (n >= cap) full.push(endpointId);
    return full;
  }

  /**
   * When this process last saw each endpoint answer with a success. Attempts
   * to an endpoint without a recent one (new, restarted, or failing) are
   * demoted at once: they run on the dispatcher's slow allowance, so endpoints
   * that hold requests open until the timeout never take the slots of the
   * endpoints that answer.
   */
  const lastSuccess = new Map<string, number>();
  const provenForMs = 10 * 60_000;

  function noteResult(endpointId: string, ok: boolean) {
    if (!ok) {
      lastSuccess.delete(endpointId);
      return;
    }
    // Bounded: forgetting endpoints only demotes their next attempt.
    if (lastSuccess.size >= 10_000 && !lastSuccess.has(endpointId)) lastSuccess.clear();
    lastSuccess.set(endpointId, Date.now());
  }

  function proven(endpointId: string): boolean {
    const at = lastSuccess.get(endpointId);
    return at !== undefined && Date.now() - at < provenForMs;
  }

  /**
   * Per lane, the endpoints not known to answer whose attempt found that lane's slow allowance full and
   * went back to the queue for about a delivery timeout, with when that ends. While the allowance has
   * less room than the fetch asks for, the lane's fetches skip them: each of their jobs would only be
   * claimed, loaded and handed back in turn (a crowd of dead endpoints over the allowance had the worker
   * doing that for every job it queued: most of the database's work in bench phase e.stress). Not only
   * while it is full: with one place free, a fetch of 32 would take one of their jobs and hand back the
   * rest, at every place a timeout frees. Once the room covers a whole fetch, they are fetched as usual.
   */
  const crowded: Record<Lane, Map<string, number>> = { main: new Map(), slow: new Map() };

  function noteCrowded(lane: Lane, endpointId: string, forSeconds: number) {
    const lanes = crowded[lane];
    // Bounded: forgetting an endpoint only costs one more hand-back of its next job.
    if (lanes.size >= 10_000 && !lanes.has(endpointId)) lanes.clear();
    lanes.set(endpointId, Date.now() + forSeconds * 1000);
  }

  /**
   * The endpoints a fetch of `lane` skips: those at their cap here and, while the allowance has less room
   * than the fetch asks for, the crowded ones (but those that have answered since: they need no room).
   */
  function skippedBy(lane: Lane, batchSize: number, allowanceRoom: number): string[] {
    const skipped = atCapHere();
    if (allowanceRoom >= batchSize) return skipped;
    const now = Date.now();
    for (const [endpointId, until] of crowded[lane]) {
      if (until <= now || proven(endpointId)) crowded[lane].delete(endpointId);
      else skipped.push(endpointId);
    }
    return skipped;
  }

  /**
   * Moves an endpoint between the lanes (queue.ts). Only its jobs queued from now on go to the other
   * lane; those already queued stay where they are, and both lanes are fetched by every worker, so
   * nothing waits on the move. A failed write only leaves the endpoint where it was.
   */
  async function moveLane(ctx: AttemptContext, lane: Lane) {
    try {
      const [moved] = await db.query(
        lane === 'slow'
          ? 'update endpoints set slow_lane_since = now() where id = $1 and slow_lane_since is null returning id'
          : 'update endpoints set slow_lane_since = null where id = $1 and slow_lane_since is not null returning id',
        [ctx.endpoint_id],
      );
      ctx.slow_lane = lane === 'slow';
      if (moved) logger.info({ endpointId: ctx.endpoint_id, lane }, 'endpoint moved to another delivery lane');
    } catch (err) {
      logger.warn({ err, endpointId: ctx.endpoint_id, lane }, 'moving an endpoint to another delivery lane failed');
    }
  }

  /**
   * Watches an attempt of a main-lane endpoint: if it is still unanswered after saturatedAfterMs while
   * the endpoint holds every slot it may hold here (or after slowAfterMs in any case, which also covers
   * an endpoint whose slots are spread over several processes), the endpoint is saturated: its next
   * jobs would wait, ready and unclaimable, in front of everyone's, so they go to the slow lane.
   */
  function watchSaturation(ctx: AttemptContext): () => void {
    if (ctx.slow_lane) return () => {};
    const atCap = setTimeout(() => {
      if (inFlightTo(ctx.endpoint_id) >= capOf(ctx)) void moveLane(ctx, 'slow');
    }, saturatedAfterMs);
    const slow = setTimeout(() => void moveLane(ctx, 'slow'), slowAfterMs);
    atCap.unref();
    slow.unref();
    return () => {
      clearTimeout(atCap);
      clearTimeout(slow);
    };
  }

  /**
   * A success that came quickly, or with a slot to spare here: a slow-lane endpoint keeps up again, so
   * back to the main lane (a hiccup of this process, say, can put a healthy endpoint there for a moment;
   * a busy one answering in 300 ms leaves once its backlog no longer fills its slots). Its jobs already
   * in the slow lane are fetched there meanwhile.
   */
  function keepsUp(ctx: AttemptContext, result: SendResult): boolean {
    if (!ctx.slow_lane || !result.ok) return false;
    // This attempt still counts in inFlight here: fewer than the cap means a slot was free.
    return result.durationMs < saturatedAfterMs || inFlightTo(ctx.endpoint_id) < capOf(ctx);
  }

  /**
   * One job: one attempt of one delivery. Throwing hands the job back to pg-boss to retry. `run` is how the
   * dispatcher ran it (absent when called directly).
   */
  async function attemptDelivery(job: DeliverJob, run?: JobRun): Promise<void> {
    const ctx = await load(job.deliveryId);
    // Stale jobs (a redelivery or an earlier run already made this attempt) do nothing.
    if (ctx?.status !== 'pending' || ctx.attempt_count !== job.attempt - 1) return;
    if (ctx.endpoint_status === 'paused' || ctx.endpoint_status === 'disabled') {
      await hooks?.beforePark?.(ctx.id);
      return park(ctx, ctx.endpoint_status === 'paused' ? 'held' : 'skipped');
    }
    if (!tryEnter(ctx)) {
      // The endpoint has all its slots busy here: hand the attempt back for a moment, uncounted.
      await queue.enqueue(db, [jobFor(ctx, job.attempt, 1)]);
      return;
    }
    try {
      if (!proven(ctx.endpoint_id) && run && !run.control.demote()) {
        // The slow allowance is full (a crowd of endpoints holding requests open): an endpoint not known to
        // answer would take a slot of those that do. Back to the queue, uncounted, for about one delivery
        // timeout, when the held requests have turned over.
        const seconds = withJitter(profiles.get(ctx.profile).timeoutMs / 1000);
        await queue.enqueue(db, [jobFor(ctx, job.attempt, seconds)]);
        noteCrowded(laneOfQueue(run.job.name), ctx.endpoint_id, seconds);
        return;
      }
      await attemptWithSlot(ctx, job, run);
    } finally {
      leave(ctx.endpoint_id);
    }
  }

  async function attemptWithSlot(ctx: AttemptContext, { deliveryId, attempt }: DeliverJob, run?: JobRun) {
    const slot = await takeRateSlot(ctx);
    if ('retryInSeconds' in slot) {
      await queue.enqueue(db, [jobFor(ctx, attempt, slot.retryInSeconds)]);
      return;
    }
    if (slot.holdSeconds > 0) await sleep(slot.holdSeconds * 1000);
    const profile = profiles.get(ctx.profile);
    const started = new Date();
    const rendered = profile.render({
      eventId: ctx.event_id,
      eventType: ctx.event_type,
      data: ctx.data,
      eventCreatedAt: ctx.event_created_at,
      now: started,
      secrets: {
        current: openSecret(ctx.secret_enc),
        previous: ctx.previous_secret_enc ? openSecret(ctx.previous_secret_enc) : null,
      },
      endpoint: { id: ctx.endpoint_id, url: ctx.url, metadata: ctx.metadata },
    });
    // Watched from the send on: a wait for the rate limit's slot is not the endpoint being slow to answer.
    const stopWatching = watchSaturation(ctx);
    const result = await sender
      .send({
        url: ctx.url,
        headers: { ...ctx.headers, ...rendered.headers },
        body: rendered.body,
        timeoutMs: profile.timeoutMs,
        signal: run?.control.signal,
      })
      .finally(stopWatching);
    // Cut off because the worker is stopping: not the endpoint's failure. Nothing is recorded; throwing
    // hands the job back, and another worker makes this attempt again.
    if (result.httpStatus === null && run?.control.signal?.aborted) throw new Error('worker stopped mid-attempt');
    noteResult(ctx.endpoint_id, result.ok);
    if (keepsUp(ctx, result)) await moveLane(ctx, 'main');
    const outcome = decide(result, attempt, profile.retrySchedule, new Date());
    // The common case, a success on a healthy endpoint, changes nothing but the delivery and its attempt
    // log: it is written with others. Failures (schedule, health, disabling) keep their own transaction.
    const batchedStatus = outcome.status === 'succeeded' && !ctx.endpoint_failing ? result.httpStatus : null;
    const recorded =
      batchedStatus !== null && result.httpStatus !== null
        ? await successes.run({
            ctx,
            attempt,
            started,
            httpStatus: batchedStatus,
            durationMs: result.durationMs,
            excerpt: result.excerpt,
            truncated: result.truncated,
            job: run?.job,
          })
        : await record(ctx, attempt, started, result, outcome);
    // The batch completed the job in the transaction that recorded it.
    if (batchedStatus !== null) run?.control.completed();
    logger.debug(
      { deliveryId, attempt, status: result.httpStatus, outcome: outcome.status, recorded },
      'delivery attempt',
    );
  }

  async function handle(job: Job<DeliverJob>, control: AttemptControl) {
    try {
      await attemptDelivery(job.data, { job: { id: job.id, retryCount: job.retryCount, name: job.name }, control });
    } catch (err) {
      // Aborted by a stop: the dispatcher already said it hands these back.
      if (!control.signal?.aborted) {
        logger.error({ err, deliveryId: job.data.deliveryId }, 'delivery attempt failed; pg-boss will retry it');
      }
      throw err;
    }
  }

  /** One dispatcher per lane, each fetching its own queue; settles go to the queue a job came from. */
  const dispatcherOf = (lane: Lane, listen: boolean, maxInFlight: number) =>
    createDispatcher<DeliverJob>(
      {
        fetch: (batchSize, allowanceRoom) =>
          queue.fetch(db, lane, batchSize, options.endpointConcurrency, skippedBy(lane, batchSize, allowanceRoom)),
        complete: (jobs) => queue.complete(db, jobs),
        fail: (jobs, err) => queue.fail(db, jobs, err),
        touch: (jobs) => queue.touch(jobs),
        ...(listen ? { listen: (onJob: () => void) => queue.listen(onJob) } : {}),
      },
      handle,
      logger.child({ lane }),
      { maxInFlight, maxSlow: 3 * options.concurrency, slowAfterMs },
    );
  const dispatchers = [
    dispatcherOf('main', true, options.concurrency),
    // The slow lane's endpoints mostly hold requests open (its attempts run on the slow allowance); its
    // quick attempts get a quarter of the slots. It is polled and woken by its own settles, not by
    // NOTIFY: each fetch walks its backlog, and a NOTIFY comes with every publish.
    dispatcherOf('slow', false, Math.max(1, Math.ceil(options.concurrency / 4))),
  ] as const;

  return {
    attemptDelivery,
    /** Fetch now: jobs were queued (the dispatchers also hear pg-boss's NOTIFY, or poll). */
    wake: () => {
      for (const d of dispatchers) d.wake();
    },
    /**
     * Starts the dispatchers: one fetch loop per lane for this process, up to `concurrency` attempts in
     * flight in the main lane and a quarter of that in the slow one (besides the slow allowances), at most
     * `endpointConcurrency` per endpoint (pg-boss's group cap, and the local gate). They wind down
     * when the queue stops (runtime close): no new fetches, in-flight attempts finish within the
     * shutdown timeout, and what is left goes back to pg-boss to be retried.
     */
    async start(): Promise<void> {
      queue.onStop(async (o) => {
        await Promise.all(dispatchers.map((d) => d.stop(o)));
      });
      for (const d of dispatchers) await d.start();
    },
  };
}
