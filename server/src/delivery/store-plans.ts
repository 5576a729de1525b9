import type { Database } from '../db/database.ts';
import { storeSql } from './store-sql.ts';

/**
 * The delivery store's statements must be planned the same way on a young database as on a large one:
 * the worker's pool plans each prepared statement once, generically, often while the tables are small,
 * and keeps that plan as they grow (store-sql.ts). This checks each statement's generic plan for a read
 * of a whole growing table. Used by store-sql.test.ts (a fresh database, then a grown one, before and
 * after ANALYZE) and by test/bench/tools/store-plans.ts (the same with a million deliveries).
 */

/** The tables that grow with traffic: no store statement may read one whole. */
export const growingTables = ['deliveries', 'attempts', 'events', 'endpoints', 'stats_rollups'] as const;

/** The highest `$n` of a statement: how many parameters its PREPARE takes. */
function parameterCount(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/**
 * The generic plan of `text`: the plan a prepared statement is cached with, made without any
 * parameter's value, so it is what the tables' statistics alone make of it. Prepared and explained in
 * one transaction, so on one connection, and deallocated before it ends.
 */
export async function genericPlan(db: Database, text: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.exec(`prepare hookport_plan_check as ${text}`);
    await tx.exec('set local plan_cache_mode = force_generic_plan');
    const nulls = Array.from({ length: parameterCount(text) }, () => 'null').join(', ');
    const rows = await tx.query<{ 'QUERY PLAN': string }>(
      `explain execute hookport_plan_check${nulls ? `(${nulls})` : ''}`,
    );
    await tx.exec('deallocate hookport_plan_check');
    return rows.map((r) => r['QUERY PLAN']);
  });
}

/**
 * The custom plan of `text` for these parameter values (SQL literals): what a prepared statement is planned
 * with for its first runs on a connection (and always, on one that is not forced to generic plans).
 */
export async function customPlan(db: Database, text: string, literals: readonly string[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.exec(`prepare hookport_plan_check as ${text}`);
    await tx.exec('set local plan_cache_mode = force_custom_plan');
    const rows = await tx.query<{ 'QUERY PLAN': string }>(
      `explain execute hookport_plan_check(${literals.join(', ')})`,
    );
    await tx.exec('deallocate hookport_plan_check');
    return rows.map((r) => r['QUERY PLAN']);
  });
}

/** The growing tables a plan reads whole (a sequential scan: every row, however few it wants). */
export function fullScans(plan: readonly string[]): string[] {
  const scanned = new Set<string>();
  for (const line of plan) {
    const table = /Seq Scan on (?:\w+\.)?(\w+)/.exec(line)?.[1];
    if (table && (growingTables as readonly string[]).includes(table)) scanned.add(table);
  }
  return [...scanned].sort();
}

export interface StatementPlan {
  name: string;
  plan: string[];
  fullScans: string[];
}

/** Every store statement's generic plan on db as it is now (or those of `statements`). */
export async function storePlans(
  db: Database,
  statements: Readonly<Record<string, string>> = storeSql,
): Promise<StatementPlan[]> {
  const out: StatementPlan[] = [];
  for (const [name, text] of Object.entries(statements)) {
    const plan = await genericPlan(db, text);
    out.push({ name, plan, fullScans: fullScans(plan) });
  }
  return out;
}

/**
 * Grows the tables by `count` deliveries, each with its event and one attempt, spread over count / 100
 * endpoints (at least 2,000, so that a read by key is cheaper than a scan once statistics exist) of ten
 * endpoints per tenant, in a few set-based statements. No statistics are gathered: ANALYZE is the
 * caller's choice. Statuses are mixed as in a live database: mostly succeeded, some failed, a few pending.
 */
export async function growTables(db: Database, count: number): Promise<void> {
  const endpoints = Math.max(2000, Math.floor(count / 100));
  const tenants = Math.ceil(endpoints / 10);
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into tenants (id, name) select gen_random_uuid(), 'plans ' || g from generate_series(1, $1::int) g`,
      [tenants],
    );
    await tx.query(
      `with t as (select id, row_number() over () - 1 as n from tenants where name like 'plans %')
       insert into endpoints (id, tenant_id, url, event_types, status, profile, secret_enc)
       select gen_random_uuid(), t.id, 'https://plans.invalid/' || g, '["*"]', 'active', 'native', 'x'
       from generate_series(0, $1::int - 1) g join t on t.n = g % $2::int`,
      [endpoints, tenants],
    );
    await tx.query(
      `with p as (select id, tenant_id, row_number() over () - 1 as n from endpoints
                  where url like 'https://plans.invalid/%'),
       grown as (
         insert into events (id, tenant_id, type, data, delivery_count)
         select gen_random_uuid(), p.tenant_id, 'plans.grown', jsonb_build_object('endpoint', p.id, 'n', g), 1
         from generate_series(1, $1::int) g join p on p.n = g % $2::int
         returning id, tenant_id, data)
       insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count)
       select gen_random_uuid(), tenant_id, id, (data->>'endpoint')::uuid, 'plans.grown',
         case when (data->>'n')::int % 50 = 0 then 'pending'
              when (data->>'n')::int % 10 = 0 then 'failed' else 'succeeded' end, 1
       from grown`,
      [count, endpoints],
    );
    await tx.exec(
      `insert into attempts (id, tenant_id, delivery_id, number, started_at, duration_ms, http_status)
       select gen_random_uuid(), tenant_id, id, 1, now(), 5, 204 from deliveries where event_type = 'plans.grown'`,
    );
    // The statistics rollups: one row per endpoint and minute, over as many minutes as deliveries per endpoint.
    await tx.query(
      `insert into stats_rollups (tenant_id, endpoint_id, event_type, minute, attempts, status_2xx, status_3xx,
         status_4xx, status_5xx, status_error, retried, succeeded, failed, latency)
       select p.tenant_id, p.id, 'plans.grown', date_trunc('minute', now()) - make_interval(mins => g), 1, 1, 0, 0, 0,
         0, 0, 1, 0, array_fill(0, array[44])
       from endpoints p cross join generate_series(1, $1::int) g where p.url like 'https://plans.invalid/%'`,
      [Math.max(1, Math.ceil(count / endpoints))],
    );
  });
}
