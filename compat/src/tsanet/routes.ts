import { createRoute, z } from '@hono/zod-openapi';
import { jsonBody, jsonResponse, rateLimitedResponse } from '@hookport/spec';
import {
  CreateWebhookSubscriptionSchema,
  DeliveriesQuery,
  ErrorSchema,
  IdParams,
  TsanetPayloadSchema,
  WebhookDeliveryPageSchema,
  WebhookSubscriptionCreatedSchema,
  WebhookSubscriptionSchema,
} from './schemas.ts';

/**
 * TSANet Connect webhook subscriptions, as the vendor's document and Java SDK
 * show them: camelCase fields, bare objects and arrays, int64 ids, 200 on
 * create with the secret (shown only then), a Spring page of delivery attempts
 * (0-based), errors as `{message, validationErrors: [{field, message}]}`.
 */

export const basePath = '/v1/webhooks';

const tags = ['Webhooks'];
const security = [{ bearer: [] }];

const describe: Record<number, string> = {
  400: 'The request is malformed, a field is not valid, or a query parameter is not one the operation takes.',
  401: 'The bearer token is missing, unknown, expired or revoked.',
  403: 'The token may not do this.',
  404: 'No such webhook subscription.',
  409: 'The company has reached its webhook subscription quota; the message gives the limit.',
  413: 'The request body is larger than allowed.',
  415: 'The request body is not JSON.',
  429: 'The token has used its requests for this window; retry after Retry-After seconds.',
  500: 'An unexpected server error.',
  503: 'The service is temporarily unavailable.',
};

/**
 * Error responses of a route, each in the vendor's error body; 400 (a query parameter the route does
 * not take), 500 and 503 can happen anywhere, and
 * 429 (the per-token rate limit, with its headers) on every route that authenticates.
 */
function errors<const S extends readonly (keyof typeof describe)[]>(...statuses: S) {
  const content = { 'application/json': { schema: ErrorSchema } };
  const out: Record<number, { description: string; content: typeof content }> = {};
  for (const status of [...statuses, 400, 500, 503]) {
    out[status] = { description: describe[status] ?? 'Error', content };
  }
  if (statuses.includes(401)) out[429] = rateLimitedResponse(content, describe[429]);
  return out;
}

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
    ...errors(400, 401, 403, 409, 413, 415),
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

/** What Hookport sends to a TSANet subscription, declared as an OpenAPI 3.1 webhook. */
export const tsanetDelivery = createRoute({
  operationId: 'tsanetEventWebhook',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to a callback URL, signed with X-Hub-Signature-256',
  request: {
    headers: z.object({
      'x-hub-signature-256': z.string().openapi({
        description:
          '`sha256=` + lowercase hex HMAC-SHA256 of the raw body, keyed with the UTF-8 bytes of the subscription secret.',
        example: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      }),
    }),
    body: { required: true, content: { 'application/json': { schema: TsanetPayloadSchema } } },
  },
  responses: {
    200: {
      description:
        'Any 2xx acknowledges the delivery; anything else (or no answer within 15 s) is retried up to 3 times, after 10 s, 60 s and 300 s.',
    },
  },
});
