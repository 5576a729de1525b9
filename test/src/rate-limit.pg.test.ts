/**
 * The per-token rate limit holds across processes: an in-process Hookport and
 * a separate `hookport serve --role api` OS process on the same PostgreSQL
 * schema count one token's requests together, and requests racing through
 * both at once let exactly the limit through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookport, type TestHookport } from './support/harness.ts';
import { type AnnouncedQuota, limitedTenant, quotaOf } from './support/rate-limit.ts';
import { type ApiProcess, startApiProcess } from './support/worker-process.ts';

const limit = 6;
const window = 3600;
const limitEnv = { HOOKPORT_API_RATE_LIMIT: String(limit), HOOKPORT_API_RATE_WINDOW_SECONDS: String(window) };

let t: TestHookport;
let other: ApiProcess | undefined;

beforeAll(async () => {
  t = await startHookport(limitEnv, 'api');
  other = await startApiProcess(t, limitEnv);
});

afterAll(async () => {
  if (other && !other.exit) {
    other.signal('SIGTERM');
    await other.exited;
  }
  await t?.close();
});

interface Answer {
  status: number;
  quota: AnnouncedQuota | null;
  retryAfter: string | null;
  code?: string;
}

/** GET /v1/endpoints through this process (in-process app) or the other one (real HTTP). */
async function list(where: 'here' | 'there', token: string): Promise<Answer> {
  const headers = { authorization: `Bearer ${token}` };
  const res =
    where === 'here'
      ? await t.hp.app.fetch(new Request('http://hookport.test/v1/endpoints', { headers }))
      : await fetch(`${other?.url}/v1/endpoints`, { headers });
  const body = (await res.json()) as { code?: string };
  return {
    status: res.status,
    quota: quotaOf(res.headers),
    retryAfter: res.headers.get('retry-after'),
    ...(body.code ? { code: body.code } : {}),
  };
}

describe('two API processes on one database', () => {
  it('keep the count in an unlogged table (no WAL, no flush wait per request)', async () => {
    const rows = await t.hp.db.query<{ relpersistence: string }>(
      `select c.relpersistence from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relname = 'api_rate_limits'`,
      [t.config.dbSchema],
    );
    expect(rows).toEqual([{ relpersistence: 'u' }]);
  });

  it('count one token together', async () => {
    const a = await limitedTenant(t);
    const seen: number[] = [];
    for (const where of ['here', 'there', 'here', 'there', 'there', 'here'] as const) {
      const answer = await list(where, a.token);
      expect(answer.status).toBe(200);
      seen.push(answer.quota?.remaining ?? -1);
    }
    expect(seen).toEqual([5, 4, 3, 2, 1, 0]);
    for (const where of ['here', 'there'] as const) {
      const refused = await list(where, a.token);
      expect(refused).toMatchObject({ status: 429, code: 'rate_limited', quota: { limit, window, remaining: 0 } });
      expect(refused.retryAfter).toBe(String(refused.quota?.reset));
    }
  });

  it('let exactly the limit through when both are hit at once', async () => {
    const a = await limitedTenant(t);
    const answers = await Promise.all(
      Array.from({ length: 5 * limit }, (_, i) => list(i % 2 === 0 ? 'here' : 'there', a.token)),
    );
    const accepted = answers.filter((r) => r.status === 200);
    expect(accepted).toHaveLength(limit);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(4 * limit);
    expect(accepted.map((r) => r.quota?.remaining).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
