import type { DeliveryStatus } from '@hookport/spec';
import type { Queryable, SqlValue } from '../db/database.ts';

/**
 * The contract between core and the delivery engine: what core writes through the engine's store
 * (server/src/delivery/store.ts), which owns every write to deliveries and their jobs. It lives here so
 * that neither imports the other; runtime.ts and publisher.ts pass the store to core.
 */
export interface DeliveryStore {
  /**
   * Stores an event, its deliveries (to the endpoints its type selects, or to onlyEndpointId) and their
   * jobs, through q (one transaction).
   */
  storeEvent<T = never>(
    q: Queryable,
    tenantId: string,
    event: NewEvent,
    options?: FanOutOptions<T>,
  ): Promise<{ event: EventRow; deliveryIds: string[] }>;
  /**
   * Stores an event that no endpoint selects in one statement of its own, through q (outside any
   * transaction: the statement commits by itself, the event with it). It reads the endpoints the type
   * selects and the caller's check like storeEvent, and inserts the event only when there are none and
   * `guard` holds; the check is run on what was read either way (throwing refuses: when it throws,
   * nothing was written). Null when the event was not stored: the caller stores it with storeEvent in
   * a transaction. Absent on a store that cannot (the traced one): every event goes through storeEvent.
   */
  storeLoneEvent?<T>(q: Queryable, tenantId: string, event: NewEvent, guard: LoneGuard<T>): Promise<LoneStored>;
  /**
   * Makes deliveries pending again and queues their next attempt: one, an endpoint's in some statuses, or a
   * bulk replay's batch. Returns the deliveries queued.
   */
  requeue(q: Queryable, tenantId: string, selection: RequeueSelection): Promise<DeliveryRow[]>;
  /**
   * Resumes an endpoint's deliveries: its held ones are queued (on a fifo endpoint, only the next in
   * publish order), and its failure streak no longer counts.
   */
  releaseHeld(q: Queryable, tenantId: string, endpointId: string): Promise<void>;
  /**
   * An operator's skip of a pending or held delivery of endpointId: never sent unless redelivered or
   * recovered; on a fifo endpoint the next delivery is released. Null when it was not pending or held.
   */
  skip(q: Queryable, tenantId: string, deliveryId: string, endpointId: string): Promise<DeliveryRow | null>;
  /** The endpoint's ordering changed: releases what may go now (everything waiting, once it is unordered). */
  releaseOrdered(q: Queryable, endpointId: string): Promise<void>;
  /**
   * Expunges an event's content through q (one transaction): its payload and request hash, the response
   * bodies of its attempts; its unfinished deliveries are failed. Null when the tenant has no such event.
   */
  expungeEvent(q: Queryable, tenantId: string, eventId: string): Promise<EventRow | null>;
}

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  idempotencyKey?: string | undefined;
  /** The hash of the request an Idempotency-Key came with. */
  requestHash?: string | null;
  /** The publish span's W3C traceparent, set only while tracing is on (tracing/publish-spans.ts). */
  traceparent?: string | undefined;
  /** A test send of one of its type's examples (send-example); false or absent for every other event. */
  example?: boolean | undefined;
}

export interface FanOutOptions<T = never> {
  /** Deliver to this endpoint only, whatever it subscribes to (ping, send-example). */
  onlyEndpointId?: string;
  /**
   * Never deliver to this endpoint, whatever it subscribes to: an operational event about an endpoint
   * goes to the tenant's other endpoints only (it would feed its own failure).
   */
  exceptEndpointId?: string;
  /** A check of the caller's, read in the same statement as the endpoints (publish validates the type so). */
  check?: EventCheck<T>;
}

/** When storeLoneEvent may store the event: its check, and a condition over what the check read. */
export interface LoneGuard<T> {
  check: EventCheck<T>;
  /**
   * A boolean SQL expression over the check's value (the json expression passed in), true when the
   * event may be stored without a transaction. It must imply that check.run accepts the value. Its
   * parameters are `params`, numbered from $7.
   */
  when(checked: string): string;
  params: SqlValue[];
}

/** What storeLoneEvent did: the event stored, or null; and whether the type had endpoints to go to. */
export interface LoneStored {
  event: EventRow | null;
  hadTargets: boolean;
}

export interface EventCheck<T> {
  /** A scalar SQL expression over the tenant ($1) and the event's type ($2). */
  sql: string;
  /** Gets the expression's value before anything is written; throwing refuses the event. */
  run(value: T): void;
}

/**
 * Deliveries made pending again: one, those of an endpoint in some statuses (created since a date), or a
 * batch of a bulk replay (only those of them still finished, of an event not expunged, to an active endpoint).
 */
export type RequeueSelection =
  | { deliveryId: string }
  | { endpointId: string; statuses: readonly ('held' | 'failed' | 'skipped')[]; since?: Date }
  | { finishedIds: readonly string[] };

/** A row of events, as the driver returns it. */
export interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  data: Record<string, unknown>;
  delivery_count: number;
  created_at: Date;
  request_hash?: string | null;
  /** Absent where the statement does not read it (a new event is never expunged). */
  expunged_at?: Date | null;
  /** Sent by send-example (migration 0017). */
  example: boolean;
}

/** A row of deliveries, as the driver returns it. */
export interface DeliveryRow {
  id: string;
  tenant_id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: Date | null;
  last_http_status: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}
