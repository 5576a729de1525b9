import {
  CoreError,
  type QuotaKind,
  type QuotaLimit,
  quotaKinds,
  type TenantLimits,
  type TenantQuotas,
} from '@hookport/spec';
import type { Queryable } from '../db/database.ts';

/** The quotas on how many of a kind of object a tenant has at once. */
export type ObjectQuota = Exclude<QuotaKind, 'eventsPerDay'>;

const objectQuotas: Record<ObjectQuota, { noun: string; countSql: string }> = {
  endpoints: { noun: 'endpoints', countSql: 'select count(*) from endpoints where tenant_id = $1' },
  eventTypes: { noun: 'event types', countSql: 'select count(*) from event_types where tenant_id = $1' },
  // Revoked and expired tokens no longer work, so they no longer count.
  tokens: {
    noun: 'API tokens',
    countSql:
      'select count(*) from api_tokens where tenant_id = $1 and revoked_at is null and (expires_at is null or expires_at > now())',
  },
};

/** The stored overrides, as jsonb gives them back: only the known kinds with a valid limit are kept. */
export function quotasOf(stored: unknown): TenantQuotas {
  const out: TenantQuotas = {};
  if (typeof stored !== 'object' || stored === null) return out;
  for (const kind of quotaKinds) {
    const value = (stored as Record<string, unknown>)[kind];
    if (value === 'unlimited' || (typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
      out[kind] = value;
    }
  }
  return out;
}

/** The limits in force: each override, else the server's default. */
export function limitsOf(quotas: TenantQuotas, defaults: TenantLimits): TenantLimits {
  return {
    endpoints: quotas.endpoints ?? defaults.endpoints,
    eventTypes: quotas.eventTypes ?? defaults.eventTypes,
    tokens: quotas.tokens ?? defaults.tokens,
    eventsPerDay: quotas.eventsPerDay ?? defaults.eventsPerDay,
  };
}

/**
 * Serialises the creates of one kind for one tenant until the transaction ends: two creates at the
 * limit cannot both count the rows before either is committed. Taken before the insert.
 */
export async function lockQuota(tx: Queryable, tenantId: string, kind: ObjectQuota): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`quota:${kind}:${tenantId}`]);
}

/**
 * Counts the tenant's objects of this kind, the new one included, under the lock of lockQuota; over the
 * limit it throws, and the transaction (the insert with it) rolls back.
 */
export async function checkQuota(
  tx: Queryable,
  tenantId: string,
  kind: ObjectQuota,
  defaults: TenantLimits,
): Promise<void> {
  const { noun, countSql } = objectQuotas[kind];
  const [row] = await tx.query<{ quotas: unknown; count: string | number }>(
    `select (select quotas from tenants where id = $1) as quotas, (${countSql}) as count`,
    [tenantId],
  );
  const limit = limitsOf(quotasOf(row?.quotas), defaults)[kind];
  if (limit !== 'unlimited' && Number(row?.count ?? 0) > limit) throw quotaExceeded(noun, limit);
}

export function quotaExceeded(noun: string, limit: number): CoreError {
  return new CoreError(
    'quota_exceeded',
    `The tenant has reached its quota of ${limit} ${noun}; delete one, or ask the operator to raise the quota.`,
  );
}

/** The daily event limit in force, given the tenant's stored `eventsPerDay` override (jsonb, or null). */
export function dailyLimitOf(override: unknown, defaultLimit: QuotaLimit): QuotaLimit {
  return quotasOf({ eventsPerDay: override }).eventsPerDay ?? defaultLimit;
}

/** The SQL of a tenant's limit of kind $kind given its `quotas` column: a number, or null for unlimited. */
function limitSql(kind: QuotaKind, defaultParam: string): string {
  return `case jsonb_typeof(quotas -> '${kind}') when 'number' then (quotas ->> '${kind}')::bigint
    when 'string' then null else ${defaultParam}::bigint end`;
}

/** Seconds until the next UTC midnight, when the daily count starts again. */
export function secondsToUtcMidnight(now = new Date()): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/**
 * Counts `n` more events of the tenant today (UTC) when a daily limit applies to it, in the caller's
 * transaction; over the limit it throws and counts nothing. One statement: the tenant's limit is read
 * with the count, and an unlimited tenant writes nothing (its publishes do not queue on a counter row).
 * Days before yesterday are deleted on the way, so the table holds at most two days per tenant.
 * `known`: the limit in force as the caller's transaction already read it (dailyLimitOf); unlimited,
 * the statement is not sent at all, as most tenants have no daily limit.
 */
export async function countEvents(
  q: Queryable,
  tenantId: string,
  n: number,
  defaultLimit: QuotaLimit,
  known?: QuotaLimit,
): Promise<void> {
  if (known === 'unlimited') return;
  const [row] = await q.query<{ day_limit: string | number | null; counted: string | number | null }>(
    `with lim as (select ${limitSql('eventsPerDay', '$3')} as day_limit from tenants where id = $1),
     today as (select (now() at time zone 'utc')::date as day),
     gone as (delete from tenant_event_days where tenant_id = $1 and day < (select day from today) - 1),
     counted as (
       insert into tenant_event_days as d (tenant_id, day, count, day_limit)
       select $1, today.day, $2, lim.day_limit from lim, today where lim.day_limit is not null and $2 <= lim.day_limit
       on conflict (tenant_id, day) do update set count = d.count + excluded.count, day_limit = excluded.day_limit
         where d.count + excluded.count <= excluded.day_limit
       returning d.count)
     select (select day_limit from lim) as day_limit, (select count from counted) as counted`,
    [tenantId, n, defaultLimit === 'unlimited' ? null : defaultLimit],
  );
  if (row?.day_limit === null || row?.day_limit === undefined || row.counted !== null) return;
  const limit = Number(row.day_limit);
  throw new CoreError(
    'daily_quota_exceeded',
    `The tenant has published its quota of ${limit} events for today (UTC); publishing resumes at 00:00 UTC.`,
    [],
    { 'Retry-After': String(secondsToUtcMidnight()) },
  );
}
