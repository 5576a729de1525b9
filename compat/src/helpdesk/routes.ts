import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { rateLimitedResponse } from '@hookport/spec';
import {
  CreateWebhookSchema,
  envelopeBody,
  envelopeDocument,
  HelpdeskErrorSchema,
  HelpdeskPayloadSchema,
  UpdateWebhookSchema,
  WebhookParams,
  WebhookSchema,
  WebhookWithSecretSchema,
} from './schemas.ts';

/**
 * The Helpdesk (Airclou) webhook routes: `{webhook}` / `{webhooks}` envelopes
 * and the `{error:{code, message, …}}` error body on every failure.
 */

export const basePath = '/helpdesk/api/v1/webhooks';
const tags = ['Webhooks'];
/** A key as Bearer or as X-API-Key, always with X-Workspace-Id. */
export const security: Record<string, string[]>[] = [
  { bearer: [], workspace: [] },
  { apiKey: [], workspace: [] },
];

const errorDescriptions: Record<number, string> = {
  400: 'BAD_REQUEST (malformed JSON, not a JSON object, not application/json) or MISSING_WORKSPACE.',
  401: 'INVALID_API_KEY: the key is missing, invalid or revoked.',
  403: 'INSUFFICIENT_API_PERMISSION: the key lacks admin permission, or X-Workspace-Id names another workspace.',
  404: 'NOT_FOUND: no such webhook in this workspace.',
  409: 'QUOTA_EXCEEDED: the workspace has reached its webhook quota; the message gives the limit.',
  413: 'PAYLOAD_TOO_LARGE: the body is larger than allowed.',
  422: 'VALIDATION_ERROR: a field is missing or invalid, or a query parameter is not one the operation takes; details names each one.',
  429: 'RATE_LIMIT_EXCEEDED: the key has used its requests for this window; retry after Retry-After seconds.',
  500: 'INTERNAL_ERROR.',
  503: 'SERVICE_UNAVAILABLE: try again shortly.',
};

const errorContent = { 'application/json': { schema: HelpdeskErrorSchema } } as const;

/** Error responses of a route; 400 (workspace), 401, 403, 422 (a query parameter it does not take), 429, 500 and 503 can happen on every one. */
function errors<const S extends readonly number[]>(...statuses: S) {
  const out: Record<number, { description: string; content: typeof errorContent }> = {};
  for (const status of [400, 401, 403, 422, 500, 503, ...statuses]) {
    out[status] = { description: errorDescriptions[status] ?? 'Error', content: errorContent };
  }
  out[429] = rateLimitedResponse(errorContent, errorDescriptions[429]);
  return out as {
    [K in S[number] | 400 | 401 | 403 | 422 | 500 | 503]: { description: string; content: typeof errorContent };
  } & { 429: ReturnType<typeof rateLimitedResponse<typeof errorContent>> };
}

function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

export const listWebhooks = createRoute({
  operationId: 'listWebhooks',
  method: 'get',
  path: basePath,
  tags,
  summary: 'List every webhook of the workspace, oldest first',
  security,
  responses: {
    200: json(z.object({ webhooks: z.array(WebhookSchema) }).openapi('HelpdeskWebhookList'), 'The webhooks'),
    ...errors(),
  },
});

export const getWebhook = createRoute({
  operationId: 'getWebhook',
  method: 'get',
  path: `${basePath}/{id}`,
  tags,
  summary: 'Retrieve a webhook',
  security,
  request: { params: WebhookParams },
  responses: {
    200: json(z.object({ webhook: WebhookSchema }).openapi('HelpdeskWebhookEnvelope'), 'The webhook'),
    ...errors(404),
  },
});

export const createWebhook = createRoute({
  operationId: 'createWebhook',
  method: 'post',
  path: basePath,
  tags,
  summary: 'Create a webhook; the response carries its signingSecret, shown only here',
  security,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: envelopeBody(CreateWebhookSchema) } },
    },
  },
  responses: {
    201: json(
      z.object({ webhook: WebhookWithSecretSchema }).openapi('HelpdeskCreatedWebhookEnvelope'),
      'The new webhook with its signing secret',
    ),
    ...errors(409, 413, 422),
  },
});

export const updateWebhook = createRoute({
  operationId: 'updateWebhook',
  method: 'put',
  path: `${basePath}/{id}`,
  tags,
  summary: 'Update a webhook; only the fields given change',
  security,
  request: {
    params: WebhookParams,
    body: {
      required: true,
      content: { 'application/json': { schema: envelopeBody(UpdateWebhookSchema) } },
    },
  },
  responses: {
    200: json(z.object({ webhook: WebhookSchema }), 'The updated webhook'),
    ...errors(404, 413, 422),
  },
});

export const deleteWebhook = createRoute({
  operationId: 'deleteWebhook',
  method: 'delete',
  path: `${basePath}/{id}`,
  tags,
  summary: 'Delete a webhook',
  security,
  request: { params: WebhookParams },
  responses: {
    204: { description: 'Deleted; no body.' },
    ...errors(404),
  },
});

/** The routes as the OpenAPI document shows them: request bodies in both accepted forms. */
export function documentedRoutes(): RouteConfig[] {
  const withBody = (route: RouteConfig, schema: z.ZodType): RouteConfig => ({
    ...route,
    request: { ...route.request, body: { required: true, content: { 'application/json': { schema } } } },
  });
  return [
    listWebhooks,
    getWebhook,
    withBody(createWebhook, envelopeDocument(CreateWebhookSchema, 'HelpdeskCreateWebhookBody')),
    withBody(updateWebhook, envelopeDocument(UpdateWebhookSchema, 'HelpdeskUpdateWebhookBody')),
    deleteWebhook,
  ];
}

/** What a Helpdesk webhook receives, declared as an OpenAPI 3.1 webhook. */
export const ticketWebhook = createRoute({
  operationId: 'helpdeskEvent',
  method: 'post',
  path: 'ticket-event',
  tags,
  summary: 'A ticket event delivered to a webhook, signed with Standard Webhooks',
  request: {
    headers: z.object({
      'webhook-id': z.string().openapi({ description: 'The event id (evt_…); the same on retries and redeliveries.' }),
      'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed.' }),
      'webhook-signature': z.string().openapi({
        description: '`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by the signingSecret.',
      }),
    }),
    body: { required: true, content: { 'application/json': { schema: HelpdeskPayloadSchema } } },
  },
  responses: {
    200: { description: 'Any 2xx accepts the delivery; anything else is retried after 10 s, 60 s and 300 s.' },
  },
});
