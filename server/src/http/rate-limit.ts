import type { SurfaceMiddleware } from '@hookport/compat';
import { CoreError, type Principal } from '@hookport/spec';
import type { Queryable } from '../db/database.ts';

/**
 * The per-token API rate limit (docs/reliability/rate-limit.md).
 *
 * Ordinary middleware that every surface runs right after its authentication
 * (the kit's authorize step puts the server's after-authentication middleware
 * there), so a request is counted once, the moment its token is known, on
 * every surface, and a surface never needs to know the limit exists. The 429
 * is a CoreError that each surface renders in its own shape. The counter
 * lives in the database, so every API process on it shares it.
 */

export interface RateLimitSettings {
  /** Requests accepted per window per token; 0 turns the limit off. */
  limit: number;
  windowSeconds: number;
}

/** The state of one token's window after a request. */
export interface Quota {
  allowed: boolean;
  limit: number;
  windowSeconds: number;
  /** Requests left in the current window. */
  remaining: number;
  /** Whole seconds until the window ends (at least 1 on a refusal). */
  resetSeconds: number;
}

/** The IETF draft's policy name; there is one policy. */
const policyName = '"default"';

/**
 * One statement per request. It counts the request into the caller's window
 * when there is room, or starts a new window in the same row when the old one
 * has passed; a full window is left untouched, so a refused request writes
 * nothing. The outer select also answers a refusal, from the row as it stands
 * (database clock throughout, so processes with skewed clocks agree).
 *   $1 subject, $2 window seconds, $3 limit
 */
const takeSql = `
with hit as (
  insert into api_rate_limits as r (subject, window_start, hits)
  values ($1, now(), 1)
  on conflict (subject) do update set
    window_start = case when r.window_start + make_interval(secs => $2::integer) <= now()
                        then now() else r.window_start end,
    hits = case when r.window_start + make_interval(secs => $2::integer) <= now()
                then 1 else r.hits + 1 end
  where r.window_start + make_interval(secs => $2::integer) <= now() or r.hits < $3::integer
  returning r.hits, r.window_start
)
select hit.hits,
       ceil(extract(epoch from coalesce(hit.window_start, cur.window_start, now())
                               + make_interval(secs => $2::integer) - now()))::integer as reset
from (select 1) as one
left join hit on true
left join api_rate_limits cur on hit.hits is null and cur.subject = $1`;

/** Rows whose window has passed: a token's next request would reset them anyway. */
const sweepSql = 'delete from api_rate_limits where window_start + make_interval(secs => $1::integer) <= now()';

export interface RateLimiter {
  readonly settings: RateLimitSettings;
  /** Counts one request of `subject` and answers whether it may go on. */
  take(subject: string): Promise<Quota>;
}

export function createRateLimiter(db: Queryable, settings: RateLimitSettings): RateLimiter {
  const { limit, windowSeconds } = settings;
  let nextSweep = Date.now() + windowSeconds * 1000;
  return {
    settings,
    async take(subject) {
      const [row] = await db.query<{ hits: number | null; reset: number }>(takeSql, [subject, windowSeconds, limit]);
      await sweepNowAndThen();
      const hits = row?.hits ?? null;
      const reset = Math.max(0, Math.min(windowSeconds, Number(row?.reset ?? windowSeconds)));
      if (hits === null)
        return { allowed: false, limit, windowSeconds, remaining: 0, resetSeconds: Math.max(1, reset) };
      return { allowed: true, limit, windowSeconds, remaining: Math.max(0, limit - hits), resetSeconds: reset };
    },
  };

  /**
   * At most once a window per process: keeps the table to the tokens in use, at no cost per request.
   * Housekeeping only, so a failure does not fail the request that happened to run it; the next window retries.
   */
  async function sweepNowAndThen(): Promise<void> {
    if (Date.now() < nextSweep) return;
    nextSweep = Date.now() + windowSeconds * 1000;
    await db.query(sweepSql, [windowSeconds]).catch(() => undefined);
  }
}

/** Who is counted: a tenant token by its id, the admin token as one caller. */
export function subjectOf(principal: Principal): string {
  return principal.kind === 'admin' ? 'admin' : principal.tokenId;
}

/** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), plus `Retry-After` on a refusal. */
export function rateLimitHeaders(q: Quota): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Policy': `${policyName};q=${q.limit};w=${q.windowSeconds}`,
    RateLimit: `${policyName};r=${q.remaining};t=${q.resetSeconds}`,
  };
  if (!q.allowed) headers['Retry-After'] = String(q.resetSeconds);
  return headers;
}

/**
 * Counts the request of the authenticated caller: a 429 past the quota,
 * otherwise the quota's headers on whatever response the request ends with.
 */
export function rateLimit(limiter: RateLimiter): SurfaceMiddleware {
  return async (c, next) => {
    const quota = await limiter.take(subjectOf(c.get('principal')));
    if (!quota.allowed) {
      throw new CoreError(
        'rate_limited',
        `This token has used its ${quota.limit} requests per ${quota.windowSeconds} s; retry in ${quota.resetSeconds} s.`,
        [],
        rateLimitHeaders(quota),
      );
    }
    await next();
    for (const [name, value] of Object.entries(rateLimitHeaders(quota))) c.res.headers.set(name, value);
  };
}
