import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { growTables, type StatementPlan, storePlans } from './store-plans.ts';

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
    const plans = await storePlans(scratch.db);
    // Every statement was planned: a store that lost its statements would pass vacuously.
    expect(plans.length).toBeGreaterThanOrEqual(15);
    expect(offenders(plans)).toEqual([]);
  });

  it('still walk them by key once the tables have grown, before any ANALYZE', async () => {
    await growTables(scratch.db, 5_000);
    expect(offenders(await storePlans(scratch.db))).toEqual([]);
  });

  it('and after ANALYZE', async () => {
    await scratch.db.exec('analyze');
    expect(offenders(await storePlans(scratch.db))).toEqual([]);
  });
});
