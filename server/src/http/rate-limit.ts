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
 * lives in the database, so every API process on it shares it; within a
 * process, concurrent requests of one token share a statement.
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
 * One statement takes `n` requests of one subject at once ($4): the requests of this process that
 * arrived while its previous statement for the subject was in flight (see `createRateLimiter`). It
 * locks the subject's row, then counts as many of the n as fit in the window (`granted`), starting a
 * new window in the same row when the old one has passed; a full window is left as it was. The row is
 * read under that lock (`old`), so `granted` is exact even when another process counts the same
 * subject at the same moment. Without a row, it inserts one; when a concurrent insert got there first
 * (`lost`), the caller runs the statement again. Database clock throughout, so processes with skewed
 * clocks agree.
 *   $1 subject, $2 window seconds, $3 limit, $4 n
 */
const takeSql = `
with old as (
  select subject, hits, window_start,
         window_start + make_interval(secs => $2::integer) <= now() as expired
  from api_rate_limits where subject = $1 for update
), taken as (
  update api_rate_limits r set
    window_start = case when old.expired then now() else old.window_start end,
    hits = case when old.expired then least($4::integer, $3::integer)
                else least(old.hits + $4::integer, $3::integer) end
  from old
  where r.subject = old.subject and (old.expired or old.hits < $3::integer)
  returning r.hits, r.window_start, case when old.expired then r.hits else r.hits - old.hits end as granted
), started as (
  insert into api_rate_limits (subject, window_start, hits)
  select $1, now(), least($4::integer, $3::integer) where not exists (select 1 from old)
  on conflict (subject) do nothing
  returning hits, window_start, hits as granted
)
select coalesce((select granted from taken), (select granted from started), 0) as granted,
       coalesce((select hits from taken), (select hits from started), (select hits from old)) as hits,
       not exists (select 1 from old) and not exists (select 1 from started) as lost,
       ceil(extract(epoch from coalesce((select window_start from taken), (select window_start from started),
                                        (select window_start from old), now())
                               + make_interval(secs => $2::integer) - now()))::integer as reset`;

/** Rows whose window has passed: a token's next request would reset them anyway. */
const sweepSql = 'delete from api_rate_limits where window_start + make_interval(secs => $1::integer) <= now()';

export interface RateLimiter {
  readonly settings: RateLimitSettings;
  /** Counts one request of `subject` and answers whether it may go on. */
  take(subject: string): Promise<Quota>;
}

/** What one statement answered for the n requests it took. */
interface Taken {
  granted: number;
  /** The window's count after the statement. */
  hits: number;
  reset: number;
}

interface Waiter {
  resolve(quota: Quota): void;
  reject(error: unknown): void;
}

/**
 * The quotas of n requests taken together, in their order: the first `granted` are allowed, counting
 * down to the window's count after the statement; the rest are refused.
 */
export function answersOf(n: number, taken: Taken, settings: RateLimitSettings): Quota[] {
  const { limit, windowSeconds } = settings;
  const reset = Math.max(0, Math.min(windowSeconds, taken.reset));
  const before = taken.hits - taken.granted;
  return Array.from({ length: n }, (_, i) =>
    i < taken.granted
      ? { allowed: true, limit, windowSeconds, remaining: Math.max(0, limit - (before + i + 1)), resetSeconds: reset }
      : { allowed: false, limit, windowSeconds, remaining: 0, resetSeconds: Math.max(1, reset) },
  );
}

export function createRateLimiter(db: Queryable, settings: RateLimitSettings): RateLimiter {
  const { limit, windowSeconds } = settings;
  let nextSweep = Date.now() + windowSeconds * 1000;
  /**
   * The requests waiting, per subject, for the statement in flight for it to end. Publishers sharing a
   * token all counted on its one row, one statement each, every one waiting for the row's lock: now
   * at most one statement per subject is in flight in this process, and the next takes everyone who
   * arrived meanwhile. The count stays in the database (shared by every process) and exact.
   */
  const queued = new Map<string, Waiter[]>();
  return {
    settings,
    take(subject) {
      return new Promise<Quota>((resolve, reject) => {
        const waiting = queued.get(subject);
        if (waiting) {
          waiting.push({ resolve, reject });
          return;
        }
        queued.set(subject, []);
        void drain(subject, [{ resolve, reject }]);
      });
    },
  };

  /** Takes `batch`, then whoever queued meanwhile, until nobody waits; the subject's entry then goes. */
  async function drain(subject: string, first: Waiter[]): Promise<void> {
    let batch = first;
    while (batch.length > 0) {
      try {
        const quotas = answersOf(batch.length, await takeN(subject, batch.length), settings);
        for (const [i, w] of batch.entries()) w.resolve(quotas[i] as Quota);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
      batch = queued.get(subject)?.splice(0) ?? [];
    }
    queued.delete(subject);
    await sweepNowAndThen();
  }

  async function takeN(subject: string, n: number): Promise<Taken> {
    // A lost race to insert the subject's first row is over once that row exists: the next run finds it.
    for (let attempt = 0; ; attempt++) {
      const [row] = await db.query<{ granted: number; hits: number | null; lost: boolean; reset: number }>(takeSql, [
        subject,
        windowSeconds,
        limit,
        n,
      ]);
      if (!row) throw new Error('the rate-limit statement returned no row');
      if (!row.lost || attempt >= 3) {
        return { granted: Number(row.granted), hits: Number(row.hits ?? 0), reset: Number(row.reset ?? windowSeconds) };
      }
    }
  }

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
  if (principal.kind === 'admin') return 'admin';
  return principal.kind === 'portal' ? principal.sessionId : principal.tokenId;
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
