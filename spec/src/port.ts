import type { z } from '@hono/zod-openapi';
import type { PayloadFilter } from './payload-filter.ts';
import type { ProfileName } from './schemas/common.ts';
import type {
  CreateEndpointSchema,
  EndpointOrderingSchema,
  EndpointStatusSchema,
  RotateSecretSchema,
  SendExampleSchema,
  UpdateEndpointSchema,
} from './schemas/endpoints.ts';
import type { CreateEventTypeSchema, UpdateEventTypeSchema } from './schemas/event-types.ts';
import type {
  AttemptErrorKindSchema,
  DeliveryStatusSchema,
  httpStatusClasses,
  replayableStatuses,
} from './schemas/events.ts';
import type { Scope } from './schemas/scopes.ts';
import type { StatsBucket, StatsCountsSchema } from './schemas/stats.ts';
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
  | { kind: 'tenant'; tenantId: string; tokenId: string; scopes: readonly Scope[] }
  /**
   * A portal session's token (docs/api.md, "Portal sessions"): its tenant with a fixed scope set, on the
   * native API only. A kind of its own, so every check written for tenant tokens (vendor surfaces,
   * `tenantOf`) refuses it unless the native API admits it on purpose. With `endpointMetadata`, it sees
   * only the endpoints whose metadata contains those pairs.
   */
  | {
      kind: 'portal';
      tenantId: string;
      sessionId: string;
      scopes: readonly Scope[];
      endpointMetadata: Readonly<Record<string, string>> | null;
    };

export interface PortalSessionRecord {
  id: string;
  tenantId: string;
  endpointMetadata: Record<string, string> | null;
  readOnly: boolean;
  createdAt: Date;
  expiresAt: Date;
}

export interface CreatePortalSessionArgs {
  endpointMetadata?: Record<string, string>;
  ttlSeconds: number;
  readOnly: boolean;
}

export interface TenantRecord {
  id: string;
  name: string;
  metadata: Record<string, string>;
  /** The admin's overrides of the server's default quotas. */
  quotas: TenantQuotas;
  /** The limits in force: the overrides, else the defaults. */
  limits: TenantLimits;
  /** The admin's retention override in days; null: the server's default. */
  retentionDays: number | null;
  /** The retention in force, in days. */
  effectiveRetentionDays: number;
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
  /** Example `data` payloads, each valid against the schema; [] for none. */
  examples: Record<string, unknown>[];
  deprecated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type EndpointStatus = z.infer<typeof EndpointStatusSchema>;
export type EndpointOrdering = z.infer<typeof EndpointOrderingSchema>;

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
  /** The payload filter (payload-filter.ts); null delivers every event of the selected types. */
  filter: PayloadFilter | null;
  /** Seconds between attempts overriding the profile's schedule on this endpoint; null: the profile's. */
  retrySchedule: number[] | null;
  /** The attempt deadline overriding the profile's on this endpoint; null: the profile's. */
  timeoutMs: number | null;
  /** fifo: one delivery at a time, in publish order (docs/delivery.md, "Ordered delivery"). */
  ordering: EndpointOrdering;
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
export type SendExampleInput = z.output<typeof SendExampleSchema>;

export interface EndpointFilter extends CursorArgs {
  status?: EndpointStatus | undefined;
  profile?: ProfileName | undefined;
  eventType?: string | undefined;
  /** Only endpoints whose metadata contains these pairs (a filtered portal session). */
  metadata?: Readonly<Record<string, string>> | undefined;
}

export interface EventRecord {
  id: string;
  tenantId: string;
  type: string;
  /** `{}` once the content was expunged: surfaces that show no expunge render it as an empty payload. */
  data: Record<string, unknown>;
  deliveryCount: number;
  createdAt: Date;
  /** When the content was expunged (payload, request hash, response bodies of its attempts); null if never. */
  expungedAt: Date | null;
  /** Sent by send-example to one endpoint as a test (docs/delivery.md, "Example events"); false for published events. */
  example: boolean;
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

/**
 * The request an attempt sent, rendered again on read (server/src/core/attempt-request.ts): signature
 * values replaced by a placeholder, custom header values masked; body null when not to be shown.
 */
export interface AttemptRequest {
  headers: Record<string, string>;
  body: string | null;
}

/** An attempt as its delivery's read shows it: with the request it sent, null when it cannot be rendered. */
export interface DeliveryAttempt extends AttemptRecord {
  request: AttemptRequest | null;
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

/** POST /v1/deliveries/replay: which finished deliveries to queue again (or count). */
export interface BulkReplayInput {
  /** The endpoint's internal UUID. */
  endpointId?: string | undefined;
  /** Only the endpoints whose metadata contains these pairs (a filtered portal session). */
  endpointMetadata?: Readonly<Record<string, string>> | undefined;
  eventType?: string | undefined;
  status?: (typeof replayableStatuses)[number] | undefined;
  since: string;
  until: string;
  dryRun?: boolean | undefined;
  /** Same key and body within 24 h: the first answer, nothing queued again. */
  idempotencyKey?: string | undefined;
}

export interface BulkReplayResult {
  dryRun: boolean;
  matched: number;
  queued: number;
  skipped: number;
}

export interface DeliveryFilter extends CursorArgs {
  endpointId?: string | undefined;
  /** Only the deliveries to endpoints whose metadata contains these pairs (a filtered portal session). */
  endpointMetadata?: Readonly<Record<string, string>> | undefined;
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

/** A statistics read: the range (ISO times; defaults in docs/api.md), the bucket width, an event type. */
export interface StatsQuery {
  since?: string | undefined;
  until?: string | undefined;
  bucket: StatsBucket;
  eventType?: string | undefined;
}

/** The counts of one bucket, or of the whole range: the same shape the native API shows. */
export type StatsCounts = z.infer<typeof StatsCountsSchema>;

export interface StatsRecord {
  /** The start of the first bucket (since rounded down). */
  since: Date;
  until: Date;
  bucket: StatsBucket;
  eventType: string | null;
  total: StatsCounts;
  /** Every bucket of the range, oldest first. */
  buckets: (StatsCounts & { start: Date })[];
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

  portalSessions: {
    /** Returns the record and the token itself, which is never stored. */
    create(tenantId: string, args: CreatePortalSessionArgs): Promise<{ record: PortalSessionRecord; token: string }>;
    /** `tenantId` null (the admin): any tenant's session. */
    revoke(tenantId: string | null, sessionId: string): Promise<void>;
    /** A live session (neither revoked nor expired); null otherwise. */
    get(sessionId: string): Promise<PortalSessionRecord | null>;
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
    /** A real delivery of one of an event type's examples to this endpoint only, subscribed or not. */
    sendExample(tenantId: string, id: string, input: SendExampleInput): Promise<DeliveryRecord>;
    /** Queues again every failed or skipped delivery created since then; returns how many. */
    recover(tenantId: string, id: string, since: Date): Promise<number>;
  };

  events: {
    /** Stores the event, its deliveries and their jobs atomically. `replayed` when the idempotency key matched. */
    publish(tenantId: string, input: PublishInput): Promise<{ event: EventRecord; replayed: boolean }>;
    /**
     * Publishes up to maxBatchEvents events in order in one transaction: all are stored, or none (a
     * refusal names the event by its index). Each is `replayed` when its own idempotency key matched.
     */
    publishBatch(
      tenantId: string,
      inputs: readonly PublishInput[],
    ): Promise<{ event: EventRecord; replayed: boolean }[]>;
    list(tenantId: string, filter: EventFilter): Promise<Page<EventRecord>>;
    get(tenantId: string, id: string): Promise<EventRecord>;
    /**
     * Erases the event's payload and the response bodies of its attempts; the event, its deliveries and
     * attempts stay, marked expunged. Deliveries not yet finished are failed, never sent again. Idempotent.
     */
    expunge(tenantId: string, id: string): Promise<EventRecord>;
  };

  deliveries: {
    list(tenantId: string, filter: DeliveryFilter): Promise<Page<DeliveryRecord>>;
    get(tenantId: string, id: string): Promise<{ delivery: DeliveryRecord; attempts: DeliveryAttempt[] }>;
    /** Attempts the delivery again now (a new attempt; the webhook-id stays the event id). */
    redeliver(tenantId: string, id: string): Promise<DeliveryRecord>;
    /**
     * Queues again (or counts, dry run) every finished delivery matching the filters, in batches of one
     * transaction each. `replayed` when the idempotency key matched an earlier request.
     */
    replay(tenantId: string, input: BulkReplayInput): Promise<{ result: BulkReplayResult; replayed: boolean }>;
    /** Skips a pending or held delivery; on a fifo endpoint the next one is released. */
    skip(tenantId: string, id: string): Promise<DeliveryRecord>;
  };

  stats: {
    /** One endpoint's statistics (not_found for another tenant's), from the per-minute rollups. */
    endpoint(tenantId: string, endpointId: string, query: StatsQuery): Promise<StatsRecord>;
    /** The tenant's statistics over all its endpoints. */
    tenant(tenantId: string, query: StatsQuery): Promise<StatsRecord>;
  };

  attempts: {
    /** Newest first. */
    list(tenantId: string, filter: AttemptFilter): Promise<Numbered<AttemptView>>;
    get(tenantId: string, id: string): Promise<AttemptView>;
  };
}
