import { createRoute, z } from '@hono/zod-openapi';
import { httpStatusClasses, rateLimitedResponse } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';

/**
 * Rapidly's webhook API (a fork of Polar): snake_case fields, UUID ids,
 * `{data, meta}` pages, FastAPI errors. Field names and constraints follow
 * rapidly-tech/rapidly server/rapidly/messaging/webhook/{api,types}.py.
 */
export const basePath = '/api/webhooks';
const tags = ['Webhooks'];
const security = [{ bearer: [] }];

export const webhookFormats = ['raw', 'discord', 'slack'] as const;
export const WebhookFormatSchema = z.enum(webhookFormats).openapi('WebhookFormat');

/** An exact event name: Rapidly's WebhookEventType is an enum, so there are no wildcards. */
const EventTypeSchema = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be an event type')
  .openapi('WebhookEventType', { example: 'customer.created' });

const Timestamp = z.string().openapi({ format: 'date-time', example: '2025-01-15T10:30:00.000Z' });
const Uuid = z.string().openapi({ format: 'uuid', example: '01936f6c-8f4a-7c3e-9b1d-2f5a6c7d8e9f' });

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

const SecretInput = z
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

const PageMetaSchema = z
  .object({ total: z.number().int(), page: z.number().int(), per_page: z.number().int(), pages: z.number().int() })
  .openapi('PageMeta');

function paginated<T extends z.ZodType>(item: T, name: string) {
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

const json = <T extends z.ZodType>(schema: T, description: string) =>
  ({ description, content: { 'application/json': { schema } } }) as const;

/** The errors any authenticated route can answer. */
const commonErrors = {
  401: json(ErrorSchema, 'Missing, unknown, expired or revoked token.'),
  403: json(z.union([InsufficientScopeSchema, ErrorSchema]), 'The token lacks the scope, or is not a workspace token.'),
  422: json(ValidationErrorSchema, 'The request is not valid.'),
  429: rateLimitedResponse(
    { 'application/json': { schema: ErrorSchema } },
    'The token has used its requests for this window; retry after Retry-After seconds.',
  ),
  500: json(ErrorSchema, 'Unexpected error.'),
  503: json(ErrorSchema, 'The service is temporarily unavailable.'),
} as const;
const bodyErrors = { 413: json(ErrorSchema, 'The request body is too large.') } as const;
const notFound = { 404: json(ErrorSchema, 'Not found.') } as const;

const IdParams = z.object({
  id: z
    .string()
    .openapi({ param: { name: 'id', in: 'path' }, format: 'uuid', description: 'The webhook endpoint ID.' }),
});

/** A repeatable query parameter arrives as a string when given once and as an array when repeated. */
const toList = (value: unknown) => (value === undefined || Array.isArray(value) ? value : [value]);

const PageQuery = z.object({
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

export const listEndpoints = createRoute({
  operationId: 'webhooks:list_webhook_endpoints',
  method: 'get',
  path: `${basePath}/endpoints`,
  tags,
  security,
  summary: 'List Webhook Endpoints',
  description: 'List webhook endpoints. **Scopes**: `webhooks:read` `webhooks:write`',
  request: {
    query: PageQuery.extend({
      workspace_id: z
        .preprocess(toList, z.array(z.uuid()).optional())
        .openapi({ param: { name: 'workspace_id', in: 'query' }, description: 'Filter by workspace ID.' }),
    }),
  },
  responses: { 200: json(paginated(WebhookEndpointSchema, 'PaginatedList_WebhookEndpoint_'), 'OK'), ...commonErrors },
});

export const createEndpoint = createRoute({
  operationId: 'webhooks:create_webhook_endpoint',
  method: 'post',
  path: `${basePath}/endpoints`,
  tags,
  security,
  summary: 'Create Webhook Endpoint',
  description: 'Create a webhook endpoint. **Scopes**: `webhooks:write`',
  request: { body: { required: true, content: { 'application/json': { schema: WebhookEndpointCreateSchema } } } },
  responses: { 201: json(WebhookEndpointSchema, 'Webhook endpoint created.'), ...commonErrors, ...bodyErrors },
});

export const getEndpoint = createRoute({
  operationId: 'webhooks:get_webhook_endpoint',
  method: 'get',
  path: `${basePath}/endpoints/{id}`,
  tags,
  security,
  summary: 'Get Webhook Endpoint',
  description: 'Get a webhook endpoint by ID. **Scopes**: `webhooks:read` `webhooks:write`',
  request: { params: IdParams },
  responses: { 200: json(WebhookEndpointSchema, 'OK'), ...commonErrors, ...notFound },
});

export const updateEndpoint = createRoute({
  operationId: 'webhooks:update_webhook_endpoint',
  method: 'patch',
  path: `${basePath}/endpoints/{id}`,
  tags,
  security,
  summary: 'Update Webhook Endpoint',
  description: 'Update a webhook endpoint. **Scopes**: `webhooks:write`',
  request: {
    params: IdParams,
    body: { required: true, content: { 'application/json': { schema: WebhookEndpointUpdateSchema } } },
  },
  responses: {
    200: json(WebhookEndpointSchema, 'Webhook endpoint updated.'),
    ...commonErrors,
    ...bodyErrors,
    ...notFound,
  },
});

export const resetEndpointSecret = createRoute({
  operationId: 'webhooks:reset_webhook_endpoint_secret',
  method: 'patch',
  path: `${basePath}/endpoints/{id}/secret`,
  tags,
  security,
  summary: 'Reset Webhook Endpoint Secret',
  description: 'Regenerate a webhook endpoint secret. **Scopes**: `webhooks:write`',
  request: { params: IdParams },
  responses: { 200: json(WebhookEndpointSchema, 'Webhook endpoint secret reset.'), ...commonErrors, ...notFound },
});

export const deleteEndpoint = createRoute({
  operationId: 'webhooks:delete_webhook_endpoint',
  method: 'delete',
  path: `${basePath}/endpoints/{id}`,
  tags,
  security,
  summary: 'Delete Webhook Endpoint',
  description: 'Delete a webhook endpoint. **Scopes**: `webhooks:write`',
  request: { params: IdParams },
  responses: { 204: { description: 'Webhook endpoint deleted.' }, ...commonErrors, ...notFound },
});

export const listDeliveries = createRoute({
  operationId: 'webhooks:list_webhook_deliveries',
  method: 'get',
  path: `${basePath}/deliveries`,
  tags,
  security,
  summary: 'List Webhook Deliveries',
  description:
    'List webhook deliveries. Deliveries are all the attempts to deliver a webhook event to an endpoint. **Scopes**: `webhooks:read` `webhooks:write`',
  request: {
    query: PageQuery.extend({
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
    }),
  },
  responses: { 200: json(paginated(WebhookDeliverySchema, 'PaginatedList_WebhookDelivery_'), 'OK'), ...commonErrors },
});

export const redeliverEvent = createRoute({
  operationId: 'webhooks:redeliver_webhook_event',
  method: 'post',
  path: `${basePath}/events/{id}/redeliver`,
  tags,
  security,
  summary: 'Redeliver Webhook Event',
  description: 'Schedule the re-delivery of a webhook event. **Scopes**: `webhooks:write`',
  request: {
    params: z.object({
      id: z
        .string()
        .openapi({ param: { name: 'id', in: 'path' }, format: 'uuid', description: 'The webhook event ID.' }),
    }),
  },
  responses: {
    202: json(z.null(), 'Webhook event re-delivery scheduled.'),
    ...commonErrors,
    ...notFound,
  },
});

export const rapidlyRoutes = [
  listEndpoints,
  createEndpoint,
  getEndpoint,
  updateEndpoint,
  resetEndpointSecret,
  deleteEndpoint,
  listDeliveries,
  redeliverEvent,
];
