import { filtersSelect } from '../shared/event-filters.ts';
import { anyOfIds } from '../shared/id-list.ts';

/**
 * Every SQL statement that changes delivery state (deliveries, attempts, the delivery health and lane of
 * endpoints), in one place, as pg-boss keeps its job transitions in plans.ts; store.ts runs them. Each
 * one reaches deliveries (and endpoints) by primary key, one index lookup per id, in its generic plan
 * on a fresh database as on a large one: the worker's pool plans prepared statements once, generically
 * (plan_cache_mode = force_generic_plan), often while the tables are young, and a plan made then that
 * scans or hash-joins deliveries stays in that connection as the table grows. A set of ids is therefore
 * walked as `unnest(ids) cross join lateral (… where d.id = k.id offset 0)` (the offset keeps the
 * subquery from being flattened into a join the planner could turn around), or, for an update from a
 * set, with an input the planner expects one row from (recordSuccesses). Exported so that a test can
 * EXPLAIN each one.
 */

/**
 * Endpoint columns (from `p`) of a target of an event, as json: id, status, whether it is in the slow lane,
 * and its payload filter (null for most: the store evaluates the others in JS, in the same transaction).
 */
const targetJson = `json_build_object('id', p.id, 'status', p.status, 'slow', p.slow_lane_since is not null,
  'filter', p.filter, 'fifo', p.ordering = 'fifo')`;

/** Columns of a delivery as core shows it. */
export const deliveryColumns = `id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, next_attempt_at,
  last_http_status, last_error, created_at, updated_at`;

/**
 * A requeued delivery's place in line on a fifo endpoint (endpoint `p`): the one it was stored with, so it
 * goes back to its publish position; one taken now for a delivery stored while the endpoint was unordered.
 */
const fifoSeq = `fifo_seq = case when p.ordering = 'fifo'
    then coalesce(deliveries.fifo_seq, nextval('deliveries_fifo_seq')) else deliveries.fifo_seq end`;

/**
 * Whether the endpoint of `deliveries` row `alias` is fifo (a correlated lookup by primary key): its
 * requeued deliveries wait their turn (store-order.ts).
 */
const fifoOf = (alias: string) => `(select p.ordering = 'fifo' from endpoints p where p.id = ${alias}.endpoint_id)`;

/** deliveryColumns of table `alias` (an update joining another table). */
const qualified = (alias: string) =>
  deliveryColumns
    .split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');

/** The `deliveries` row's event was not expunged: nothing of it may be sent again (a lookup by primary key). */
const notExpunged = `not exists (select 1 from events e where e.id = deliveries.event_id and e.expunged_at is not null)`;

/** The lane of the endpoint of `deliveries` row `alias` (a correlated lookup by primary key). */
const laneOf = (alias: string) =>
  `(select p.slow_lane_since is not null from endpoints p where p.id = ${alias}.endpoint_id) as slow_lane`;

/** `targets`, with the caller's scalar expression over $1 and $2 read alongside as `checked` (one statement). */
export function targetsWith(checked: string | null): string {
  return `select coalesce((select json_agg(${targetJson} order by p.id) from endpoints p
      where p.tenant_id = $1 and ${filtersSelect('$2::text')}), '[]') as targets${checked ? `, ${checked} as checked` : ''}`;
}

/**
 * An event no endpoint selects, stored by itself (storeLoneEvent): the endpoints type $2 selects and
 * the caller's check are read as `targets` would, and the event (id $3, data $4, traceparent $5,
 * example $6) is inserted only when there are none and the guard (over `checked`, parameters from $7)
 * holds. One statement, so one round trip and one commit for a publish nobody subscribes to.
 */
export function insertLoneEventSql(checked: string, when: (checked: string) => string): string {
  return `with read as (${targetsWith(checked)}),
   event as (
     insert into events (id, tenant_id, type, data, delivery_count, traceparent, example)
     select $3, $1, $2, $4::text::jsonb, 0, $5, $6 from read
     where json_array_length(read.targets) = 0 and (${when('read.checked')})
     returning id, tenant_id, type, data, delivery_count, created_at, example
   )
   select json_array_length(read.targets) > 0 as had_targets, read.checked, event.*
   from read left join event on true`;
}

export const storeSql = {
  /** The endpoints whose filters select type $2 (tenant $1), as a json array. */
  targets: targetsWith(null),
  /** One endpoint of tenant $1 (ping), as the same json array. */
  target: `select coalesce((select json_agg(${targetJson}) from endpoints p where p.tenant_id = $1 and p.id = $2), '[]')
    as targets`,
  /** Endpoints that were not active, re-read FOR SHARE (see storeEvent). */
  lockTargets: `select p.* from unnest($1::text::uuid[]) as k(id) cross join lateral (
       select p.id, p.status from endpoints p where p.id = k.id offset 0 for share
     ) p`,
  /** The event and its deliveries in one statement (the deliveries' foreign key is checked at its end). */
  insertEvent: `with event as (
       insert into events (id, tenant_id, type, data, idempotency_key, request_hash, delivery_count, traceparent,
         example)
       values ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $9, $10)
       returning id, tenant_id, type, data, delivery_count, created_at, example
     ), fan_out as (
       insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, blocked, fifo_seq)
       select d.id, $2, $1, d.endpoint_id, $3, d.status, d.blocked,
         case when d.fifo then nextval('deliveries_fifo_seq') end
       from jsonb_to_recordset($8::text::jsonb) as d(id uuid, endpoint_id uuid, status text, blocked boolean,
         fifo boolean)
     )
     select * from event`,
  /**
   * Makes delivery $2 of tenant $1 pending again (redeliver); never one of an expunged event. On a fifo
   * endpoint it waits (blocked, no job) for its turn: the caller releases the endpoint's next (store-order.ts).
   */
  requeueDelivery: `update deliveries set status = 'pending', blocked = p.ordering = 'fifo', ${fifoSeq},
       next_attempt_at = case when p.ordering = 'fifo' then null else now() end, updated_at = now()
     from endpoints p
     where deliveries.tenant_id = $1 and deliveries.id = $2 and p.id = deliveries.endpoint_id and ${notExpunged}
     returning ${qualified('deliveries')}, p.slow_lane_since is not null as slow_lane, p.ordering = 'fifo' as fifo`,
  /**
   * Makes the deliveries of endpoint $2 (tenant $1) with status $3, created since $4 if given, pending again;
   * blocked (waiting for their turn, no job) on a fifo endpoint, as requeueDelivery.
   */
  requeueEndpoint: `update deliveries set status = 'pending', blocked = p.ordering = 'fifo', ${fifoSeq},
       next_attempt_at = case when p.ordering = 'fifo' then null else now() end, updated_at = now()
     from endpoints p
     where deliveries.tenant_id = $1 and deliveries.endpoint_id = $2 and p.id = $2
       and deliveries.status = any($3::text::text[])
       and ($4::timestamptz is null or deliveries.created_at >= $4) and ${notExpunged}
     returning ${qualified('deliveries')}, p.slow_lane_since is not null as slow_lane, p.ordering = 'fifo' as fifo`,
  /**
   * The hand-off's lock (store-order.ts): endpoint $1's row, so two transactions never both pick its next
   * delivery. NO KEY UPDATE: inserting deliveries that reference it (their foreign key's KEY SHARE) does
   * not wait for it. Its own statement, so the statements after it read what committed before the lock.
   */
  lockOrdering: 'select status, ordering from endpoints where id = $1 for no key update',
  /**
   * Those of endpoints $1 (a uuid array literal, sorted by the caller: locks are taken in its order) that
   * are fifo, locked as lockOrdering: expunge takes them before failing their deliveries, as every
   * hand-off takes the endpoint before the deliveries it changes.
   */
  lockFifoEndpoints: `select p.id from unnest($1::text::uuid[]) with ordinality as k(id, n) cross join lateral (
       select p.id from endpoints p where p.id = k.id and p.ordering = 'fifo' offset 0 for no key update
     ) p order by k.n`,
  /**
   * Fifo endpoint $1's next delivery, when none is in flight (its head, `fifo_head`, is no longer pending
   * or waits again): the first waiting one in line (fifo_seq: publish order) is unblocked and becomes the
   * head. Returns it, with the lane of its job; no row when the head is still in flight or none waits.
   */
  releaseNext: `with head as (
       select 1 from deliveries h
       where h.id = (select p.fifo_head from endpoints p where p.id = $1) and h.status = 'pending' and not h.blocked
     ), next as (
       select d.id from deliveries d
       where d.endpoint_id = $1 and d.blocked and not exists (select 1 from head)
       order by d.fifo_seq limit 1
     ), released as (
       update deliveries d set blocked = false, next_attempt_at = now(), updated_at = now()
       where d.id = (select id from next) and d.blocked
       returning d.id, d.endpoint_id, d.attempt_count
     ), moved as (
       update endpoints p set fifo_head = r.id from released r where p.id = $1
     )
     select r.id, r.endpoint_id, r.attempt_count,
       (select p.slow_lane_since is not null from endpoints p where p.id = $1) as slow_lane
     from released r`,
  /** Every waiting delivery of endpoint $1, unblocked: it is unordered now (its ordering was changed). */
  releaseWaiting: `update deliveries d set blocked = false, next_attempt_at = now(), updated_at = now()
     where d.endpoint_id = $1 and d.blocked
     returning d.id, d.endpoint_id, d.attempt_count,
       (select p.slow_lane_since is not null from endpoints p where p.id = $1) as slow_lane`,
  /**
   * An operator's skip (POST /v1/deliveries/{id}/skip): delivery $2 of tenant $1, pending or held, is
   * skipped and never sent unless redelivered or recovered. A job still queued for it ends without an
   * attempt (the worker's fence). No row when it was not pending or held.
   */
  skipDelivery: `update deliveries set status = 'skipped', blocked = false, next_attempt_at = null, last_error = $3,
       updated_at = now()
     where tenant_id = $1 and id = $2 and status in ('pending', 'held')
     returning ${deliveryColumns}`,
  /**
   * Makes deliveries $2 (a uuid array literal) of tenant $1 pending again (bulk replay): only those still
   * finished (not made pending meanwhile, so never two jobs for one attempt), of an event not expunged, to an
   * endpoint that is active; the others are left as they are and counted as skipped by the caller. On a fifo
   * endpoint they wait their turn at their place in line (no job): the caller releases the next.
   */
  requeueFinished: `update deliveries set status = 'pending', blocked = ${fifoOf('deliveries')},
       fifo_seq = case when ${fifoOf('deliveries')}
         then coalesce(fifo_seq, nextval('deliveries_fifo_seq')) else fifo_seq end,
       next_attempt_at = case when ${fifoOf('deliveries')} then null else now() end, updated_at = now()
     where id = ${anyOfIds('$2')} and tenant_id = $1
       and status in ('failed', 'succeeded', 'skipped')
       and ${notExpunged}
       -- A scalar subquery, a lookup by primary key per row: as an EXISTS it became a semi join over every endpoint.
       and (select p.status from endpoints p where p.id = deliveries.endpoint_id) = 'active'
     returning ${deliveryColumns}, ${laneOf('deliveries')}, ${fifoOf('deliveries')} as fifo`,
  /**
   * Expunges event $2 of tenant $1 (DELETE /v1/events/{id}/content): its payload and request hash go, the
   * first expunge's time stays. Returns the event; no row when the tenant has no such event.
   */
  expungeEvent: `update events set data = '{}', request_hash = null, expunged_at = coalesce(expunged_at, now())
     where tenant_id = $1 and id = $2
     returning id, tenant_id, type, data, delivery_count, created_at, expunged_at, example`,
  /**
   * Fails the unfinished deliveries of expunged event $1 with reason $2: there is nothing left to send. A job
   * still queued for one finds it no longer pending and ends without an attempt (the worker's fence).
   */
  failExpunged: `update deliveries set status = 'failed', blocked = false, next_attempt_at = null, last_error = $2,
       updated_at = now()
     where event_id = $1 and status in ('pending', 'held')`,
  /** The endpoints of event $1's unfinished deliveries (expunge locks the fifo ones before failing them). */
  unfinishedEndpoints: `select endpoint_id from deliveries where event_id = $1 and status in ('pending', 'held')`,
  /** Erases the response bodies the attempts of event $1's deliveries stored. */
  eraseResponses: `update attempts a set response_excerpt = null, response_truncated = false
     where a.delivery_id = any(array(select d.id from deliveries d where d.event_id = $1))
       and (a.response_excerpt is not null or a.response_truncated)`,
  /** A fresh start for endpoint $1's health: its failure streak no longer counts (resume). */
  resetHealth: 'update endpoints set consecutive_failures = 0, failing_since = null where id = $1',

  /** What one attempt of each delivery ($1, a uuid array literal) needs, in one query. */
  loadContexts: `select x.* from unnest($1::text::uuid[]) as k(id) cross join lateral (
       select d.id, d.tenant_id, d.event_id, d.endpoint_id, d.event_type, d.status, d.attempt_count, d.blocked,
         e.data, e.created_at as event_created_at, e.traceparent, e.example,
         p.url, p.status as endpoint_status, p.profile, p.headers_enc, p.rate_limit, p.metadata, p.secret_enc,
         p.retry_schedule, p.timeout_ms, p.ordering = 'fifo' as fifo,
         -- Failing too while an endpoint.failing notice awaits its endpoint.recovered (failing_level > 0).
         (p.failing_since is not null or p.failing_level > 0) as endpoint_failing,
         p.slow_lane_since is not null as slow_lane,
         case when p.previous_secret_expires_at > now() then p.previous_secret_enc end as previous_secret_enc
       from deliveries d
       join events e on e.id = d.event_id
       join endpoints p on p.id = d.endpoint_id
       where d.id = k.id
       offset 0
     ) x`,
  /**
   * Records many successful attempts in one statement (so one commit): the deliveries are claimed with
   * the same fence as recordAttempt (attempt_count = n - 1, still pending), and an attempt row is
   * inserted for each claimed one only. Returns the ids of the deliveries recorded.
   */
  recordSuccesses: `with input as (
       select * from jsonb_to_recordset($1::text::jsonb) as x(
         attempt_id uuid, delivery_id uuid, number integer, started_at timestamptz, duration_ms integer,
         http_status integer, excerpt text, truncated boolean)
       -- Always true, and the planner expects about one row from it (a range's default selectivity), so
       -- the update walks deliveries by primary key per input row. Expecting the function's usual 100
       -- rows, a generic plan made while deliveries was young hashed a scan of the whole table instead.
       where x.number between 1 and 2147483647
     ),
     claimed as (
       update deliveries d set attempt_count = i.number, status = 'succeeded', next_attempt_at = null,
         last_http_status = i.http_status, last_error = null, updated_at = now()
       from input i
       where d.id = i.delivery_id and d.attempt_count = i.number - 1 and d.status = 'pending' and not d.blocked
       returning d.id, d.tenant_id
     )
     insert into attempts (id, tenant_id, delivery_id, number, started_at, duration_ms, http_status, error_kind,
       error_message, response_excerpt, response_truncated, next_attempt_at)
     select i.attempt_id, c.tenant_id, c.id, i.number, i.started_at, i.duration_ms, i.http_status, null, null,
       i.excerpt, i.truncated, null
     from input i join claimed c on c.id = i.delivery_id
     returning delivery_id`,
  /**
   * Records attempt $2 of delivery $1 (fenced: attempt_count = $2 - 1, still pending) with its outcome;
   * no row when another run of the attempt got there first. Returns the endpoint's lane for the next job.
   */
  recordAttempt: `update deliveries set attempt_count = $2, status = $3, next_attempt_at = $4, last_http_status = $5,
       last_error = $6, updated_at = now()
     where id = $1 and attempt_count = $2 - 1 and status = 'pending' and not blocked
     returning tenant_id, ${laneOf('deliveries')}`,
  insertAttempt: `insert into attempts (id, tenant_id, delivery_id, number, started_at, duration_ms, http_status,
       error_kind, error_message, response_excerpt, response_truncated, next_attempt_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
  /**
   * A success ends endpoint $1's failure streak and its failing notices (only written when there is
   * one). Returns the level and start of what it ended, as they were: a level above 0 means an
   * endpoint.failing was sent, so endpoint.recovered is due. The row is locked first (`prior`, FOR NO
   * KEY UPDATE), so of two successes racing here one sees the level and the other, after it, sees 0. Not
   * FOR UPDATE: that waits for every publish holding the row's KEY SHARE (its deliveries' foreign key),
   * and a publish to a fifo endpoint then waits for this transaction's hand-off lock (store-order.ts):
   * a deadlock.
   */
  endStreak: `with prior as (
       select id, failing_level, failing_since from endpoints where id = $1 for no key update
     )
     update endpoints e set consecutive_failures = 0, failing_since = null, failing_level = 0
     from prior
     where e.id = prior.id and (e.consecutive_failures > 0 or e.failing_since is not null or e.failing_level > 0)
     returning prior.failing_level, prior.failing_since`,
  /** A failure extends endpoint $1's streak ($2: the delivery failed for good, so it counts). */
  extendStreak: `update endpoints set
       failing_since = coalesce(failing_since, now()),
       consecutive_failures = consecutive_failures + (case when $2::boolean then 1 else 0 end)
     where id = $1
     returning consecutive_failures, extract(epoch from now() - failing_since)::float8 as failing_for,
       failing_since, failing_level`,
  /**
   * Endpoint $1's failing notice goes up to level $2 (the endpoint.failing event); no row when it was
   * already there or higher. Runs after extendStreak, whose update holds the row.
   */
  raiseFailingLevel: `update endpoints set failing_level = $2 where id = $1 and failing_level < $2 returning id`,
  /**
   * A delivery of endpoint $1 was exhausted (failed for good): counts it, and opens a new notice when
   * the last one is at least $2 seconds old (or there was none). Returns `due` (publish a
   * delivery.exhausted now), with the count it carries (the deliveries exhausted since the last notice,
   * this one included) and `since` (that last notice's time; null for the first).
   */
  countExhausted: `insert into endpoint_notices as n (endpoint_id, exhausted_notice_at, exhausted_notice_count)
     values ($1, now(), 1)
     on conflict (endpoint_id) do update set
       exhausted_notice_at = case when n.exhausted_notice_at <= now() - make_interval(secs => $2)
         then now() else n.exhausted_notice_at end,
       exhausted_notice_count = case when n.exhausted_notice_at <= now() - make_interval(secs => $2)
         then n.exhausted_pending + 1 else n.exhausted_notice_count end,
       exhausted_previous_at = case when n.exhausted_notice_at <= now() - make_interval(secs => $2)
         then n.exhausted_notice_at else n.exhausted_previous_at end,
       exhausted_pending = case when n.exhausted_notice_at <= now() - make_interval(secs => $2)
         then 0 else n.exhausted_pending + 1 end
     returning n.exhausted_pending = 0 as due, n.exhausted_notice_count as count, n.exhausted_previous_at as since`,
  disable: `update endpoints set status = 'disabled', disabled_reason = $2, updated_at = now()
     where id = $1 and status = 'active' returning id`,
  /** The park's lock: a concurrent resume either commits first or waits for the park (see park). */
  lockEndpoint: 'select status from endpoints where id = $1 for share',
  park: `update deliveries set status = $2, next_attempt_at = null, updated_at = now()
     where id = $1 and status = 'pending' and attempt_count = $3`,
  /**
   * Adds a batch's counts to the statistics rollups (rollups.ts aggregates them, one input row per key):
   * an upsert by the primary key, whose conflict adds every count and the latency histograms element by
   * element. The input's range condition is always true and makes the planner expect one row, as in
   * recordSuccesses. Counts of an endpoint deleted while its attempt ran are dropped with it: the join
   * skips an endpoint already gone, and its key-share lock waits out a delete in progress, then skips
   * the row (instead of the foreign key failing the whole batch).
   */
  rollupAttempts: `insert into stats_rollups as r (tenant_id, endpoint_id, event_type, minute, attempts, status_2xx,
       status_3xx, status_4xx, status_5xx, status_error, retried, succeeded, failed, latency)
     select x.tenant_id, x.endpoint_id, x.event_type, x.minute, x.attempts, x.status_2xx, x.status_3xx, x.status_4xx,
       x.status_5xx, x.status_error, x.retried, x.succeeded, x.failed, x.latency
     from jsonb_to_recordset($1::text::jsonb) as x(tenant_id uuid, endpoint_id uuid, event_type text,
       minute timestamptz, attempts integer, status_2xx integer, status_3xx integer, status_4xx integer,
       status_5xx integer, status_error integer, retried integer, succeeded integer, failed integer, latency integer[])
       join endpoints e on e.id = x.endpoint_id
     where x.attempts between -2147483648 and 2147483647
     for key share of e
     on conflict (tenant_id, endpoint_id, minute, event_type) do update set
       attempts = r.attempts + excluded.attempts,
       status_2xx = r.status_2xx + excluded.status_2xx,
       status_3xx = r.status_3xx + excluded.status_3xx,
       status_4xx = r.status_4xx + excluded.status_4xx,
       status_5xx = r.status_5xx + excluded.status_5xx,
       status_error = r.status_error + excluded.status_error,
       retried = r.retried + excluded.retried,
       succeeded = r.succeeded + excluded.succeeded,
       failed = r.failed + excluded.failed,
       latency = array(select a + b from unnest(r.latency, excluded.latency) with ordinality as u(a, b, i) order by i)`,
  toSlowLane: 'update endpoints set slow_lane_since = now() where id = $1 and slow_lane_since is null returning id',
  toMainLane: 'update endpoints set slow_lane_since = null where id = $1 and slow_lane_since is not null returning id',
} as const;
