import { fromTypeId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyBoundsMs } from '../../server/src/shared/latency-histogram.ts';
import { closedPortUrl, DeliveryKit } from './support/delivery.ts';
import { createTenant, createToken, startHookport, type TestHookport } from './support/harness.ts';
import type { Responder } from './support/receiver.ts';

/**
 * The statistics routes against the attempt log: real deliveries (successes, a retry that then succeeds,
 * retries exhausted on 5xx, 4xx, 3xx and refused connections) to receivers on 127.0.0.1, then every number
 * the API gives — per minute, hour and day, per endpoint, per tenant and per event type — checked against
 * the attempts read straight from the database, bucketed and ranked here, independently of the server.
 */

interface StatsCounts {
  deliveries: { succeeded: number; failed: number };
  attempts: {
    total: number;
    retried: number;
    byStatusClass: { '2xx': number; '3xx': number; '4xx': number; '5xx': number; error: number };
  };
  successRatio: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}
interface Stats {
  since: string;
  until: string;
  bucket: string;
  eventType: string | null;
  total: StatsCounts;
  buckets: (StatsCounts & { start: string })[];
}

/** One attempt as the log has it, with what it did to its delivery. */
interface LoggedAttempt {
  endpoint_id: string;
  event_type: string;
  started_at: Date;
  duration_ms: number;
  http_status: number | null;
  number: number;
  attempt_count: number;
  status: string;
}

const widths = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
type Width = keyof typeof widths;

let t: TestHookport;
let kit: DeliveryKit;
let other: DeliveryKit;
/** Endpoint TypeIDs of the main tenant by role. */
const endpoints: Record<string, string> = {};
let otherEndpoint = '';

/** A receiver's answer: `status` for a delivery's attempt (the times its webhook-id was seen), after `delayMs`. */
const answering = (status: (attempt: number) => number, delayMs: (n: number) => number = () => 0): Responder => {
  const seen = new Map<string, number>();
  return (req, n, res) => {
    const id = String(req.headers['webhook-id']);
    const attempt = (seen.get(id) ?? 0) + 1;
    seen.set(id, attempt);
    const code = status(attempt);
    setTimeout(() => res.writeHead(code, code === 302 ? { location: 'https://example.com/' } : {}).end(), delayMs(n));
  };
};

beforeAll(async () => {
  // Two attempts per delivery; failures never disable an endpoint here.
  t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '1', HOOKPORT_DISABLE_AFTER_FAILURES: '0' });
  kit = new DeliveryKit(t, await createTenant(t));
  other = kit.forTenant(await createTenant(t, { name: 'Other' }));
  await other.warmUp();

  // Durations spread over several histogram buckets: 0 to 120 ms.
  const ok = await kit.receiver(
    answering(
      () => 200,
      (n) => (n * 7) % 121,
    ),
  );
  const flaky = await kit.receiver(answering((attempt) => (attempt === 1 ? 503 : 204)));
  const dead = await kit.receiver(answering(() => 500));
  const missing = await kit.receiver(answering(() => 404));
  const moved = await kit.receiver(answering(() => 302));
  endpoints.ok = (await kit.endpoint(ok.url)).id;
  endpoints.flaky = (await kit.endpoint(flaky.url, { eventTypes: ['ticket.created'] })).id;
  endpoints.dead = (await kit.endpoint(dead.url, { eventTypes: ['ticket.created'] })).id;
  endpoints.missing = (await kit.endpoint(missing.url, { eventTypes: ['ticket.resolved'] })).id;
  endpoints.moved = (await kit.endpoint(moved.url, { eventTypes: ['ticket.resolved'] })).id;
  endpoints.refused = (await kit.endpoint(await closedPortUrl(), { eventTypes: ['ticket.resolved'] })).id;
  const otherReceiver = await other.receiver(answering(() => 200));
  otherEndpoint = (await other.endpoint(otherReceiver.url)).id;

  for (let i = 0; i < 12; i++) await kit.accepted('ticket.created', { i });
  for (let i = 0; i < 6; i++) await kit.accepted('ticket.resolved', { i });
  for (let i = 0; i < 5; i++) await other.accepted('ticket.created', { i });
  await kit.quiescent(60_000);
  await other.quiescent(60_000);
}, 120_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function stats(path: string, query: Record<string, string>, token = kit.tenant.token): Promise<Stats> {
  const res = await t.api.get<Stats>(`${path}?${new URLSearchParams(query)}`, { token });
  if (res.status !== 200) throw new Error(`stats failed: ${res.status} ${res.text}`);
  return res.body;
}

/** The main tenant's attempts, straight from the attempt log. */
async function attemptLog(): Promise<LoggedAttempt[]> {
  return t.hp.db.query<LoggedAttempt>(
    `select d.endpoint_id, d.event_type, a.started_at, a.duration_ms, a.http_status, a.number, d.attempt_count, d.status
     from attempts a join deliveries d on d.id = a.delivery_id
     where a.tenant_id = (select tenant_id from endpoints where id = $1)`,
    [uuid(endpoints.ok ?? '')],
  );
}

function uuid(endpointId: string): string {
  const id = fromTypeId('endpoint', endpointId);
  if (!id) throw new Error(`not an endpoint id: ${endpointId}`);
  return id;
}

/** The upper bound of the histogram bucket a duration falls in, found by a walk over the bounds. */
function boundOf(ms: number): number {
  return latencyBoundsMs.find((b) => ms <= b) ?? 120_000;
}

/** Nearest-rank percentile of the durations, reported as its bucket's upper bound. */
function percentile(durations: number[], p: number): number | null {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  const value = sorted[Math.ceil((p * sorted.length) / 100) - 1] ?? Number.NaN;
  return boundOf(value);
}

function classOf(status: number | null): keyof StatsCounts['attempts']['byStatusClass'] {
  if (status === null) return 'error';
  return status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx';
}

/** What the API should say about these attempts. */
function expected(attempts: readonly LoggedAttempt[]): StatsCounts {
  const byStatusClass = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, error: 0 };
  let succeeded = 0;
  let failed = 0;
  let retried = 0;
  for (const a of attempts) {
    byStatusClass[classOf(a.http_status)] += 1;
    const last = a.number === a.attempt_count;
    if (last && a.status === 'succeeded') succeeded += 1;
    else if (last && a.status === 'failed') failed += 1;
    else retried += 1;
  }
  const durations = attempts.map((a) => a.duration_ms);
  return {
    deliveries: { succeeded, failed },
    attempts: { total: attempts.length, retried, byStatusClass },
    successRatio: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
    latencyMs: { p50: percentile(durations, 50), p95: percentile(durations, 95), p99: percentile(durations, 99) },
  };
}

/** The attempts grouped by the UTC start of their bucket. */
function bucketed(attempts: readonly LoggedAttempt[], width: Width): Map<string, LoggedAttempt[]> {
  const out = new Map<string, LoggedAttempt[]>();
  for (const a of attempts) {
    const ms = widths[width];
    const start = new Date(Math.floor(new Date(a.started_at).getTime() / ms) * ms).toISOString();
    out.set(start, [...(out.get(start) ?? []), a]);
  }
  return out;
}

/** The range around every attempt: from an hour before the first to a minute after now. */
async function range(): Promise<{ since: string; until: string }> {
  const first = Math.min(...(await attemptLog()).map((a) => new Date(a.started_at).getTime()));
  return { since: new Date(first - 3_600_000).toISOString(), until: new Date(Date.now() + 60_000).toISOString() };
}

/** Every bucket the API gives equals the attempts of that bucket; buckets without attempts are empty. */
function expectBuckets(s: Stats, attempts: readonly LoggedAttempt[], width: Width): void {
  const groups = bucketed(attempts, width);
  for (const { start, ...counts } of s.buckets) {
    expect(counts, `${width} bucket ${start}`).toEqual(expected(groups.get(start) ?? []));
  }
  // Every attempt's bucket is in the answer.
  expect([...groups.keys()].filter((k) => !s.buckets.some((b) => b.start === k))).toEqual([]);
}

describe(`delivery statistics (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('drove every outcome the checks need', async () => {
    const log = await attemptLog();
    const all = expected(log);
    // 12 + 6 to the ok endpoint, 12 retried once to flaky, 12 × 2 to dead, 6 × 2 each to the other three.
    expect(all.attempts.total).toBe(18 + 24 + 24 + 36);
    expect(all.deliveries).toEqual({ succeeded: 30, failed: 30 });
    expect(Object.values(all.attempts.byStatusClass).every((n) => n > 0)).toBe(true);
  });

  it.each(['minute', 'hour', 'day'] as const)("the tenant's %s buckets equal the attempt log", async (bucket) => {
    const log = await attemptLog();
    const s = await stats('/v1/stats', { ...(await range()), bucket });
    expect(s.bucket).toBe(bucket);
    expect(s.total).toEqual(expected(log));
    expectBuckets(s, log, bucket);
  });

  it("each endpoint's buckets equal its attempts, minute, hour and day alike", async () => {
    const log = await attemptLog();
    const r = await range();
    for (const [role, id] of Object.entries(endpoints)) {
      const mine = log.filter((a) => a.endpoint_id === uuid(id));
      expect(mine.length, role).toBeGreaterThan(0);
      for (const bucket of ['minute', 'hour', 'day'] as const) {
        const s = await stats(`/v1/endpoints/${id}/stats`, { ...r, bucket });
        expect(s.total, `${role} by ${bucket}`).toEqual(expected(mine));
        expectBuckets(s, mine, bucket);
      }
    }
  });

  it('names the final outcomes: exhausted retries fail, a retry that then answers succeeds', async () => {
    const r = await range();
    const dead = await stats(`/v1/endpoints/${endpoints.dead}/stats`, r);
    expect(dead.total).toMatchObject({
      deliveries: { succeeded: 0, failed: 12 },
      attempts: { total: 24, retried: 12, byStatusClass: { '5xx': 24 } },
      successRatio: 0,
    });
    const flaky = await stats(`/v1/endpoints/${endpoints.flaky}/stats`, r);
    expect(flaky.total).toMatchObject({
      deliveries: { succeeded: 12, failed: 0 },
      attempts: { total: 24, retried: 12, byStatusClass: { '2xx': 12, '5xx': 12 } },
      successRatio: 1,
    });
    const refused = await stats(`/v1/endpoints/${endpoints.refused}/stats`, r);
    expect(refused.total.attempts.byStatusClass.error).toBe(12);
  });

  it('filters by event type', async () => {
    const log = await attemptLog();
    const r = await range();
    for (const eventType of ['ticket.created', 'ticket.resolved', 'ticket.none']) {
      const s = await stats('/v1/stats', { ...r, bucket: 'minute', eventType });
      expect(s.eventType).toBe(eventType);
      const mine = log.filter((a) => a.event_type === eventType);
      expect(s.total).toEqual(expected(mine));
      expectBuckets(s, mine, 'minute');
    }
    const okResolved = await stats(`/v1/endpoints/${endpoints.ok}/stats`, { ...r, eventType: 'ticket.resolved' });
    expect(okResolved.total.attempts.total).toBe(6);
  });

  it('keeps tenants apart', async () => {
    const r = await range();
    const theirs = await stats('/v1/stats', r, other.tenant.token);
    // The other tenant's five deliveries and its warm-up (whose endpoint is deleted, and its rows with it).
    expect(theirs.total).toMatchObject({ deliveries: { succeeded: 5, failed: 0 }, attempts: { total: 5 } });
    const mine = await stats('/v1/stats', r);
    expect(mine.total.attempts.total).toBe((await attemptLog()).length);
    const res = await t.api.get(`/v1/endpoints/${otherEndpoint}/stats`, { token: kit.tenant.token });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'not_found' });
  });

  it('defaults to the last 24 hours by hour, in whole buckets', async () => {
    const s = await stats('/v1/stats', {});
    expect(s.bucket).toBe('hour');
    expect(s.buckets.length).toBeGreaterThanOrEqual(24);
    expect(s.buckets.length).toBeLessThanOrEqual(25);
    expect(new Date(s.since).getTime() % widths.hour).toBe(0);
    expect(Date.parse(s.until) - Date.parse(s.since)).toBeGreaterThanOrEqual(86_400_000);
    expect(s.total).toEqual(expected(await attemptLog()));
  });

  it('needs deliveries:read', async () => {
    const reader = await createToken(t, kit.tenant.id, ['deliveries:read']);
    expect((await t.api.get('/v1/stats', { token: reader })).status).toBe(200);
    const endpointsOnly = await createToken(t, kit.tenant.id, ['endpoints:read']);
    expect((await t.api.get('/v1/stats', { token: endpointsOnly })).status).toBe(403);
    expect((await t.api.get(`/v1/endpoints/${endpoints.ok}/stats`, { token: endpointsOnly })).status).toBe(403);
  });

  it.each([
    ['bucket=week', 'bucket'],
    ['since=yesterday', 'since'],
    ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'since'],
    ['since=2026-01-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'since'],
    ['since=2026-01-01T00:00:00Z&until=2026-01-02T00:00:01Z&bucket=minute', 'since'],
    ['since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z&bucket=day', 'since'],
    ['eventType=', 'eventType'],
  ])('refuses %s with a 422 naming %s, on both routes', async (query, path) => {
    for (const route of ['/v1/stats', `/v1/endpoints/${endpoints.ok}/stats`]) {
      const res = await t.api.get<{ code: string; errors: { path: string }[] }>(`${route}?${query}`, {
        token: kit.tenant.token,
      });
      expect(res.status, `${route}?${query}`).toBe(422);
      expect(res.body.code).toBe('validation_failed');
      expect([...new Set(res.body.errors.map((e) => e.path))]).toEqual([path]);
    }
  });

  it('answers exactly 1,440 minute buckets, and the bucket containing since', async () => {
    const s = await stats('/v1/stats', {
      since: '2026-01-01T00:00:30Z',
      until: '2026-01-02T00:00:00Z',
      bucket: 'minute',
    });
    expect(s.buckets).toHaveLength(1440);
    expect(s.since).toBe('2026-01-01T00:00:00.000Z');
    expect(s.buckets[0]?.start).toBe('2026-01-01T00:00:00.000Z');
    expect(s.buckets.at(-1)?.start).toBe('2026-01-01T23:59:00.000Z');
  });
});
