import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres, type SqlValue } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { pgliteTemplate } from '../db/pglite-template.ts';
import { createRateLimiter, rateLimitHeaders, subjectOf } from './rate-limit.ts';

const databaseUrl = process.env.DATABASE_URL;
const schema = `t_${randomBytes(6).toString('hex')}`;
let db: Database;

beforeAll(async () => {
  db = databaseUrl
    ? openPostgres({ url: databaseUrl, schema, max: 4 })
    : await openPglite({ dataDir: 'memory://', schema, template: await pgliteTemplate() });
  await migrate(db);
});

afterAll(async () => {
  if (db?.kind === 'postgres') await db.query(`drop schema if exists "${schema}" cascade`);
  await db?.close();
});

const subject = () => randomBytes(8).toString('hex');

async function rowOf(s: string) {
  return db.query<{ hits: number; window_start: Date }>(
    'select hits, window_start from api_rate_limits where subject = $1',
    [s],
  );
}

describe(`the rate-limit counter (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('counts up to the limit, then refuses without writing anything', async () => {
    const limiter = createRateLimiter(db, { limit: 2, windowSeconds: 600 });
    const s = subject();
    expect(await limiter.take(s)).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 600 });
    expect(await limiter.take(s)).toMatchObject({ allowed: true, remaining: 0 });
    const full = await rowOf(s);
    const refused = await limiter.take(s);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 2, windowSeconds: 600 });
    expect(refused.resetSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.resetSeconds).toBeLessThanOrEqual(600);
    expect(await rowOf(s)).toEqual(full);
  });

  it('starts a new window in the same row once the old one has passed', async () => {
    const limiter = createRateLimiter(db, { limit: 2, windowSeconds: 60 });
    const s = subject();
    await limiter.take(s);
    await limiter.take(s);
    expect((await limiter.take(s)).allowed).toBe(false);
    // Arrange a window that began two minutes ago, instead of waiting for one to pass.
    await db.query(`update api_rate_limits set window_start = now() - interval '2 minutes' where subject = $1`, [s]);
    expect(await limiter.take(s)).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 60 });
    expect(await rowOf(s)).toEqual([{ hits: 1, window_start: expect.any(Date) }]);
  });

  it('refuses a window already over a lowered limit, and never reports a negative remainder', async () => {
    const s = subject();
    const generous = createRateLimiter(db, { limit: 10, windowSeconds: 600 });
    for (let i = 0; i < 5; i++) await generous.take(s);
    const strict = createRateLimiter(db, { limit: 3, windowSeconds: 600 });
    expect(await strict.take(s)).toMatchObject({ allowed: false, remaining: 0 });
    expect(await rowOf(s)).toEqual([{ hits: 5, window_start: expect.any(Date) }]);
  });

  it('lets exactly the limit through concurrent takes', async () => {
    const limiter = createRateLimiter(db, { limit: 7, windowSeconds: 600 });
    const s = subject();
    const results = await Promise.all(Array.from({ length: 25 }, () => limiter.take(s)));
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
    expect(await rowOf(s)).toEqual([{ hits: 7, window_start: expect.any(Date) }]);
  });

  it('takes the concurrent requests of one subject in one statement, and answers them in order', async () => {
    let statements = 0;
    const counted = {
      query: <T extends object>(text: string, params?: readonly SqlValue[]) => {
        statements++;
        return db.query<T>(text, params);
      },
      exec: (text: string) => db.exec(text),
    };
    const limiter = createRateLimiter(counted, { limit: 30, windowSeconds: 600 });
    const s = subject();
    const results = await Promise.all(Array.from({ length: 50 }, () => limiter.take(s)));
    // The first request's statement, then one for the 49 that queued behind it.
    expect(statements).toBe(2);
    expect(results.map((r) => r.allowed)).toEqual([...Array(30).fill(true), ...Array(20).fill(false)]);
    expect(results.slice(0, 30).map((r) => r.remaining)).toEqual(Array.from({ length: 30 }, (_, i) => 29 - i));
    expect(results.slice(30).every((r) => r.resetSeconds >= 1)).toBe(true);
    expect(await rowOf(s)).toEqual([{ hits: 30, window_start: expect.any(Date) }]);
    // Later requests still go one statement at a time, and the window stays full.
    expect(await limiter.take(s)).toMatchObject({ allowed: false, remaining: 0 });
    expect(statements).toBe(3);
  });

  it('stays exact across limiters sharing the counter, as API processes do', async () => {
    const settings = { limit: 17, windowSeconds: 600 };
    const limiters = [
      createRateLimiter(db, settings),
      createRateLimiter(db, settings),
      createRateLimiter(db, settings),
    ];
    const s = subject();
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => limiters[i % 3]?.take(s)));
    const allowed = results.filter((r) => r?.allowed);
    expect(allowed).toHaveLength(17);
    expect(allowed.map((r) => r?.remaining).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 17 }, (_, i) => i),
    );
    expect(await rowOf(s)).toEqual([{ hits: 17, window_start: expect.any(Date) }]);
  });

  it('answers every waiter of a failed statement with its error, none left waiting, then takes again', async () => {
    let failing = true;
    let statements = 0;
    const flaky = {
      query: <T extends object>(text: string, params?: readonly SqlValue[]) => {
        statements++;
        return failing ? Promise.reject(new Error('connection lost')) : db.query<T>(text, params);
      },
      exec: (text: string) => db.exec(text),
    };
    const limiter = createRateLimiter(flaky, { limit: 5, windowSeconds: 600 });
    const s = subject();
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => limiter.take(s)));
    expect(settled.map((r) => r.status)).toEqual(Array(12).fill('rejected'));
    expect(statements).toBe(2);
    // Nothing was counted, and the subject is idle again: the next requests get a statement of their own.
    expect(await rowOf(s)).toEqual([]);
    failing = false;
    const results = await Promise.all(Array.from({ length: 7 }, () => limiter.take(s)));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(statements).toBe(4);
  });

  it('counts a batch into a window that has passed as a new one', async () => {
    const limiter = createRateLimiter(db, { limit: 4, windowSeconds: 60 });
    const s = subject();
    await Promise.all(Array.from({ length: 6 }, () => limiter.take(s)));
    await db.query(`update api_rate_limits set window_start = now() - interval '2 minutes' where subject = $1`, [s]);
    const results = await Promise.all(Array.from({ length: 6 }, () => limiter.take(s)));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, false, false]);
    expect(results.slice(0, 4).map((r) => r.remaining)).toEqual([3, 2, 1, 0]);
    expect(await rowOf(s)).toEqual([{ hits: 4, window_start: expect.any(Date) }]);
  });
});

describe('headers and subjects', () => {
  it('follows the IETF draft fields, with Retry-After only on a refusal', () => {
    const quota = { limit: 6000, windowSeconds: 60, remaining: 12, resetSeconds: 30 };
    expect(rateLimitHeaders({ ...quota, allowed: true })).toEqual({
      'RateLimit-Policy': '"default";q=6000;w=60',
      RateLimit: '"default";r=12;t=30',
    });
    expect(rateLimitHeaders({ ...quota, allowed: false, remaining: 0 })).toEqual({
      'RateLimit-Policy': '"default";q=6000;w=60',
      RateLimit: '"default";r=0;t=30',
      'Retry-After': '30',
    });
  });

  it('counts a tenant token by its id and the admin token as one caller', () => {
    expect(subjectOf({ kind: 'admin' })).toBe('admin');
    expect(subjectOf({ kind: 'tenant', tenantId: 't', tokenId: 'tok', scopes: ['*'] })).toBe('tok');
  });
});
