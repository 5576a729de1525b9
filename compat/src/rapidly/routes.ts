import { createRoute, z } from '@hono/zod-openapi';
import { rateLimitedResponse } from '@hookport/spec';
import {
  DeliveriesQuery,
  DeliveryPageSchema,
  EndpointPageSchema,
  EndpointsQuery,
  ErrorSchema,
  IdParams,
  InsufficientScopeSchema,
  ValidationErrorSchema,
  WebhookEndpointCreateSchema,
  WebhookEndpointSchema,
  WebhookEndpointUpdateSchema,
  WebhookPayloadSchema,
} from './schemas.ts';

/**
 * Rapidly's webhook API (a fork of Polar): snake_case fields, UUID ids,
 * `{data, meta}` pages, FastAPI errors. Field names and constraints follow
 * rapidly-tech/rapidly server/rapidly/messaging/webhook/{api,types}.py.
 */
export const basePath = '/api/webhooks';
const tags = ['Webhooks'];
const security = [{ bearer: [] }];

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

export const listEndpoints = createRoute({
  operationId: 'webhooks:list_webhook_endpoints',
  method: 'get',
  path: `${basePath}/endpoints`,
  tags,
  security,
  summary: 'List Webhook Endpoints',
  description: 'List webhook endpoints. **Scopes**: `webhooks:read` `webhooks:write`',
  request: {
    query: EndpointsQuery,
  },
  responses: { 200: json(EndpointPageSchema, 'OK'), ...commonErrors },
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
  responses: {
    201: json(WebhookEndpointSchema, 'Webhook endpoint created.'),
    ...commonErrors,
    ...bodyErrors,
    409: json(ErrorSchema, 'The workspace has reached its webhook endpoint quota; the detail gives the limit.'),
  },
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
    query: DeliveriesQuery,
  },
  responses: { 200: json(DeliveryPageSchema, 'OK'), ...commonErrors },
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

/** What Hookport sends to a Rapidly endpoint of format `raw`, declared as an OpenAPI 3.1 webhook. */
export const rapidlyDelivery = createRoute({
  operationId: 'rapidlyEventWebhook',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to a webhook endpoint, signed with Standard Webhooks (key: the whole secret string)',
  request: {
    headers: z.object({
      'webhook-id': z
        .string()
        .openapi({ description: 'The event id (a UUID); the same across retries and redeliveries.' }),
      'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed.' }),
      'webhook-signature': z.string().openapi({
        description:
          '`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the UTF-8 bytes of the whole `rapidly_whs_…` secret: verify with `new Webhook(base64(secret))`.',
      }),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: WebhookPayloadSchema,
        },
      },
    },
  },
  responses: {
    200: {
      description:
        'Any 2xx acknowledges the delivery; anything else (3xx included, or no answer within 10 s) is retried, up to 10 attempts about 2 s·2ⁿ apart.',
    },
  },
});
