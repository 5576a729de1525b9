import { filtersSelect } from '../shared/event-filters.ts';

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

/** Endpoint columns (from `p`) of a target of an event, as json: id, status, and whether it is in the slow lane. */
const targetJson = `json_build_object('id', p.id, 'status', p.status, 'slow', p.slow_lane_since is not null)`;

/** Columns of a delivery as core shows it. */
export const deliveryColumns = `id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, next_attempt_at,
  last_http_status, last_error, created_at, updated_at`;

/** The lane of the endpoint of `deliveries` row `alias` (a correlated lookup by primary key). */
const laneOf = (alias: string) =>
  `(select p.slow_lane_since is not null from endpoints p where p.id = ${alias}.endpoint_id) as slow_lane`;

/** `targets`, with the caller's scalar expression over $1 and $2 read alongside as `checked` (one statement). */
export function targetsWith(checked: string | null): string {
  return `select coalesce((select json_agg(${targetJson} order by p.id) from endpoints p
      where p.tenant_id = $1 and ${filtersSelect('$2::text')}), '[]') as targets${checked ? `, ${checked} as checked` : ''}`;
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
       insert into events (id, tenant_id, type, data, idempotency_key, request_hash, delivery_count)
       values ($1, $2, $3, $4::text::jsonb, $5, $6, $7)
       returning id, tenant_id, type, data, delivery_count, created_at
     ), fan_out as (
       insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status)
       select d.id, $2, $1, d.endpoint_id, $3, d.status
       from jsonb_to_recordset($8::text::jsonb) as d(id uuid, endpoint_id uuid, status text)
     )
     select * from event`,
  /** Makes delivery $2 of tenant $1 pending again (redeliver). */
  requeueDelivery: `update deliveries set status = 'pending', next_attempt_at = now(), updated_at = now()
     where tenant_id = $1 and id = $2
     returning ${deliveryColumns}, ${laneOf('deliveries')}`,
  /** Makes the deliveries of endpoint $2 (tenant $1) with status $3, created since $4 if given, pending again. */
  requeueEndpoint: `update deliveries set status = 'pending', next_attempt_at = now(), updated_at = now()
     where tenant_id = $1 and endpoint_id = $2 and status = any($3::text::text[])
       and ($4::timestamptz is null or created_at >= $4)
     returning ${deliveryColumns}, ${laneOf('deliveries')}`,
  /** A fresh start for endpoint $1's health: its failure streak no longer counts (resume). */
  resetHealth: 'update endpoints set consecutive_failures = 0, failing_since = null where id = $1',

  /** What one attempt of each delivery ($1, a uuid array literal) needs, in one query. */
  loadContexts: `select x.* from unnest($1::text::uuid[]) as k(id) cross join lateral (
       select d.id, d.tenant_id, d.event_id, d.endpoint_id, d.event_type, d.status, d.attempt_count,
         e.data, e.created_at as event_created_at,
         p.url, p.status as endpoint_status, p.profile, p.headers_enc, p.rate_limit, p.metadata, p.secret_enc,
         p.failing_since is not null as endpoint_failing, p.slow_lane_since is not null as slow_lane,
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
       where d.id = i.delivery_id and d.attempt_count = i.number - 1 and d.status = 'pending'
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
     where id = $1 and attempt_count = $2 - 1 and status = 'pending'
     returning tenant_id, ${laneOf('deliveries')}`,
  insertAttempt: `insert into attempts (id, tenant_id, delivery_id, number, started_at, duration_ms, http_status,
       error_kind, error_message, response_excerpt, response_truncated, next_attempt_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
  /** A success ends endpoint $1's failure streak (only written when there is one). */
  endStreak: `update endpoints set consecutive_failures = 0, failing_since = null
     where id = $1 and (consecutive_failures > 0 or failing_since is not null)`,
  /** A failure extends endpoint $1's streak ($2: the delivery failed for good, so it counts). */
  extendStreak: `update endpoints set
       failing_since = coalesce(failing_since, now()),
       consecutive_failures = consecutive_failures + (case when $2::boolean then 1 else 0 end)
     where id = $1
     returning consecutive_failures, extract(epoch from now() - failing_since)::float8 as failing_for`,
  disable: `update endpoints set status = 'disabled', disabled_reason = $2, updated_at = now()
     where id = $1 and status = 'active' returning id`,
  /** The park's lock: a concurrent resume either commits first or waits for the park (see park). */
  lockEndpoint: 'select status from endpoints where id = $1 for share',
  park: `update deliveries set status = $2, next_attempt_at = null, updated_at = now()
     where id = $1 and status = 'pending' and attempt_count = $3`,
  toSlowLane: 'update endpoints set slow_lane_since = now() where id = $1 and slow_lane_since is null returning id',
  toMainLane: 'update endpoints set slow_lane_since = null where id = $1 and slow_lane_since is not null returning id',
} as const;
