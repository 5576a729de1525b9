import { describe, expect, it } from 'vitest';
import { startFanout } from './support/fanout.ts';
import { until } from './support/until.ts';
import { apiForWorkerProcesses, startWorkerProcess } from './support/worker-process.ts';

/*
 * A worker process dies hard (SIGKILL) with deliveries in flight. Its claimed
 * jobs are found by their missed pg-boss heartbeat (heartbeatSeconds 10,
 * supervised every 2 s) and worked again by a new worker process, so every
 * event still reaches every endpoint: at least once, possibly twice for the
 * requests that were on the wire when the process died.
 */

const events = 100;
const endpoints = 3;
/** Per-endpoint in-flight cap of the worker (HOOKPORT_ENDPOINT_CONCURRENCY default). */
const endpointConcurrency = 4;

// The API in this process; the worker runs only as separate processes on the same schema.
const { t, tenant, closeAtEnd } = await apiForWorkerProcesses();

describe('a worker process killed with SIGKILL mid-delivery', () => {
  it('loses nothing: a new worker delivers every event to every endpoint at least once', async () => {
    const first = await startWorkerProcess(t);
    const f = await startFanout(t, tenant, { endpoints, delayMs: 300 });
    closeAtEnd(f);
    await f.publish(events);

    // Kill it once a fair share arrived and some requests are on the wire, unanswered.
    await until('deliveries in flight', async () => (f.delivered() >= 45 && f.inFlight() > 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    const atKill = { delivered: f.delivered(), inFlight: f.inFlight() };
    const killedAt = first.signal('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(atKill.delivered).toBeLessThan(f.expected());

    await startWorkerProcess(t);
    await f.waitForAll(90_000);
    const recoveredMs = Date.now() - killedAt;

    // The database agrees: every delivery succeeded, none is left pending or failed.
    const statuses = await until('every delivery recorded', async () => {
      const rows = await t.hp.db.query<{ status: string; n: number }>(
        'select status, count(*)::int as n from deliveries group by status order by status',
      );
      return rows.length === 1 ? rows : undefined;
    });
    expect(statuses).toEqual([{ status: 'succeeded', n: events * endpoints }]);
    // Answering in 300 ms with all four slots taken, the endpoints were saturated and moved to the slow
    // lane (docs/delivery.md, "Lanes"): the kill caught jobs of both queues, and both came back.
    const lanes = await t.hp.db.query<{ name: string }>(
      `select distinct name from "${t.hp.db.schema}_boss".job where name like 'hookport.deliver%' order by name`,
    );
    expect(lanes.map((l) => l.name)).toEqual(['hookport.deliver', 'hookport.deliver.slow']);

    const duplicates = f.duplicates();
    // Only what the dead worker had claimed can arrive twice: the requests on the wire at the kill,
    // and any answered but not yet recorded.
    expect(duplicates).toBeLessThanOrEqual(atKill.inFlight + endpoints * endpointConcurrency);
    // The dead worker's claimed jobs came back once their heartbeat was missed (10 s), not at expiry (120 s).
    const lastRepeatMs = Math.max(0, ...f.repeatedAt().map((at) => at - killedAt));
    expect(lastRepeatMs).toBeLessThan(30_000);
    console.info(
      `crash: ${events} events × ${endpoints} endpoints; killed with ${atKill.delivered} delivered and ` +
        `${atKill.inFlight} in flight; ${duplicates} duplicates, the last ${lastRepeatMs} ms after the kill; ` +
        `all delivered ${recoveredMs} ms after the kill`,
    );
  });
});
