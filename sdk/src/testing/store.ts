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
  BatchEvent,
  CreateEndpoint,
  CreateEventType,
  Delivery,
  Endpoint,
  EndpointWithSecret,
  Event,
  EventType,
  PublishEvent,
  PublishedEvent,
  RotatedSecret,
  UpdateEndpoint,
  UpdateEventType,
} from '../types.ts';
import { maskAll, resolveSent } from './header-mask.ts';
import { newId, newSecret } from './ids.ts';
import { MockProblem } from './problems.ts';

/** The types Hookport itself publishes (the server's spec/src/profile.ts): no catalogue entry needed to subscribe, never a tenant's to publish. */
const systemEventTypes = ['ping', 'endpoint.disabled', 'endpoint.failing', 'endpoint.recovered', 'delivery.exhausted'];

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

/**
 * A payload filter as the server stores it: none for null and for an empty one. The mock keeps it as
 * given and does not evaluate it (deliveries are never made here); the server checks its operators.
 */
function storedFilter(filter: Endpoint['filter'] | undefined): Endpoint['filter'] {
  return filter && Object.keys(filter).length > 0 ? filter : null;
}

interface StoredEndpoint {
  /** As stored: its custom headers in clear (every answer masks them, `shown`). */
  endpoint: Endpoint;
  secret: string;
}

/** An endpoint as every answer shows it: custom header values masked. */
export const shown = (endpoint: Endpoint): Endpoint => ({ ...endpoint, headers: maskAll(endpoint.headers) });

/** The headers to store for sent ones, or the server's 422 for a masked value that stands for nothing. */
function sentHeaders(sent: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  const { headers, errors } = resolveSent(sent, stored);
  if (errors.length > 0) {
    throw new MockProblem('validation_failed', errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);
  }
  return headers;
}

interface Published {
  hash: string;
  event: Event;
}

/** A batch's refusal for its event `index`, named as the server names it (`events[3]: …`, `events.3.type`). */
function atIndex(index: number, err: MockProblem): MockProblem {
  const path = (p: string) => (p ? `events.${index}.${p}` : `events.${index}`);
  const errors: FieldError[] =
    err.errors.length > 0
      ? err.errors.map((e) => ({ ...e, path: path(e.path) }))
      : [{ path: path(''), message: err.message, code: err.code }];
  return new MockProblem(err.code, `events[${index}]: ${err.message}`, errors, err.headers);
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
    if (systemEventTypes.includes(input.name)) {
      throw new MockProblem('validation_failed', `${input.name} is an event type only Hookport itself publishes.`, [
        { path: 'name', message: 'is reserved for the events Hookport publishes itself', code: 'reserved_event_type' },
      ]);
    }
    if (this.eventTypes.has(input.name)) {
      throw new MockProblem('conflict', `The event type ${input.name} already exists.`);
    }
    const now = new Date().toISOString();
    const created: EventType = {
      name: input.name,
      description: input.description ?? '',
      schema: input.schema ?? null,
      examples: input.examples ?? [],
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
      headers: sentHeaders(input.headers ?? {}, {}),
      rateLimit: input.rateLimit ?? null,
      metadata: input.metadata ?? {},
      filter: storedFilter(input.filter),
      retrySchedule: input.retrySchedule ?? null,
      timeoutMs: input.timeoutMs ?? null,
      ordering: input.ordering ?? 'unordered',
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    const secret = input.secret ?? newSecret();
    this.endpoints.set(endpoint.id, { endpoint, secret });
    return { ...shown(endpoint), secret };
  }

  updateEndpoint(id: string, input: UpdateEndpoint): Endpoint {
    const stored = this.endpoint(id);
    this.#checkEndpoint(input);
    const changed = { ...stored.endpoint, ...input, updatedAt: new Date().toISOString() };
    const endpoint: Endpoint = {
      ...changed,
      rateLimit: changed.rateLimit ?? null,
      retrySchedule: changed.retrySchedule ?? null,
      timeoutMs: changed.timeoutMs ?? null,
      filter: input.filter === undefined ? stored.endpoint.filter : storedFilter(input.filter),
      headers:
        input.headers === undefined ? stored.endpoint.headers : sentHeaders(input.headers, stored.endpoint.headers),
      disabledReason: changed.status === 'disabled' ? (changed.disabledReason ?? 'Disabled by the API.') : null,
    };
    this.endpoints.set(id, { ...stored, endpoint });
    return shown(endpoint);
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
      if (filter === '*') return;
      if ([...systemEventTypes, ...this.eventTypes.keys()].some((name) => filterMatches(filter, name))) return;
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

  /** The event an earlier publish stored under this key and body; throws as the server does for one it refuses. */
  #judge(input: PublishEvent, idempotencyKey: string | null): Event | undefined {
    // Only Hookport publishes its own types (ping, the operational events): refused before anything else.
    if (systemEventTypes.includes(input.type)) {
      throw new MockProblem('validation_failed', `${input.type} is an event type only Hookport itself publishes.`, [
        {
          path: 'type',
          message: 'is reserved for the events Hookport publishes itself',
          code: 'reserved_event_type',
        },
      ]);
    }
    if (idempotencyKey !== null) {
      const prior = this.#idempotency.get(idempotencyKey);
      if (prior && prior.hash !== JSON.stringify([input.type, input.data])) {
        throw new MockProblem(
          'idempotency_conflict',
          'This Idempotency-Key was used with a different request in the last 24 hours.',
        );
      }
      if (prior?.event.expungedAt) {
        throw new MockProblem('event_expunged', "This Idempotency-Key's event was expunged; publish with a new key.");
      }
      if (prior) return prior.event;
    }
    if (!this.eventTypes.has(input.type)) {
      throw new MockProblem('validation_failed', `${input.type} is not an event type of this tenant.`, [
        { path: 'type', message: 'is not in the event catalogue', code: 'unknown_event_type' },
      ]);
    }
    return undefined;
  }

  /**
   * POST /v1/events/batch: every event judged before any is stored, so a refusal (named by the event's
   * index, as the server names it) leaves the mock as it was.
   */
  publishBatch(inputs: readonly BatchEvent[]): PublishedEvent[] {
    const keys = new Map<string, number>();
    for (const [index, { idempotencyKey, ...input }] of inputs.entries()) {
      const first = idempotencyKey === undefined ? undefined : keys.get(idempotencyKey);
      if (first !== undefined) {
        throw new MockProblem('validation_failed', `events[${index}] repeats the idempotencyKey of events[${first}].`, [
          { path: `events.${index}.idempotencyKey`, message: 'is used twice in this batch', code: 'duplicate_key' },
        ]);
      }
      if (idempotencyKey !== undefined) keys.set(idempotencyKey, index);
      try {
        this.#judge(input, idempotencyKey ?? null);
      } catch (err) {
        throw err instanceof MockProblem ? atIndex(index, err) : err;
      }
    }
    return inputs.map(({ idempotencyKey, ...input }) => {
      const replayed = this.#judge(input, idempotencyKey ?? null) !== undefined;
      return { ...this.publish(input, idempotencyKey ?? null), replayed };
    });
  }

  publish(input: PublishEvent, idempotencyKey: string | null): Event {
    const hash = JSON.stringify([input.type, input.data]);
    const prior = this.#judge(input, idempotencyKey);
    if (prior) return prior;
    const event: Event = {
      id: newId('evt'),
      type: input.type,
      data: input.data,
      deliveryCount: 0,
      createdAt: new Date().toISOString(),
      expungedAt: null,
      example: false,
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

  /** As the server: the payload goes, unfinished deliveries fail and are never sent; again changes nothing. */
  expunge(id: string): Event {
    const event = this.events.get(id);
    if (!event) throw new MockProblem('not_found', 'No such event.');
    if (event.expungedAt) return event;
    const now = new Date().toISOString();
    Object.assign(event, { data: null, expungedAt: now });
    for (const delivery of this.deliveries.values()) {
      if (delivery.eventId !== id || (delivery.status !== 'pending' && delivery.status !== 'held')) continue;
      Object.assign(delivery, {
        status: 'failed',
        nextAttemptAt: null,
        lastError: 'Not sent: the event content was expunged.',
        updatedAt: now,
      });
    }
    return event;
  }

  redeliver(id: string): Delivery {
    const delivery = this.delivery(id);
    if (this.events.get(delivery.eventId)?.expungedAt) {
      throw new MockProblem('event_expunged', "The event's content was expunged; there is nothing to send again.");
    }
    const endpoint = this.endpoints.get(delivery.endpointId)?.endpoint;
    if (!endpoint) throw new MockProblem('not_found', 'No such delivery.');
    if (endpoint.status !== 'active') {
      throw new MockProblem('conflict', `The endpoint is ${endpoint.status}; make it active to redeliver.`);
    }
    if (endpoint.ordering === 'fifo' && delivery.status === 'pending') {
      throw new MockProblem('conflict', 'The delivery is pending on a fifo endpoint: it will be sent in its turn.');
    }
    return this.#requeue(delivery);
  }

  /** An operator's skip: the mock sends nothing, so there is no next delivery to release. */
  skip(id: string): Delivery {
    const delivery = this.delivery(id);
    if (delivery.status !== 'pending' && delivery.status !== 'held') {
      throw new MockProblem(
        'conflict',
        `The delivery is ${delivery.status}; only a pending or held one can be skipped.`,
      );
    }
    const now = new Date().toISOString();
    Object.assign(delivery, {
      status: 'skipped',
      nextAttemptAt: null,
      lastError: 'Skipped by an operator.',
      updatedAt: now,
    });
    return delivery;
  }

  #requeue(delivery: Delivery): Delivery {
    const now = new Date().toISOString();
    Object.assign(delivery, { status: 'pending', nextAttemptAt: now, updatedAt: now });
    return delivery;
  }
}
