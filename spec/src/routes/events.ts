import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { CursorQuerySchema, pageSchema, TimestampSchema } from '../schemas/common.ts';
import { EndpointIdSchema } from '../schemas/endpoints.ts';
import { EventTypeNameSchema } from '../schemas/event-types.ts';
import {
  DeliveryIdSchema,
  DeliverySchema,
  DeliveryStatusSchema,
  DeliveryWithAttemptsSchema,
  EventIdSchema,
  EventSchema,
  httpStatusClasses,
  PublishEventSchema,
} from '../schemas/events.ts';
import { bearerAuth, jsonBody, jsonResponse } from './helpers.ts';

const q = (name: string) => ({ param: { name, in: 'query' as const } });

const publishErrors = errorResponses(400, 401, 403, 409, 413, 415, 422);

export const publishEvent = createRoute({
  operationId: 'publishEvent',
  method: 'post',
  path: '/v1/events',
  tags: ['Events'],
  summary: 'Publish an event to every endpoint subscribed to its type',
  description:
    'Stores the event, one delivery per matching endpoint and their queue jobs in one transaction. ' +
    'With an Idempotency-Key, the same key and body within 24 h returns the original event; another body is a 409. ' +
    "Over the tenant's daily event quota, a 429 (`daily_quota_exceeded`) and nothing is stored.",
  security: bearerAuth,
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(255)
        .optional()
        .openapi({ param: { name: 'idempotency-key', in: 'header' } }),
    }),
    body: jsonBody(PublishEventSchema),
  },
  responses: {
    202: jsonResponse(EventSchema, 'Accepted: the event is stored and its deliveries are queued'),
    ...publishErrors,
    429: {
      ...publishErrors[429],
      description:
        'The token has used its requests for this window, or the tenant its events for the UTC day (`daily_quota_exceeded`); retry after Retry-After seconds.',
    },
  },
});

export const listEvents = createRoute({
  operationId: 'listEvents',
  method: 'get',
  path: '/v1/events',
  tags: ['Events'],
  summary: 'List events, newest first',
  security: bearerAuth,
  request: {
    query: CursorQuerySchema.extend({
      type: EventTypeNameSchema.optional().openapi(q('type')),
      since: TimestampSchema.optional().openapi(q('since')),
      until: TimestampSchema.optional().openapi(q('until')),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(EventSchema, 'EventPage'), 'A page of events'),
    ...errorResponses(400, 401, 403, 422),
  },
});

export const getEvent = createRoute({
  operationId: 'getEvent',
  method: 'get',
  path: '/v1/events/{id}',
  tags: ['Events'],
  summary: 'Get an event',
  security: bearerAuth,
  request: { params: z.object({ id: EventIdSchema.openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: jsonResponse(EventSchema, 'The event'),
    ...errorResponses(401, 403, 404),
  },
});

export const listDeliveries = createRoute({
  operationId: 'listDeliveries',
  method: 'get',
  path: '/v1/deliveries',
  tags: ['Deliveries'],
  summary: 'List deliveries, newest first',
  security: bearerAuth,
  request: {
    query: CursorQuerySchema.extend({
      endpointId: EndpointIdSchema.optional().openapi(q('endpointId')),
      eventId: EventIdSchema.optional().openapi({
        ...q('eventId'),
        description: 'Only the deliveries of this event: where it went (one per subscribed endpoint).',
      }),
      eventType: EventTypeNameSchema.optional().openapi(q('eventType')),
      status: DeliveryStatusSchema.optional().openapi(q('status')),
      since: TimestampSchema.optional().openapi(q('since')),
      until: TimestampSchema.optional().openapi(q('until')),
      httpStatusClass: z
        .enum(httpStatusClasses)
        .optional()
        .openapi({ ...q('httpStatusClass'), description: 'Class of the last HTTP status received.' }),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(DeliverySchema, 'DeliveryPage'), 'A page of deliveries'),
    ...errorResponses(400, 401, 403, 422),
  },
});

const DeliveryParams = z.object({ id: DeliveryIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

export const getDelivery = createRoute({
  operationId: 'getDelivery',
  method: 'get',
  path: '/v1/deliveries/{id}',
  tags: ['Deliveries'],
  summary: 'Get a delivery with every attempt',
  security: bearerAuth,
  request: { params: DeliveryParams },
  responses: {
    200: jsonResponse(DeliveryWithAttemptsSchema, 'The delivery and its attempts, oldest first'),
    ...errorResponses(401, 403, 404),
  },
});

export const redeliver = createRoute({
  operationId: 'redeliver',
  method: 'post',
  path: '/v1/deliveries/{id}/redeliver',
  tags: ['Deliveries'],
  summary: 'Attempt a delivery again now; the webhook-id stays the same',
  security: bearerAuth,
  request: { params: DeliveryParams },
  responses: {
    202: jsonResponse(DeliverySchema, 'Queued'),
    ...errorResponses(401, 403, 404, 409),
  },
});
