import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, quoteIdent } from '../db/database.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { completedJobSeconds, deliverQueue, type JobSpec, openQueue, type Queue, slowQueue } from './queue.ts';

let scratch: TestDatabase;
let db: Database;
let schema: string;
let queue: Queue;

beforeAll(async () => {
  scratch = await openTestDatabase();
  ({ db, schema } = scratch);
  queue = await openQueue(db, { databaseUrl: process.env.DATABASE_URL, supervise: false });
});

afterAll(async () => {
  await queue?.stop({ graceful: false, timeoutMs: 2000 });
  await scratch?.drop();
});

/** The state of each job of these deliveries, by queue: `<queue> <state>`, sorted. */
async function statesOf(specs: readonly JobSpec[]): Promise<string[]> {
  const rows = await db.query<{ name: string; state: string }>(
    `select name, state from ${quoteIdent(`${schema}_boss`)}.job where data->>'deliveryId' = any($1::text::text[])`,
    [`{${specs.map((s) => s.deliveryId).join(',')}}`],
  );
  return rows.map((r) => `${r.name} ${r.state}`).sort();
}

const spec = (endpointId: string, slow: boolean): JobSpec => ({
  deliveryId: randomUUID(),
  endpointId,
  attempt: 1,
  lane: slow ? 'slow' : 'main',
});

describe(`delivery lanes in pg-boss (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('queues each job in its lane, claims a lane alone, skips ignored endpoints, and settles in the right queue', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const main = [spec(a, false), spec(b, false)];
    const slow = [spec(a, true), spec(b, true)];
    // One call, both lanes, in one transaction.
    await db.transaction((tx) => queue.enqueue(tx, [...main, ...slow]));
    expect(await statesOf([...main, ...slow])).toEqual([
      `${deliverQueue} created`,
      `${deliverQueue} created`,
      `${slowQueue} created`,
      `${slowQueue} created`,
    ]);

    // Endpoint a is ignored (at its cap here): the main lane hands out b's job only.
    const mainClaimed = await queue.fetch(db, 'main', 10, 4, [a]);
    expect(mainClaimed.map((j) => j.data.deliveryId)).toEqual([main[1]?.deliveryId]);
    const slowClaimed = await queue.fetch(db, 'slow', 10, 4, [b]);
    expect(slowClaimed.map((j) => j.data.deliveryId)).toEqual([slow[0]?.deliveryId]);

    // Settled together, each in the queue it came from.
    await db.transaction((tx) => queue.complete(tx, [...mainClaimed, ...slowClaimed]));
    expect(await statesOf([main[1] as JobSpec, slow[0] as JobSpec])).toEqual([
      `${deliverQueue} completed`,
      `${slowQueue} completed`,
    ]);

    // The ignored ones were left queued, and are claimed once nothing is ignored.
    const rest = [...(await queue.fetch(db, 'main', 10, 4)), ...(await queue.fetch(db, 'slow', 10, 4))];
    expect(rest.map((j) => j.data.deliveryId).sort()).toEqual([main[0]?.deliveryId, slow[1]?.deliveryId].sort());
    await queue.fail(db, rest, new Error('handed back'));
    expect(await statesOf([main[0] as JobSpec, slow[1] as JobSpec])).toEqual([
      `${deliverQueue} retry`,
      `${slowQueue} retry`,
    ]);
  });

  it('takes an ignored endpoint id with characters an array literal must quote', async () => {
    await queue.enqueue(db, [spec('a "quoted", {braced} \\ id', false)]);
    const claimed = await queue.fetch(db, 'main', 10, 4, ['a "quoted", {braced} \\ id']);
    expect(claimed).toEqual([]);
    const later = await queue.fetch(db, 'main', 10, 4, ['another']);
    expect(later).toHaveLength(1);
  });

  it("applies the queues' settings to queues a previous version created (finished jobs kept an hour, not a day)", async () => {
    const queues = `${quoteIdent(`${schema}_boss`)}.queue`;
    // As a database made before the change holds them: pg-boss's createQueue leaves an existing queue as it is.
    await db.query(`update ${queues} set deletion_seconds = 86400 where name = any($1::text::text[])`, [
      `{${deliverQueue},${slowQueue}}`,
    ]);
    const reopened = await openQueue(db, { databaseUrl: process.env.DATABASE_URL, supervise: false });
    await reopened.stop({ graceful: false, timeoutMs: 2000 });
    const rows = await db.query<{ name: string; deletion_seconds: number }>(
      `select name, deletion_seconds from ${queues} where name = any($1::text::text[]) order by name`,
      [`{${deliverQueue},${slowQueue}}`],
    );
    expect(rows).toEqual([
      { name: deliverQueue, deletion_seconds: completedJobSeconds },
      { name: slowQueue, deletion_seconds: completedJobSeconds },
    ]);
  });
});
