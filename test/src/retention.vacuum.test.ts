import { afterAll, describe, expect, it } from 'vitest';
import { retentionRun } from '../../server/src/retention/job.ts';
import { autovacuumRuns } from '../../server/src/retention/vacuum.ts';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, databaseKind, startHookport } from './support/harness.ts';
import { ageEvent, rowsOf } from './support/retention.ts';

/**
 * A retention run vacuums where autovacuum does not run (server/src/retention/vacuum.ts): on PGlite
 * always, on PostgreSQL when the server's autovacuum is off (as on this project's CI machine). Without
 * it the pruned rows' space is never reused and the database grows however much is deleted.
 */
const t = await startHookport();
afterAll(async () => {
  await t.close();
});

/** How many times each table was vacuumed by hand, as the server's statistics count it. */
async function vacuumCounts(): Promise<Record<string, number>> {
  const rows = await t.hp.db.query<{ relname: string; n: number }>(
    `select relname, vacuum_count::integer as n from pg_stat_user_tables
     where schemaname = current_schema() and relname in ('events', 'deliveries', 'attempts')`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, r.n]));
}

describe('a retention run where autovacuum does not run', () => {
  it('vacuums the tables it deleted from, and pg-boss’s job table; nothing when it deleted nothing', async () => {
    const runs = await autovacuumRuns(t.hp.db);
    expect(runs).toBe(databaseKind === 'postgres' ? runs : false);
    const fx = await createTenant(t);
    const kit = new DeliveryKit(t, fx);
    try {
      const receiver = await kit.receiver();
      const ep = await kit.endpoint(receiver.url, { eventTypes: ['ticket.created'] });
      const event = await kit.accepted('ticket.created', { n: 1 });
      await kit.settled((await kit.deliveryOf(event.id, ep.id)).id, 'succeeded');
      const old = await ageEvent(t.hp.db, event.id, 40);

      const before = await vacuumCounts();
      const run = await retentionRun(t.hp.db, { defaultDays: 30 }, { jobs: true });
      expect(await rowsOf(t.hp.db, [old])).toEqual({ events: 0, deliveries: 0, attempts: 0 });
      expect(run).toMatchObject({ events: 1, deliveries: 1, attempts: 1 });
      expect(run.vacuumed).toEqual(runs ? [] : ['events', 'deliveries', 'attempts', 'stats_rollups', 'job']);
      if (!runs && databaseKind === 'postgres') {
        const after = await vacuumCounts();
        for (const table of ['events', 'deliveries', 'attempts']) expect(after[table]).toBe((before[table] ?? 0) + 1);
      }

      const idle = await retentionRun(t.hp.db, { defaultDays: 30 }, { jobs: false });
      expect(idle).toEqual({ events: 0, deliveries: 0, attempts: 0, rollups: 0, vacuumed: [] });
    } finally {
      await kit.close();
    }
  });
});
