import { createRoute, z } from '@hono/zod-openapi';
import { EventTypeFilterSchema, jsonBody, jsonResponse, prefixedId, rateLimitedResponse } from '@hookport/spec';

/**
 * XPath v2.3 webhook endpoints, as the vendor's document shows them: snake_case
 * fields, every response wrapped in `{"data": …}`, requests sent bare,
 * `wh_` + ULID ids, status active | paused, the secret only in the create
 * response, errors as `{"error": {"code", "message"}}`.
 */

export const basePath = '/v2.3/webhooks/endpoints';

/** `wh_` + the 26-character upper-case ULID of the internal UUIDv7. */
export const webhookIds = prefixedId('wh');

const tags = ['Webhook endpoints'];
const security = [{ bearer: [] }];

export const xpathStatuses = ['active', 'paused'] as const;
export const XpathStatusSchema = z.enum(xpathStatuses).openapi('WebhookStatus', {
  description: 'active: events are delivered; paused: nothing is delivered until it is active again.',
});

const EventsSchema = z
  .array(EventTypeFilterSchema.openapi({ example: 'cases.*' }))
  .min(1)
  .max(100)
  .openapi({
    description: 'Event types, or `prefix.*` wildcards that match every type below the prefix at any depth.',
    example: ['cases.*', 'assignments.*'],
  });

/** PostgreSQL text cannot hold NUL; refusing it here names the field instead of failing at the database. */
const noNul = (text: string) => !text.includes('\u0000');

/** Destination URLs: https, or http for targets the operator allowlisted (the core's egress rules decide). */
const UrlSchema = z
  .url({ protocol: /^https?$/, hostname: /.+/ })
  .max(2083)
  .refine(noNul, 'must not contain a NUL character')
  .openapi({ example: 'https://partner.example.com/webhooks/xpath' });

const DescriptionSchema = z
  .string()
  .max(1000)
  .refine(noNul, 'must not contain a NUL character')
  .openapi({ example: 'Partner production endpoint' });

const TimestampSchema = z.string().openapi({
  format: 'date-time',
  description: 'ISO 8601 UTC, whole seconds.',
  example: '2026-04-29T09:10:00Z',
});

export const WebhookSchema = z
  .object({
    id: z.string().openapi({ pattern: webhookIds.pattern, example: 'wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW' }),
    url: z.string().openapi({ example: 'https://partner.example.com/webhooks/xpath' }),
    description: z.string().openapi({ example: 'Partner production endpoint' }),
    events: z.array(z.string()).openapi({ example: ['cases.*', 'assignments.*'] }),
    status: XpathStatusSchema,
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('WebhookEndpoint');

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().openapi({
    description: 'The Standard Webhooks signing secret (`whsec_…`). Shown only in this response.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
}).openapi('WebhookEndpointWithSecret');

export const CreateWebhookSchema = z
  .strictObject({
    url: UrlSchema,
    events: EventsSchema,
    description: DescriptionSchema.optional(),
    status: XpathStatusSchema.optional(),
  })
  .openapi('CreateWebhookEndpoint');

export const UpdateWebhookSchema = z
  .strictObject({
    url: UrlSchema.optional(),
    events: EventsSchema.optional(),
    description: DescriptionSchema.optional(),
    status: XpathStatusSchema.optional(),
  })
  .openapi('UpdateWebhookEndpoint');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'No webhook endpoint wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW.' }),
    }),
  })
  .openapi('Error');

function dataOf<T extends z.ZodType>(schema: T, name: string) {
  return z.object({ data: schema }).openapi(name);
}

const errorDescriptions: Record<number, string> = {
  400: 'Malformed JSON or a body that is not valid (`invalid_json`, `validation_error`).',
  401: 'The bearer token is missing, unknown, expired or revoked (`unauthorized`).',
  403: 'The token lacks the scope this operation needs, or is not a tenant token (`forbidden`).',
  404: 'No such webhook endpoint for this tenant (`not_found`).',
  409: 'The request conflicts with the current state (`conflict`).',
  413: 'The request body is larger than allowed (`payload_too_large`).',
  415: 'The request body is not JSON (`unsupported_media_type`).',
  429: 'Too many requests (`rate_limited`): the token has used its requests for this window; retry after Retry-After seconds.',
  500: 'An unexpected server error (`internal_error`).',
  503: 'The service is temporarily unavailable (`service_unavailable`).',
};

/** Every route can answer these: auth, limits and outages. */
const alwaysPossible = [401, 403, 429, 500, 503] as const;

const errorContent = { 'application/json': { schema: ErrorSchema } } as const;
type ErrorResponse = { description: string; content: typeof errorContent };

/** Error responses for a route, as an OpenAPI `responses` fragment, always with the ones every route can give. */
function errorResponses<const S extends readonly number[]>(...statuses: S) {
  const out: Record<number, ErrorResponse> = {};
  for (const status of [...statuses, ...alwaysPossible].sort((a, b) => a - b)) {
    const description = errorDescriptions[status] ?? 'Error';
    // 429 is the per-token rate limit; its response carries the headers that say when to retry.
    out[status] =
      status === 429 ? rateLimitedResponse(errorContent, description) : { description, content: errorContent };
  }
  return out as { [K in S[number] | (typeof alwaysPossible)[number]]: ErrorResponse };
}

const WebhookParams = z.object({
  // Not validated here: the handler decodes it, so a malformed id is the same 404 as an unknown one.
  webhookId: z.string().openapi({
    param: { name: 'webhookId', in: 'path' },
    pattern: webhookIds.pattern,
    example: 'wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW',
  }),
});

export const listWebhooks = createRoute({
  operationId: 'listWebhookEndpoints',
  method: 'get',
  path: basePath,
  tags,
  summary: 'List the webhook endpoints of the tenant (all of them, oldest first)',
  security,
  responses: {
    200: jsonResponse(dataOf(z.array(WebhookSchema), 'WebhookEndpointList'), 'Every webhook endpoint'),
    ...errorResponses(),
  },
});

export const createWebhook = createRoute({
  operationId: 'createWebhookEndpoint',
  method: 'post',
  path: basePath,
  tags,
  summary: 'Create a webhook endpoint; the response carries its signing secret, shown only here',
  security,
  request: { body: jsonBody(CreateWebhookSchema) },
  responses: {
    201: jsonResponse(dataOf(WebhookWithSecretSchema, 'CreatedWebhookEndpoint'), 'The new endpoint with its secret'),
    ...errorResponses(400, 409, 413, 415),
  },
});

export const getWebhook = createRoute({
  operationId: 'getWebhookEndpoint',
  method: 'get',
  path: `${basePath}/{webhookId}`,
  tags,
  summary: 'Get a webhook endpoint',
  security,
  request: { params: WebhookParams },
  responses: {
    200: jsonResponse(dataOf(WebhookSchema, 'WebhookEndpointData'), 'The endpoint'),
    ...errorResponses(404),
  },
});

export const updateWebhook = createRoute({
  operationId: 'updateWebhookEndpoint',
  method: 'patch',
  path: `${basePath}/{webhookId}`,
  tags,
  summary: 'Update the URL, status, description or events; only the fields given change',
  security,
  request: { params: WebhookParams, body: jsonBody(UpdateWebhookSchema) },
  responses: {
    200: jsonResponse(dataOf(WebhookSchema, 'UpdatedWebhookEndpoint'), 'The updated endpoint'),
    ...errorResponses(400, 404, 409, 413, 415),
  },
});

export const deleteWebhook = createRoute({
  operationId: 'deleteWebhookEndpoint',
  method: 'delete',
  path: `${basePath}/{webhookId}`,
  tags,
  summary: 'Delete a webhook endpoint',
  security,
  request: { params: WebhookParams },
  responses: {
    204: { description: 'Deleted; no body.' },
    ...errorResponses(404),
  },
});

export const xpathRoutes = [listWebhooks, createWebhook, getWebhook, updateWebhook, deleteWebhook] as const;
