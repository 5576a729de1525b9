import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './until.ts';

/**
 * A receiver for a fifo endpoint (docs/delivery.md, "Ordered delivery") that checks the order itself:
 * each event carries its publish number `n` in its data, and every request must come after every
 * smaller n was answered with a 2xx (nothing overtakes), with no other request in flight (one at a
 * time). Violations are collected, not thrown, so the test reports them all at the end.
 */

/** How to answer request `attempt` (1-based, per n) of event n: a status, or hold it until `release()`. */
export type OrderedPolicy = (n: number, attempt: number) => number | 'hold';

export interface OrderedReceiver {
  url: string;
  /** Every request's n, in arrival order. */
  arrivals: number[];
  /** What broke the order or the one-at-a-time rule; empty when all was well. */
  violations: string[];
  /** The most requests ever in flight at once. */
  maxInFlight: number;
  /** The n answered with a 2xx, in order. */
  succeeded(): number[];
  /** Answers every held request with this status. */
  release(status: number): void;
  /** Waits until n events were answered with a 2xx. */
  waitForSucceeded(count: number, timeoutMs?: number): Promise<void>;
  /** Waits until `count` requests are held. */
  waitForHeld(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOrderedReceiver(policy: OrderedPolicy): Promise<OrderedReceiver> {
  const arrivals: number[] = [];
  const violations: string[] = [];
  const done = new Set<number>();
  const succeeded: number[] = [];
  const attempts = new Map<number, number>();
  const held: { res: ServerResponse; n: number }[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };

  const answer = (res: ServerResponse, n: number, status: number) => {
    if (res.destroyed) return;
    // Counted as done before the answer leaves: the next request can only follow it.
    if (status < 300 && !done.has(n)) {
      done.add(n);
      succeeded.push(n);
    }
    res.writeHead(status).end();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = Number((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { n: number } }).data.n);
      arrivals.push(n);
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      if (inFlight > 1) violations.push(`event ${n} arrived with ${inFlight - 1} other request(s) in flight`);
      for (let m = 1; m < n; m++) {
        if (!done.has(m)) violations.push(`event ${n} arrived before event ${m} succeeded`);
      }
      res.on('close', () => {
        inFlight--;
      });
      const attempt = (attempts.get(n) ?? 0) + 1;
      attempts.set(n, attempt);
      const decided = policy(n, attempt);
      if (decided === 'hold') held.push({ res, n });
      // A few milliseconds of work on the receiver's side: room for a second request to overlap, if one were sent.
      else setTimeout(() => answer(res, n, decided), 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    violations,
    get maxInFlight() {
      return state.maxInFlight;
    },
    succeeded: () => [...succeeded],
    release(status) {
      for (const h of held.splice(0)) answer(h.res, h.n, status);
    },
    waitForSucceeded: (count, timeoutMs = 20_000) =>
      until(
        `${count} events succeeded (got ${succeeded.length})`,
        async () => (succeeded.length >= count ? true : undefined),
        { timeoutMs },
      ).then(() => undefined),
    waitForHeld: (count, timeoutMs = 20_000) =>
      until(`${count} requests held (got ${held.length})`, async () => (held.length >= count ? true : undefined), {
        timeoutMs,
      }).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
