import type { DeliveryStatus } from '@hookport/spec';
import type { Queryable } from '../db/database.ts';

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
  /** Makes deliveries pending again and queues their next attempt: one, or an endpoint's in some statuses. */
  requeue(q: Queryable, tenantId: string, selection: RequeueSelection): Promise<DeliveryRow[]>;
  /** Resumes an endpoint's deliveries: its held ones are queued, and its failure streak no longer counts. */
  releaseHeld(q: Queryable, tenantId: string, endpointId: string): Promise<void>;
}

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  idempotencyKey?: string | undefined;
  /** The hash of the request an Idempotency-Key came with. */
  requestHash?: string | null;
}

export interface FanOutOptions<T = never> {
  /** Deliver to this endpoint only, whatever it subscribes to (ping). */
  onlyEndpointId?: string;
  /** A check of the caller's, read in the same statement as the endpoints (publish validates the type so). */
  check?: EventCheck<T>;
}

export interface EventCheck<T> {
  /** A scalar SQL expression over the tenant ($1) and the event's type ($2). */
  sql: string;
  /** Gets the expression's value before anything is written; throwing refuses the event. */
  run(value: T): void;
}

/** Deliveries made pending again: one, or those of an endpoint in some statuses (created since a date). */
export type RequeueSelection =
  | { deliveryId: string }
  | { endpointId: string; statuses: readonly ('held' | 'failed' | 'skipped')[]; since?: Date };

/** A row of events, as the driver returns it. */
export interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  data: Record<string, unknown>;
  delivery_count: number;
  created_at: Date;
  request_hash?: string | null;
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
