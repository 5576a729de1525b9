import { z } from '@hono/zod-openapi';
import { httpStatusClasses } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';

/**
 * The bodies and queries of Rapidly's webhook API (a fork of Polar):
 * snake_case fields, UUID ids, `{data, meta}` pages, FastAPI errors. Field
 * names and constraints follow rapidly-tech/rapidly
 * server/rapidly/messaging/webhook/{api,types}.py.
 */

export const webhookFormats = ['raw', 'discord', 'slack'] as const;
export const WebhookFormatSchema = z.enum(webhookFormats).openapi('WebhookFormat');

/** An exact event name: Rapidly's WebhookEventType is an enum, so there are no wildcards. */
export const EventTypeSchema = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be an event type')
  .openapi('WebhookEventType', { example: 'customer.created' });

export const Timestamp = z.string().openapi({ format: 'date-time', example: '2025-01-15T10:30:00.000Z' });
export const Uuid = z.string().openapi({ format: 'uuid', example: '01936f6c-8f4a-7c3e-9b1d-2f5a6c7d8e9f' });

export const WebhookEndpointSchema = z
  .object({
    id: Uuid,
    created_at: Timestamp,
    modified_at: Timestamp.nullable(),
    url: z.string().openapi({ example: 'https://webhook.site/cb791d80-f26e-4f8c-be88-6e56054192b0' }),
    format: WebhookFormatSchema,
    secret: z.string().openapi({ example: 'rapidly_whs_ovyN6cPrTv56AApvzCaJno08SSmGJmgbWilb33N2JuK' }),
    workspace_id: Uuid,
    events: z.array(z.string()),
    enabled: z.boolean(),
  })
  .openapi('WebhookEndpoint');

export const SecretInput = z
  .string()
  .min(32)
  .nullable()
  .optional()
  .openapi({ deprecated: true, description: 'The secret is now generated on the backend.' });

/** Unknown fields are ignored, as pydantic does by default. */
export const WebhookEndpointCreateSchema = z
  .object({
    url: httpsUrlSchema(2083),
    secret: SecretInput,
    format: WebhookFormatSchema,
    events: z.array(EventTypeSchema),
    workspace_id: z
      .uuid()
      .nullable()
      .optional()
      .openapi({ description: "Optional with a workspace token; when given it must be the token's own workspace." }),
  })
  .openapi('WebhookEndpointCreate');

/** Every field optional; null means "leave as is" (Rapidly dumps with exclude_none). */
export const WebhookEndpointUpdateSchema = z
  .object({
    url: httpsUrlSchema(2083).nullable().optional(),
    secret: SecretInput,
    format: WebhookFormatSchema.nullable().optional(),
    events: z.array(EventTypeSchema).nullable().optional(),
    enabled: z.boolean().nullable().optional(),
  })
  .openapi('WebhookEndpointUpdate');

export const WebhookEventSchema = z
  .object({
    id: Uuid,
    created_at: Timestamp,
    modified_at: Timestamp.nullable(),
    last_http_code: z.number().int().nullable(),
    succeeded: z.boolean().nullable(),
    skipped: z.boolean(),
    payload: z.string().nullable(),
    type: z.string(),
    is_archived: z.boolean(),
  })
  .openapi('WebhookEvent');

export const WebhookDeliverySchema = z
  .object({
    id: Uuid,
    created_at: Timestamp,
    modified_at: Timestamp.nullable(),
    succeeded: z.boolean(),
    http_code: z.number().int().nullable(),
    response: z.string().nullable(),
    webhook_event: WebhookEventSchema,
  })
  .openapi('WebhookDelivery');

export const PageMetaSchema = z
  .object({ total: z.number().int(), page: z.number().int(), per_page: z.number().int(), pages: z.number().int() })
  .openapi('PageMeta');

export function paginated<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), meta: PageMetaSchema }).openapi(name);
}

// Error bodies: FastAPI's, as Rapidly's exception handlers render them.
export const ErrorSchema = z
  .object({ error: z.string().openapi({ example: 'ResourceNotFound' }), detail: z.string() })
  .openapi('Error');
export const ValidationErrorSchema = z
  .object({
    error: z.literal('RequestValidationError'),
    detail: z.array(
      z.object({
        type: z.string(),
        loc: z.array(z.union([z.string(), z.number().int()])),
        msg: z.string(),
        input: z.unknown(),
      }),
    ),
  })
  .openapi('RequestValidationError');
export const InsufficientScopeSchema = z
  .object({ error: z.literal('insufficient_scope'), error_description: z.string() })
  .openapi('InsufficientScope');

export const IdParams = z.object({
  id: z
    .string()
    .openapi({ param: { name: 'id', in: 'path' }, format: 'uuid', description: 'The webhook endpoint ID.' }),
});

/** A repeatable query parameter arrives as a string when given once and as an array when repeated. */
export const toList = (value: unknown) => (value === undefined || Array.isArray(value) ? value : [value]);

export const PageQuery = z.object({
  page: z.coerce
    .number()
    .int()
    .gt(0)
    // Beyond this no page can hold anything; the bound keeps the offset a sane number.
    .max(2_147_483_647)
    .default(1)
    .openapi({ param: { name: 'page', in: 'query' }, description: 'Page number, defaults to 1.' }),
  limit: z.coerce
    .number()
    .int()
    .gt(0)
    .default(10)
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: 'Size of a page, defaults to 10. Maximum is 100 (larger values are clamped).',
    }),
});

/** The query of the endpoint list. */
export const EndpointsQuery = PageQuery.extend({
  workspace_id: z
    .preprocess(toList, z.array(z.uuid()).optional())
    .openapi({ param: { name: 'workspace_id', in: 'query' }, description: 'Filter by workspace ID.' }),
});

/** The query of the delivery log: Rapidly's filters. */
export const DeliveriesQuery = PageQuery.extend({
  endpoint_id: z
    .preprocess(toList, z.array(z.uuid()).optional())
    .openapi({ param: { name: 'endpoint_id', in: 'query' }, description: 'Filter by webhook endpoint ID.' }),
  start_timestamp: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({
      param: { name: 'start_timestamp', in: 'query' },
      description: 'Filter deliveries after this timestamp.',
    }),
  end_timestamp: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({
      param: { name: 'end_timestamp', in: 'query' },
      description: 'Filter deliveries before this timestamp.',
    }),
  // pydantic's bool parsing: these words, in any letter case.
  succeeded: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.toLowerCase() : v),
      z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n']).optional(),
    )
    .openapi({ param: { name: 'succeeded', in: 'query' }, description: 'Filter by delivery success status.' }),
  query: z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: 'query', in: 'query' },
      description: 'Query to filter webhook deliveries: a part of the delivery id, the event id or the HTTP code.',
    }),
  http_code_class: z
    .enum(httpStatusClasses)
    .optional()
    .openapi({
      param: { name: 'http_code_class', in: 'query' },
      description: 'Filter by HTTP response code class (2xx, 3xx, 4xx, 5xx).',
    }),
  event_type: z
    .preprocess(toList, z.array(EventTypeSchema).optional())
    .openapi({ param: { name: 'event_type', in: 'query' }, description: 'Filter by webhook event type.' }),
});

export const EndpointPageSchema = paginated(WebhookEndpointSchema, 'PaginatedList_WebhookEndpoint_');
export const DeliveryPageSchema = paginated(WebhookDeliverySchema, 'PaginatedList_WebhookDelivery_');

/** The body of a delivery to an endpoint of format `raw`. */
export const WebhookPayloadSchema = z
  .object({
    type: z.string().openapi({ example: 'customer.created' }),
    timestamp: z.string().openapi({ format: 'date-time', description: 'When the event was created.' }),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('WebhookPayload', {
    description: 'Format `raw`. Endpoints of format `discord` or `slack` receive a chat message instead.',
  });
