import { z } from '@hono/zod-openapi';
import { EventTypeNameSchema } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';

/**
 * The bodies of TSANet Connect's webhook subscriptions, as the vendor's
 * document and Java SDK show them: camelCase fields, int64 ids, a Spring page
 * of delivery attempts (0-based), `{message, validationErrors}` errors, and
 * the payload every delivery carries.
 */

/** Spring Data's default cap on a page size; larger sizes are a 400 here rather than silently clamped. */
export const maxPageSize = 2000;
const int32Max = 2_147_483_647;

export const TimestampSchema = z.string().openapi({
  format: 'date-time',
  description: 'ISO 8601 UTC, whole seconds.',
  example: '2026-03-01T10:00:00Z',
});

export const Int64Schema = z.number().int().openapi({ format: 'int64', example: 42 });

export const ValidationErrorSchema = z
  .object({
    field: z.string().openapi({ example: 'callbackUrl' }),
    message: z.string().openapi({ example: 'must be an https URL' }),
  })
  .openapi('ValidationError');

export const ErrorSchema = z
  .object({
    message: z.string().openapi({ example: 'Validation failed' }),
    validationErrors: z.array(ValidationErrorSchema),
  })
  .openapi('ErrorResponse', {
    description: 'Every error, whatever its status; validationErrors is empty unless a field is at fault.',
  });

export const WebhookSubscriptionSchema = z
  .object({
    id: Int64Schema,
    callbackUrl: z.string().openapi({ example: 'https://api.example.com/webhooks/tsanet' }),
    eventTypes: z.array(z.string()).openapi({ example: ['collaboration-request.created', 'note.created'] }),
    active: z.boolean(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .openapi('WebhookSubscription');

export const WebhookSubscriptionCreatedSchema = z
  .object({
    id: Int64Schema,
    callbackUrl: z.string().openapi({ example: 'https://api.example.com/webhooks/tsanet' }),
    eventTypes: z.array(z.string()).openapi({ example: ['collaboration-request.created', 'note.created'] }),
    active: z.boolean(),
    secret: z.string().openapi({
      description: 'HMAC secret for signing webhooks (only returned on creation): 64 lowercase hex characters.',
      example: '3f1c9a0e5b7d2f48a6c1e0b9d8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9',
    }),
    createdAt: TimestampSchema,
  })
  .openapi('WebhookSubscriptionResponse');

export const CreateWebhookSubscriptionSchema = z
  .object({
    callbackUrl: httpsUrlSchema().openapi({
      description: 'The URL to receive webhook events. Must be https (http only for an allowlisted loopback host).',
      example: 'https://api.example.com/webhooks/tsanet',
    }),
    eventTypes: z
      .array(EventTypeNameSchema)
      .max(100)
      .nullable()
      .optional()
      .openapi({
        description: 'Event types to receive; omitted, null or empty means every type, including ones added later.',
        example: ['collaboration-request.created', 'note.created'],
      }),
  })
  .openapi('CreateWebhookSubscriptionRequest', { description: 'Unknown fields are ignored, as Spring does.' });

export const WebhookDeliverySchema = z
  .object({
    id: Int64Schema,
    cloudEventId: z.string().openapi({ description: 'The event id, the same for every attempt of one event.' }),
    eventType: z.string().openapi({ example: 'note.created' }),
    httpStatus: z.number().int().nullable().openapi({ description: 'null when no response arrived.' }),
    attemptNumber: z.number().int().openapi({ example: 1 }),
    success: z.boolean(),
    requestBody: z.string().nullable().openapi({ description: 'The JSON body sent (the same for every attempt).' }),
    responseBody: z.string().nullable().openapi({ description: 'The start of the response body, or null.' }),
    createdAt: TimestampSchema,
  })
  .openapi('WebhookDeliveryLog');

export const WebhookDeliveryPageSchema = z
  .object({
    content: z.array(WebhookDeliverySchema),
    totalElements: Int64Schema,
    totalPages: z.number().int(),
    size: z.number().int(),
    number: z.number().int(),
    numberOfElements: z.number().int(),
    first: z.boolean(),
    last: z.boolean(),
    empty: z.boolean(),
  })
  .openapi('WebhookDeliveryLogPage');

/** Path ids are parsed by the handler (a non-number is a 404); the document shows the vendor's int64. */
export const IdParams = z.object({
  id: z.string().openapi({
    param: { name: 'id', in: 'path', description: 'The webhook subscription ID' },
    type: 'integer',
    format: 'int64',
    example: 42,
  }),
});

export const DeliveriesQuery = z.object({
  page: z.coerce
    .number()
    .int()
    .min(0)
    .max(int32Max)
    .default(0)
    // Spelled out: zod-to-openapi renders a coerced number with min(0) as integer | null.
    .openapi({
      param: { name: 'page', in: 'query', description: 'Page number (0-based)' },
      type: 'integer',
      minimum: 0,
      maximum: int32Max,
      default: 0,
      example: 0,
    }),
  size: z.coerce
    .number()
    .int()
    .min(1)
    .max(maxPageSize)
    .default(20)
    .openapi({ param: { name: 'size', in: 'query', description: 'Page size' }, example: 20 }),
});

/** The body of every delivery to a TSANet subscription. */
export const TsanetPayloadSchema = z
  .object({
    eventType: z.string().openapi({ example: 'note.created' }),
    requestToken: z.string().openapi({
      description: "The collaboration request's token: `requestToken` of the published event data, else the event id.",
      example: 'b7e3c1a2-0f4d-4c8e-9a51-2d6f7e8a9b0c',
    }),
    noteToken: z
      .string()
      .optional()
      .openapi({ description: '`noteToken` of the published event data, when it has one.', example: 'n-4711' }),
    timestamp: z.string().openapi({
      format: 'date-time',
      description: 'When the event was published, ISO 8601 UTC, whole seconds (the same in every attempt).',
      example: '2026-03-01T10:00:00Z',
    }),
  })
  .openapi('WebhookPayload');
