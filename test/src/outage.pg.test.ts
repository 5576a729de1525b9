import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fanout, startFanout } from './support/fanout.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import {
  createProber,
  expectNothingLost,
  type OutageRecord,
  outageLine,
  rideOutage,
  startPublisher,
} from './support/outage.ts';
import { databaseUrlOf, postgres, type Sql } from './support/postgres.ts';
import { until } from './support/until.ts';
import { killProcesses, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

/*
 * Every connection of Hookport killed with pg_terminate_backend, repeatedly,
 * under load: the API in this process and a worker process, a publisher
 * publishing all along, receivers answering. Hookport runs in a database of
 * this test's own on the shared server, and only that database's backends
 * (those of Hookport's application names) are terminated. Meanwhile every
 * answer is a 202 or a 503 in its surface's shape; afterwards the API and the
 * worker work again by themselves, and every accepted event reached every
 * endpoint. The long variant, with the server itself restarted, is
 * test/soak/outage.soak.test.ts.
 */

const terminations = 4;
const endpoints = 3;
const database = `hp_outage_${randomBytes(5).toString('hex')}`;

let admin: Sql | undefined;
let t: TestHookport | undefined;
let fan: Fanout | undefined;

beforeAll(async () => {
  admin = postgres(databaseUrlOf('postgres', 'outage.pg.test.ts'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${database}"`);
});
afterAll(async () => {
  await killProcesses();
  await fan?.close();
  await t?.close().catch(() => {});
  await admin?.unsafe(`drop database if exists "${database}" with (force)`);
  await admin?.end({ timeout: 5 });
});

/** Terminates the backends of Hookport (API pool, queue pool, LISTEN session) in this test's database only. */
async function terminateHookport(sql: Sql): Promise<number> {
  const [row] = await sql.unsafe<{ n: number }[]>(
    `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
     where datname = $1 and application_name like 'hookport%' and pid <> pg_backend_pid()`,
    [database],
  );
  return row?.n ?? 0;
}

/**
 * A worker that stopped delivering after a round (a fresh-clone CI run once waited 60 s for it on a loaded
 * machine) is told apart from one that exited: the failure says which, with the worker's last output.
 */
function withWorkerState(err: unknown, worker: WorkerProcess): Error {
  const state = worker.exit ? `the worker process exited (${JSON.stringify(worker.exit)})` : 'the worker process runs';
  const tail = worker.output.join('').split('\n').slice(-40).join('\n');
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`${message}; ${state}; its last output:\n${tail}`, { cause: err });
}

describe('pg_terminate_backend of every Hookport connection under load', () => {
  it(`rides out ${terminations} rounds: 202 or 503 meanwhile, the worker resumes, nothing accepted is lost`, async () => {
    if (!admin) throw new Error('no admin connection');
    const sql = admin;
    const hp = await startHookport({ DATABASE_URL: databaseUrlOf(database, 'outage.pg.test.ts') }, 'api');
    t = hp;
    const tenant = await createTenant(hp);
    const worker = await startWorkerProcess(hp);
    const f = await startFanout(hp, tenant, { endpoints, delayMs: 20 });
    fan = f;
    const prober = createProber(hp, tenant);
    await prober.probe();

    const publisher = startPublisher(hp, tenant, f, { concurrency: 3, pauseMs: 5, maxBacklog: 300 });
    await until('load flowing', async () => (f.delivered() >= 60 ? true : undefined), { timeoutMs: 30_000 });

    const records: OutageRecord[] = [];
    const killed: number[] = [];
    for (let round = 1; round <= terminations; round++) {
      try {
        records.push(
          await rideOutage(`terminate ${round}`, prober, f, async () => {
            killed.push(await terminateHookport(sql));
          }),
        );
      } catch (err) {
        throw withWorkerState(err, worker);
      }
      await sleep(500);
    }
    const stats = await publisher.stop();
    for (const r of records) console.info(`outage: ${outageLine(r)}`);
    await expectNothingLost(hp, f, worker, stats, records);
    // Each round really cut connections: the API's pool, pg-boss's pools and the worker's LISTEN session.
    expect(killed.every((n) => n > 0)).toBe(true);
    console.info(
      `outage: ${terminations} rounds of pg_terminate_backend (${killed.join(', ')} backends), ` +
        `${stats.accepted} events accepted × ${endpoints} endpoints, ${stats.unavailable} publishes answered 503, ` +
        `slowest answer ${stats.slowestMs} ms, worker delivering to every endpoint within ` +
        `${Math.max(...records.map((r) => r.workerResumeMs))} ms, ${f.duplicates()} duplicates, ` +
        `${f.missing().length} lost`,
    );
    // Its own bounds (load flowing, each round's recovery, every receipt, every record) fail first, with the
    // worker's output: the project's 120 s would cut the last of them short on a slow machine.
  }, 300_000);
});
