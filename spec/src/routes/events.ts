import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { CursorQuerySchema, pageSchema, TimestampSchema } from '../schemas/common.ts';
import { EndpointIdSchema } from '../schemas/endpoints.ts';
import { EventTypeNameSchema } from '../schemas/event-types.ts';
import {
  BulkReplayResultSchema,
  BulkReplaySchema,
  DeliveryIdSchema,
  DeliverySchema,
  DeliveryStatusSchema,
  DeliveryWithAttemptsSchema,
  EventIdSchema,
  EventSchema,
  httpStatusClasses,
  maxBatchEvents,
  PublishBatchSchema,
  PublishEventSchema,
  PublishedBatchSchema,
} from '../schemas/events.ts';
import { bearerAuth, jsonBody, jsonResponse } from './helpers.ts';

const q = (name: string) => ({ param: { name, in: 'query' as const } });

const publishErrors = errorResponses(400, 401, 403, 409, 413, 415, 422);

/** The optional Idempotency-Key header of the POSTs that may repeat (publish, bulk replay). */
const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' } }),
});

export const publishEvent = createRoute({
  operationId: 'publishEvent',
  method: 'post',
  path: '/v1/events',
  tags: ['Events'],
  summary: 'Publish an event to every endpoint subscribed to its type',
  description:
    'Stores the event, one delivery per matching endpoint and their queue jobs in one transaction. ' +
    'With an Idempotency-Key, the same key and body within 24 h returns the original event; another body is a 409. ' +
    'A type not in the catalogue, or one Hookport publishes itself (`ping`, the operational events: `reserved_event_type`), is a 422 and nothing is stored. ' +
    "Over the tenant's daily event quota, a 429 (`daily_quota_exceeded`) and nothing is stored.",
  security: bearerAuth,
  request: {
    headers: idempotencyHeaders,
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

export const publishEventBatch = createRoute({
  operationId: 'publishEventBatch',
  method: 'post',
  path: '/v1/events/batch',
  tags: ['Events'],
  summary: `Publish up to ${maxBatchEvents} events in one transaction, all or none`,
  description:
    'Each event is published as by POST /v1/events, in order, in one transaction: every event, its deliveries and their queue jobs are stored, or nothing is. ' +
    'An event may carry its own `idempotencyKey` (same rules as the Idempotency-Key header; a key may appear once per batch); a replayed event is answered with `replayed: true`. ' +
    'A refusal of any event (unknown type, a type Hookport publishes itself, data not matching its schema, an event over the per-event size limit, an idempotency conflict) refuses the batch: the problem names the event by its index (`events[3]: …`, field paths `events.3.data.amount`). ' +
    "The tenant's daily event quota counts the batch's new events together: over it, a 429 (`daily_quota_exceeded`) and nothing is stored. " +
    "The whole request is bounded by the server's request size limit (HOOKPORT_MAX_REQUEST_BYTES, 1 MiB by default), each event by the event size limit (HOOKPORT_MAX_EVENT_BYTES).",
  security: bearerAuth,
  request: { body: jsonBody(PublishBatchSchema) },
  responses: {
    202: jsonResponse(PublishedBatchSchema, 'Accepted: every event is stored and its deliveries are queued'),
    ...publishErrors,
    429: {
      ...publishErrors[429],
      description:
        "The token has used its requests for this window, or the batch would exceed the tenant's events for the UTC day (`daily_quota_exceeded`); retry after Retry-After seconds.",
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

export const expungeEventContent = createRoute({
  operationId: 'expungeEventContent',
  method: 'delete',
  path: '/v1/events/{id}/content',
  tags: ['Events'],
  summary: "Expunge an event's content (payload and response bodies); the records stay",
  description:
    "Erases the event's payload, the hash of its publish request and the response bodies its attempts stored. " +
    'The event, its deliveries and attempts stay, marked expunged: reads show `data: null` and `expungedAt`. ' +
    'Deliveries not yet finished (pending, held) are failed and never sent again; redelivering one is a 409 ' +
    '(`event_expunged`). Expunging again changes nothing. Needs the `deliveries:write` scope.',
  security: bearerAuth,
  request: { params: z.object({ id: EventIdSchema.openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: jsonResponse(EventSchema, 'The event, expunged'),
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
  description:
    'A 409 when the endpoint is not active (`conflict`) or the event was expunged (`event_expunged`). On a ' +
    '`fifo` endpoint the delivery takes its place in publish order behind the one in flight, and redelivering ' +
    'one still pending is a 409 (`conflict`).',
  security: bearerAuth,
  request: { params: DeliveryParams },
  responses: {
    202: jsonResponse(DeliverySchema, 'Queued'),
    ...errorResponses(401, 403, 404, 409),
  },
});

export const replayDeliveries = createRoute({
  operationId: 'replayDeliveries',
  method: 'post',
  path: '/v1/deliveries/replay',
  tags: ['Deliveries'],
  summary: 'Count, or queue again as a new attempt, every finished delivery matching the filters',
  description:
    "Selects the tenant's finished deliveries (failed, succeeded, skipped) created in [since, until), optionally of one " +
    'endpoint, event type or status, and queues each again as a new attempt (the webhook-id stays the same), in ' +
    'batches of one short transaction each; with `dryRun: true` it only counts. Deliveries whose event content was ' +
    'expunged or whose endpoint is not active are counted as `skipped`. `since` may not be earlier than the ' +
    "tenant's retention window. With an Idempotency-Key, the same key and body within 24 h returns the first " +
    'answer and queues nothing again; another body is a 409. Needs the `deliveries:write` scope.',
  security: bearerAuth,
  request: { headers: idempotencyHeaders, body: jsonBody(BulkReplaySchema) },
  responses: {
    200: jsonResponse(BulkReplayResultSchema, 'A dry run: what a replay would select; nothing was queued'),
    202: jsonResponse(BulkReplayResultSchema, 'The replay: how many deliveries were selected, queued and skipped'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export const skipDelivery = createRoute({
  operationId: 'skipDelivery',
  method: 'post',
  path: '/v1/deliveries/{id}/skip',
  tags: ['Deliveries'],
  summary: 'Skip a pending or held delivery: it is not sent, and a fifo endpoint moves on to the next',
  description:
    'The delivery becomes `skipped` (recover or redeliver can send it later); on a `fifo` endpoint the next ' +
    'delivery in publish order is released, which is how a receiver blocked by one event is unblocked. An ' +
    'attempt already under way is not cut off. A 409 (`conflict`) when the delivery is not pending or held.',
  security: bearerAuth,
  request: { params: DeliveryParams },
  responses: {
    200: jsonResponse(DeliverySchema, 'Skipped'),
    ...errorResponses(401, 403, 404, 409),
  },
});
