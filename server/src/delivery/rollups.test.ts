import { newId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { emptyHistogram, latencyBucketOf } from '../shared/latency-histogram.ts';
import { rollupRows } from './rollups.ts';
import { createStore, type SuccessWrite } from './store.ts';

const tenant = '01900000-0000-7000-8000-000000000001';
const endpoint = '01900000-0000-7000-8000-000000000002';
const at = (iso: string) => new Date(iso);

describe('rollupRows', () => {
  it('aggregates per (tenant, endpoint, minute, event type), sorted by that key', () => {
    const base = { tenantId: tenant, endpointId: endpoint, httpStatus: 200, outcome: 'succeeded' as const };
    const rows = rollupRows([
      { ...base, eventType: 'b', started: at('2026-01-01T10:00:59.999Z'), durationMs: 5 },
      { ...base, eventType: 'a', started: at('2026-01-01T10:01:00.000Z'), durationMs: 5 },
      {
        ...base,
        eventType: 'a',
        started: at('2026-01-01T10:00:01.000Z'),
        durationMs: 1000,
        httpStatus: null,
        outcome: 'pending',
      },
      {
        ...base,
        eventType: 'a',
        started: at('2026-01-01T10:00:02.000Z'),
        durationMs: 7,
        httpStatus: 503,
        outcome: 'failed',
      },
    ]);
    expect(rows.map((r) => [r.minute, r.event_type, r.attempts])).toEqual([
      ['2026-01-01T10:00:00.000Z', 'a', 2],
      ['2026-01-01T10:00:00.000Z', 'b', 1],
      ['2026-01-01T10:01:00.000Z', 'a', 1],
    ]);
    const latency = emptyHistogram();
    latency[latencyBucketOf(1000)] = 1;
    latency[latencyBucketOf(7)] = 1;
    expect(rows[0]).toMatchObject({ status_error: 1, status_5xx: 1, retried: 1, failed: 1, succeeded: 0, latency });
  });

  it('takes away with sign -1', () => {
    const [row] = rollupRows(
      [
        {
          tenantId: tenant,
          endpointId: endpoint,
          eventType: 'a',
          started: new Date(),
          durationMs: 3,
          httpStatus: 204,
          outcome: 'succeeded',
        },
      ],
      -1,
    );
    expect(row).toMatchObject({ attempts: -1, status_2xx: -1, succeeded: -1 });
    expect(row?.latency[latencyBucketOf(3)]).toBe(-1);
  });
});

// The store's group commit against a real database: the rollups count exactly the attempts recorded.
describe(`the group commit's rollups (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let scratch: TestDatabase;
  // No jobs here: the queue's part of the transaction is not what this checks.
  const store = createStore({ enqueue: async () => {}, complete: async () => {} });

  beforeAll(async () => {
    scratch = await openTestDatabase(2);
    await migrate(scratch.db);
    await scratch.db.query(`insert into tenants (id, name) values ($1, 'rollups')`, [tenant]);
    await scratch.db.query(
      `insert into endpoints (id, tenant_id, url, event_types, status, profile, secret_enc)
       values ($2, $1, 'https://rollups.invalid/', '["*"]', 'active', 'native', 'x')`,
      [tenant, endpoint],
    );
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  async function pendingDelivery(): Promise<string> {
    const event = newId();
    const delivery = newId();
    await scratch.db.query(
      `insert into events (id, tenant_id, type, data, delivery_count) values ($1, $2, 'a.b', '{}', 1)`,
      [event, tenant],
    );
    await scratch.db.query(
      `insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status)
       values ($1, $2, $3, $4, 'a.b', 'pending')`,
      [delivery, tenant, event, endpoint],
    );
    return delivery;
  }

  const success = (deliveryId: string, started: Date): SuccessWrite => ({
    deliveryId,
    tenantId: tenant,
    endpointId: endpoint,
    eventType: 'a.b',
    attempt: 1,
    started,
    httpStatus: 200,
    durationMs: 12,
    excerpt: '',
    truncated: false,
  });

  async function rollup(minute: Date) {
    const [row] = await scratch.db.query<{ attempts: number; succeeded: number; latency: number[] }>(
      'select attempts, succeeded, latency from stats_rollups where endpoint_id = $1 and minute = $2',
      [endpoint, minute],
    );
    return row;
  }

  it('counts a batch once per attempt, and not a run of the same attempt that lost its fence', async () => {
    const minute = at('2026-02-01T08:30:00Z');
    const [d1, d2] = [await pendingDelivery(), await pendingDelivery()];
    // Two runs of d1's attempt in one batch (the repeat goes in a statement of its own, and loses), and d2.
    const first = success(d1 ?? '', at('2026-02-01T08:30:01Z'));
    const recorded = await store.finish(scratch.db, [
      { job: undefined, success: first },
      { job: undefined, success: { ...first } },
      { job: undefined, success: success(d2 ?? '', at('2026-02-01T08:30:59Z')) },
    ]);
    expect(recorded).toEqual([true, false, true]);
    // A later batch with a third run of the same attempt: refused by the fence, taken away again.
    expect(await store.finish(scratch.db, [{ job: undefined, success: { ...first } }])).toEqual([false]);
    const row = await rollup(minute);
    expect(row).toMatchObject({ attempts: 2, succeeded: 2 });
    expect(row?.latency[latencyBucketOf(12)]).toBe(2);
    const [attempts] = await scratch.db.query<{ n: number }>(
      'select count(*)::int as n from attempts where started_at >= $1 and started_at < $2',
      [minute, at('2026-02-01T08:31:00Z')],
    );
    expect(attempts?.n).toBe(2);
  });

  it('drops the counts of an endpoint deleted while its attempt ran, instead of failing the batch', async () => {
    const gone = newId();
    await scratch.db.query(
      `insert into endpoints (id, tenant_id, url, event_types, status, profile, secret_enc)
       values ($2, $1, 'https://gone.invalid/', '["*"]', 'active', 'native', 'x')`,
      [tenant, gone],
    );
    const delivery = await pendingDelivery();
    await scratch.db.query('update deliveries set endpoint_id = $2 where id = $1', [delivery, gone]);
    await scratch.db.query('delete from endpoints where id = $1', [gone]);
    const ran = { ...success(delivery, at('2026-02-01T09:00:01Z')), endpointId: gone };
    const kept = success(await pendingDelivery(), at('2026-02-01T09:00:02Z'));
    const recorded = await store.finish(scratch.db, [
      { job: undefined, success: ran },
      { job: undefined, success: kept },
    ]);
    expect(recorded).toEqual([false, true]);
    const [orphans] = await scratch.db.query<{ n: number }>(
      'select count(*)::int as n from stats_rollups where endpoint_id = $1',
      [gone],
    );
    expect(orphans?.n).toBe(0);
    expect(await rollup(at('2026-02-01T09:00:00Z'))).toMatchObject({ attempts: 1, succeeded: 1 });
  });
});
