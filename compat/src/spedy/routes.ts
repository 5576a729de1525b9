import { createRoute, z } from '@hono/zod-openapi';
import { spedyErrors } from './errors.ts';
import {
  CreateWebhookEndpointSchema,
  DeliveriesQuerySchema,
  DeliveryParams,
  DeliverySchema,
  EndpointParams,
  EventTypeSchema,
  SpedyPayloadSchema,
  UpdateWebhookEndpointSchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
} from './schemas.ts';

/**
 * Spedy's webhook endpoints API (seed 000, vendors.md "Spedy") as route
 * declarations: bare objects and bare arrays, NestJS errors.
 */

export const basePath = '/api/v1/webhook-endpoints';

const tags = ['Webhook Endpoints'];
const security = [{ bearer: [] }];

const json = <T extends z.ZodType>(schema: T, description: string) =>
  ({ description, content: { 'application/json': { schema } } }) as const;
const body = <T extends z.ZodType>(schema: T) =>
  ({ required: true, content: { 'application/json': { schema } } }) as const;
const noContent = { description: 'Done; no body.' } as const;

export const listEventTypes = createRoute({
  operationId: 'listWebhookEventTypes',
  method: 'get',
  path: `${basePath}/events`,
  tags,
  summary: 'The event types you can subscribe to',
  security,
  responses: { 200: json(z.array(EventTypeSchema), 'The event catalogue'), ...spedyErrors() },
});

export const listEndpoints = createRoute({
  operationId: 'listWebhookEndpoints',
  method: 'get',
  path: basePath,
  tags,
  summary: 'All webhook endpoints of the organization (webhooks:view)',
  security,
  responses: { 200: json(z.array(WebhookEndpointSchema), 'Every endpoint, oldest first'), ...spedyErrors() },
});

export const createEndpoint = createRoute({
  operationId: 'createWebhookEndpoint',
  method: 'post',
  path: basePath,
  tags,
  summary: 'Create a webhook endpoint; the secret is returned only here (webhooks:manage)',
  security,
  request: { body: body(CreateWebhookEndpointSchema) },
  responses: {
    201: json(WebhookEndpointWithSecretSchema, 'The new endpoint with its secret'),
    ...spedyErrors(400, 409, 413, 415),
  },
});

export const getEndpoint = createRoute({
  operationId: 'getWebhookEndpoint',
  method: 'get',
  path: `${basePath}/{id}`,
  tags,
  summary: 'One webhook endpoint (webhooks:view)',
  security,
  request: { params: EndpointParams },
  responses: { 200: json(WebhookEndpointSchema, 'The endpoint'), ...spedyErrors() },
});

export const updateEndpoint = createRoute({
  operationId: 'updateWebhookEndpoint',
  method: 'patch',
  path: `${basePath}/{id}`,
  tags,
  summary: 'Update the name, URL, events or isActive; absent fields stay (webhooks:manage)',
  security,
  request: { params: EndpointParams, body: body(UpdateWebhookEndpointSchema) },
  responses: { 200: json(WebhookEndpointSchema, 'The updated endpoint'), ...spedyErrors(400, 413, 415) },
});

export const deleteEndpoint = createRoute({
  operationId: 'deleteWebhookEndpoint',
  method: 'delete',
  path: `${basePath}/{id}`,
  tags,
  summary: 'Delete a webhook endpoint (webhooks:manage)',
  security,
  request: { params: EndpointParams },
  responses: { 204: noContent, ...spedyErrors() },
});

export const pingEndpoint = createRoute({
  operationId: 'pingWebhookEndpoint',
  method: 'post',
  path: `${basePath}/{id}/ping`,
  tags,
  summary: 'Send a signed delivery of type ping; it appears in the deliveries (webhooks:manage)',
  security,
  request: { params: EndpointParams },
  responses: { 204: noContent, ...spedyErrors(409) },
});

export const listDeliveries = createRoute({
  operationId: 'listWebhookDeliveries',
  method: 'get',
  path: `${basePath}/{id}/deliveries`,
  tags,
  summary: 'Recent delivery attempts, newest first (webhooks:view)',
  security,
  request: { params: EndpointParams, query: DeliveriesQuerySchema },
  responses: { 200: json(z.array(DeliverySchema), 'Delivery attempts, newest first'), ...spedyErrors(400) },
});

export const redeliver = createRoute({
  operationId: 'redeliverWebhookDelivery',
  method: 'post',
  path: `${basePath}/{id}/deliveries/{deliveryId}/redeliver`,
  tags,
  summary: 'Send the event of a past delivery again (webhooks:manage)',
  security,
  request: { params: DeliveryParams },
  responses: { 204: noContent, ...spedyErrors(409) },
});

export const eventWebhook = createRoute({
  operationId: 'spedyWebhookEvent',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to a Spedy endpoint, signed with Standard Webhooks',
  request: {
    headers: z.object({
      'webhook-id': z.string().openapi({ description: 'msg_ and the event id; the same across retries.' }),
      'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed.' }),
      'webhook-signature': z.string().openapi({
        description: 'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the whsec_ secret.',
      }),
    }),
    body: body(SpedyPayloadSchema),
  },
  responses: { 200: { description: 'Any 2xx accepts the delivery; anything else is retried (10 s, 60 s, 300 s).' } },
});

/** Literal paths before templated ones: `/events` must not be taken for an endpoint id. */
export const spedyRoutes = [
  listEventTypes,
  listEndpoints,
  createEndpoint,
  getEndpoint,
  updateEndpoint,
  deleteEndpoint,
  pingEndpoint,
  listDeliveries,
  redeliver,
] as const;
