/**
 * The HTTP edge over real sockets (serveApp, as `hookport serve` listens): a keep-alive client
 * that sends a body over the limit gets the 413, with `Connection: close`, in its surface's error
 * shape, and the request after it gets its own answer. Before the lingering close
 * (server/src/http/lingering-close.ts) the 413 went out with `Connection: keep-alive` while the
 * unread body was stalled, and @hono/node-server cut the connection 500 ms later: a client
 * sending 1 MiB (declared or streamed) saw "other side closed" (undici) or "socket hang up"
 * (node:http) instead of the 413, every run.
 */
import { Agent, request as httpRequest } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { serveApp } from '@hookport/server';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';

const maxRequestBytes = 4096;
const maxEventBytes = 2048;
const rounds = 20;

interface Answer {
  status: number;
  connection: string | undefined;
  body: unknown;
}

interface Surface {
  name: string;
  /** Where an oversized POST goes, and where the normal GET after it goes. */
  path: string;
  headers(tenant: TenantFixture): Record<string, string>;
  /** The surface's own 413 shape. */
  expect413(body: unknown): void;
}

const bearer = (tenant: TenantFixture) => ({ authorization: `Bearer ${tenant.token}` });

const surfaces: Surface[] = [
  {
    name: 'native /v1',
    path: '/v1/endpoints',
    headers: bearer,
    expect413: (body) => expect(body).toMatchObject({ status: 413, code: 'payload_too_large' }),
  },
  {
    name: 'spedy',
    path: '/api/v1/webhook-endpoints',
    headers: bearer,
    expect413: (body) => expect(body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' }),
  },
  {
    name: 'helpdesk',
    path: '/helpdesk/api/v1/webhooks',
    headers: (tenant) => ({ ...bearer(tenant), 'x-workspace-id': tenant.id }),
    expect413: (body) => expect(body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', status: 413 } }),
  },
  {
    name: 'tsanet',
    path: '/v1/webhooks',
    headers: bearer,
    expect413: (body) => expect(body).toEqual({ message: expect.any(String), validationErrors: [] }),
  },
  {
    name: 'rapidly',
    path: '/api/webhooks/endpoints',
    headers: bearer,
    expect413: (body) => expect(body).toMatchObject({ error: 'PayloadTooLarge' }),
  },
  {
    name: 'xpath',
    path: '/v2.3/webhooks/endpoints',
    headers: bearer,
    expect413: (body) => expect(body).toMatchObject({ error: { code: 'payload_too_large' } }),
  },
];

/** JSON of about `bytes` bytes: well-formed, so only its size is wrong. */
function jsonOf(bytes: number): Buffer {
  return Buffer.from(JSON.stringify({ padding: 'x'.repeat(bytes) }));
}

let t: TestHookport;
let tenant: TenantFixture;
let origin: string;
let close: () => Promise<void>;

beforeAll(async () => {
  t = await startHookport({
    HOOKPORT_MAX_REQUEST_BYTES: String(maxRequestBytes),
    HOOKPORT_MAX_EVENT_BYTES: String(maxEventBytes),
  });
  tenant = await createTenant(t, { presets: ['spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'] });
  // As `hookport serve` listens: the same server, on a free loopback port.
  const server = await new Promise<ReturnType<typeof serveApp>>((resolve) => {
    const listening = serveApp({ fetch: t.hp.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  };
});

afterAll(async () => {
  await close?.();
  await t?.close();
});

/** One request on an undici Client: one keep-alive connection, reopened only when the server closed it. */
async function viaUndici(
  client: Client,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | Readable,
): Promise<Answer> {
  const res = await client.request({ method, path, headers, body });
  const text = await res.body.text();
  const connection = res.headers.connection;
  return {
    status: res.statusCode,
    connection: typeof connection === 'string' ? connection : undefined,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** One request through node:http with a keep-alive Agent of one socket. */
function viaNodeHttp(
  agent: Agent,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          connection: res.headers.connection,
          body: text === '' ? undefined : JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Chunks of `total` bytes with no declared length, so the server can only count. */
function streamed(total: number): Readable {
  const whole = jsonOf(total);
  const chunks: Buffer[] = [];
  for (let at = 0; at < whole.length; at += 16 * 1024) chunks.push(whole.subarray(at, at + 16 * 1024));
  return Readable.from(chunks);
}

const sizes = [64 * 1024, 1024 * 1024];

describe.each(surfaces)('$name', (surface) => {
  const json = { 'content-type': 'application/json' };

  it.each(sizes)('undici keep-alive: %i-byte bodies get the 413, the request after each its answer', async (size) => {
    const client = new Client(origin, { pipelining: 1 });
    try {
      const headers = { ...surface.headers(tenant), ...json };
      for (let round = 0; round < rounds; round++) {
        const over = await viaUndici(client, 'POST', surface.path, headers, jsonOf(size));
        expect(over.status, `round ${round}`).toBe(413);
        expect(over.connection).toBe('close');
        surface.expect413(over.body);
        const next = await viaUndici(client, 'GET', surface.path, surface.headers(tenant));
        expect(next.status, `round ${round}`).toBe(200);
      }
    } finally {
      await client.close();
    }
  });

  it('undici keep-alive: streamed bodies with no length get the 413 too', async () => {
    const client = new Client(origin, { pipelining: 1 });
    try {
      const headers = { ...surface.headers(tenant), ...json };
      for (let round = 0; round < rounds; round++) {
        const over = await viaUndici(client, 'POST', surface.path, headers, streamed(256 * 1024));
        expect(over.status, `round ${round}`).toBe(413);
        expect(over.connection).toBe('close');
        surface.expect413(over.body);
        const next = await viaUndici(client, 'GET', surface.path, surface.headers(tenant));
        expect(next.status, `round ${round}`).toBe(200);
      }
    } finally {
      await client.close();
    }
  });

  it.each(sizes)(
    'node:http keep-alive Agent: %i-byte bodies get the 413, the request after each its answer',
    async (size) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const headers = { ...surface.headers(tenant), ...json };
        for (let round = 0; round < rounds; round++) {
          const over = await viaNodeHttp(agent, 'POST', surface.path, headers, jsonOf(size));
          expect(over.status, `round ${round}`).toBe(413);
          expect(over.connection).toBe('close');
          surface.expect413(over.body);
          const next = await viaNodeHttp(agent, 'GET', surface.path, surface.headers(tenant));
          expect(next.status, `round ${round}`).toBe(200);
        }
      } finally {
        agent.destroy();
      }
    },
  );
});

describe('native events over HOOKPORT_MAX_EVENT_BYTES', () => {
  // Under the request limit, over the event limit: the events route's own 413, decided on Content-Length.
  const event = (size: number) =>
    Buffer.from(JSON.stringify({ type: 'ticket.created', data: { padding: 'x'.repeat(size) } }));
  const headers = () => ({ ...bearer(tenant), 'content-type': 'application/json' });
  const expect413 = (answer: Answer) => {
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect((answer.body as { detail: string }).detail).toContain(`${maxEventBytes} bytes`);
  };

  it('undici keep-alive: every oversized event gets the 413, the request after each its answer', async () => {
    const client = new Client(origin, { pipelining: 1 });
    try {
      for (let round = 0; round < rounds; round++) {
        expect413(await viaUndici(client, 'POST', '/v1/events', headers(), event(3000)));
        expect((await viaUndici(client, 'GET', '/v1/events', bearer(tenant))).status, `round ${round}`).toBe(200);
      }
    } finally {
      await client.close();
    }
  });

  it('node:http keep-alive Agent: every oversized event gets the 413, the request after each its answer', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let round = 0; round < rounds; round++) {
        expect413(await viaNodeHttp(agent, 'POST', '/v1/events', headers(), event(3000)));
        expect((await viaNodeHttp(agent, 'GET', '/v1/events', bearer(tenant))).status, `round ${round}`).toBe(200);
      }
    } finally {
      agent.destroy();
    }
  });
});

describe('an answer given while the client is still sending', () => {
  /**
   * Declares a body, sends only its first part, waits for the answer (the token is missing, so it
   * comes before the body is read), then sends the rest: the server must keep reading after its
   * answer, and the client must see neither a reset nor a broken next request.
   */
  function answeredMidBody(agent: Agent, path: string): Promise<Answer> {
    const body = jsonOf(3000);
    return new Promise((resolve, reject) => {
      let answer: Answer | undefined;
      const req = httpRequest(
        `${origin}${path}`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            answer = { status: res.statusCode ?? 0, connection: res.headers.connection, body: JSON.parse(text) };
            // The rest of the body follows the answer, as a client unaware of it sends it.
            req.end(body.subarray(1000));
          });
        },
      );
      // Done once the connection is closed: a reset while the rest was sent would have failed it first.
      req.on('error', reject);
      req.on('close', () => (answer ? resolve(answer) : reject(new Error('closed before the answer'))));
      req.write(body.subarray(0, 1000));
    });
  }

  it.each(surfaces)('$name: 401 with Connection: close, and the next request gets its answer', async (surface) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let round = 0; round < 5; round++) {
        const early = await answeredMidBody(agent, surface.path);
        expect(early.status, `round ${round}`).toBe(401);
        expect(early.connection).toBe('close');
        const next = await viaNodeHttp(agent, 'GET', surface.path, surface.headers(tenant));
        expect(next.status, `round ${round}`).toBe(200);
      }
    } finally {
      agent.destroy();
    }
  });
});

describe('the lingering close is bounded', () => {
  const bounds = { maxBytes: 256 * 1024, maxMs: 300 };
  let port = 0;
  let closeBounded: () => Promise<void>;

  beforeAll(async () => {
    // The same app on a second listener with small bounds, so reaching them takes little.
    const server = await new Promise<ReturnType<typeof serveApp>>((resolve) => {
      const listening = serveApp({ fetch: t.hp.app.fetch, port: 0, hostname: '127.0.0.1', linger: bounds }, () =>
        resolve(listening),
      );
    });
    port = (server.address() as AddressInfo).port;
    closeBounded = async () => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    };
  });

  afterAll(async () => {
    await closeBounded?.();
  });

  /** The head of a POST declaring `length` bytes of body, over the request limit. */
  const head = (length: number) =>
    `POST /v1/endpoints HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tenant.token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  interface Exchange {
    received: string;
    /** Body bytes the client managed to send before the server closed. */
    sent: number;
  }

  /** Writes the head and `write`'s body over a raw socket; resolves once the server has closed it. */
  function exchange(length: number, write: (socket: Socket, sent: (bytes: number) => void) => void): Promise<Exchange> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      let sent = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
      });
      // A reset is one way the server may end it once a bound is passed: the close is what counts.
      socket.on('error', () => {});
      socket.on('close', () => resolve({ received, sent }));
      socket.write(head(length), () => write(socket, (bytes) => (sent += bytes)));
    });
  }

  it('a client that stops sending mid-body gets the 413, then the server closes the connection', async () => {
    const { received } = await exchange(1024 * 1024, (socket) => socket.write(Buffer.alloc(1024, 0x20)));
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received.toLowerCase()).toContain('connection: close');
    expect(received).toContain('payload_too_large');
  });

  it('a client that keeps sending is cut off after the byte bound, long before its declared length', async () => {
    const declared = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const { sent } = await exchange(declared, (socket, count) => {
      let written = 0;
      // Writes as fast as the connection takes it, until the server closes it or all is sent.
      const pump = () => {
        while (!socket.destroyed && written < declared) {
          written += chunk.length;
          count(chunk.length);
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    expect(sent).toBeLessThan(declared);
  });
});

describe('a large body under the limit, answered without being read', () => {
  let big: TestHookport;
  let bigOrigin: string;
  let closeBig: () => Promise<void>;

  beforeAll(async () => {
    big = await startHookport({ HOOKPORT_MAX_REQUEST_BYTES: String(1024 * 1024) });
    const server = await new Promise<ReturnType<typeof serveApp>>((resolve) => {
      const listening = serveApp({ fetch: big.hp.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening));
    });
    bigOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeBig = async () => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    };
  });

  afterAll(async () => {
    await closeBig?.();
    await big?.close();
  });

  // Whether the body is all in when the 401 is written depends on the machine: either way the
  // 401 arrives and the connection (kept or reopened) answers the next request.
  it('undici keep-alive: 512 KiB with a wrong token is a 401, and the request after it gets its answer', async () => {
    const client = new Client(bigOrigin, { pipelining: 1 });
    try {
      const headers = { authorization: 'Bearer hp_wrong', 'content-type': 'application/json' };
      for (let round = 0; round < rounds; round++) {
        const early = await viaUndici(client, 'POST', '/v1/endpoints', headers, jsonOf(512 * 1024));
        expect(early.status, `round ${round}`).toBe(401);
        const next = await viaUndici(client, 'GET', '/health', {});
        expect(next.status, `round ${round}`).toBe(200);
      }
    } finally {
      await client.close();
    }
  });
});
