import type { z } from '@hono/zod-openapi';
import type { ProfileName } from './schemas/common.ts';
import type {
  CreateEndpointSchema,
  EndpointStatusSchema,
  RotateSecretSchema,
  UpdateEndpointSchema,
} from './schemas/endpoints.ts';
import type { CreateEventTypeSchema, UpdateEventTypeSchema } from './schemas/event-types.ts';
import type { AttemptErrorKindSchema, DeliveryStatusSchema, httpStatusClasses } from './schemas/events.ts';
import type { Scope } from './schemas/scopes.ts';
import type {
  CreateTenantSchema,
  CreateTokenSchema,
  TenantLimits,
  TenantQuotas,
  UpdateTenantSchema,
} from './schemas/tenants.ts';

/**
 * The core port: everything a surface (the native API or a vendor adapter)
 * may ask of Hookport. Ids here are the internal UUIDs; each surface renders
 * and parses its own id format. Failures are thrown as CoreError.
 */

export type Principal =
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; tokenId: string; scopes: readonly Scope[] };

export interface TenantRecord {
  id: string;
  name: string;
  metadata: Record<string, string>;
  /** The admin's overrides of the server's default quotas. */
  quotas: TenantQuotas;
  /** The limits in force: the overrides, else the defaults. */
  limits: TenantLimits;
  createdAt: Date;
  updatedAt: Date;
}

export interface TokenRecord {
  id: string;
  tenantId: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  expiresAt: Date | null;
}

export interface EventTypeRecord {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  deprecated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type EndpointStatus = z.infer<typeof EndpointStatusSchema>;

export interface EndpointRecord {
  id: string;
  /** A per-installation integer, for surfaces whose ids are numbers. */
  seq: number;
  tenantId: string;
  url: string;
  name: string;
  description: string;
  eventTypes: string[];
  status: EndpointStatus;
  profile: ProfileName;
  headers: Record<string, string>;
  rateLimit: number | null;
  metadata: Record<string, string>;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface CursorArgs {
  limit: number;
  cursor?: string | undefined;
}

export type CreateTenantInput = z.output<typeof CreateTenantSchema>;
export type UpdateTenantInput = z.output<typeof UpdateTenantSchema>;
export type CreateTokenInput = z.output<typeof CreateTokenSchema>;
export type CreateEventTypeInput = z.output<typeof CreateEventTypeSchema>;
export type UpdateEventTypeInput = z.output<typeof UpdateEventTypeSchema>;
export type CreateEndpointInput = z.output<typeof CreateEndpointSchema>;
export type UpdateEndpointInput = z.output<typeof UpdateEndpointSchema>;
export type RotateSecretInput = z.output<typeof RotateSecretSchema>;

export interface EndpointFilter extends CursorArgs {
  status?: EndpointStatus | undefined;
  profile?: ProfileName | undefined;
  eventType?: string | undefined;
}

export interface EventRecord {
  id: string;
  tenantId: string;
  type: string;
  data: Record<string, unknown>;
  deliveryCount: number;
  createdAt: Date;
}

export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;
export type AttemptErrorKind = z.infer<typeof AttemptErrorKindSchema>;

export interface DeliveryRecord {
  id: string;
  tenantId: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastHttpStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AttemptRecord {
  id: string;
  /** A per-installation integer, for surfaces whose delivery ids are numbers (TSANet). */
  seq: number;
  deliveryId: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  errorKind: AttemptErrorKind | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
  responseTruncated: boolean;
  nextAttemptAt: Date | null;
}

export interface PublishInput {
  type: string;
  data: Record<string, unknown>;
  /** Same key and body within 24 h: the original event is returned, nothing new is queued. */
  idempotencyKey?: string | undefined;
}

export interface EventFilter extends CursorArgs {
  type?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export interface DeliveryFilter extends CursorArgs {
  endpointId?: string | undefined;
  /** The internal UUID of the event whose deliveries to list ("where did my event go?"). */
  eventId?: string | undefined;
  eventType?: string | undefined;
  status?: DeliveryStatus | undefined;
  since?: string | undefined;
  until?: string | undefined;
  httpStatusClass?: (typeof httpStatusClasses)[number] | undefined;
}

/**
 * An attempt with the facts of its delivery and its event: what vendor
 * surfaces that list "deliveries" per attempt show (Rapidly nests the
 * delivery and the payload, TSANet the request body), in one read.
 */
export interface AttemptView extends AttemptRecord {
  endpointId: string;
  eventId: string;
  eventType: string;
  deliveryStatus: DeliveryStatus;
  deliveryLastHttpStatus: number | null;
  deliveryCreatedAt: Date;
  deliveryUpdatedAt: Date;
  eventData: Record<string, unknown>;
  eventCreatedAt: Date;
}

/** Offset pagination with a total, for surfaces whose lists are numbered pages. */
export interface OffsetArgs {
  offset: number;
  limit: number;
}

export interface Numbered<T> {
  items: T[];
  /** How many items match in all. */
  total: number;
}

export interface AttemptFilter extends OffsetArgs {
  /** Any of these endpoints (none given: every endpoint of the tenant). */
  endpointIds?: readonly string[] | undefined;
  /** Any of these event types, exact names. */
  eventTypes?: readonly string[] | undefined;
  /** true: attempts that got a 2xx; false: the others. */
  succeeded?: boolean | undefined;
  httpStatusClass?: (typeof httpStatusClasses)[number] | undefined;
  /** Attempts started at or after / before these times. */
  since?: Date | undefined;
  until?: Date | undefined;
  /** A substring of the attempt, delivery or event id (UUID text) or of the HTTP status. */
  query?: string | undefined;
}

export interface EndpointPageArgs extends OffsetArgs {
  profile?: ProfileName | undefined;
  /** Creation order; oldest first unless 'desc'. */
  order?: 'asc' | 'desc' | undefined;
}

export interface CorePort {
  /** Resolves a bearer token to who is calling; null when it is unknown, expired or revoked. */
  authenticate(token: string): Promise<Principal | null>;

  tenants: {
    create(input: CreateTenantInput): Promise<TenantRecord>;
    list(args: CursorArgs): Promise<Page<TenantRecord>>;
    get(id: string): Promise<TenantRecord>;
    update(id: string, input: UpdateTenantInput): Promise<TenantRecord>;
  };

  tokens: {
    /** Returns the record and the token itself, which is never stored. */
    create(tenantId: string, input: CreateTokenInput): Promise<{ record: TokenRecord; token: string }>;
    list(tenantId: string, args: CursorArgs): Promise<Page<TokenRecord>>;
    revoke(tenantId: string, tokenId: string): Promise<void>;
  };

  eventTypes: {
    create(tenantId: string, input: CreateEventTypeInput): Promise<EventTypeRecord>;
    list(tenantId: string, args: CursorArgs & { prefix?: string | undefined }): Promise<Page<EventTypeRecord>>;
    get(tenantId: string, name: string): Promise<EventTypeRecord>;
    update(tenantId: string, name: string, input: UpdateEventTypeInput): Promise<EventTypeRecord>;
    delete(tenantId: string, name: string): Promise<void>;
  };

  endpoints: {
    /** Returns the endpoint and its signing secret, which is shown only now. */
    create(tenantId: string, input: CreateEndpointInput): Promise<{ endpoint: EndpointRecord; secret: string }>;
    list(tenantId: string, filter: EndpointFilter): Promise<Page<EndpointRecord>>;
    get(tenantId: string, id: string): Promise<EndpointRecord>;
    getBySeq(tenantId: string, seq: number): Promise<EndpointRecord>;
    /** A numbered page (with the total), for surfaces that page by number or return whole lists. */
    listNumbered(tenantId: string, args: EndpointPageArgs): Promise<Numbered<EndpointRecord>>;
    update(tenantId: string, id: string, input: UpdateEndpointInput): Promise<EndpointRecord>;
    delete(tenantId: string, id: string): Promise<void>;
    rotateSecret(
      tenantId: string,
      id: string,
      input: RotateSecretInput,
    ): Promise<{ secret: string; previousSecretExpiresAt: Date | null }>;
    /** The current signing secret, for surfaces that show it on every read (Rapidly). */
    revealSecret(tenantId: string, id: string): Promise<string>;
    /** A real delivery of type `ping` to this endpoint only. */
    ping(tenantId: string, id: string): Promise<DeliveryRecord>;
    /** Queues again every failed or skipped delivery created since then; returns how many. */
    recover(tenantId: string, id: string, since: Date): Promise<number>;
  };

  events: {
    /** Stores the event, its deliveries and their jobs atomically. `replayed` when the idempotency key matched. */
    publish(tenantId: string, input: PublishInput): Promise<{ event: EventRecord; replayed: boolean }>;
    list(tenantId: string, filter: EventFilter): Promise<Page<EventRecord>>;
    get(tenantId: string, id: string): Promise<EventRecord>;
  };

  deliveries: {
    list(tenantId: string, filter: DeliveryFilter): Promise<Page<DeliveryRecord>>;
    get(tenantId: string, id: string): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] }>;
    /** Attempts the delivery again now (a new attempt; the webhook-id stays the event id). */
    redeliver(tenantId: string, id: string): Promise<DeliveryRecord>;
  };

  attempts: {
    /** Newest first. */
    list(tenantId: string, filter: AttemptFilter): Promise<Numbered<AttemptView>>;
    get(tenantId: string, id: string): Promise<AttemptView>;
  };
}
