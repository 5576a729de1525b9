import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaySql } from '../core/replay.ts';
import { statsSql } from '../core/stats-sql.ts';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { pruneSql } from '../retention/prune.ts';
import { customPlan, fullScans, growTables, type StatementPlan, storePlans } from './store-plans.ts';
import { storeSql } from './store-sql.ts';

// The statistics routes' reads of the rollups the store writes, retention's delete of old rollups, and bulk
// replay's batch reads, are held to the same rule.
const statements = { ...storeSql, ...statsSql, ...replaySql, deleteRollups: pruneSql.deleteRollups };

let scratch: TestDatabase;

beforeAll(async () => {
  scratch = await openTestDatabase(1);
  await migrate(scratch.db);
});

afterAll(async () => {
  await scratch?.drop();
});

/** `name: tables` and the plan, for each statement whose generic plan reads a growing table whole. */
const offenders = (plans: readonly StatementPlan[]) =>
  plans.filter((p) => p.fullScans.length > 0).map((p) => `${p.name}: ${p.fullScans.join(', ')}\n${p.plan.join('\n')}`);

// One database through the three states, in order: the plans a worker may cache at each.
describe(`the delivery store's generic plans (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('walk the growing tables by key on a fresh database', async () => {
    const plans = await storePlans(scratch.db, statements);
    // Every statement was planned: a store that lost its statements would pass vacuously.
    expect(plans.length).toBeGreaterThanOrEqual(15);
    expect(offenders(plans)).toEqual([]);
  });

  it('still walk them by key once the tables have grown, before any ANALYZE', async () => {
    await growTables(scratch.db, 5_000);
    expect(offenders(await storePlans(scratch.db, statements))).toEqual([]);
  });

  it('and after ANALYZE', async () => {
    await scratch.db.exec('analyze');
    expect(offenders(await storePlans(scratch.db, statements))).toEqual([]);
  });

  // The statements that take a list of ids, planned for a list of 1,000 (a prune's or a bulk replay's
  // batch) as a connection's first runs plan them: with the values. A list cast to uuid[] in the
  // statement's text was once read whole, the cast made again per row (shared/id-list.ts).
  it('walk them by key for a batch of 1,000 ids in a custom plan too', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const list = `'{${ids.join(',')}}'`;
    const tenant = `'${ids[0]}'`;
    const batches: [string, string, string[]][] = [
      ['lockDeliveries', pruneSql.lockDeliveries, [list]],
      ['deleteAttempts', pruneSql.deleteAttempts, [list]],
      ['deleteDeliveries', pruneSql.deleteDeliveries, [list]],
      ['deleteEvents', pruneSql.deleteEvents, [list]],
      ['requeueFinished', storeSql.requeueFinished, [tenant, list]],
    ];
    const scanned: string[] = [];
    for (const [name, text, literals] of batches) {
      const plan = await customPlan(scratch.db, text, literals);
      if (fullScans(plan).length > 0) scanned.push(`${name}: ${fullScans(plan).join(', ')}\n${plan.join('\n')}`);
    }
    expect(scanned).toEqual([]);
  });
});
