import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './until.ts';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the receiver answers request number n (1-based); default 204. */
export type Responder = (req: Received, n: number, res: ServerResponse) => void;

export interface Receiver {
  url: string;
  received: Received[];
  respond: (responder: Responder) => void;
  /** Waits until at least n requests arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that records every request. */
export async function startReceiver(responder?: Responder): Promise<Receiver> {
  const received: Received[] = [];
  let answer: Responder =
    responder ??
    ((_req, _n, res) => {
      res.writeHead(204).end();
    });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(r);
      answer(r, received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    respond: (r) => {
      answer = r;
    },
    waitFor: (n, timeoutMs = 15_000) =>
      until(
        `${n} requests at the receiver (got ${received.length})`,
        async () => (received.length >= n ? received : undefined),
        { timeoutMs },
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
