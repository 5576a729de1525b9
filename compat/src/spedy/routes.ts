import { createRoute, z } from '@hono/zod-openapi';
import { buildDocument, EventDataSchema } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';
import { spedyErrors } from './errors.ts';

/**
 * Spedy's webhook endpoints API (seed 000, vendors.md "Spedy"): camelCase,
 * bare objects and bare arrays, `wh_` endpoint ids and `dlv_` delivery ids,
 * timestamps without milliseconds. Messages of the request schemas are worded
 * the way class-validator words them, field name first.
 */

export const basePath = '/api/v1/webhook-endpoints';

const tags = ['Webhook Endpoints'];
const security = [{ bearer: [] }];

const secondsTimestamp = (example: string) =>
  z.string().openapi({ format: 'date-time', example, description: 'ISO 8601 UTC, whole seconds.' });

const endpointId = z.string().openapi({
  pattern: '^wh_[0-7][0-9A-HJKMNP-TV-Z]{25}$',
  example: 'wh_01JXB4Q7W8T9V2M3N4P5R6S7T8',
});
const deliveryId = z.string().openapi({
  pattern: '^dlv_[0-7][0-9A-HJKMNP-TV-Z]{25}$',
  example: 'dlv_01JXB4Q7W8T9V2M3N4P5R6S7T9',
});

export const EndpointParams = z.object({ id: endpointId.openapi({ param: { name: 'id', in: 'path' } }) });
export const DeliveryParams = EndpointParams.extend({
  deliveryId: deliveryId.openapi({ param: { name: 'deliveryId', in: 'path' } }),
});

/** An event name of the catalogue; Spedy has no wildcards. */
const eventName = z
  .string({ error: 'each value in events must be a string' })
  .min(1, 'each value in events must be a supported event type')
  .max(130, 'each value in events must be a supported event type')
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'each value in events must be a supported event type')
  .openapi({ example: 'ticket.created' });

const events = z
  .array(eventName, { error: 'events must be an array' })
  .min(1, 'events should not be empty')
  .max(100, 'events must contain no more than 100 elements');

const name = z
  .string({ error: 'name must be a string' })
  .min(1, 'name should not be empty')
  .max(100, 'name must be shorter than or equal to 100 characters')
  .openapi({ example: 'CI/CD Pipeline' });

const url = httpsUrlSchema().openapi({ example: 'https://ci.example.com/hooks/spedy' });

export const WebhookEndpointSchema = z
  .object({
    id: endpointId,
    name: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    isActive: z.boolean(),
    createdAt: secondsTimestamp('2025-06-01T10:00:00Z'),
    updatedAt: secondsTimestamp('2025-06-01T10:00:00Z'),
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  secret: z.string().openapi({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks). Returned only once, in this response.',
  }),
}).openapi('WebhookEndpointWithSecret');

export const CreateWebhookEndpointSchema = z
  .strictObject({ name, url, events }, { error: 'The body must be a JSON object' })
  .openapi('CreateWebhookEndpoint');

export const UpdateWebhookEndpointSchema = z
  .strictObject(
    {
      name: name.optional(),
      url: url.optional(),
      events: events.optional(),
      isActive: z.boolean({ error: 'isActive must be a boolean value' }).optional(),
    },
    { error: 'The body must be a JSON object' },
  )
  .openapi('UpdateWebhookEndpoint');

export const EventTypeSchema = z
  .object({
    event: z.string().openapi({ example: 'ticket.created' }),
    description: z.string().openapi({ example: 'A ticket was created' }),
  })
  .openapi('WebhookEventType');

export const DeliverySchema = z
  .object({
    id: deliveryId,
    endpointId,
    eventType: z.string().openapi({ example: 'ticket.created' }),
    statusCode: z.number().int().nullable().openapi({ example: 200, description: 'Null when no response came.' }),
    success: z.boolean(),
    attempt: z.number().int().openapi({ example: 1, description: '1 for the first try, then 2, 3, …' }),
    error: z.string().nullable().openapi({ example: null }),
    createdAt: secondsTimestamp('2025-06-15T14:30:00Z'),
  })
  .openapi('WebhookDelivery', { description: 'One delivery attempt.' });

export const DeliveriesQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'limit must be an integer number' })
    .int('limit must be an integer number')
    .min(1, 'limit must not be less than 1')
    .max(200, 'limit must not be greater than 200')
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 50, description: 'Default 50, at most 200.' }),
});

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
    ...spedyErrors(400, 413, 415),
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

/** The body of every delivery to a Spedy endpoint: the Standard Webhooks payload structure. */
export const SpedyPayloadSchema = z
  .object({
    type: z.string().openapi({ example: 'ticket.created' }),
    timestamp: secondsTimestamp('2025-06-15T14:30:00Z').openapi({ description: 'When the event occurred.' }),
    data: EventDataSchema,
  })
  .openapi('SpedyWebhookPayload');

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

export function spedyDocument() {
  return buildDocument(
    spedyRoutes,
    {
      title: 'Hookport — Spedy-compatible webhook endpoints',
      version: '1.0.0',
      description:
        'The Spedy webhook endpoints API served by Hookport. Authorization: Bearer <Hookport tenant token>; webhooks:view = endpoints:read (+ deliveries:read for deliveries), webhooks:manage = endpoints:write (+ deliveries:write for ping and redeliver). Errors are NestJS bodies {statusCode, message, error}.',
    },
    [eventWebhook],
    {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A Hookport tenant token: webhooks:view = endpoints:read (+ deliveries:read), webhooks:manage = endpoints:write (+ deliveries:write).',
      },
    },
  );
}
