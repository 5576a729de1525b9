import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { CursorQuerySchema, ProfileSchema, pageSchema } from '../schemas/common.ts';
import {
  CreateEndpointSchema,
  EndpointIdSchema,
  EndpointSchema,
  EndpointStatusSchema,
  EndpointWithSecretSchema,
  FilterResultSchema,
  RotatedSecretSchema,
  RotateSecretSchema,
  SendExampleSchema,
  TestFilterSchema,
  UpdateEndpointSchema,
} from '../schemas/endpoints.ts';
import { EventTypeNameSchema } from '../schemas/event-types.ts';
import { DeliverySchema, RecoveredSchema, RecoverSchema } from '../schemas/events.ts';
import { bearerAuth, jsonBody, jsonResponse, noContent, optionalJsonBody } from './helpers.ts';

const tags = ['Endpoints'];
export const EndpointParams = z.object({ id: EndpointIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

export const createEndpoint = createRoute({
  operationId: 'createEndpoint',
  method: 'post',
  path: '/v1/endpoints',
  tags,
  summary: 'Create an endpoint; the response carries its signing secret, shown only here',
  security: bearerAuth,
  request: { body: jsonBody(CreateEndpointSchema) },
  responses: {
    201: jsonResponse(EndpointWithSecretSchema, 'The new endpoint with its secret'),
    ...errorResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export const listEndpoints = createRoute({
  operationId: 'listEndpoints',
  method: 'get',
  path: '/v1/endpoints',
  tags,
  summary: 'List endpoints, newest first',
  security: bearerAuth,
  request: {
    query: CursorQuerySchema.extend({
      status: EndpointStatusSchema.optional().openapi({ param: { name: 'status', in: 'query' } }),
      profile: ProfileSchema.optional().openapi({ param: { name: 'profile', in: 'query' } }),
      eventType: EventTypeNameSchema.optional().openapi({
        param: { name: 'eventType', in: 'query' },
        description: 'Only endpoints that would receive this event type.',
      }),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(EndpointSchema, 'EndpointPage'), 'A page of endpoints'),
    ...errorResponses(400, 401, 403, 422),
  },
});

export const getEndpoint = createRoute({
  operationId: 'getEndpoint',
  method: 'get',
  path: '/v1/endpoints/{id}',
  tags,
  summary: 'Get an endpoint',
  security: bearerAuth,
  request: { params: EndpointParams },
  responses: {
    200: jsonResponse(EndpointSchema, 'The endpoint'),
    ...errorResponses(401, 403, 404),
  },
});

export const updateEndpoint = createRoute({
  operationId: 'updateEndpoint',
  method: 'patch',
  path: '/v1/endpoints/{id}',
  tags,
  summary: 'Update an endpoint; only the fields given change',
  security: bearerAuth,
  request: { params: EndpointParams, body: jsonBody(UpdateEndpointSchema) },
  responses: {
    200: jsonResponse(EndpointSchema, 'The updated endpoint'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export const deleteEndpoint = createRoute({
  operationId: 'deleteEndpoint',
  method: 'delete',
  path: '/v1/endpoints/{id}',
  tags,
  summary: 'Delete an endpoint',
  security: bearerAuth,
  request: { params: EndpointParams },
  responses: {
    204: noContent,
    ...errorResponses(401, 403, 404),
  },
});

export const rotateEndpointSecret = createRoute({
  operationId: 'rotateEndpointSecret',
  method: 'post',
  path: '/v1/endpoints/{id}/secret/rotate',
  tags,
  summary: 'Replace the signing secret; the old one keeps signing for a grace period',
  security: bearerAuth,
  request: { params: EndpointParams, body: optionalJsonBody(RotateSecretSchema) },
  responses: {
    200: jsonResponse(RotatedSecretSchema, 'The new secret'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export const pingEndpoint = createRoute({
  operationId: 'pingEndpoint',
  method: 'post',
  path: '/v1/endpoints/{id}/ping',
  tags,
  summary: 'Send a real, signed delivery of type ping to this endpoint only',
  security: bearerAuth,
  request: { params: EndpointParams },
  responses: {
    202: jsonResponse(DeliverySchema, 'The ping delivery, queued'),
    ...errorResponses(401, 403, 404, 409),
  },
});

export const sendExampleToEndpoint = createRoute({
  operationId: 'sendExampleToEndpoint',
  method: 'post',
  path: '/v1/endpoints/{id}/send-example',
  tags,
  summary: "Send a real, signed delivery of one of an event type's examples to this endpoint only",
  description:
    'A test send, like ping: it goes to this endpoint whether or not it subscribes to the type, and the event is marked `example: true`. A 409 when the type has no examples or the endpoint is disabled; a 422 naming `eventType` for a type not in the catalogue, `example` for an index past its examples.',
  security: bearerAuth,
  request: { params: EndpointParams, body: jsonBody(SendExampleSchema) },
  responses: {
    202: jsonResponse(DeliverySchema, 'The delivery of the example, queued'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export const recoverEndpoint = createRoute({
  operationId: 'recoverEndpoint',
  method: 'post',
  path: '/v1/endpoints/{id}/recover',
  tags,
  summary: 'Queue again every failed or skipped delivery of this endpoint since a time',
  security: bearerAuth,
  request: { params: EndpointParams, body: jsonBody(RecoverSchema) },
  responses: {
    202: jsonResponse(RecoveredSchema, 'How many deliveries were queued again'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export const testEndpointFilter = createRoute({
  operationId: 'testEndpointFilter',
  method: 'post',
  path: '/v1/endpoints/test-filter',
  tags,
  summary: 'Evaluate a payload filter against an event, storing nothing: would an endpoint with it get the event?',
  security: bearerAuth,
  request: { body: jsonBody(TestFilterSchema) },
  responses: {
    200: jsonResponse(FilterResultSchema, 'Whether the filter matches the event'),
    ...errorResponses(400, 401, 403, 413, 415, 422),
  },
});
