import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fanout, startFanout } from '../src/support/fanout.ts';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from '../src/support/harness.ts';
import {
  createProber,
  expectNothingLost,
  firstTime,
  type OutageRecord,
  outageAnswers,
  outageLine,
  rideOutage,
  startPublisher,
} from '../src/support/outage.ts';
import { postgres } from '../src/support/postgres.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../src/support/private-postgres.ts';
import { until } from '../src/support/until.ts';
import { killProcesses, startWorkerProcess, type WorkerProcess } from '../src/support/worker-process.ts';

/*
 * PostgreSQL restarted, stopped and its connections terminated under load (`pnpm test:soak`). Hookport runs on a
 * cluster of this test's own (initdb in a temp directory, a free port), so
 * restarting it harms no one: the API in this process, the worker as an OS
 * process, a publisher publishing all along and receivers answering. Each
 * round restarts the cluster (`pg_ctl restart -m fast`), then stops it for
 * OUTAGE_STOP_MS and starts it again; then, separately, every Hookport
 * connection is cut with pg_terminate_backend OUTAGE_SOAK_TERMINATIONS times.
 * Meanwhile every answer of the API is a 202 or a 503 in the surface's own
 * shape, /ready says not ready while /health stays up; after each outage
 * the worker delivers again by itself, and at the end every accepted event
 * reached every endpoint.
 */

const rounds = Number(process.env.OUTAGE_SOAK_ROUNDS ?? 5);
const stopMs = Number(process.env.OUTAGE_STOP_MS ?? 3000);
const terminations = Number(process.env.OUTAGE_SOAK_TERMINATIONS ?? 10);
const endpoints = 4;

let pg: PrivatePostgres | undefined;
let t: TestHookport | undefined;
let fan: Fanout | undefined;

beforeAll(async () => {
  pg = await startPrivatePostgres();
});
afterAll(async () => {
  await killProcesses();
  await fan?.close();
  await t?.close().catch(() => {});
  await pg?.destroy();
});

describe('soak: PostgreSQL restarted, stopped, and its connections terminated under load', () => {
  it(`rides out ${rounds} restarts, ${rounds} stops of ${stopMs} ms and ${terminations} terminations: 503s meanwhile, workers resume, nothing accepted is lost`, async () => {
    if (!pg) throw new Error('no private cluster');
    const cluster = pg;
    const hp = await startHookport({ DATABASE_URL: cluster.url }, 'api');
    t = hp;
    const tenant: TenantFixture = await createTenant(hp);
    const worker: WorkerProcess = await startWorkerProcess(hp);
    const f = await startFanout(hp, tenant, { endpoints, delayMs: 20 });
    fan = f;
    const prober = createProber(hp, tenant);
    // Compile the contract validators of every probed route before the clock matters.
    expect(outageAnswers(await prober.probe()).healthUp).toBe(true);

    const publisher = startPublisher(hp, tenant, f, { concurrency: 4, pauseMs: 5, maxBacklog: 400 });
    await until('load flowing', async () => (f.delivered() >= 200 ? true : undefined), { timeoutMs: 60_000 });

    const records: OutageRecord[] = [];
    for (let round = 0; round < rounds; round++) {
      if (worker.exit) throw new Error(`the worker exited: ${worker.output.join('').slice(-4000)}`);
      records.push(await rideOutage(`restart ${round + 1}`, prober, f, () => cluster.restart()));
      await sleep(1000);
      records.push(
        await rideOutage(`stop ${round + 1}`, prober, f, async (probes) => {
          const stoppedAt = Date.now();
          await cluster.stop();
          // The outage must be seen from outside before the database comes back.
          await firstTime(
            'a probe showing the outage',
            () => probes.some((p) => Object.values(outageAnswers(p)).every(Boolean)),
            30_000,
          );
          await sleep(Math.max(0, stopMs - (Date.now() - stoppedAt)));
          await cluster.start();
        }),
      );
      await sleep(1000);
    }
    // Separately: every Hookport connection cut with pg_terminate_backend while the server stays up.
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    const killed: number[] = [];
    try {
      for (let round = 1; round <= terminations; round++) {
        records.push(
          await rideOutage(`terminate ${round}`, prober, f, async () => {
            const [row] = await admin.unsafe<{ n: number }[]>(
              `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
               where application_name like 'hookport%' and pid <> pg_backend_pid()`,
            );
            killed.push(row?.n ?? 0);
          }),
        );
        await sleep(500);
      }
    } finally {
      await admin.end({ timeout: 5 });
    }
    const stats = await publisher.stop();
    for (const r of records) console.info(`outage soak: ${outageLine(r)}`);
    await expectNothingLost(hp, f, worker, stats, records);
    expect(records.filter((r) => r.kind.startsWith('stop')).every((r) => r.outageProbes > 0)).toBe(true);
    expect(stats.unavailable).toBeGreaterThan(0);
    expect(killed.every((n) => n > 0)).toBe(true);
    const probe503 = records.reduce((n, r) => n + r.answered503, 0);
    console.info(
      `outage soak: ${stats.accepted} events accepted × ${endpoints} endpoints, ${records.length} outages ` +
        `(${rounds} restarts, ${rounds} stops, ${terminations} terminations of ${killed.join('/')} backends), ` +
        `${stats.unavailable} publishes and ${probe503} probe requests answered 503, ` +
        `slowest answer ${stats.slowestMs} ms, worker delivering to every endpoint within ` +
        `${Math.max(...records.map((r) => r.workerResumeMs))} ms, ${f.duplicates()} duplicates, ` +
        `${f.missing().length} lost`,
    );
  });
});
