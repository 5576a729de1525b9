import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AttemptSchema,
  CreateEndpointSchema,
  DeliverySchema,
  DeliveryWithAttemptsSchema,
  EventSchema,
} from '@hookport/spec';
import { Webhook } from 'standardwebhooks';
import type { z } from 'zod';
import type { ApiResponse, TenantFixture, TestHookport } from './harness.ts';
import { type Receiver, type Responder, startReceiver } from './receiver.ts';
import type { EndpointWithSecret, PageOf } from './types.ts';
import { until } from './until.ts';

/** Response shapes of the delivery side of the native API (the contract check validates them first). */
export type EventBody = z.infer<typeof EventSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type DeliveryWithAttempts = z.infer<typeof DeliveryWithAttemptsSchema>;
export type Attempt = z.infer<typeof AttemptSchema>;
export type CreateEndpoint = z.input<typeof CreateEndpointSchema>;

/** The body of a native delivery. */
export interface NativePayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * Verifies a received request as a receiver would, with the public
 * standardwebhooks library; throws when no signature matches the secret.
 */
export function verifyWith(secret: string, body: string, headers: IncomingHttpHeaders): NativePayload {
  return new Webhook(secret).verify(body, flatHeaders(headers)) as NativePayload;
}

/** The same request with only some of its signatures, to check each one alone. */
export function withSignatures(headers: IncomingHttpHeaders, signatures: readonly string[]): Record<string, string> {
  return { ...flatHeaders(headers), 'webhook-signature': signatures.join(' ') };
}

export function signaturesOf(headers: IncomingHttpHeaders): string[] {
  const value = headers['webhook-signature'];
  return (typeof value === 'string' ? value : '').split(' ').filter(Boolean);
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Seconds between two ISO timestamps. */
export function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}

/**
 * Helpers over one started Hookport and one tenant: endpoints, publishing,
 * reading deliveries, and receivers that are all closed by `close()`.
 */
export class DeliveryKit {
  readonly t: TestHookport;
  readonly tenant: TenantFixture;
  readonly #receivers: Receiver[];

  constructor(t: TestHookport, tenant: TenantFixture, receivers: Receiver[] = []) {
    this.t = t;
    this.tenant = tenant;
    this.#receivers = receivers;
  }

  /** The same helpers for another tenant of the same server; its receivers are closed with this kit's. */
  forTenant(tenant: TenantFixture): DeliveryKit {
    return new DeliveryKit(this.t, tenant, this.#receivers);
  }

  async receiver(responder?: Responder): Promise<Receiver> {
    const r = await startReceiver(responder);
    this.#receivers.push(r);
    return r;
  }

  async endpoint(url: string, fields: Partial<CreateEndpoint> = {}): Promise<EndpointWithSecret> {
    const res = await this.t.api.post<EndpointWithSecret>('/v1/endpoints', {
      token: this.tenant.token,
      json: { url, eventTypes: ['ticket.*'], ...fields },
    });
    if (res.status !== 201) throw new Error(`endpoint create failed: ${res.status} ${res.text}`);
    return res.body;
  }

  async setStatus(endpointId: string, status: 'active' | 'paused' | 'disabled'): Promise<void> {
    const res = await this.t.api.patch(`/v1/endpoints/${endpointId}`, { token: this.tenant.token, json: { status } });
    if (res.status !== 200) throw new Error(`endpoint update failed: ${res.status} ${res.text}`);
  }

  /** Publishes as this tenant; T is the body expected (an event, or a problem for a refusal). */
  publish<T = EventBody>(type: string, data: Record<string, unknown>, headers?: Record<string, string>) {
    return this.t.api.post<T>('/v1/events', {
      token: this.tenant.token,
      json: { type, data },
      ...(headers ? { headers } : {}),
    });
  }

  /** Publishes and fails loudly unless the event was accepted. */
  async accepted(type: string, data: Record<string, unknown> = {}): Promise<EventBody> {
    const res = await this.publish(type, data);
    if (res.status !== 202) throw new Error(`publish failed: ${res.status} ${res.text}`);
    return res.body;
  }

  /** Every delivery matching the query, following the cursor through all pages. */
  async listAll(query: Record<string, string> = {}): Promise<Delivery[]> {
    const out: Delivery[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ ...query, limit: '100', ...(cursor ? { cursor } : {}) });
      const res: ApiResponse<PageOf<Delivery>> = await this.t.api.get<PageOf<Delivery>>(`/v1/deliveries?${params}`, {
        token: this.tenant.token,
      });
      if (res.status !== 200) throw new Error(`list failed: ${res.status} ${res.text}`);
      out.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  async deliveriesOf(eventId: string): Promise<Delivery[]> {
    return (await this.listAll()).filter((d) => d.eventId === eventId);
  }

  /** The single delivery of an event to one endpoint. */
  async deliveryOf(eventId: string, endpointId: string): Promise<Delivery> {
    const found = (await this.listAll({ endpointId })).find((d) => d.eventId === eventId);
    if (!found) throw new Error(`no delivery of ${eventId} to ${endpointId}`);
    return found;
  }

  async delivery(id: string): Promise<DeliveryWithAttempts> {
    const res = await this.t.api.get<DeliveryWithAttempts>(`/v1/deliveries/${id}`, { token: this.tenant.token });
    if (res.status !== 200) throw new Error(`get delivery failed: ${res.status} ${res.text}`);
    return res.body;
  }

  /** Waits until the delivery satisfies `ready`. */
  waitForDelivery(
    id: string,
    what: string,
    ready: (d: DeliveryWithAttempts) => boolean,
    timeoutMs = 15_000,
  ): Promise<DeliveryWithAttempts> {
    return until(
      `delivery ${id} ${what}`,
      async () => {
        const d = await this.delivery(id);
        return ready(d) ? d : undefined;
      },
      { timeoutMs },
    );
  }

  settled(id: string, status: Delivery['status'], timeoutMs?: number): Promise<DeliveryWithAttempts> {
    return this.waitForDelivery(id, `to be ${status}`, (d) => d.status === status, timeoutMs);
  }

  /** Waits until no delivery of this tenant is pending, so nothing changes in the database behind a snapshot. */
  async quiescent(timeoutMs = 15_000): Promise<void> {
    await until(
      'no pending deliveries',
      async () => ((await this.listAll({ status: 'pending' })).length === 0 ? true : undefined),
      { timeoutMs },
    );
  }

  /**
   * Runs one delivery through every route the tests read, once. The first
   * response of each route compiles its contract validator, which blocks the
   * shared event loop for a while: done here, it cannot eat into a short
   * delivery timeout of a test.
   */
  async warmUp(): Promise<void> {
    const r = await this.receiver();
    const ep = await this.endpoint(r.url, { eventTypes: ['ticket.resolved'] });
    const event = await this.accepted('ticket.resolved', { warmUp: true });
    await this.settled((await this.deliveryOf(event.id, ep.id)).id, 'succeeded');
    await this.t.api.get(`/v1/endpoints/${ep.id}`, { token: this.tenant.token });
    await this.t.api.get(`/v1/events/${event.id}`, { token: this.tenant.token });
    await this.t.api.get('/v1/events', { token: this.tenant.token });
    await this.t.api.delete(`/v1/endpoints/${ep.id}`, { token: this.tenant.token });
  }

  async close(): Promise<void> {
    await Promise.all(this.#receivers.map((r) => r.close()));
  }
}

/** A URL on 127.0.0.1 where nothing listens: a port bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

export interface StreamedBody {
  /** Bytes handed to the socket before it closed or the body ended. */
  written: number;
  /** True only if the whole body was flushed to the client. */
  finished: boolean;
}

/**
 * Answers 200 with a body of `total` bytes, written in chunks that respect
 * backpressure: it only writes more once the client has taken the last chunk.
 * Resolves when the response finished or the client closed the connection.
 */
export function streamLargeBody(res: ServerResponse, total: number, chunkSize = 64 * 1024): Promise<StreamedBody> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(chunkSize, 'x');
    let written = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve({ written, finished: res.writableFinished });
    });
    // A reset from the client is the expected end, not a test failure.
    res.on('error', () => undefined);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(total) });
    const pump = () => {
      while (!closed && written < total) {
        const n = Math.min(chunkSize, total - written);
        written += n;
        if (!res.write(n === chunkSize ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
}
