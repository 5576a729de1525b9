import { describe, expect, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { startOrderedReceiver } from './support/ordered-receiver.ts';
import { until } from './support/until.ts';
import { apiForWorkerProcesses, startWorkerProcess } from './support/worker-process.ts';

/*
 * Ordered delivery across processes (docs/delivery.md, "Ordered delivery"): the worker holding a fifo
 * endpoint's head dies hard (SIGKILL) mid-attempt, and two worker processes take over. The head's job
 * comes back once its heartbeat is missed (about 10 s: the one slow part of this test) and the events
 * behind it wait for it; with two workers fetching, the endpoint still has one request in flight at a
 * time, in publish order, while three unordered endpoints take the same events in parallel. The
 * receivers check the order themselves (support/ordered-receiver.ts).
 */

const events = 30;

const { t, tenant, closeAtEnd } = await apiForWorkerProcesses();

describe('fifo endpoints with a SIGKILLed worker and two worker processes', () => {
  it('keep publish order and one request at a time', async () => {
    const kit = new DeliveryKit(t, tenant);
    closeAtEnd(kit);
    // A: some first attempts fail, and event 5's first attempt is held until its worker dies.
    const a = await startOrderedReceiver((n, attempt) => {
      if (n === 5 && attempt === 1) return 'hold';
      return n % 4 === 2 && attempt === 1 ? 500 : 204;
    });
    closeAtEnd(a);
    // B: another fifo endpoint, so the workers have two heads to work on at once.
    const b = await startOrderedReceiver((n, attempt) => (n % 3 === 0 && attempt === 1 ? 503 : 204));
    closeAtEnd(b);
    const epA = await kit.endpoint(a.url, { ordering: 'fifo', retrySchedule: [1, 1] });
    const epB = await kit.endpoint(b.url, { ordering: 'fifo', retrySchedule: [1, 1] });
    // Load beside them: three unordered endpoints on one receiver get every event too, in parallel.
    const plain = await kit.receiver();
    for (let i = 0; i < 3; i++) await kit.endpoint(plain.url);

    const first = await startWorkerProcess(t);
    for (let n = 1; n <= events; n++) {
      await kit.accepted('ticket.created', { n }).catch((err: unknown) => {
        // A refused publish fails the test with the server's error lines, which say why.
        throw new Error(`${String(err)}\n${t.logs.filter((l) => l.includes('"level":50')).join('')}`);
      });
    }
    await a.waitForHeld(1, 30_000);
    first.signal('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    await startWorkerProcess(t);
    await startWorkerProcess(t);

    await a.waitForSucceeded(events, 60_000);
    await b.waitForSucceeded(events, 60_000);
    for (const r of [a, b]) {
      expect(r.violations).toEqual([]);
      expect(r.maxInFlight).toBe(1);
      expect(r.succeeded()).toEqual(Array.from({ length: events }, (_, i) => i + 1));
    }
    await plain.waitFor(3 * events, 30_000);
    // Event 5 reached A twice: held by the dead worker, then made again by another.
    expect(a.arrivals.filter((n) => n === 5)).toHaveLength(2);
    // The database agrees: every delivery of both endpoints succeeded.
    await until('every delivery recorded', async () => {
      const all = [...(await kit.listAll({ endpointId: epA.id })), ...(await kit.listAll({ endpointId: epB.id }))];
      return all.length === 2 * events && all.every((d) => d.status === 'succeeded') ? true : undefined;
    });
  });
});
