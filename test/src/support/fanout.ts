import type { TenantFixture, TestHookport } from './harness.ts';
import { type Receiver, startReceiver } from './receiver.ts';
import type { EndpointWithSecret } from './types.ts';
import { until } from './until.ts';

/** A receiver that holds every response for a while, so deliveries are in flight, and counts how each ended. */
export interface SlowReceiver {
  receiver: Receiver;
  endpointId: string;
  /** Requests received and not yet answered or abandoned. */
  inFlight: number;
  /** Requests answered. */
  answered: number;
  /** Requests whose connection closed before the answer (the sender gave up or died). */
  abandoned: number;
}

export interface Fanout {
  endpoints: SlowReceiver[];
  eventIds: string[];
  /** Publishes n more `ticket.created` events through the API. */
  publish(n: number): Promise<void>;
  /** How many (endpoint, event) pairs are expected: endpoints × events published. */
  expected(): number;
  /** How many distinct (endpoint, event) pairs arrived, by webhook-id. */
  delivered(): number;
  /** Requests received beyond the first for a pair. */
  duplicates(): number;
  /** When each of those repeated requests arrived (Date.now() values). */
  repeatedAt(): number[];
  inFlight(): number;
  /** Requests received, in total, at or after a time. */
  receivedSince(at: number): number;
  /** The (endpoint, event) pairs not received yet. */
  missing(): { endpointId: string; eventId: string }[];
  /** Waits until every published event reached every endpoint at least once. */
  waitForAll(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * N endpoints of one tenant, each on a receiver of its own on 127.0.0.1 that
 * answers 204 after `delayMs`; each endpoint subscribes to every event published.
 */
export async function startFanout(
  t: TestHookport,
  tenant: TenantFixture,
  { endpoints: count, delayMs }: { endpoints: number; delayMs: number },
): Promise<Fanout> {
  const endpoints: SlowReceiver[] = [];
  for (let i = 0; i < count; i++) {
    const slot = { inFlight: 0, answered: 0, abandoned: 0 };
    const receiver = await startReceiver((_req, _n, res) => {
      slot.inFlight++;
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(204).end();
        slot.answered++;
      }, delayMs);
      res.on('close', () => {
        slot.inFlight--;
        if (!res.writableFinished) {
          clearTimeout(timer);
          slot.abandoned++;
        }
      });
    });
    const created = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
      token: tenant.token,
      json: { url: receiver.url, eventTypes: ['ticket.created'] },
    });
    if (created.status !== 201) throw new Error(`endpoint create failed: ${created.text}`);
    endpoints.push(Object.assign(slot, { receiver, endpointId: created.body.id }) satisfies SlowReceiver);
  }
  const eventIds: string[] = [];
  const pairs = () => endpoints.map((e) => new Set(e.receiver.received.map((r) => String(r.headers['webhook-id']))));
  const missing = () => {
    const got = pairs();
    return endpoints.flatMap((e, i) =>
      eventIds.filter((id) => !got[i]?.has(id)).map((eventId) => ({ endpointId: e.endpointId, eventId })),
    );
  };
  return {
    endpoints,
    eventIds,
    async publish(n) {
      for (let i = 0; i < n; i++) {
        const res = await t.api.post<{ id: string; deliveryCount: number }>('/v1/events', {
          token: tenant.token,
          json: { type: 'ticket.created', data: { seq: eventIds.length } },
        });
        if (res.status !== 202 || res.body.deliveryCount !== count) throw new Error(`publish failed: ${res.text}`);
        eventIds.push(res.body.id);
      }
    },
    expected: () => endpoints.length * eventIds.length,
    delivered: () => pairs().reduce((sum, s) => sum + s.size, 0),
    duplicates: () => endpoints.reduce((sum, e, i) => sum + e.receiver.received.length - (pairs()[i]?.size ?? 0), 0),
    repeatedAt: () =>
      endpoints.flatMap((e) => {
        const seen = new Set<string>();
        return e.receiver.received.flatMap((r) => {
          const id = String(r.headers['webhook-id']);
          if (!seen.has(id)) {
            seen.add(id);
            return [];
          }
          return [r.at];
        });
      }),
    inFlight: () => endpoints.reduce((sum, e) => sum + e.inFlight, 0),
    receivedSince: (at) => endpoints.reduce((sum, e) => sum + e.receiver.received.filter((r) => r.at >= at).length, 0),
    missing,
    async waitForAll(timeoutMs) {
      try {
        await until('every event at every endpoint', async () => (missing().length === 0 ? true : undefined), {
          timeoutMs,
          intervalMs: 100,
        });
      } catch (err) {
        const left = missing();
        throw new Error(`${(err as Error).message}: ${left.length} of ${endpoints.length * eventIds.length} missing`, {
          cause: err,
        });
      }
    },
    close: async () => {
      await Promise.all(endpoints.map((e) => e.receiver.close()));
    },
  };
}
