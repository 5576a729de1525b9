/** What each operation of the native API does in the mock, by operationId. */
import type {
  CreateEndpoint,
  CreateEventType,
  Delivery,
  PublishBatch,
  PublishEvent,
  RotateSecret,
  UpdateEndpoint,
  UpdateEventType,
} from '../types.ts';
import { MockProblem } from './problems.ts';
import { emptyStats } from './stats.ts';
import { filterMatches, type MockStore, paginate, shown } from './store.ts';

export interface OperationInput {
  path: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Headers;
}

export interface OperationResult {
  status: number;
  body?: unknown;
}

type Handler = (store: MockStore, input: OperationInput) => OperationResult;

const ok = (body: unknown, status = 200): OperationResult => ({ status, body });

function matchesTime(createdAt: string, query: Record<string, unknown>): boolean {
  const at = Date.parse(createdAt);
  if (typeof query.since === 'string' && at < Date.parse(query.since)) return false;
  if (typeof query.until === 'string' && at >= Date.parse(query.until)) return false;
  return true;
}

function statusClassMatches(delivery: Delivery, wanted: unknown): boolean {
  if (typeof wanted !== 'string') return true;
  return delivery.lastHttpStatus !== null && `${String(delivery.lastHttpStatus)[0]}xx` === wanted;
}

export const operations: Record<string, Handler> = {
  health: () => ok({ status: 'ok' }),
  ready: () => ok({ status: 'ready', database: 'ok' }),

  createEventType: (store, { body }) => ok(store.createEventType(body as CreateEventType), 201),
  listEventTypes: (store, { query }) => {
    const prefix = typeof query.prefix === 'string' ? query.prefix : '';
    const sorted = [...store.eventTypes.values()]
      .filter((t) => t.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return ok(paginate(sorted, (t) => t.name, 'by-name', query));
  },
  getEventType: (store, { path }) => ok(store.eventType(path.name ?? '')),
  updateEventType: (store, { path, body }) => ok(store.updateEventType(path.name ?? '', body as UpdateEventType)),
  deleteEventType: (store, { path }) => {
    store.deleteEventType(path.name ?? '');
    return { status: 204 };
  },

  createEndpoint: (store, { body }) => ok(store.createEndpoint(body as CreateEndpoint), 201),
  listEndpoints: (store, { query }) => {
    const newestFirst = [...store.endpoints.values()]
      .map((s) => shown(s.endpoint))
      .reverse()
      .filter((e) => query.status === undefined || e.status === query.status)
      .filter((e) => query.profile === undefined || e.profile === query.profile)
      .filter(
        (e) =>
          typeof query.eventType !== 'string' ||
          e.eventTypes.some((filter) => filterMatches(filter, query.eventType as string)),
      );
    return ok(paginate(newestFirst, (e) => e.id, 'newest-first', query));
  },
  getEndpoint: (store, { path }) => ok(shown(store.endpoint(path.id ?? '').endpoint)),
  updateEndpoint: (store, { path, body }) => ok(store.updateEndpoint(path.id ?? '', body as UpdateEndpoint)),
  deleteEndpoint: (store, { path }) => {
    store.endpoint(path.id ?? '');
    store.endpoints.delete(path.id ?? '');
    return { status: 204 };
  },
  rotateEndpointSecret: (store, { path, body }) => ok(store.rotateSecret(path.id ?? '', (body ?? {}) as RotateSecret)),
  pingEndpoint: (store, { path }) => ok(store.ping(path.id ?? ''), 202),
  recoverEndpoint: (store, { path, body }) =>
    ok({ recovered: store.recover(path.id ?? '', (body as { since: string }).since) }, 202),

  publishEvent: (store, { body, headers }) =>
    ok(store.publish(body as PublishEvent, headers.get('idempotency-key')), 202),
  publishEventBatch: (store, { body }) => ok({ events: store.publishBatch((body as PublishBatch).events) }, 202),
  listEvents: (store, { query }) => {
    const newestFirst = [...store.events.values()]
      .reverse()
      .filter((e) => query.type === undefined || e.type === query.type)
      .filter((e) => matchesTime(e.createdAt, query));
    return ok(paginate(newestFirst, (e) => e.id, 'newest-first', query));
  },
  getEvent: (store, { path }) => {
    const event = store.events.get(path.id ?? '');
    if (!event) throw new MockProblem('not_found', 'No such event.');
    return ok(event);
  },
  expungeEventContent: (store, { path }) => ok(store.expunge(path.id ?? '')),

  listDeliveries: (store, { query }) => {
    const newestFirst = [...store.deliveries.values()]
      .reverse()
      .filter((d) => query.endpointId === undefined || d.endpointId === query.endpointId)
      .filter((d) => query.eventId === undefined || d.eventId === query.eventId)
      .filter((d) => query.eventType === undefined || d.eventType === query.eventType)
      .filter((d) => query.status === undefined || d.status === query.status)
      .filter((d) => matchesTime(d.createdAt, query))
      .filter((d) => statusClassMatches(d, query.httpStatusClass));
    return ok(paginate(newestFirst, (d) => d.id, 'newest-first', query));
  },
  getDelivery: (store, { path }) => ok({ ...store.delivery(path.id ?? ''), attempts: [] }),
  getEndpointStats: (store, { path, query }) => {
    const stats = emptyStats(query);
    store.endpoint(path.id ?? '');
    return ok(stats);
  },
  getStats: (_store, { query }) => ok(emptyStats(query)),
  redeliver: (store, { path }) => ok(store.redeliver(path.id ?? ''), 202),
  skipDelivery: (store, { path }) => ok(store.skip(path.id ?? '')),
};

/**
 * The scope each covered tenant operation needs (docs/api.md); `endpoints:write`
 * includes `endpoints:read`, `deliveries:write` includes `deliveries:read`.
 */
export const requiredScope: Record<string, string> = {
  listEventTypes: 'endpoints:read',
  getEventType: 'endpoints:read',
  listEndpoints: 'endpoints:read',
  getEndpoint: 'endpoints:read',
  createEventType: 'endpoints:write',
  updateEventType: 'endpoints:write',
  deleteEventType: 'endpoints:write',
  createEndpoint: 'endpoints:write',
  updateEndpoint: 'endpoints:write',
  deleteEndpoint: 'endpoints:write',
  rotateEndpointSecret: 'endpoints:write',
  pingEndpoint: 'endpoints:write',
  publishEvent: 'events:publish',
  publishEventBatch: 'events:publish',
  listEvents: 'deliveries:read',
  getEvent: 'deliveries:read',
  expungeEventContent: 'deliveries:write',
  listDeliveries: 'deliveries:read',
  getDelivery: 'deliveries:read',
  getEndpointStats: 'deliveries:read',
  getStats: 'deliveries:read',
  redeliver: 'deliveries:write',
  skipDelivery: 'deliveries:write',
  recoverEndpoint: 'deliveries:write',
};

export function grants(scopes: readonly string[], needed: string): boolean {
  const implied = needed.endsWith(':read') ? needed.replace(/:read$/, ':write') : undefined;
  return scopes.some((s) => s === '*' || s === needed || s === implied);
}
