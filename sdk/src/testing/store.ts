/**
 * The mock's in-memory tenant: its event types, endpoints, events and
 * deliveries, with the rules of the real server that an integrator's code
 * meets (a subscription must select a known event type, a publish needs one,
 * an Idempotency-Key replays, deletes of subscribed types conflict). Nothing
 * is delivered: deliveries stay `pending` (`held` for a paused endpoint,
 * `skipped` for a disabled one) with no attempts.
 */
import type { FieldError } from '../errors.ts';
import type {
  CreateEndpoint,
  CreateEventType,
  Delivery,
  Endpoint,
  EndpointWithSecret,
  Event,
  EventType,
  PublishEvent,
  RotatedSecret,
  UpdateEndpoint,
  UpdateEventType,
} from '../types.ts';
import { newId, newSecret } from './ids.ts';
import { MockProblem } from './problems.ts';

const systemEventTypes = ['ping', 'endpoint.disabled'];

export function filterMatches(filter: string, type: string): boolean {
  if (filter === '*') return true;
  if (filter.endsWith('.*')) return type.startsWith(filter.slice(0, -1));
  return filter === type;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** How a list is ordered: by id, newest first, or by name. */
export type ListOrder = 'newest-first' | 'by-name';

const validKeys: Record<ListOrder, RegExp> = {
  'newest-first': /^[a-z]+_[0-7][0-9a-hjkmnp-tv-z]{25}$/,
  'by-name': /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
};

/**
 * Keyset pages over items already in `order`, as the server pages: the
 * cursor carries the key of the last item given, and the next page starts
 * after that key, whether or not that item still exists. A cursor whose key
 * could not be one is a 422.
 */
export function paginate<T>(
  items: T[],
  keyOf: (item: T) => string,
  order: ListOrder,
  query: Record<string, unknown>,
): Page<T> {
  const limit = typeof query.limit === 'number' ? query.limit : 20;
  let rest = items;
  if (typeof query.cursor === 'string') {
    const after = decodeCursor(query.cursor);
    if (after === undefined || !validKeys[order].test(after)) {
      throw new MockProblem('validation_failed', 'The cursor is not valid.', [
        { path: 'cursor', message: 'is not a cursor this API returned', code: 'invalid_cursor' },
      ]);
    }
    rest = items.filter((item) => (order === 'by-name' ? keyOf(item) > after : keyOf(item) < after));
  }
  const data = rest.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: rest.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

function encodeCursor(key: string): string {
  return btoa(key).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeCursor(cursor: string): string | undefined {
  try {
    return atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
}

interface StoredEndpoint {
  endpoint: Endpoint;
  secret: string;
}

interface Published {
  hash: string;
  event: Event;
}

export class MockStore {
  readonly eventTypes = new Map<string, EventType>();
  readonly endpoints = new Map<string, StoredEndpoint>();
  readonly events = new Map<string, Event>();
  readonly deliveries = new Map<string, Delivery>();
  readonly #idempotency = new Map<string, Published>();

  eventType(name: string): EventType {
    const found = this.eventTypes.get(name);
    if (!found) throw new MockProblem('not_found', `No event type ${name}.`);
    return found;
  }

  createEventType(input: CreateEventType): EventType {
    if (this.eventTypes.has(input.name)) {
      throw new MockProblem('conflict', `The event type ${input.name} already exists.`);
    }
    const now = new Date().toISOString();
    const created: EventType = {
      name: input.name,
      description: input.description ?? '',
      schema: input.schema ?? null,
      deprecated: input.deprecated ?? false,
      createdAt: now,
      updatedAt: now,
    };
    this.eventTypes.set(input.name, created);
    return created;
  }

  updateEventType(name: string, input: UpdateEventType): EventType {
    const updated = { ...this.eventType(name), ...input, updatedAt: new Date().toISOString() };
    this.eventTypes.set(name, updated);
    return updated;
  }

  deleteEventType(name: string): void {
    this.eventType(name);
    if ([...this.endpoints.values()].some(({ endpoint }) => endpoint.eventTypes.includes(name))) {
      throw new MockProblem('conflict', `Endpoints subscribe to ${name} by name; change them first.`);
    }
    this.eventTypes.delete(name);
  }

  endpoint(id: string): StoredEndpoint {
    const found = this.endpoints.get(id);
    if (!found) throw new MockProblem('not_found', 'No such endpoint.');
    return found;
  }

  createEndpoint(input: CreateEndpoint): EndpointWithSecret {
    this.#checkEndpoint(input);
    const now = new Date().toISOString();
    const endpoint: Endpoint = {
      id: newId('ep'),
      url: input.url,
      name: input.name ?? '',
      description: input.description ?? '',
      eventTypes: input.eventTypes,
      status: input.status ?? 'active',
      profile: input.profile ?? 'native',
      headers: input.headers ?? {},
      rateLimit: input.rateLimit ?? null,
      metadata: input.metadata ?? {},
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    const secret = input.secret ?? newSecret();
    this.endpoints.set(endpoint.id, { endpoint, secret });
    return { ...endpoint, secret };
  }

  updateEndpoint(id: string, input: UpdateEndpoint): Endpoint {
    const stored = this.endpoint(id);
    this.#checkEndpoint(input);
    const changed = { ...stored.endpoint, ...input, updatedAt: new Date().toISOString() };
    const endpoint: Endpoint = {
      ...changed,
      rateLimit: changed.rateLimit ?? null,
      disabledReason: changed.status === 'disabled' ? (changed.disabledReason ?? 'Disabled by the API.') : null,
    };
    this.endpoints.set(id, { ...stored, endpoint });
    return endpoint;
  }

  rotateSecret(id: string, input: { secret?: string; gracePeriodSeconds?: number }): RotatedSecret {
    const stored = this.endpoint(id);
    const secret = input.secret ?? newSecret();
    this.endpoints.set(id, { ...stored, secret });
    const grace = input.gracePeriodSeconds ?? 86_400;
    return {
      secret,
      previousSecretExpiresAt: grace === 0 ? null : new Date(Date.now() + grace * 1000).toISOString(),
    };
  }

  /** The url and the subscriptions the server checks beyond the schema. */
  #checkEndpoint(input: { url?: string; eventTypes?: string[] }): void {
    const errors: FieldError[] = [];
    if (input.url !== undefined && !/^https?:\/\//i.test(input.url)) {
      errors.push({ path: 'url', message: 'must use https', code: 'url_refused' });
    }
    input.eventTypes?.forEach((filter, i) => {
      if (filter === '*' || systemEventTypes.includes(filter)) return;
      if ([...this.eventTypes.keys()].some((name) => filterMatches(filter, name))) return;
      errors.push({
        path: `eventTypes.${i}`,
        message: filter.endsWith('.*')
          ? `${filter} matches no event type of this tenant`
          : `${filter} is not an event type of this tenant`,
        code: 'unknown_event_type',
      });
    });
    if (errors.length > 0) {
      throw new MockProblem('validation_failed', errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);
    }
  }

  publish(input: PublishEvent, idempotencyKey: string | null): Event {
    const hash = JSON.stringify([input.type, input.data]);
    if (idempotencyKey !== null) {
      const prior = this.#idempotency.get(idempotencyKey);
      if (prior && prior.hash !== hash) {
        throw new MockProblem(
          'idempotency_conflict',
          'This Idempotency-Key was used with a different request in the last 24 hours.',
        );
      }
      if (prior) return prior.event;
    }
    if (!systemEventTypes.includes(input.type) && !this.eventTypes.has(input.type)) {
      throw new MockProblem('validation_failed', `${input.type} is not an event type of this tenant.`, [
        { path: 'type', message: 'is not in the event catalogue', code: 'unknown_event_type' },
      ]);
    }
    const event: Event = {
      id: newId('evt'),
      type: input.type,
      data: input.data,
      deliveryCount: 0,
      createdAt: new Date().toISOString(),
    };
    for (const { endpoint } of this.endpoints.values()) {
      if (endpoint.eventTypes.some((filter) => filterMatches(filter, input.type))) {
        this.#deliver(event, endpoint);
        event.deliveryCount++;
      }
    }
    this.events.set(event.id, event);
    if (idempotencyKey !== null) this.#idempotency.set(idempotencyKey, { hash, event });
    return event;
  }

  /** A delivery as the server queues one; the mock never attempts it. */
  #deliver(event: Pick<Event, 'id' | 'type'>, endpoint: Endpoint): Delivery {
    const now = new Date().toISOString();
    const delivery: Delivery = {
      id: newId('dlv'),
      eventId: event.id,
      endpointId: endpoint.id,
      eventType: event.type,
      status: endpoint.status === 'active' ? 'pending' : endpoint.status === 'paused' ? 'held' : 'skipped',
      attemptCount: 0,
      nextAttemptAt: endpoint.status === 'active' ? now : null,
      lastHttpStatus: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    this.deliveries.set(delivery.id, delivery);
    return delivery;
  }

  ping(id: string): Delivery {
    const { endpoint } = this.endpoint(id);
    if (endpoint.status === 'disabled') {
      throw new MockProblem('conflict', 'The endpoint is disabled; make it active to ping.');
    }
    return this.#deliver({ id: newId('evt'), type: 'ping' }, endpoint);
  }

  recover(id: string, since: string): number {
    const { endpoint } = this.endpoint(id);
    if (endpoint.status !== 'active') {
      throw new MockProblem('conflict', `The endpoint is ${endpoint.status}; make it active before recovering.`);
    }
    let recovered = 0;
    for (const delivery of this.deliveries.values()) {
      if (delivery.endpointId !== id || delivery.createdAt < since) continue;
      if (delivery.status !== 'failed' && delivery.status !== 'skipped') continue;
      this.#requeue(delivery);
      recovered++;
    }
    return recovered;
  }

  delivery(id: string): Delivery {
    const found = this.deliveries.get(id);
    if (!found) throw new MockProblem('not_found', 'No such delivery.');
    return found;
  }

  redeliver(id: string): Delivery {
    const delivery = this.delivery(id);
    const endpoint = this.endpoints.get(delivery.endpointId)?.endpoint;
    if (!endpoint) throw new MockProblem('not_found', 'No such delivery.');
    if (endpoint.status !== 'active') {
      throw new MockProblem('conflict', `The endpoint is ${endpoint.status}; make it active to redeliver.`);
    }
    return this.#requeue(delivery);
  }

  #requeue(delivery: Delivery): Delivery {
    const now = new Date().toISOString();
    Object.assign(delivery, { status: 'pending', nextAttemptAt: now, updatedAt: now });
    return delivery;
  }
}
