/**
 * The delivery store's generic plans on PostgreSQL with a million deliveries (issue 15): each store
 * statement (server/src/delivery/store-sql.ts) is prepared and explained with plan_cache_mode =
 * force_generic_plan on a fresh database, after the tables grew by a million deliveries (each with its
 * event and one attempt) without ANALYZE, and after ANALYZE. store-sql.test.ts does the same with
 * 20,000 rows on every test run; this is the large case the docs name. Exits 1 when a plan reads
 * deliveries, attempts, events or endpoints whole.
 *
 *   pnpm exec tsx test/bench/tools/store-plans.ts [deliveries=1000000]
 *
 * Uses BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) to create and drop a
 * database of its own.
 */

import { growTables, type StatementPlan, storePlans } from '../../../server/src/delivery/store-plans.ts';
import { migrate, openPostgres } from '../../../server/src/index.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `hookport_plans_${process.pid}`;

const admin = openPostgres({ url: adminUrl, schema: 'public', max: 1 });
await admin.exec(`create database ${dbName}`);
const db = openPostgres({ url: adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`), schema: 'hookport', max: 1 });
let failed = false;
const report = (state: string, plans: readonly StatementPlan[]) => {
  const bad = plans.filter((p) => p.fullScans.length > 0);
  failed ||= bad.length > 0;
  console.log(`${state}: ${plans.length} statements, ${bad.length} reading a growing table whole`);
  for (const p of bad) console.log(`  ${p.name}: ${p.fullScans.join(', ')}\n    ${p.plan.join('\n    ')}`);
};
try {
  await db.exec('create schema hookport');
  await migrate(db);
  report('fresh database', await storePlans(db));
  const t0 = performance.now();
  await growTables(db, count);
  console.log(`grew by ${count} deliveries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  report(`${count} deliveries, no ANALYZE`, await storePlans(db));
  await db.exec('analyze');
  report(`${count} deliveries, after ANALYZE`, await storePlans(db));
} finally {
  await db.close();
  await admin.exec(`drop database ${dbName} with (force)`);
  await admin.close();
}
process.exit(failed ? 1 : 0);
