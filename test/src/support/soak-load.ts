import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TenantFixture, TestHookport } from './harness.ts';
import { uuidOf } from './ids.ts';
import type { EndpointWithSecret } from './types.ts';

/*
 * Load helpers for the crash and shutdown scenarios (crash.load.pg.test.ts,
 * test/soak/crash.soak.test.ts): receivers that count what they got without
 * keeping bodies (tens of thousands of requests), an API OS process to kill,
 * and a publisher that records the fate of every request it sent.
 */

/** One endpoint's receiver on 127.0.0.1, counting requests per event (by webhook-id). */
export interface CountingEndpoint {
  endpointId: string;
  /** The endpoint's database id (uuid). */
  endpointUuid: string;
  /** Requests received per event uuid. */
  counts: Map<string, number>;
  /** Requests received (whole body read) and not yet answered or abandoned. */
  open: number;
  answered: number;
  /** Requests whose connection closed before the answer (the sender gave up, stopped or died). */
  abandoned: number;
}

export interface Receivers {
  endpoints: CountingEndpoint[];
  /** Distinct (endpoint, event) pairs received. */
  distinct(): number;
  /** Requests beyond the first for a pair. */
  duplicates(): number;
  open(): number;
  abandoned(): number;
  /** Whether an endpoint received an event (uuid). */
  has(endpointUuid: string, eventUuid: string): boolean;
  /** How many times an endpoint received an event (uuid). */
  count(endpointUuid: string, eventUuid: string): number;
  close(): Promise<void>;
}

/**
 * `count` endpoints of one tenant subscribed to `ticket.created`, each on a
 * receiver of its own that answers 204 after a random delay in
 * [0, maxDelayMs), so that at any moment some requests are on the wire.
 */
export async function startReceivers(
  t: TestHookport,
  tenant: TenantFixture,
  { count, maxDelayMs }: { count: number; maxDelayMs: number },
): Promise<Receivers> {
  const servers: Server[] = [];
  const endpoints: CountingEndpoint[] = [];
  for (let i = 0; i < count; i++) {
    const slot = { counts: new Map<string, number>(), open: 0, answered: 0, abandoned: 0 };
    const server = createServer((req, res) => {
      const id = String(req.headers['webhook-id']);
      req.resume();
      req.on('end', () => {
        // Counted once the whole request arrived: a request cut off mid-body was never delivered.
        const eventUuid = uuidOf(id);
        slot.counts.set(eventUuid, (slot.counts.get(eventUuid) ?? 0) + 1);
        slot.open++;
        const timer = setTimeout(
          () => {
            if (res.destroyed) return;
            res.writeHead(204).end();
            slot.answered++;
          },
          Math.floor(Math.random() * maxDelayMs),
        );
        res.on('close', () => {
          slot.open--;
          if (!res.writableFinished) {
            clearTimeout(timer);
            slot.abandoned++;
          }
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    const created = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
      token: tenant.token,
      json: { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['ticket.created'] },
    });
    if (created.status !== 201) throw new Error(`endpoint create failed: ${created.text}`);
    // The slot itself, not a copy: the handler above keeps counting in it.
    endpoints.push(Object.assign(slot, { endpointId: created.body.id, endpointUuid: uuidOf(created.body.id) }));
  }
  const byUuid = new Map(endpoints.map((e) => [e.endpointUuid, e]));
  const sum = (f: (e: CountingEndpoint) => number) => endpoints.reduce((n, e) => n + f(e), 0);
  return {
    endpoints,
    distinct: () => sum((e) => e.counts.size),
    duplicates: () => sum((e) => [...e.counts.values()].reduce((n, c) => n + c - 1, 0)),
    open: () => sum((e) => e.open),
    abandoned: () => sum((e) => e.abandoned),
    has: (endpointUuid, eventUuid) => byUuid.get(endpointUuid)?.counts.has(eventUuid) ?? false,
    count: (endpointUuid, eventUuid) => byUuid.get(endpointUuid)?.counts.get(eventUuid) ?? 0,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}

/**
 * Deliveries that can still be sent again: received by their endpoint but not
 * recorded as succeeded, with how many times each was received (key
 * `endpoint/event`). Measured right after a worker was SIGKILLed (it can
 * write nothing more), this holds every request the dead worker had on the
 * wire or had answered but not yet recorded, the only ones its death can
 * duplicate; it also holds the survivors', so it over-counts, never under.
 */
export async function unrecordedReceipts(t: TestHookport, receivers: Receivers): Promise<Map<string, number>> {
  const rows = await t.hp.db.query<{ event_id: string; endpoint_id: string }>(
    `select event_id, endpoint_id from deliveries where status <> 'succeeded'`,
  );
  const found = new Map<string, number>();
  for (const r of rows) {
    const n = receivers.count(r.endpoint_id, r.event_id);
    if (n > 0) found.set(`${r.endpoint_id}/${r.event_id}`, n);
  }
  return found;
}

export type PublishOutcome =
  | { key: string; kind: 'accepted'; eventId: string }
  | { key: string; kind: 'server_error'; status: number }
  | { key: string; kind: 'no_answer'; error: string };

export interface Publisher {
  outcomes: PublishOutcome[];
  /** Event ids answered 202, in order. */
  accepted(): string[];
  /** Lets each lane finish the request it has under way, and send no more. */
  stop(): Promise<void>;
  /** Resolves once `total` requests got an outcome (or after stop()). */
  done: Promise<void>;
}

/**
 * Publishes `ticket.created` events over HTTP, `concurrency` requests at a
 * time (each lane pausing `paceMs` between its requests), to whatever API
 * `target()` returns (it changes as API processes are killed and restarted),
 * until `total` were sent or stop() is called. Each event carries a unique
 * `data.key`, so a request that got no answer can be looked up in the
 * database. A 4xx is a test failure: nothing here is invalid.
 */
export function publishOverHttp(
  target: () => Promise<string>,
  token: string,
  {
    total = Number.POSITIVE_INFINITY,
    concurrency,
    paceMs = 0,
  }: { total?: number; concurrency: number; paceMs?: number },
): Publisher {
  const outcomes: PublishOutcome[] = [];
  let next = 0;
  let stopped = false;
  const one = async (key: string): Promise<PublishOutcome> => {
    const url = await target();
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'ticket.created', data: { key } }),
      });
      text = await res.text();
    } catch (err) {
      return { key, kind: 'no_answer', error: err instanceof Error ? err.message : String(err) };
    }
    if (res.status === 202) return { key, kind: 'accepted', eventId: (JSON.parse(text) as { id: string }).id };
    if (res.status >= 500) return { key, kind: 'server_error', status: res.status };
    throw new Error(`publish answered ${res.status}: ${text}`);
  };
  const lane = async () => {
    while (!stopped && next < total) {
      const key = `k${next++}`;
      outcomes.push(await one(key));
      if (paceMs > 0) await sleep(paceMs);
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, lane)).then(() => undefined);
  return {
    outcomes,
    accepted: () => outcomes.flatMap((o) => (o.kind === 'accepted' ? [o.eventId] : [])),
    stop: async () => {
      stopped = true;
      await done;
    },
    done,
  };
}

/** A random whole number of ms in [min, max). */
export function randomMs(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The database's account of every stored event: events whose delivery count
 * disagrees with their delivery rows (half-stored), and pending deliveries
 * with no job in pg-boss (stored, never to be sent).
 */
export async function halfStored(
  t: TestHookport,
): Promise<{ eventsWithoutDeliveries: number; deliveriesWithoutJobs: number }> {
  const [events] = await t.hp.db.query<{ n: number }>(
    `select count(*)::int as n from events e
     where e.delivery_count <> (select count(*) from deliveries d where d.event_id = e.id)`,
  );
  const [jobs] = await t.hp.db.query<{ n: number }>(
    `select count(*)::int as n from deliveries d
     where not exists (select 1 from "${t.hp.db.schema}_boss".job j
                       where j.name in ('hookport.deliver', 'hookport.deliver.slow') and j.data->>'deliveryId' = d.id::text)`,
  );
  return { eventsWithoutDeliveries: events?.n ?? 0, deliveriesWithoutJobs: jobs?.n ?? 0 };
}
