/**
 * The reads of the statistics routes: the per-minute rollups (migration 0010) summed per bucket, counts
 * and latency histograms alike, in the database — a day of a busy tenant is many rows, its answer at most
 * 1,440. One statement per scope so that each walks an index range in its generic plan: an endpoint's
 * rows by the primary key (tenant, endpoint, minute, …), a tenant's by (tenant, minute). Planned with the
 * store's statements in delivery/store-sql.test.ts.
 *
 * Parameters: $1 tenant, $2 from, $3 until, $4 the bucket width (date_trunc's field), $5 the event type
 * or null, $6 the endpoint (the endpoint's statement only). Sums come back as float8: numbers in both drivers,
 * exact far beyond any count here.
 */
const statsOf = (where: string) => `with picked as (
       select date_trunc($4::text, r.minute, 'UTC') as bucket, r.attempts, r.status_2xx, r.status_3xx, r.status_4xx,
         r.status_5xx, r.status_error, r.retried, r.succeeded, r.failed, r.latency
       from stats_rollups r
       where ${where} and r.minute >= $2::timestamptz and r.minute < $3::timestamptz
         and ($5::text is null or r.event_type = $5::text)
     ), counts as (
       select bucket, sum(attempts)::float8 as attempts, sum(status_2xx)::float8 as status_2xx,
         sum(status_3xx)::float8 as status_3xx, sum(status_4xx)::float8 as status_4xx,
         sum(status_5xx)::float8 as status_5xx, sum(status_error)::float8 as status_error,
         sum(retried)::float8 as retried, sum(succeeded)::float8 as succeeded, sum(failed)::float8 as failed
       from picked group by bucket
     ), latency as (
       select bucket, json_agg(n order by i) as latency from (
         select p.bucket, u.i, sum(u.n)::float8 as n
         from picked p cross join lateral unnest(p.latency) with ordinality as u(n, i)
         group by p.bucket, u.i
       ) s group by bucket
     )
     select c.*, l.latency from counts c join latency l on l.bucket = c.bucket order by c.bucket`;

export const statsSql = {
  endpointStats: statsOf('r.tenant_id = $1::uuid and r.endpoint_id = $6::uuid'),
  tenantStats: statsOf('r.tenant_id = $1::uuid'),
} as const;
