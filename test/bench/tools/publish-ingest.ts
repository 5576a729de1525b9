/**
 * API ingest with no subscriber (docs/benchmarks.md, "Publish: statements per request"): Hookport with
 * the API role only (no worker) on PostgreSQL, one tenant and one token, no endpoints, and `concurrency`
 * publishers each sending POST /v1/events back to back through the app (in this process) for `seconds`.
 * Prints events/s and the CPU per event of this process (Hookport's node) and of the database's
 * PostgreSQL backends. With PUBLISH_EVENTS=n it publishes exactly n events instead (for counting
 * statements in PostgreSQL's log). Run it on a quiet machine; it is not part of `pnpm bench`.
 *
 *   PUBLISH_DB=hp_x pnpm exec tsx test/bench/tools/publish-ingest.ts [seconds=15] [concurrency=50]
 *
 * PUBLISH_DB names an existing database (default hp_pubfast); the run uses a schema of its own in it
 * and drops it at the end. BENCH_SERVER (settings.ts) measures another copy of the server (A/B).
 */
import { now } from '../clock.ts';
import { backendsOf } from '../cpu.ts';
import { benchEnv, startHookport } from '../hookport.ts';
import { fmt } from '../results.ts';
import { openPostgres } from '../server.ts';
import { settings } from '../settings.ts';

const seconds = Number(process.argv[2] ?? 15);
const concurrency = Number(process.argv[3] ?? 50);
const fixedCount = process.env.PUBLISH_EVENTS ? Number(process.env.PUBLISH_EVENTS) : null;
const dbName = process.env.PUBLISH_DB ?? 'hp_pubfast';
const url = settings.pgAdminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
const schema = `ingest_${process.pid}`;

/** `concurrency` publishers back to back until `more` says stop; returns how many were accepted. */
async function drive(publish: (seq: number) => Promise<number>, more: (sent: number) => boolean): Promise<number> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more(sent)) await publish(sent++);
    }),
  );
  return sent;
}

const b = await startHookport(benchEnv('postgres', schema, { DATABASE_URL: url }), 'api');
try {
  const publish = (seq: number) => b.publish(seq);
  // Warm: the connections open and every statement is prepared on each of them.
  if (fixedCount === null) await drive(publish, (sent) => sent < 500);
  const self = process.cpuUsage();
  const pg = backendsOf(dbName);
  const t0 = now();
  const end = t0 + seconds * 1000;
  const events = await drive(publish, fixedCount === null ? () => now() < end : (sent) => sent < fixedCount);
  const wall = (now() - t0) / 1000;
  const used = process.cpuUsage(self);
  let postgresS = 0;
  for (const [pid, cpu] of backendsOf(dbName)) postgresS += cpu - (pg.get(pid) ?? 0);
  const nodeMs = (used.user + used.system) / 1000 / events;
  const pgMs = (postgresS * 1000) / events;
  process.stdout.write(
    `${events} events in ${fmt(wall, 2)} s: ${fmt(events / wall, 0)} events/s; CPU per event: node ${fmt(nodeMs, 3)} ms, ` +
      `postgres ${fmt(pgMs, 3)} ms, together ${fmt(nodeMs + pgMs, 3)} ms (${concurrency} publishers, ${settings.pgAdminUrl.includes('127.0.0.1') ? 'local' : 'remote'} PostgreSQL, database ${dbName})\n`,
  );
} finally {
  await b.close();
  const admin = openPostgres({ url, schema: 'public', max: 1 });
  await admin.exec(`drop schema if exists "${schema}" cascade`).finally(() => admin.close());
}
