import { newId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import type { JobSpec } from '../delivery/queue.ts';
import { createEventStore } from '../delivery/store-events.ts';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import { createReplays } from './replay.ts';

/**
 * Bulk replay's batches on a real database (PGlite, or PostgreSQL with DATABASE_URL): batches of two walk
 * every match once, each batch its own transaction; a run that stops half-way (here a failing batch) is
 * taken up by a repeat with the same Idempotency-Key where it stopped, so no delivery gets two jobs.
 * The end-to-end behaviour is in test/src/delivery.replay.test.ts.
 */

let scratch: TestDatabase;
const jobs: JobSpec[] = [];
const store = createEventStore({
  enqueue: async (_q, specs) => {
    jobs.push(...specs);
  },
});

const since = new Date(Date.now() - 3_600_000).toISOString();
const until = new Date(Date.now() + 3_600_000).toISOString();

/** A tenant with one active endpoint and `count` failed deliveries (one attempt each), oldest first. */
async function seed(count: number): Promise<{ tenantId: string; endpointId: string; deliveryIds: string[] }> {
  const tenantId = newId();
  const endpointId = newId();
  const { db } = scratch;
  await db.query('insert into tenants (id, name) values ($1, $2)', [tenantId, 'replay']);
  await db.query(
    `insert into endpoints (id, tenant_id, url, event_types, status, profile, secret_enc)
     values ($1, $2, 'https://example.com/hook', '["ticket.created"]', 'active', 'native', 'x')`,
    [endpointId, tenantId],
  );
  const deliveryIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = newId();
    const deliveryId = newId();
    await db.query(
      `insert into events (id, tenant_id, type, data, delivery_count) values ($1, $2, 'ticket.created', '{}', 1)`,
      [eventId, tenantId],
    );
    await db.query(
      `insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count)
       values ($1, $2, $3, $4, 'ticket.created', 'failed', 1)`,
      [deliveryId, tenantId, eventId, endpointId],
    );
    deliveryIds.push(deliveryId);
  }
  return { tenantId, endpointId, deliveryIds };
}

/** A store whose bulk requeue fails from its `failAt`-th call on: a run that stops between batches. */
function stoppingStore(failAt: number): DeliveryStore {
  let calls = 0;
  return {
    ...store,
    requeue: async (q, tenantId, selection) => {
      if ('finishedIds' in selection && ++calls >= failAt) throw new Error('stopped');
      return store.requeue(q, tenantId, selection);
    },
  };
}

beforeAll(async () => {
  scratch = await openTestDatabase(2);
  await migrate(scratch.db);
});

afterAll(async () => {
  await scratch?.drop();
});

describe(`bulk replay batches (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('walks every match once in batches of two, each job the next attempt', async () => {
    const { tenantId, deliveryIds } = await seed(5);
    jobs.length = 0;
    const replays = createReplays(scratch.db, store, 30, 2);
    const dry = await replays.replay(tenantId, { since, until, dryRun: true });
    expect(dry).toEqual({ result: { dryRun: true, matched: 5, queued: 0, skipped: 0 }, replayed: false });
    expect(jobs).toEqual([]);

    const { result } = await replays.replay(tenantId, { since, until, status: 'failed' });
    expect(result).toEqual({ dryRun: false, matched: 5, queued: 5, skipped: 0 });
    expect(jobs.map((j) => [j.deliveryId, j.attempt]).sort()).toEqual(deliveryIds.map((id) => [id, 2]).sort());
    const rows = await scratch.db.query<{ status: string }>(
      'select status from deliveries where id = any($1::text::uuid[])',
      [`{${deliveryIds.join(',')}}`],
    );
    expect(rows.map((r) => r.status)).toEqual(Array(5).fill('pending'));
  });

  it('goes on where a stopped run left off when the same key comes again, queuing each delivery once', async () => {
    const { tenantId, deliveryIds } = await seed(5);
    jobs.length = 0;
    const input = { since, until, status: 'failed' as const, idempotencyKey: 'resume-me' };
    // The second batch fails: the first one's two deliveries stay queued, and the row says so.
    await expect(createReplays(scratch.db, stoppingStore(2), 30, 2).replay(tenantId, input)).rejects.toThrow('stopped');
    // Within a batch, the update returns its rows in no set order.
    expect(jobs.map((j) => j.deliveryId).sort()).toEqual(deliveryIds.slice(0, 2).sort());

    const again = await createReplays(scratch.db, store, 30, 2).replay(tenantId, input);
    expect(again).toEqual({ result: { dryRun: false, matched: 5, queued: 5, skipped: 0 }, replayed: true });
    expect(jobs.map((j) => j.deliveryId).sort()).toEqual([...deliveryIds].sort());

    // Finished: the same key answers the same and queues nothing more.
    const third = await createReplays(scratch.db, store, 30, 2).replay(tenantId, input);
    expect(third).toEqual(again);
    expect(jobs).toHaveLength(5);
  });

  it('answers a repeat of its key as the first time even once its endpoint is gone; a new key is a 404', async () => {
    const { tenantId, endpointId } = await seed(3);
    const replays = createReplays(scratch.db, store, 30, 2);
    const input = { since, until, endpointId, idempotencyKey: 'gone-later' };
    const first = await replays.replay(tenantId, input);
    expect(first.result).toEqual({ dryRun: false, matched: 3, queued: 3, skipped: 0 });
    await scratch.db.query('delete from endpoints where id = $1', [endpointId]);
    expect(await replays.replay(tenantId, input)).toEqual({ result: first.result, replayed: true });
    await expect(replays.replay(tenantId, { ...input, idempotencyKey: 'new' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
