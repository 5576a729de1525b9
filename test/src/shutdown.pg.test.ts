import { describe, expect, it } from 'vitest';
import { startFanout } from './support/fanout.ts';
import { uuidOf } from './support/ids.ts';
import { until } from './support/until.ts';
import { apiForWorkerProcesses, startWorkerProcess } from './support/worker-process.ts';

/*
 * SIGTERM to a worker process mid-delivery: it stops fetching, lets the
 * attempts on the wire finish and be recorded, and exits 0 within
 * HOOKPORT_SHUTDOWN_SECONDS (plus process start-up slack). What it did not
 * start is still queued, and a fresh worker delivers it.
 */

const shutdownSeconds = 10;
const endpoints = 2;
const events = 30;
/** The receivers answer after this long, well inside the shutdown bound. */
const answerMs = 1500;
/** Per-endpoint in-flight cap of the worker (HOOKPORT_ENDPOINT_CONCURRENCY default). */
const endpointConcurrency = 4;

const { t, tenant, closeAtEnd } = await apiForWorkerProcesses();

describe('a worker process told to stop with SIGTERM', () => {
  it('stops fetching, finishes its in-flight attempts, exits 0; a fresh worker delivers the rest', async () => {
    const worker = await startWorkerProcess(t, { HOOKPORT_SHUTDOWN_SECONDS: String(shutdownSeconds) });
    const f = await startFanout(t, tenant, { endpoints, delayMs: answerMs });
    closeAtEnd(f);
    await f.publish(events);
    await until('several deliveries in flight', async () => (f.inFlight() >= endpoints ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 10,
    });

    const termAt = worker.signal('SIGTERM');
    const exit = await until('the worker to exit', async () => worker.exit, {
      timeoutMs: (shutdownSeconds + 5) * 1000,
    });
    expect(exit).toMatchObject({ code: 0, signal: null });
    const exitMs = exit.at - termAt;
    expect(exitMs).toBeLessThan(shutdownSeconds * 1000);

    // Finished in flight: every request it sent was answered (none abandoned) ...
    expect(f.endpoints.map((e) => e.abandoned)).toEqual(f.endpoints.map(() => 0));
    expect(f.inFlight()).toBe(0);
    // ... and recorded: each pair the receivers got is a succeeded delivery with one attempt.
    const rows = await t.hp.db.query<{ event_id: string; endpoint_id: string; status: string; attempt_count: number }>(
      'select event_id, endpoint_id, status, attempt_count from deliveries',
    );
    const byPair = new Map(rows.map((r) => [`${r.endpoint_id}/${r.event_id}`, r]));
    const sent = f.endpoints.flatMap((e) =>
      e.receiver.received.map((r) => byPair.get(`${uuidOf(e.endpointId)}/${uuidOf(String(r.headers['webhook-id']))}`)),
    );
    expect(sent.length).toBeGreaterThan(0);
    for (const d of sent) expect(d).toMatchObject({ status: 'succeeded', attempt_count: 1 });

    // Stopped fetching: after the signal, at most what was already claimed went out, and work is left.
    const sentAfterTerm = f.receivedSince(termAt);
    expect(sentAfterTerm).toBeLessThanOrEqual(endpoints * endpointConcurrency);
    const deliveredByFirst = f.delivered();
    expect(deliveredByFirst).toBeLessThan(f.expected());
    const pending = rows.filter((r) => r.status === 'pending').length;
    expect(pending).toBe(f.expected() - deliveredByFirst);

    // Nothing lost: a fresh worker delivers the rest, and nothing twice (every attempt above was recorded).
    await startWorkerProcess(t);
    await f.waitForAll(60_000);
    const statuses = await until('every delivery recorded', async () => {
      const s = await t.hp.db.query<{ status: string; attempts: number; n: number }>(
        `select status, attempt_count as attempts, count(*)::int as n from deliveries group by 1, 2`,
      );
      return s.length === 1 && s[0]?.status === 'succeeded' ? s : undefined;
    });
    expect(statuses).toEqual([{ status: 'succeeded', attempts: 1, n: f.expected() }]);
    expect(f.duplicates()).toBe(0);
    console.info(
      `shutdown: exited 0 ${exitMs} ms after SIGTERM; ${sentAfterTerm} requests sent after it; ` +
        `${deliveredByFirst} of ${f.expected()} delivered by the stopped worker, the rest by a fresh one`,
    );
  });
});
