/**
 * The floor under the publish response (docs/benchmarks.md, "What a durable commit costs here"): a 202
 * promises the event is stored, so every publish ends with one durable commit, a WAL flush. This offers
 * single-row insert transactions to PostgreSQL at a fixed rate (as the latency phase offers publishes),
 * on one connection each from a small pool, and prints the commit round trip's p50 / p99 / max with
 * `synchronous_commit` on (what the API does) and off (what it may not do), nothing of Hookport around
 * it. A publish response can be no faster than the first line's p99; run it on a quiet machine.
 *
 *   pnpm exec tsx test/bench/tools/commit-latency.ts [rate=200] [seconds=10]
 *
 * The table lives in a schema of its own in the database of BENCH_PG_ADMIN_URL, dropped at the end.
 */
import { now, sleep } from '../clock.ts';
import { fmt } from '../results.ts';
import { openPostgres } from '../server.ts';
import { settings } from '../settings.ts';

const rate = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 10);
const schema = `commit_latency_${process.pid}`;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Offers `rate` commits a second for `seconds`, each on its own schedule (not waiting for the last). */
async function run(synchronousCommit: boolean): Promise<number[]> {
  const db = openPostgres({ url: settings.pgAdminUrl, schema, max: 10, synchronousCommit });
  const took: number[] = [];
  try {
    await db.exec(`create schema if not exists ${schema}`);
    await db.exec(`create table if not exists ${schema}.rows (id bigserial primary key, body text not null)`);
    // A warm-up second at the same rate: connections opened, statement prepared.
    const total = rate * (seconds + 1);
    const start = now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      inFlight.push(
        (async () => {
          const t0 = now();
          await db.transaction(async (tx) => {
            await tx.query(`insert into ${schema}.rows (body) values ($1)`, [`event ${i}`]);
          });
          if (i >= rate) took.push(now() - t0);
        })(),
      );
    }
    await Promise.all(inFlight);
  } finally {
    await db.exec(`drop schema if exists ${schema} cascade`).catch(() => {});
    await db.close();
  }
  return took.sort((a, b) => a - b);
}

for (const synchronousCommit of [true, false]) {
  const took = await run(synchronousCommit);
  console.log(
    `synchronous_commit ${synchronousCommit ? 'on ' : 'off'}: ${took.length} transactions at ${rate}/s: ` +
      `p50 ${fmt(quantile(took, 0.5))} ms, p99 ${fmt(quantile(took, 0.99))} ms, max ${fmt(took.at(-1) ?? Number.NaN)} ms`,
  );
}
