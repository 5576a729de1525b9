import type { Client } from 'openapi-fetch';
import { HookportError } from './errors.ts';
import { type Page, PagePromise } from './pagination.ts';
import type { paths } from './schema.js';
import type {
  BatchEvent,
  BulkReplay,
  BulkReplayResult,
  CreatedToken,
  CreateEndpoint,
  CreateEventType,
  CreatePortalSession,
  CreateTenant,
  CreateToken,
  CurrentPortalSession,
  Delivery,
  DeliveryStats,
  DeliveryWithAttempts,
  Endpoint,
  EndpointWithSecret,
  Event,
  EventType,
  FilterResult,
  PortalSession,
  PublishEvent,
  PublishedEvent,
  QueryOf,
  Recover,
  Recovered,
  RotatedSecret,
  RotateSecret,
  SendExample,
  Tenant,
  TestFilter,
  Token,
  UpdateEndpoint,
  UpdateEventType,
  UpdateTenant,
} from './types.ts';

/** The typed openapi-fetch client over every route of the spec: `{ data, error, response }` results. */
export type RawClient = Client<paths>;

/** Options every method takes as its last argument. */
export interface RequestOptions {
  /** Cancels the request, including any wait between retries. */
  signal?: AbortSignal;
}

export interface PublishOptions extends RequestOptions {
  /**
   * Makes the publish safe to repeat: the same key and body within 24 h return
   * the original event. Generated for every call when absent (and reused across
   * that call's retries); pass your own to deduplicate across calls or processes.
   */
  idempotencyKey?: string;
}

export interface ReplayOptions extends RequestOptions {
  /**
   * Makes the replay safe to repeat: the same key and body within 24 h return the first answer and queue
   * nothing again. Generated for every call when absent (and reused across that call's retries).
   */
  idempotencyKey?: string;
}

/** The body of a 2xx answer, or a HookportError built from the problem body of any other. */
async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw new HookportError(response, error);
  // openapi-fetch types `data` as present on 2xx; a 204 has no body, and its methods return void.
  return data as D;
}

function paginate<T>(firstCursor: string | undefined, load: (cursor: string | undefined) => Promise<Page<T>>) {
  return new PagePromise<T>(load(firstCursor), load);
}

abstract class Resource {
  protected readonly client: RawClient;
  constructor(client: RawClient) {
    this.client = client;
  }
}

/** Tenants: the admin token only. */
export class Tenants extends Resource {
  create(body: CreateTenant, options?: RequestOptions): Promise<Tenant> {
    return unwrap(this.client.POST('/v1/tenants', { body, ...options }));
  }
  list(query: QueryOf<'listTenants'> = {}, options?: RequestOptions): PagePromise<Tenant> {
    return paginate(query.cursor, (cursor) =>
      unwrap(this.client.GET('/v1/tenants', { params: { query: { ...query, cursor } }, ...options })),
    );
  }
  get(id: Tenant['id'], options?: RequestOptions): Promise<Tenant> {
    return unwrap(this.client.GET('/v1/tenants/{id}', { params: { path: { id } }, ...options }));
  }
  update(id: Tenant['id'], body: UpdateTenant, options?: RequestOptions): Promise<Tenant> {
    return unwrap(this.client.PATCH('/v1/tenants/{id}', { params: { path: { id } }, body, ...options }));
  }
}

/**
 * Portal sessions: short-lived console links for one tenant (the admin token with `tenantId`, or a
 * tenant token with endpoints:write). The token is in the create response only.
 */
export class PortalSessions extends Resource {
  create(body: CreatePortalSession = {}, options?: RequestOptions): Promise<PortalSession> {
    return unwrap(this.client.POST('/v1/portal-sessions', { body, ...options }));
  }
  async revoke(id: PortalSession['id'], options?: RequestOptions): Promise<void> {
    await unwrap(this.client.DELETE('/v1/portal-sessions/{id}', { params: { path: { id } }, ...options }));
  }
  /** The calling portal token's own session (read-only or not, its endpoint filter); other tokens get a 403. */
  current(options?: RequestOptions): Promise<CurrentPortalSession> {
    return unwrap(this.client.GET('/v1/portal-sessions/current', { ...options }));
  }
}

/** API tokens of a tenant: the admin token only. The token value is in the create response only. */
export class Tokens extends Resource {
  create(tenantId: Tenant['id'], body: CreateToken, options?: RequestOptions): Promise<CreatedToken> {
    return unwrap(
      this.client.POST('/v1/tenants/{id}/tokens', { params: { path: { id: tenantId } }, body, ...options }),
    );
  }
  list(tenantId: Tenant['id'], query: QueryOf<'listTokens'> = {}, options?: RequestOptions): PagePromise<Token> {
    return paginate(query.cursor, (cursor) =>
      unwrap(
        this.client.GET('/v1/tenants/{id}/tokens', {
          params: { path: { id: tenantId }, query: { ...query, cursor } },
          ...options,
        }),
      ),
    );
  }
  async revoke(tenantId: Tenant['id'], tokenId: Token['id'], options?: RequestOptions): Promise<void> {
    await unwrap(
      this.client.DELETE('/v1/tenants/{id}/tokens/{tokenId}', {
        params: { path: { id: tenantId, tokenId } },
        ...options,
      }),
    );
  }
}

export class EventTypes extends Resource {
  create(body: CreateEventType, options?: RequestOptions): Promise<EventType> {
    return unwrap(this.client.POST('/v1/event-types', { body, ...options }));
  }
  list(query: QueryOf<'listEventTypes'> = {}, options?: RequestOptions): PagePromise<EventType> {
    return paginate(query.cursor, (cursor) =>
      unwrap(this.client.GET('/v1/event-types', { params: { query: { ...query, cursor } }, ...options })),
    );
  }
  get(name: EventType['name'], options?: RequestOptions): Promise<EventType> {
    return unwrap(this.client.GET('/v1/event-types/{name}', { params: { path: { name } }, ...options }));
  }
  update(name: EventType['name'], body: UpdateEventType, options?: RequestOptions): Promise<EventType> {
    return unwrap(this.client.PATCH('/v1/event-types/{name}', { params: { path: { name } }, body, ...options }));
  }
  async delete(name: EventType['name'], options?: RequestOptions): Promise<void> {
    await unwrap(this.client.DELETE('/v1/event-types/{name}', { params: { path: { name } }, ...options }));
  }
}

export class Endpoints extends Resource {
  /** The response carries `secret`, the signing secret, which no later read shows. */
  create(body: CreateEndpoint, options?: RequestOptions): Promise<EndpointWithSecret> {
    return unwrap(this.client.POST('/v1/endpoints', { body, ...options }));
  }
  list(query: QueryOf<'listEndpoints'> = {}, options?: RequestOptions): PagePromise<Endpoint> {
    return paginate(query.cursor, (cursor) =>
      unwrap(this.client.GET('/v1/endpoints', { params: { query: { ...query, cursor } }, ...options })),
    );
  }
  get(id: Endpoint['id'], options?: RequestOptions): Promise<Endpoint> {
    return unwrap(this.client.GET('/v1/endpoints/{id}', { params: { path: { id } }, ...options }));
  }
  update(id: Endpoint['id'], body: UpdateEndpoint, options?: RequestOptions): Promise<Endpoint> {
    return unwrap(this.client.PATCH('/v1/endpoints/{id}', { params: { path: { id } }, body, ...options }));
  }
  async delete(id: Endpoint['id'], options?: RequestOptions): Promise<void> {
    await unwrap(this.client.DELETE('/v1/endpoints/{id}', { params: { path: { id } }, ...options }));
  }
  /** A new secret; the old one keeps signing too for `gracePeriodSeconds` (default 24 h). */
  rotateSecret(id: Endpoint['id'], body: RotateSecret = {}, options?: RequestOptions): Promise<RotatedSecret> {
    return unwrap(this.client.POST('/v1/endpoints/{id}/secret/rotate', { params: { path: { id } }, body, ...options }));
  }
  /** Queues a test delivery to the endpoint. */
  ping(id: Endpoint['id'], options?: RequestOptions): Promise<Delivery> {
    return unwrap(this.client.POST('/v1/endpoints/{id}/ping', { params: { path: { id } }, ...options }));
  }
  /**
   * Queues a test delivery of one of an event type's examples (`example`, default 0) to the endpoint,
   * whether or not it subscribes to the type; the event reads back with `example: true`.
   */
  sendExample(id: Endpoint['id'], body: SendExample, options?: RequestOptions): Promise<Delivery> {
    return unwrap(this.client.POST('/v1/endpoints/{id}/send-example', { params: { path: { id } }, body, ...options }));
  }
  /** Queues again the failed and skipped deliveries created since `since`. */
  recover(id: Endpoint['id'], body: Recover, options?: RequestOptions): Promise<Recovered> {
    return unwrap(this.client.POST('/v1/endpoints/{id}/recover', { params: { path: { id } }, body, ...options }));
  }
  /** The endpoint's delivery statistics per bucket (default: the last 24 hours by hour). */
  stats(id: Endpoint['id'], query: QueryOf<'getEndpointStats'> = {}, options?: RequestOptions): Promise<DeliveryStats> {
    return unwrap(this.client.GET('/v1/endpoints/{id}/stats', { params: { path: { id }, query }, ...options }));
  }
  /**
   * Would an endpoint with this payload filter get this event? Evaluated by the server, storing nothing;
   * an invalid filter is a 422 whose errors name the path (`filter.data.amount.$gt`).
   */
  testFilter(body: TestFilter, options?: RequestOptions): Promise<FilterResult> {
    return unwrap(this.client.POST('/v1/endpoints/test-filter', { body, ...options }));
  }
}

export class Events extends Resource {
  /**
   * Publishes an event to every subscribed endpoint. Retried like a read: an
   * Idempotency-Key (generated unless given) makes a repeat return the same event.
   */
  publish(body: PublishEvent, options: PublishOptions = {}): Promise<Event> {
    const { idempotencyKey, ...init } = options;
    return unwrap(
      this.client.POST('/v1/events', { params: { header: { 'idempotency-key': idempotencyKey } }, body, ...init }),
    );
  }
  /**
   * Publishes up to 100 events in one transaction: all are stored, or none (the HookportError names
   * the refused event: `events[3]: …`, field paths `events.3.data.amount`). Answers the events in order,
   * each with `replayed` when its own `idempotencyKey` matched an earlier publish. Never retried (a
   * POST the SDK cannot make idempotent); give every event an `idempotencyKey` to make your own retry safe.
   */
  async publishBatch(events: BatchEvent[], options?: RequestOptions): Promise<PublishedEvent[]> {
    const published = await unwrap(this.client.POST('/v1/events/batch', { body: { events }, ...options }));
    return published.events;
  }
  list(query: QueryOf<'listEvents'> = {}, options?: RequestOptions): PagePromise<Event> {
    return paginate(query.cursor, (cursor) =>
      unwrap(this.client.GET('/v1/events', { params: { query: { ...query, cursor } }, ...options })),
    );
  }
  get(id: Event['id'], options?: RequestOptions): Promise<Event> {
    return unwrap(this.client.GET('/v1/events/{id}', { params: { path: { id } }, ...options }));
  }
  /**
   * Erases the event's payload and the response bodies of its attempts; the event, its deliveries and
   * attempts stay, marked expunged (`data: null`, `expungedAt`). Unfinished deliveries are never sent.
   */
  expungeContent(id: Event['id'], options?: RequestOptions): Promise<Event> {
    return unwrap(this.client.DELETE('/v1/events/{id}/content', { params: { path: { id } }, ...options }));
  }
}

export class Deliveries extends Resource {
  list(query: QueryOf<'listDeliveries'> = {}, options?: RequestOptions): PagePromise<Delivery> {
    return paginate(query.cursor, (cursor) =>
      unwrap(this.client.GET('/v1/deliveries', { params: { query: { ...query, cursor } }, ...options })),
    );
  }
  /** The delivery with every attempt made so far. */
  get(id: Delivery['id'], options?: RequestOptions): Promise<DeliveryWithAttempts> {
    return unwrap(this.client.GET('/v1/deliveries/{id}', { params: { path: { id } }, ...options }));
  }
  /** Queues a new attempt; the receiver sees the same webhook-id as before. */
  redeliver(id: Delivery['id'], options?: RequestOptions): Promise<Delivery> {
    return unwrap(this.client.POST('/v1/deliveries/{id}/redeliver', { params: { path: { id } }, ...options }));
  }
  /**
   * Queues again every finished delivery matching the filters (created in [since, until)), or only
   * counts them with `dryRun: true`. Retried like publish: an Idempotency-Key (generated unless given)
   * makes a repeat return the first answer without queuing anything again.
   */
  replay(body: BulkReplay, options: ReplayOptions = {}): Promise<BulkReplayResult> {
    const { idempotencyKey, ...init } = options;
    return unwrap(
      this.client.POST('/v1/deliveries/replay', {
        params: { header: { 'idempotency-key': idempotencyKey } },
        body,
        ...init,
      }),
    );
  }
  /**
   * Skips a pending or held delivery (it becomes `skipped`); on a `fifo` endpoint the next delivery in
   * publish order is released. A 409 when the delivery is not pending or held.
   */
  skip(id: Delivery['id'], options?: RequestOptions): Promise<Delivery> {
    return unwrap(this.client.POST('/v1/deliveries/{id}/skip', { params: { path: { id } }, ...options }));
  }
}

/** The tenant's delivery statistics over all its endpoints. */
export class Stats extends Resource {
  /** Per bucket (default: the last 24 hours by hour), optionally for one event type. */
  get(query: QueryOf<'getStats'> = {}, options?: RequestOptions): Promise<DeliveryStats> {
    return unwrap(this.client.GET('/v1/stats', { params: { query }, ...options }));
  }
}
