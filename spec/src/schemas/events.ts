import { z } from '@hono/zod-openapi';
import { TimestampSchema, typeIdSchema } from './common.ts';
import { EndpointIdSchema } from './endpoints.ts';
import { EventTypeNameSchema } from './event-types.ts';

export const EventIdSchema = typeIdSchema('event');
export const DeliveryIdSchema = typeIdSchema('delivery');
export const AttemptIdSchema = typeIdSchema('attempt');

export const EventDataSchema = z
  .record(z.string(), z.unknown())
  .openapi('EventData', { description: 'The event payload: any JSON object.', example: { id: 'T-1001' } });

export const PublishEventSchema = z
  .strictObject({
    type: EventTypeNameSchema,
    data: EventDataSchema,
  })
  .openapi('PublishEvent');

export const EventSchema = z
  .object({
    id: EventIdSchema,
    type: z.string(),
    data: EventDataSchema,
    deliveryCount: z.number().int().openapi({ description: 'How many deliveries the event fanned out to.' }),
    createdAt: TimestampSchema,
  })
  .openapi('Event');

export const deliveryStatuses = ['pending', 'held', 'succeeded', 'failed', 'skipped'] as const;
export const DeliveryStatusSchema = z.enum(deliveryStatuses).openapi('DeliveryStatus', {
  description:
    'pending: will be attempted; held: the endpoint is paused; succeeded; failed: attempts exhausted or not retryable; skipped: the endpoint was disabled.',
});

export const attemptErrorKinds = [
  'timeout',
  'connection',
  'dns',
  'tls',
  'egress_blocked',
  'response_too_large',
  'http_status',
] as const;
export const AttemptErrorKindSchema = z.enum(attemptErrorKinds).openapi('AttemptErrorKind');

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

export const httpStatusClasses = ['2xx', '3xx', '4xx', '5xx'] as const;
