import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { autovacuumRuns } from '../../server/src/retention/vacuum.ts';
import { killBins, startBin } from './support/bin-process.ts';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, databaseKind, startHookport, type TestHookport } from './support/harness.ts';

/**
 * `hookport prune --older-than <duration>` through the real bin, directly on the database: it deletes
 * the events whose deliveries have all finished, with their deliveries and attempts, and the old
 * statistics rollups, keeps a held one, and prints what it removed. On PGlite the server is stopped first (the data directory is locked to
 * one process); on PostgreSQL the bin runs beside it, on its schema.
 */

const dataDir = await mkdtemp(join(tmpdir(), 'hookport-prune-'));
const secretKey = randomBytes(32).toString('hex');
/** The server's settings; the bin gets the same database (on PostgreSQL, the schema the harness made). */
const serverEnv = { HOOKPORT_DATA_DIR: dataDir, HOOKPORT_SECRET_KEY: secretKey };
let binEnv: Record<string, string> = serverEnv;

let t: TestHookport | undefined;
afterAll(async () => {
  await killBins();
  await t?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function counts(hp: TestHookport) {
  const [row] = await hp.hp.db.query<{ events: number; deliveries: number; attempts: number }>(
    `select (select count(*)::integer from events) as events, (select count(*)::integer from deliveries) as deliveries,
       (select count(*)::integer from attempts) as attempts`,
  );
  return row;
}

async function prune(...args: string[]) {
  const bin = startBin(['prune', ...args], binEnv);
  const exit = await bin.exited;
  return { code: exit.code, output: bin.output(), stderr: bin.stderr() };
}

describe('hookport prune', () => {
  it('refuses a duration it cannot read, with a usage error', async () => {
    const bad = await prune('--older-than', '30x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than must be a number and a unit');
  });

  it('--older-than 0s deletes every finished event with its deliveries and attempts, keeps a held one', async () => {
    t = await startHookport(serverEnv);
    const schema = { HOOKPORT_DB_SCHEMA: t.config.dbSchema };
    binEnv =
      databaseKind === 'postgres'
        ? { DATABASE_URL: process.env.DATABASE_URL ?? '', ...schema }
        : { HOOKPORT_DATA_DIR: dataDir, ...schema };
    const fx = await createTenant(t);
    const kit = new DeliveryKit(t, fx);
    const receiver = await kit.receiver();
    const ep = await kit.endpoint(receiver.url, { eventTypes: ['ticket.created'] });
    const paused = await kit.endpoint(receiver.url, { eventTypes: ['ticket.updated'] });
    await kit.setStatus(paused.id, 'paused');
    for (let i = 0; i < 3; i++) {
      const event = await kit.accepted('ticket.created', { i });
      await kit.settled((await kit.deliveryOf(event.id, ep.id)).id, 'succeeded');
    }
    const held = await kit.accepted('ticket.updated', {});
    expect((await kit.deliveryOf(held.id, paused.id)).status).toBe('held');
    await kit.close();
    expect(await counts(t)).toEqual({ events: 4, deliveries: 4, attempts: 3 });
    // The attempts' statistics rollups moved a day back, whole minutes before any cut-off below the
    // server's own 30-day window (the current minute's rows would stay with --older-than 0s).
    const [rolled] = await t.hp.db.query<{ n: number }>(
      `with moved as (update stats_rollups set minute = minute - interval '1 day' returning 1)
       select count(*)::integer as n from moved`,
    );
    const rollups = rolled?.n ?? 0;
    expect(rollups).toBeGreaterThan(0);

    const autovacuumOn = t !== undefined && (await autovacuumRuns(t.hp.db));
    // The embedded database is one process's: the server stops, and starts again after.
    if (databaseKind === 'pglite') {
      await t.hp.close();
      t = undefined;
    }
    const run = await prune('--older-than', '0s', '--batch-size', '2');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Where autovacuum does not run (PGlite; a server with autovacuum = off), the prune vacuums what it deleted from.
    const vacuumed = autovacuumOn
      ? ''
      : 'Vacuumed events, deliveries, attempts, stats_rollups: autovacuum does not run on this database.\n';
    expect(run.output).toBe(
      `Deleted 3 events, 3 deliveries, 3 attempts, ${rollups} statistics rollup rows.\n${vacuumed}`,
    );

    const nothing = await prune('--older-than', '30d');
    expect(nothing.output).toBe('Deleted 0 events, 0 deliveries, 0 attempts, 0 statistics rollup rows.\n');

    t ??= await startHookport({ ...serverEnv, ...schema });
    expect(await counts(t)).toEqual({ events: 1, deliveries: 1, attempts: 0 });
    expect(await t.hp.db.query('select 1 from stats_rollups')).toEqual([]);
    const read = await t.api.get(`/v1/events/${held.id}`, { token: fx.token });
    expect(read.status).toBe(200);
    // Three processes start on one database in turn, on a shared machine: like data-dir-lock.test.ts.
  }, 300_000);
});
