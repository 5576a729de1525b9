import { CoreError, newId, type PublishInput, type QuotaLimit } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable, SqlValue } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import type { JobSpec } from '../delivery/queue.ts';
import { createEventStore } from '../delivery/store-events.ts';
import { createDataGate } from './event-data.ts';
import { createEvents } from './events.ts';

/**
 * A publish nobody subscribes to (docs/benchmarks.md, "Publish: statements per request"): without an
 * Idempotency-Key or a daily limit it is one statement that commits by itself; in every other case it
 * is the transaction it always was, with the same answers. On a real database (PGlite, or PostgreSQL
 * with DATABASE_URL), counting what the publish asks of it.
 */

let scratch: TestDatabase;
const jobs: JobSpec[] = [];
const store = createEventStore({
  enqueue: async (_q, specs) => {
    jobs.push(...specs);
  },
});

/** The database, counting statements and transactions (statements inside one count as `inTransaction`). */
function counting(db: Database) {
  const seen = { statements: 0, transactions: 0, inTransaction: 0 };
  const counted: Database = {
    ...db,
    query: <T extends object>(text: string, params?: readonly SqlValue[]) => {
      seen.statements++;
      return db.query<T>(text, params);
    },
    transaction: (fn) => {
      seen.transactions++;
      return db.transaction((tx) =>
        fn({
          query: <T extends object>(text: string, params?: readonly SqlValue[]) => {
            seen.inTransaction++;
            return tx.query<T>(text, params);
          },
          exec: (text) => tx.exec(text),
        } satisfies Queryable),
      );
    },
  };
  return { counted, seen };
}

/** Schema checks that accept any data, counting how often data was checked. */
function acceptingChecks() {
  const calls = { data: 0 };
  return {
    calls,
    checks: {
      schemaErrors: async () => [],
      dataErrors: async () => {
        calls.data++;
        return [];
      },
    },
  };
}

async function tenant(quotas: Record<string, unknown> = {}): Promise<string> {
  const id = newId();
  await scratch.db.query(`insert into tenants (id, name, quotas) values ($1, 'lone', $2::text::jsonb)`, [
    id,
    JSON.stringify(quotas),
  ]);
  await scratch.db.query(`insert into event_types (tenant_id, name) values ($1, 'order.placed')`, [id]);
  return id;
}

function publisher(defaultLimit: QuotaLimit = 'unlimited') {
  const { counted, seen } = counting(scratch.db);
  const { checks, calls } = acceptingChecks();
  let published = 0;
  const events = createEvents(counted, store, defaultLimit, createDataGate(checks), (n) => {
    published += n;
  });
  return { events, seen, calls, published: () => published };
}

async function storedEvents(tenantId: string) {
  return scratch.db.query<{ type: string; delivery_count: number }>(
    'select type, delivery_count from events where tenant_id = $1 order by id',
    [tenantId],
  );
}

const order: PublishInput = { type: 'order.placed', data: { id: 1 } };

beforeAll(async () => {
  scratch = await openTestDatabase(4);
  await migrate(scratch.db);
});

afterAll(async () => {
  await scratch?.drop();
});

describe(`a publish nobody subscribes to (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('is one statement and no transaction', async () => {
    const tenantId = await tenant();
    const p = publisher();
    const { event, replayed } = await p.events.publish(tenantId, order);
    expect(replayed).toBe(false);
    expect(event).toMatchObject({ tenantId, type: 'order.placed', data: { id: 1 }, deliveryCount: 0 });
    expect(event.createdAt).toBeInstanceOf(Date);
    expect(p.seen).toEqual({ statements: 1, transactions: 0, inTransaction: 0 });
    expect(await storedEvents(tenantId)).toEqual([{ type: 'order.placed', delivery_count: 0 }]);
    expect(p.published()).toBe(1);
  });

  it('goes through the transaction when an endpoint subscribes, and then skips the lone attempt', async () => {
    const tenantId = await tenant();
    await scratch.db.query(
      `insert into endpoints (id, tenant_id, url, event_types, status, profile, secret_enc)
       values ($1, $2, 'https://example.com/hook', '["order.*"]', 'active', 'native', 'x')`,
      [newId(), tenantId],
    );
    const p = publisher();
    const before = jobs.length;
    expect((await p.events.publish(tenantId, order)).event.deliveryCount).toBe(1);
    expect(p.seen).toMatchObject({ statements: 1, transactions: 1 });
    expect((await p.events.publish(tenantId, order)).event.deliveryCount).toBe(1);
    // The second went straight to the transaction: no statement of its own outside it.
    expect(p.seen).toMatchObject({ statements: 1, transactions: 2 });
    expect(jobs.length - before).toBe(2);
    expect(await storedEvents(tenantId)).toEqual([
      { type: 'order.placed', delivery_count: 1 },
      { type: 'order.placed', delivery_count: 1 },
    ]);
  });

  it('refuses an unknown type without writing anything', async () => {
    const tenantId = await tenant();
    const p = publisher();
    await expect(p.events.publish(tenantId, { type: 'order.lost', data: {} })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(p.seen.transactions).toBe(0);
    expect(await storedEvents(tenantId)).toEqual([]);
    expect(p.published()).toBe(0);
  });

  it('refuses a system type before any statement', async () => {
    const tenantId = await tenant();
    const p = publisher();
    await expect(p.events.publish(tenantId, { type: 'ping', data: {} })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(p.seen).toEqual({ statements: 0, transactions: 0, inTransaction: 0 });
    expect(await storedEvents(tenantId)).toEqual([]);
  });

  it('stores alone only data proven against the schema the type has when it is stored', async () => {
    const tenantId = await tenant();
    await scratch.db.query(
      `update event_types set schema = '{"type":"object"}', updated_at = now() where tenant_id = $1`,
      [tenantId],
    );
    const p = publisher();
    // Not yet proven: the statement stores nothing, the data is checked, and the retry stores it alone.
    await p.events.publish(tenantId, order);
    expect(p.calls.data).toBe(1);
    expect(p.seen).toEqual({ statements: 2, transactions: 0, inTransaction: 0 });
    // The schema changes after this process proved data against it: proven again before it is stored.
    await scratch.db.query(
      `update event_types set schema = '{"type":"object","required":["id"]}', updated_at = now() + interval '1 second'
       where tenant_id = $1`,
      [tenantId],
    );
    await p.events.publish(tenantId, order);
    expect(p.calls.data).toBe(3);
    expect(p.seen).toEqual({ statements: 4, transactions: 0, inTransaction: 0 });
    expect(await storedEvents(tenantId)).toHaveLength(2);
  });

  it('keeps the transaction for an Idempotency-Key, and replays it', async () => {
    const tenantId = await tenant();
    const p = publisher();
    const first = await p.events.publish(tenantId, { ...order, idempotencyKey: 'k-1' });
    const again = await p.events.publish(tenantId, { ...order, idempotencyKey: 'k-1' });
    expect(again).toEqual({ event: first.event, replayed: true });
    expect(p.seen).toMatchObject({ statements: 0, transactions: 2 });
    expect(await storedEvents(tenantId)).toHaveLength(1);
    expect(p.published()).toBe(1);
  });

  it('counts a tenant with a daily limit, its own or the default, in the transaction, and refuses past it', async () => {
    for (const [quotas, defaultLimit] of [
      [{ eventsPerDay: 2 }, 'unlimited'],
      [{}, 2],
    ] as const) {
      const tenantId = await tenant(quotas);
      const p = publisher(defaultLimit);
      await p.events.publish(tenantId, order);
      await p.events.publish(tenantId, order);
      const refused = await p.events.publish(tenantId, order).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(CoreError);
      expect(refused).toMatchObject({ code: 'daily_quota_exceeded' });
      expect(p.seen.transactions).toBe(3);
      // Only the first tried the lone statement: the tenant's limit sends the type to the transaction for a while.
      expect(p.seen.statements).toBe(1);
      expect(await storedEvents(tenantId)).toHaveLength(2);
      const [day] = await scratch.db.query<{ count: number }>(
        'select count from tenant_event_days where tenant_id = $1',
        [tenantId],
      );
      expect(Number(day?.count)).toBe(2);
    }
  });

  it("stores alone for a tenant whose own 'unlimited' overrides a limited default", async () => {
    const tenantId = await tenant({ eventsPerDay: 'unlimited' });
    const p = publisher(2);
    for (let i = 0; i < 3; i++) await p.events.publish(tenantId, order);
    expect(p.seen).toEqual({ statements: 3, transactions: 0, inTransaction: 0 });
    expect(await storedEvents(tenantId)).toHaveLength(3);
  });
});
