import { afterEach, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TestHookport } from '../src/support/harness.ts';
import { runApiCrashes, runShutdowns, runWorkerCrashes } from '../src/support/soak-crash.ts';
import type { Receivers } from '../src/support/soak-load.ts';
import { killProcesses } from '../src/support/worker-process.ts';

/*
 * The long crash and shutdown runs of issue 6 (`pnpm test:soak` with
 * DATABASE_URL: several processes on one database need PostgreSQL). Sizes can
 * be raised with CRASH_SOAK_EVENTS and CRASH_SOAK_KILLS. The CI-sized variant
 * is test/src/crash.load.pg.test.ts; the figures are in docs/reliability/crash.md.
 */

const events = Number(process.env.CRASH_SOAK_EVENTS ?? 3000);
const kills = Number(process.env.CRASH_SOAK_KILLS ?? 12);

let t: TestHookport | undefined;
const cleanup: { receivers?: Receivers } = {};

async function start(): Promise<TestHookport> {
  // Not a skip: a soak run without PostgreSQL must say it did not run this.
  if (!process.env.DATABASE_URL) throw new Error('the crash soak needs DATABASE_URL (PostgreSQL)');
  t = await startHookport({}, 'api');
  return t;
}

afterEach(async () => {
  // Children first: the harness drops the schema they work in.
  await killProcesses();
  await cleanup.receivers?.close();
  delete cleanup.receivers;
  await t?.close();
  t = undefined;
});

describe('soak: crash and graceful shutdown under load', () => {
  it(`delivers ${events} events to 20 endpoints through ${kills} SIGKILLs of 2 worker processes`, async () => {
    const hp = await start();
    const tenant = await createTenant(hp);
    const r = await runWorkerCrashes(
      hp,
      tenant,
      {
        events,
        endpoints: 20,
        workers: 2,
        kills,
        killEveryMs: [1000, 5000],
        maxAnswerMs: 50,
        publishConcurrency: 8,
        drainTimeoutMs: 10 * 60_000,
      },
      cleanup,
    );
    console.info(`crash.soak workers: ${JSON.stringify(r)}`);
    expect(r.kills).toHaveLength(kills);
    for (const k of r.kills) expect(k.delivered).toBeLessThan(r.expected);
    expect(r.accepted).toBe(events);
    expect(r.statuses).toEqual({ byStatus: { succeeded: r.expected }, total: r.expected });
    expect(r.distinct).toBe(r.expected);
    expect(r.undelivered).toBe(0);
    expect(r.half).toEqual({ eventsWithoutDeliveries: 0, deliveriesWithoutJobs: 0 });
    expect(r.duplicates).toBeLessThanOrEqual(r.inFlightSum);
  });

  it(`delivers every 202 through ${kills} SIGKILLs of the API process while publishing, and stores nothing by halves`, async () => {
    const hp = await start();
    const tenant = await createTenant(hp);
    const endpoints = 10;
    const r = await runApiCrashes(
      hp,
      tenant,
      {
        endpoints,
        kills,
        killEveryMs: [300, 2000],
        maxAnswerMs: 20,
        publishConcurrency: 8,
        drainTimeoutMs: 5 * 60_000,
      },
      cleanup,
    );
    console.info(`crash.soak api: ${JSON.stringify(r)}`);
    expect(r.noAnswer + r.serverErrors).toBeGreaterThan(0);
    expect(r.acceptedLost).toBe(0);
    expect(r.partial).toBe(0);
    expect(r.half).toEqual({ eventsWithoutDeliveries: 0, deliveriesWithoutJobs: 0 });
    const stored = (r.accepted + r.storedWithoutAnswer) * endpoints;
    expect(r.statuses).toEqual({ byStatus: { succeeded: stored }, total: stored });
    expect(r.undelivered).toBe(0);
  });

  it('SIGTERM under a steady load: each worker exits 0 in time, in-flight attempts finish or are handed back', async () => {
    const hp = await start();
    const tenant = await createTenant(hp);
    const shutdownSeconds = 3;
    const r = await runShutdowns(
      hp,
      tenant,
      {
        endpoints: 10,
        rounds: Number(process.env.SHUTDOWN_ROUNDS ?? 4),
        shutdownSeconds,
        // Answers take up to 4 s, the attempts get 2 s of the 3 s bound (a second is kept for closing):
        // some finish, the others are handed back.
        maxAnswerMs: Number(process.env.SHUTDOWN_ANSWER_MS ?? 4000),
        loadMs: 4000,
        publishConcurrency: 1,
        paceMs: 700,
        drainTimeoutMs: 5 * 60_000,
      },
      cleanup,
    );
    console.info(`crash.soak shutdown: ${JSON.stringify(r)}`);
    for (const round of r.rounds) {
      expect(round).toMatchObject({ exitCode: 0, exitSignal: null });
      // The bound plus a second for closing pools and the process exit.
      expect(round.exitMs).toBeLessThan((shutdownSeconds + 1) * 1000);
      // What it cut off, it handed back (the survivor's receivers answer well inside its timeout).
      expect(round.abandoned).toBeLessThanOrEqual(round.handedBack);
    }
    // Some attempts finished within the bound and some were handed back over the rounds: both paths ran.
    expect(r.rounds.some((round) => round.open > round.abandoned)).toBe(true);
    expect(r.abandoned).toBeGreaterThan(0);
    const expected = r.accepted * r.endpoints;
    expect(r.statuses).toEqual({ byStatus: { succeeded: expected }, total: expected });
    expect(r.undelivered).toBe(0);
    // Only what was handed back can arrive twice: the requests cut off, and any whose answer was on its
    // way when the abort came (the receiver counts it answered, the worker never saw it).
    expect(r.duplicates).toBeLessThanOrEqual(r.handedBack);
  });
});
