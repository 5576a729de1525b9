import type { Queryable } from '../db/database.ts';
import type { DeliveryRow } from './deliveries.ts';
import type { EventRow } from './events.ts';

/**
 * What core needs from the delivery engine: the store that owns every write to deliveries and their
 * jobs (server/src/delivery/store.ts). Declared here so that core imports nothing from delivery (and
 * delivery nothing from core's internals); runtime.ts and publisher.ts pass the store in.
 */
export interface DeliveryStore {
  /**
   * Stores an event, its deliveries (to the endpoints its type selects, or to onlyEndpointId) and their
   * jobs, through q. `after` is settled first, its rejection aborting the store: a check run alongside
   * the store's read of the endpoints.
   */
  storeEvent(
    q: Queryable,
    tenantId: string,
    event: {
      type: string;
      data: Record<string, unknown>;
      idempotencyKey?: string | undefined;
      requestHash?: string | null;
    },
    options?: { onlyEndpointId?: string; after?: Promise<unknown> },
  ): Promise<{ event: EventRow; deliveryIds: string[] }>;
  /** Makes deliveries pending again and queues their next attempt: one, or an endpoint's in some statuses. */
  requeue(q: Queryable, tenantId: string, selection: RequeueSelection): Promise<DeliveryRow[]>;
  /** Resumes an endpoint's deliveries: its held ones are queued, and its failure streak no longer counts. */
  releaseHeld(q: Queryable, tenantId: string, endpointId: string): Promise<void>;
}

export type RequeueSelection =
  | { deliveryId: string }
  | { endpointId: string; statuses: readonly ('held' | 'failed' | 'skipped')[]; since?: Date };
