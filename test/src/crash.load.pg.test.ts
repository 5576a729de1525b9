import { afterEach, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { runApiCrashes, runWorkerCrashes } from './support/soak-crash.ts';
import type { Receivers } from './support/soak-load.ts';
import { killProcesses } from './support/worker-process.ts';

/*
 * Crash under load, CI-sized (the long run is test/soak/crash.soak.test.ts):
 * worker processes SIGKILLed repeatedly while events flow to several
 * endpoints, and the API process SIGKILLed repeatedly while it is publishing.
 * Nothing accepted is lost, nothing is half-stored, and duplicates stay
 * within what was in flight at the kills. Figures: docs/reliability/crash.md.
 */

let t: TestHookport | undefined;
const cleanup: { receivers?: Receivers } = {};

afterEach(async () => {
  // Children first: the harness drops the schema they work in.
  await killProcesses();
  await cleanup.receivers?.close();
  delete cleanup.receivers;
  await t?.close();
  t = undefined;
});

describe('worker processes SIGKILLed under load', () => {
  it('delivers every event to every endpoint, with duplicates bounded by what was in flight', async () => {
    t = await startHookport({}, 'api');
    const tenant = await createTenant(t);
    const plan = {
      // 10 endpoints × 4 slots each (HOOKPORT_ENDPOINT_CONCURRENCY) outnumber one worker's 32: the jobs a
      // dead worker holds until its heartbeat is missed cannot take every endpoint's slots.
      // Enough work to outlast the three kills and the restarts between them: with 150 events a fast run
      // had delivered everything before the third kill (which then hit an idle worker).
      events: 300,
      endpoints: 10,
      workers: 2,
      kills: 3,
      killEveryMs: [500, 1200] as [number, number],
      maxAnswerMs: 400,
      publishConcurrency: 4,
      drainTimeoutMs: 60_000,
    };
    const r = await runWorkerCrashes(t, tenant, plan, cleanup);
    console.info(`crash.load workers: ${JSON.stringify(r)}`);

    expect(r.kills).toHaveLength(plan.kills);
    // Every kill came while work was left: none was a kill of an idle worker after the fact.
    for (const k of r.kills) expect(k.delivered).toBeLessThan(r.expected);
    expect(r.accepted).toBe(plan.events);
    expect(r.statuses).toEqual({ byStatus: { succeeded: r.expected }, total: r.expected });
    expect(r.distinct).toBe(r.expected);
    expect(r.undelivered).toBe(0);
    expect(r.half).toEqual({ eventsWithoutDeliveries: 0, deliveriesWithoutJobs: 0 });
    expect(r.duplicates).toBeLessThanOrEqual(r.inFlightSum);
  });
});

describe('the API process SIGKILLed while publishing', () => {
  it('delivers every 202; what got no answer is stored whole or not at all', async () => {
    t = await startHookport({}, 'api');
    const tenant = await createTenant(t);
    const plan = {
      endpoints: 3,
      kills: 3,
      killEveryMs: [300, 1000] as [number, number],
      maxAnswerMs: 50,
      publishConcurrency: 6,
      drainTimeoutMs: 60_000,
    };
    const r = await runApiCrashes(t, tenant, plan, cleanup);
    console.info(`crash.load api: ${JSON.stringify(r)}`);

    expect(r.accepted).toBeGreaterThan(0);
    // The kills cut requests off: otherwise this proved nothing about them.
    expect(r.noAnswer + r.serverErrors).toBeGreaterThan(0);
    expect(r.acceptedLost).toBe(0);
    expect(r.partial).toBe(0);
    expect(r.half).toEqual({ eventsWithoutDeliveries: 0, deliveriesWithoutJobs: 0 });
    const stored = (r.accepted + r.storedWithoutAnswer) * plan.endpoints;
    expect(r.statuses).toEqual({ byStatus: { succeeded: stored }, total: stored });
    expect(r.undelivered).toBe(0);
  });
});
