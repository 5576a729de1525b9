/**
 * (q) and (q.pglite): the queue alone, what pg-boss itself carries here, with no HTTP and none of
 * our tables, on PostgreSQL and on PGlite.
 */
import { randomUUID } from 'node:crypto';
import { now, sleep } from '../clock.ts';
import { dbUrl } from '../database.ts';
import { benchEnv, startHookport } from '../hookport.ts';
import { cpuNote, meter, waitQuiet } from '../machine.ts';
import { fmt, record } from '../results.ts';
import { openPostgres } from '../server.ts';
import { settings } from '../settings.ts';

/**
 * The ceiling pg-boss puts on (b): the same jobs (one per delivery, grouped by endpoint) inserted
 * 10 to a transaction by 16 concurrent producers, as publishing does, while one loop claims up to
 * the worker's concurrency with the per-endpoint cap and completes each batch at once, as the
 * dispatcher does: every database step a delivery's job takes, and nothing else. Jobs/s over first
 * insert → last complete.
 */
export async function queueAlone(id: 'q' | 'q.pglite', kind: 'postgres' | 'pglite'): Promise<void> {
  const b = await startHookport(benchEnv(kind, kind === 'postgres' ? 'bench_queue' : 'hookport'), 'api');
  const { queue, db } = b.hp;
  // The worker's pool settings (server/src/runtime.ts): its commits do not wait for the WAL flush.
  const workerDb =
    kind === 'postgres'
      ? openPostgres({ url: dbUrl, schema: 'bench_queue', synchronousCommit: false, genericPlans: true })
      : null;
  const claimDb = workerDb ?? db;
  try {
    const groups = Array.from({ length: settings.endpoints }, () => randomUUID());
    const insertAll = async (count: number) => {
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < count; i = next++) {
          await db.transaction((tx) =>
            queue.enqueue(
              tx,
              groups.map((endpointId) => ({ deliveryId: randomUUID(), endpointId, attempt: 1 })),
            ),
          );
        }
      };
      await Promise.all(Array.from({ length: settings.publishConcurrency }, lane));
    };
    const consume = async (total: number) => {
      let done = 0;
      let idleSince = now();
      while (done < total && now() - idleSince < 10_000) {
        const jobs = await queue.fetch(claimDb, 'main', settings.workerConcurrency, settings.endpointConcurrency);
        if (jobs.length === 0) {
          // Polled, not woken: a tight poll keeps the measure the queue's own cost, not a wake-up's.
          await sleep(1);
          continue;
        }
        idleSince = now();
        await queue.complete(
          claimDb,
          jobs.map((j) => ({ id: j.id, retryCount: j.retryCount, name: j.name })),
        );
        done += jobs.length;
      }
      return done;
    };
    const run = async (events: number) => {
      const cpu0 = meter.begin();
      const t0 = now();
      const [, done] = await Promise.all([insertAll(events), consume(events * groups.length)]);
      return { done, ms: now() - t0, cpu: meter.end(cpu0) };
    };
    await run(settings.warmEvents);
    await waitQuiet(id);
    const { done, ms, cpu } = await run(settings.events);
    record(
      id,
      `pg-boss alone (no HTTP, no Hookport tables), ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite (in memory)'}`,
      done / (ms / 1000),
      'jobs/s',
      `${done}/${settings.events * groups.length} jobs inserted ${groups.length} per transaction by ` +
        `${settings.publishConcurrency} producers, claimed ≤ ${settings.workerConcurrency} at a time with ` +
        `${settings.endpointConcurrency} per group and completed, in ${fmt(ms / 1000, 2)} s: the most (b) can ` +
        `carry with one job per delivery; ${cpuNote(cpu, done)}`,
    );
  } finally {
    await workerDb?.close();
    await b.close();
  }
}
