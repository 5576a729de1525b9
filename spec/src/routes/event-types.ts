import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { CursorQuerySchema, pageSchema } from '../schemas/common.ts';
import {
  CreateEventTypeSchema,
  EventTypeNameSchema,
  EventTypeSchema,
  UpdateEventTypeSchema,
} from '../schemas/event-types.ts';
import { bearerAuth, jsonBody, jsonResponse, noContent } from './helpers.ts';

const tags = ['Event types'];
const NameParams = z.object({ name: EventTypeNameSchema.openapi({ param: { name: 'name', in: 'path' } }) });

export const createEventType = createRoute({
  operationId: 'createEventType',
  method: 'post',
  path: '/v1/event-types',
  tags,
  summary: "Add an event type to the tenant's catalogue",
  security: bearerAuth,
  request: { body: jsonBody(CreateEventTypeSchema) },
  responses: {
    201: jsonResponse(EventTypeSchema, 'The new event type'),
    ...errorResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export const listEventTypes = createRoute({
  operationId: 'listEventTypes',
  method: 'get',
  path: '/v1/event-types',
  tags,
  summary: "List the tenant's event types, by name",
  security: bearerAuth,
  request: {
    query: CursorQuerySchema.extend({
      prefix: z
        .string()
        .max(128)
        .optional()
        .openapi({ param: { name: 'prefix', in: 'query' }, description: 'Only names starting with this.' }),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(EventTypeSchema, 'EventTypePage'), 'A page of event types, by name'),
    ...errorResponses(400, 401, 403, 422),
  },
});

export const getEventType = createRoute({
  operationId: 'getEventType',
  method: 'get',
  path: '/v1/event-types/{name}',
  tags,
  summary: 'Get an event type',
  security: bearerAuth,
  request: { params: NameParams },
  responses: {
    200: jsonResponse(EventTypeSchema, 'The event type'),
    ...errorResponses(401, 403, 404),
  },
});

export const updateEventType = createRoute({
  operationId: 'updateEventType',
  method: 'patch',
  path: '/v1/event-types/{name}',
  tags,
  summary: 'Update an event type',
  security: bearerAuth,
  request: { params: NameParams, body: jsonBody(UpdateEventTypeSchema) },
  responses: {
    200: jsonResponse(EventTypeSchema, 'The updated event type'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export const deleteEventType = createRoute({
  operationId: 'deleteEventType',
  method: 'delete',
  path: '/v1/event-types/{name}',
  tags,
  summary: 'Delete an event type no endpoint subscribes to by name',
  security: bearerAuth,
  request: { params: NameParams },
  responses: {
    204: noContent,
    ...errorResponses(401, 403, 404, 409),
  },
});
