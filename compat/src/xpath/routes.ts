import { createRoute, z } from '@hono/zod-openapi';
import { jsonBody, jsonResponse, rateLimitedResponse } from '@hookport/spec';
import {
  CreateWebhookSchema,
  dataOf,
  ErrorSchema,
  UpdateWebhookSchema,
  WebhookParams,
  WebhookSchema,
  WebhookWithSecretSchema,
  XpathPayloadSchema,
} from './schemas.ts';

/**
 * XPath v2.3 webhook endpoints, as the vendor's document shows them: snake_case
 * fields, every response wrapped in `{"data": …}`, requests sent bare,
 * `wh_` + ULID ids, status active | paused, the secret only in the create
 * response, errors as `{"error": {"code", "message"}}`.
 */

export const basePath = '/v2.3/webhooks/endpoints';

const tags = ['Webhook endpoints'];
const security = [{ bearer: [] }];

const errorDescriptions: Record<number, string> = {
  400: 'Malformed JSON, a body that is not valid, or a query parameter the operation does not take (`invalid_json`, `validation_error`).',
  401: 'The bearer token is missing, unknown, expired or revoked (`unauthorized`).',
  403: 'The token lacks the scope this operation needs, or is not a tenant token (`forbidden`).',
  404: 'No such webhook endpoint for this tenant (`not_found`).',
  409: 'The request conflicts with the current state (`conflict`), or, creating an endpoint, the tenant has reached its endpoint quota (`quota_exceeded`).',
  413: 'The request body is larger than allowed (`payload_too_large`).',
  415: 'The request body is not JSON (`unsupported_media_type`).',
  429: 'Too many requests (`rate_limited`): the token has used its requests for this window; retry after Retry-After seconds.',
  500: 'An unexpected server error (`internal_error`).',
  503: 'The service is temporarily unavailable (`service_unavailable`).',
};

/** Every route can answer these: an unknown query parameter, auth, limits and outages. */
const alwaysPossible = [400, 401, 403, 429, 500, 503] as const;

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

/** What Hookport sends to an XPath endpoint, declared as an OpenAPI 3.1 webhook. */
export const xpathDelivery = createRoute({
  operationId: 'xpathEventWebhook',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to a webhook endpoint, signed with Standard Webhooks',
  request: {
    headers: z.object({
      'webhook-id': z.string().openapi({
        description: 'The event id (`evt_` + ULID); the same across retries, for deduplication.',
      }),
      'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed.' }),
      'webhook-signature': z.string().openapi({
        description: 'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the endpoint secret.',
      }),
    }),
    body: { required: true, content: { 'application/json': { schema: XpathPayloadSchema } } },
  },
  responses: {
    200: {
      description:
        'Any 2xx acknowledges the delivery; anything else (or no answer within 15 s) is retried after 10 s, 60 s and 300 s.',
    },
  },
});
