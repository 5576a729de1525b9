/**
 * Retention under load (docs/retention.md, docs/benchmarks.md "Retention"): how fast a prune deletes
 * millions of old rows while Hookport delivers at full rate, what it costs the deliveries, and whether the
 * database stays the same size when events are published and pruned for a long time. PostgreSQL only
 * (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres); a database of its own,
 * dropped at the end. Not part of `pnpm bench`'s default sequence: run it on a quiet machine.
 *
 *   pnpm exec tsx test/bench/tools/retention.ts prune [oldEvents=2000000] [seconds=120]
 *   pnpm exec tsx test/bench/tools/retention.ts soak [minutes=30] [rate=200]
 *
 * prune: seeds `oldEvents` events 60 days old (one succeeded delivery and one attempt each) with SQL, then
 * publishes at full rate to 8 local endpoints and, after a warm-up of a quarter of `seconds`, runs a prune
 * (the scheduled run's code, 1,000 events per transaction). Prints deliveries per second before and during
 * the prune, the prune's duration and rows per second, the longest publish meanwhile, and what the
 * database's backends were waiting on (pg_stat_activity, sampled every 50 ms) while publishes over 250 ms ran.
 * soak: publishes `rate` events per second and runs retention (retention/job.ts retentionRun: the prune, and a
 * vacuum where autovacuum does not run) with a one-minute window every minute, pg-boss keeping finished jobs a
 * minute, printing each
 * minute the events published, the deliveries received and still owed (flat only means something while the
 * worker keeps up), the size in MB of events, deliveries and attempts (with indexes), of pg-boss's tables and
 * of the whole database, and each table's live/dead rows and autovacuum runs: flat is the goal.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queueOf } from '../../../server/src/delivery/queue.ts';
import { retentionRun } from '../../../server/src/retention/job.ts';
import { prune } from '../../../server/src/retention/prune.ts';
import { createDatabase, dbUrl, dropDatabase } from '../database.ts';
import { benchEnv, startHookport } from '../hookport.ts';

const [mode = 'prune', first, second] = process.argv.slice(2);

type Db = Awaited<ReturnType<typeof startHookport>>['hp']['db'];

async function receivers(n: number): Promise<{ ports: number[]; received: () => number; close(): void }> {
  let received = 0;
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received++;
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  return {
    ports: servers.map((s) => (s.address() as AddressInfo).port),
    received: () => received,
    close: () => {
      for (const s of servers) s.close();
    },
  };
}

/** Old history, written by SQL in chunks: `count` events 60 days old, each with one succeeded delivery and attempt. */
async function seedOld(db: Db, count: number) {
  const [tenant] = await db.query<{ id: string }>('select id from tenants limit 1');
  const [endpoint] = await db.query<{ id: string }>('select id from endpoints limit 1');
  if (!tenant || !endpoint) throw new Error('no tenant or endpoint to seed');
  const chunk = 50_000;
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    // UUIDv7-shaped ids of 60 days ago, one millisecond apart per row.
    await db.query(
      `with ids as (
         select g, (lpad(to_hex((extract(epoch from now() - interval '60 days') * 1000)::bigint + $3 + g), 12, '0')
           || '7' || substr(md5(g::text || 'e'), 1, 19))::uuid as event_id,
           (lpad(to_hex((extract(epoch from now() - interval '60 days') * 1000)::bigint + $3 + g), 12, '0')
           || '7' || substr(md5(g::text || 'd'), 1, 19))::uuid as delivery_id
         from generate_series(1, $4::integer) g
       ), e as (
         insert into events (id, tenant_id, type, data, delivery_count, created_at)
         select event_id, $1, 'ticket.created', '{"id":"T-1"}', 1, now() - interval '60 days' from ids
       ), d as (
         insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, created_at)
         select delivery_id, $1, event_id, $2, 'ticket.created', 'succeeded', 1, now() - interval '60 days' from ids
       )
       insert into attempts (id, tenant_id, delivery_id, number, started_at, duration_ms, http_status)
       select gen_random_uuid(), $1, delivery_id, 1, now() - interval '60 days', 3, 204 from ids`,
      [tenant.id, endpoint.id, done, n],
    );
  }
  await db.query('analyze events');
  await db.query('analyze deliveries');
  await db.query('analyze attempts');
}

/** Table sizes with their indexes, in MB, and what autovacuum has done to each of the three tables. */
async function sizes(db: Db) {
  const mb = (expr: string) => `round(${expr} / 1048576.0, 1)`;
  const [row] = await db.query<Record<string, string>>(
    `select ${mb("pg_total_relation_size('events')")} as events_mb,
       ${mb("pg_total_relation_size('deliveries')")} as deliveries_mb,
       ${mb("pg_total_relation_size('attempts')")} as attempts_mb,
       ${mb("(select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() || '_boss' and c.relkind in ('r', 'p'))")} as jobs_mb,
       ${mb('pg_database_size(current_database())')} as database_mb,
       (select string_agg(relname || ' ' || n_live_tup || '/' || n_dead_tup || ' v' || autovacuum_count, ', ' order by relname)
          from pg_stat_user_tables where schemaname = current_schema() and relname in ('events', 'deliveries', 'attempts'))
         as live_dead_vacuums`,
  );
  return row;
}

/** What the database's other backends were waiting on, sampled every 50 ms, by time. */
function sampleWaits(db: Db): { stop(): Promise<{ at: number; waits: string[] }[]> } {
  const samples: { at: number; waits: string[] }[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const rows = await db.query<{ w: string }>(
        `select coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-') || ' ' ||
           regexp_replace(left(query, 48), '\\s+', ' ', 'g') as w
         from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`,
      );
      samples.push({ at: performance.now(), waits: rows.map((r) => r.w) });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return samples;
    },
  };
}

/** The waits seen while each publish slower than `overMs` was in flight, most frequent first. */
function waitsOfSlowPublishes(
  slow: { start: number; end: number }[],
  samples: { at: number; waits: string[] }[],
  overMs: number,
) {
  const counts = new Map<string, number>();
  for (const p of slow) {
    for (const s of samples) {
      if (s.at < p.start || s.at > p.end) continue;
      for (const w of s.waits) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  console.log(
    `${slow.length} publishes over ${overMs} ms during the prune; waits sampled meanwhile (count, wait, statement):`,
  );
  for (const [w, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${n}\t${w}`);
}

async function main() {
  await createDatabase();
  const rx = await receivers(8);
  const bench = await startHookport(benchEnv('postgres', 'retention', { HOOKPORT_RETENTION_DAYS: '30' }));
  try {
    await bench.endpoints(rx.ports);
    let publishing = true;
    let seq = 0;
    let slowestPublishMs = 0;
    const slowOverMs = 250;
    const slowPublishes: { start: number; end: number }[] = [];
    const publishers = Array.from({ length: 16 }, async () => {
      while (publishing) {
        const started = performance.now();
        await bench.publish(seq++);
        const took = performance.now() - started;
        slowestPublishMs = Math.max(slowestPublishMs, took);
        if (took > slowOverMs) slowPublishes.push({ start: started, end: started + took });
        if (mode === 'soak') await new Promise((r) => setTimeout(r, (16 * 1000) / Number(second ?? 200)));
      }
    });
    if (mode === 'prune') {
      const oldEvents = Number(first ?? 2_000_000);
      const seconds = Number(second ?? 120);
      await seedOld(bench.hp.db, oldEvents);
      console.log(`seeded ${oldEvents} old events; before:`, await sizes(bench.hp.db));
      const warmStart = rx.received();
      await new Promise((r) => setTimeout(r, (seconds * 1000) / 4));
      const before = (rx.received() - warmStart) / (seconds / 4);
      slowestPublishMs = 0;
      slowPublishes.length = 0;
      const sampler = sampleWaits(bench.hp.db);
      const started = performance.now();
      const atStart = rx.received();
      const removed = await prune(bench.hp.db, { defaultDays: 30 });
      const took = (performance.now() - started) / 1000;
      waitsOfSlowPublishes(slowPublishes, await sampler.stop(), slowOverMs);
      const during = (rx.received() - atStart) / took;
      console.log({
        removed,
        pruneSeconds: took.toFixed(1),
        rowsPerSecond: Math.round((removed.events + removed.deliveries + removed.attempts + removed.rollups) / took),
        deliveriesPerSecondBefore: Math.round(before),
        deliveriesPerSecondDuring: Math.round(during),
        slowestPublishMsDuring: Math.round(slowestPublishMs),
      });
      console.log('after:', await sizes(bench.hp.db));
    } else {
      const minutes = Number(first ?? 30);
      // The job table scaled like the events' window: finished jobs kept a minute, not an hour
      // (pg-boss's maintenance deletes them every two minutes), for a steady state within the run.
      for (const lane of ['main', 'slow'] as const)
        await bench.hp.queue.boss.updateQueue(queueOf(lane), { deleteAfterSeconds: 60 });
      for (let m = 1; m <= minutes; m++) {
        await new Promise((r) => setTimeout(r, 60_000));
        // The hourly job's run: the prune, then a vacuum where autovacuum does not run (it is off on this machine's server).
        const removed = await retentionRun(bench.hp.db, { olderThanSeconds: 60 }, { jobs: true });
        const owed = seq * rx.ports.length - rx.received();
        console.log(`minute ${m}:`, { published: seq, owed, removed, ...(await sizes(bench.hp.db)) });
      }
    }
    publishing = false;
    await Promise.all(publishers);
  } finally {
    await bench.close();
    rx.close();
    await dropDatabase();
  }
  console.log(`database ${dbUrl} dropped`);
}

await main();
