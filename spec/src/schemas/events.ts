import { z } from '@hono/zod-openapi';
import { systemEventTypes } from '../profile.ts';
import { TimestampSchema, typeIdSchema } from './common.ts';
import { EndpointIdSchema } from './endpoints.ts';
import { EventTypeNameSchema } from './event-types.ts';

export const EventIdSchema = typeIdSchema('event');
export const DeliveryIdSchema = typeIdSchema('delivery');
export const AttemptIdSchema = typeIdSchema('attempt');

export const EventDataSchema = z
  .record(z.string(), z.unknown())
  .openapi('EventData', { description: 'The event payload: any JSON object.', example: { id: 'T-1001' } });

/** The type of a published event: one of the tenant's catalogue, never one Hookport publishes itself. */
const PublishedTypeSchema = EventTypeNameSchema.openapi({
  description:
    "A type of the tenant's event catalogue. The types Hookport publishes itself " +
    `(${systemEventTypes.map((t) => `\`${t}\``).join(', ')}) are refused: 422 \`validation_failed\`, ` +
    '`errors[].code` `reserved_event_type`.',
});

export const PublishEventSchema = z
  .strictObject({
    type: PublishedTypeSchema,
    data: EventDataSchema,
  })
  .openapi('PublishEvent');

/** The most events one POST /v1/events/batch may publish. */
export const maxBatchEvents = 100;

export const BatchEventSchema = z
  .strictObject({
    type: PublishedTypeSchema,
    data: EventDataSchema,
    idempotencyKey: z.string().min(1).max(255).optional().openapi({
      description:
        "This event's own idempotency key, as the Idempotency-Key header of POST /v1/events: the same key and body within 24 h returns the original event (`replayed: true`); another body is a 409. Unique within the batch.",
      example: 'order-paid-1001',
    }),
  })
  .openapi('BatchEvent');

export const PublishBatchSchema = z
  .strictObject({
    events: z.array(BatchEventSchema).min(1).max(maxBatchEvents),
  })
  .openapi('PublishBatch');

export const EventSchema = z
  .object({
    id: EventIdSchema,
    type: z.string(),
    // Inline, not the EventData component: a nullable $ref renders as an allOf that generated clients misread.
    data: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description: 'The event payload: any JSON object; null once its content was expunged (expungedAt).',
        example: { id: 'T-1001' },
      }),
    deliveryCount: z.number().int().openapi({ description: 'How many deliveries the event fanned out to.' }),
    createdAt: TimestampSchema,
    expungedAt: TimestampSchema.nullable().openapi({
      description:
        'When its content was expunged (DELETE /v1/events/{id}/content): the payload and the response bodies of its attempts are gone.',
    }),
    example: z.boolean().openapi({
      description:
        "True for an event sent by POST /v1/endpoints/{id}/send-example: one of its type's examples, sent to one endpoint as a test.",
    }),
  })
  .openapi('Event');

export const deliveryStatuses = ['pending', 'held', 'succeeded', 'failed', 'skipped'] as const;
export const DeliveryStatusSchema = z.enum(deliveryStatuses).openapi('DeliveryStatus', {
  description:
    'pending: will be attempted; held: the endpoint is paused; succeeded; failed: attempts exhausted or not retryable; skipped: the endpoint was disabled, or an operator skipped it (POST /v1/deliveries/{id}/skip).',
});

export const attemptErrorKinds = [
  'timeout',
  'connection',
  'dns',
  'tls',
  'egress_blocked',
  'response_too_large',
  'http_status',
  'proxy_refused',
  'proxy_error',
] as const;
export const AttemptErrorKindSchema = z.enum(attemptErrorKinds).openapi('AttemptErrorKind', {
  description:
    'Why an attempt failed. proxy_refused: the egress proxy (HOOKPORT_EGRESS_PROXY) answered the CONNECT with a refusal; proxy_error: the egress proxy could not be reached or broke off. Neither counts towards disabling the endpoint.',
});

export const AttemptRequestSchema = z
  .object({
    headers: z.record(z.string(), z.string()).openapi({
      description:
        "The headers the delivery profile set (content-type, webhook-id, webhook-timestamp, …) and the endpoint's custom headers. Signature values are a placeholder (`v1,<signature>`, `sha256=<signature>`), custom header values masked as endpoint reads show them; the transport's own headers (host, content-length, user-agent) and traceparent are not listed.",
      example: { 'content-type': 'application/json', 'webhook-signature': 'v1,<signature>' },
    }),
    body: z.string().nullable().openapi({
      description:
        "The body sent, byte for byte. null when the event's content was expunged, and for a portal session filtered by endpoint metadata (it reads no event payloads).",
    }),
  })
  .openapi('AttemptRequest', {
    description:
      "The request this attempt sent, rendered again on read from the event, the attempt's start time and the endpoint as it is now (its URL, metadata and custom headers may have changed since). Nothing extra is stored per attempt.",
  });

export const AttemptSchema = z
  .object({
    id: AttemptIdSchema,
    number: z.number().int(),
    startedAt: TimestampSchema,
    durationMs: z.number().int(),
    httpStatus: z.number().int().nullable(),
    errorKind: AttemptErrorKindSchema.nullable(),
    errorMessage: z.string().nullable(),
    responseExcerpt: z.string().nullable().openapi({ description: 'The first 16 KiB of the response body.' }),
    responseTruncated: z.boolean(),
    nextAttemptAt: TimestampSchema.nullable(),
    request: AttemptRequestSchema.nullable().openapi({
      description: 'The request as sent (rendered again on read); null when it cannot be rendered again.',
    }),
  })
  .openapi('Attempt');

export const DeliverySchema = z
  .object({
    id: DeliveryIdSchema,
    eventId: EventIdSchema,
    endpointId: EndpointIdSchema,
    eventType: z.string(),
    status: DeliveryStatusSchema,
    attemptCount: z.number().int(),
    nextAttemptAt: TimestampSchema.nullable(),
    lastHttpStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .openapi('Delivery');

export const DeliveryWithAttemptsSchema = DeliverySchema.extend({
  attempts: z.array(AttemptSchema),
}).openapi('DeliveryWithAttempts');

export const RecoverSchema = z
  .strictObject({
    since: TimestampSchema.openapi({ description: 'Replay failed and skipped deliveries created at or after this.' }),
  })
  .openapi('Recover');

export const RecoveredSchema = z
  .object({ recovered: z.number().int().openapi({ description: 'How many deliveries were queued again.' }) })
  .openapi('Recovered');

/** The statuses a bulk replay selects: finished deliveries only (pending and held ones are still on their way). */
export const replayableStatuses = ['failed', 'succeeded', 'skipped'] as const;

export const BulkReplaySchema = z
  .strictObject({
    endpointId: EndpointIdSchema.optional().openapi({ description: 'Only the deliveries to this endpoint.' }),
    eventType: EventTypeNameSchema.optional().openapi({
      description: 'Only the deliveries of this event type (exact name).',
    }),
    status: z.enum(replayableStatuses).optional().openapi({
      description: 'Only the deliveries in this status; without it, every finished one (failed, succeeded, skipped).',
    }),
    since: TimestampSchema.openapi({
      description: "Deliveries created at or after this; no earlier than the tenant's retention window allows.",
    }),
    until: TimestampSchema.openapi({ description: 'Deliveries created before this (exclusive); after since.' }),
    dryRun: z.boolean().optional().openapi({ description: 'Count only: nothing is queued. Default false.' }),
  })
  .openapi('BulkReplay');

const replayCount = (description: string) => z.number().int().openapi({ description });

export const BulkReplayResultSchema = z
  .object({
    dryRun: z.boolean(),
    matched: replayCount('Finished deliveries the filters selected.'),
    queued: replayCount('Of those, how many were queued as a new attempt (0 in a dry run).'),
    skipped: replayCount(
      "Of those, how many cannot be replayed: the event's content was expunged, the endpoint is not active, or the delivery was made pending meanwhile.",
    ),
  })
  .openapi('BulkReplayResult');

export const httpStatusClasses = ['2xx', '3xx', '4xx', '5xx'] as const;

export const PublishedEventSchema = EventSchema.extend({
  replayed: z.boolean().openapi({
    description:
      'True when the event is an earlier publish returned again for its idempotency key (POST /v1/events answers it with Idempotent-Replayed: true); nothing new was stored or queued for it.',
  }),
}).openapi('PublishedEvent');

export const PublishedBatchSchema = z
  .object({
    events: z.array(PublishedEventSchema).openapi({ description: 'The events, in the order of the request.' }),
  })
  .openapi('PublishedBatch');
