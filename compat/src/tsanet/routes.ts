import { createRoute, z } from '@hono/zod-openapi';
import { EventTypeNameSchema, jsonBody, jsonResponse, rateLimitedResponse } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';

/**
 * TSANet Connect webhook subscriptions, as the vendor's document and Java SDK
 * show them: camelCase fields, bare objects and arrays, int64 ids, 200 on
 * create with the secret (shown only then), a Spring page of delivery attempts
 * (0-based), errors as `{message, validationErrors: [{field, message}]}`.
 */

export const basePath = '/v1/webhooks';

const tags = ['Webhooks'];
const security = [{ bearer: [] }];

/** Spring Data's default cap on a page size; larger sizes are a 400 here rather than silently clamped. */
export const maxPageSize = 2000;
const int32Max = 2_147_483_647;

const TimestampSchema = z.string().openapi({
  format: 'date-time',
  description: 'ISO 8601 UTC, whole seconds.',
  example: '2026-03-01T10:00:00Z',
});

const Int64Schema = z.number().int().openapi({ format: 'int64', example: 42 });

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

const describe: Record<number, string> = {
  400: 'The request is malformed or a field is not valid.',
  401: 'The bearer token is missing, unknown, expired or revoked.',
  403: 'The token may not do this.',
  404: 'No such webhook subscription.',
  413: 'The request body is larger than allowed.',
  415: 'The request body is not JSON.',
  429: 'The token has used its requests for this window; retry after Retry-After seconds.',
  500: 'An unexpected server error.',
  503: 'The service is temporarily unavailable.',
};

/**
 * Error responses of a route, each in the vendor's error body; 500 and 503 can happen anywhere, and
 * 429 (the per-token rate limit, with its headers) on every route that authenticates.
 */
function errors<const S extends readonly (keyof typeof describe)[]>(...statuses: S) {
  const content = { 'application/json': { schema: ErrorSchema } };
  const out: Record<number, { description: string; content: typeof content }> = {};
  for (const status of [...statuses, 500, 503]) {
    out[status] = { description: describe[status] ?? 'Error', content };
  }
  if (statuses.includes(401)) out[429] = rateLimitedResponse(content, describe[429]);
  return out;
}

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
const IdParams = z.object({
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

export const listWebhooks = createRoute({
  operationId: 'listWebhookSubscriptions',
  method: 'get',
  path: basePath,
  tags,
  summary: 'List webhook subscriptions for the current company',
  security,
  responses: {
    200: jsonResponse(z.array(WebhookSubscriptionSchema), 'List of webhook subscriptions'),
    ...errors(401, 403),
  },
});

export const createWebhook = createRoute({
  operationId: 'createWebhookSubscription',
  method: 'post',
  path: basePath,
  tags,
  summary: 'Register a new webhook subscription',
  description:
    'Deliveries are POSTed with X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>. ' +
    'Failed deliveries are retried up to 3 times (10 s, 60 s, 300 s).',
  security,
  request: { body: jsonBody(CreateWebhookSubscriptionSchema) },
  responses: {
    200: jsonResponse(WebhookSubscriptionCreatedSchema, 'Webhook subscription created successfully'),
    ...errors(400, 401, 403, 413, 415),
  },
});

export const listDeliveries = createRoute({
  operationId: 'getWebhookDeliveries',
  method: 'get',
  path: `${basePath}/{id}/deliveries`,
  tags,
  summary: 'Get delivery log for a webhook subscription (one entry per attempt, newest first)',
  security,
  request: { params: IdParams, query: DeliveriesQuery },
  responses: {
    200: jsonResponse(WebhookDeliveryPageSchema, 'Delivery log'),
    ...errors(400, 401, 403, 404),
  },
});

export const deleteWebhook = createRoute({
  operationId: 'deleteWebhookSubscription',
  method: 'delete',
  path: `${basePath}/{id}`,
  tags,
  summary: 'Delete a webhook subscription',
  security,
  request: { params: IdParams },
  responses: {
    204: { description: 'No content' },
    ...errors(401, 403, 404),
  },
});

export const tsanetRoutes = [listWebhooks, createWebhook, listDeliveries, deleteWebhook] as const;
