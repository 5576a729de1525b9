import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { prefixedId, rateLimitedResponse } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';

/**
 * The Helpdesk (Airclou) webhook routes: `{webhook}` / `{webhooks}` envelopes,
 * camelCase fields, `whk_` ids, timestamps with milliseconds, and the
 * `{error:{code, message, …}}` error body on every failure.
 */

export const basePath = '/helpdesk/api/v1/webhooks';
export const webhookIds = prefixedId('whk');

const tags = ['Webhooks'];
/** A key as Bearer or as X-API-Key, always with X-Workspace-Id. */
export const security: Record<string, string[]>[] = [
  { bearer: [], workspace: [] },
  { apiKey: [], workspace: [] },
];

/** Exact event names only: Helpdesk subscriptions list event types, it has no wildcards. */
const EventNameSchema = z
  .string()
  .min(1)
  .max(130)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be an event type name such as ticket.created')
  .openapi({ example: 'ticket.created' });

const EventsSchema = z.array(EventNameSchema).min(1).max(100);

/**
 * Text the database stores exactly as sent: no NUL (PostgreSQL refuses it) and
 * no lone UTF-16 surrogate (it would be stored as U+FFFD, not as sent).
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\0') && !/\p{Cs}/u.test(text);
}
const storable = 'must be well-formed text without NUL characters';

const NameSchema = z.string().trim().min(1).max(200).refine(isStorableText, storable);
const TargetUrlSchema = httpsUrlSchema().refine(isStorableText, storable);

export const HelpdeskErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
      message: z.string().openapi({ example: 'Request validation failed' }),
      status: z.number().int().openapi({ example: 422 }),
      details: z
        .record(z.string(), z.array(z.object({ code: z.string(), message: z.string() })))
        .optional()
        .openapi({ example: { name: [{ code: 'REQUIRED', message: 'name is required' }] } }),
      field: z.string().optional().openapi({ example: 'name' }),
      request_id: z.string().openapi({ example: '2f1c7c2e-6d3b-4c7e-9d55-0b8f0e4f1a2b' }),
    }),
  })
  .openapi('HelpdeskError');

/** ISO 8601 UTC with milliseconds, as Helpdesk shows every time. */
const MillisTimestampSchema = z.string().openapi({
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  example: '2025-01-15T10:30:00.000Z',
});

export const WebhookSchema = z
  .object({
    id: z.string().openapi({ example: 'whk_01JBZ8C1X9F8R5M6W0Q2V3T4YZ', pattern: webhookIds.pattern }),
    name: z.string(),
    targetUrl: z.string(),
    events: z.array(z.string()),
    active: z.boolean(),
    createdAt: MillisTimestampSchema,
    updatedAt: MillisTimestampSchema,
  })
  .openapi('HelpdeskWebhook');

export const WebhookWithSecretSchema = WebhookSchema.extend({
  signingSecret: z.string().openapi({ description: 'Shown only in the creation response.', example: 'whsec_…' }),
}).openapi('HelpdeskWebhookWithSecret');

/**
 * Unknown fields are ignored, not refused: a client that sends back what it read
 * (id, createdAt, …) keeps working, as it would with an API that only reads the
 * fields it knows.
 */
export const CreateWebhookSchema = z
  .object({
    name: NameSchema,
    targetUrl: TargetUrlSchema,
    events: EventsSchema,
    active: z.boolean().optional().openapi({ description: 'Defaults to true.' }),
  })
  .openapi('HelpdeskCreateWebhook');

export const UpdateWebhookSchema = z
  .object({
    name: NameSchema.optional(),
    targetUrl: TargetUrlSchema.optional(),
    events: EventsSchema.optional(),
    active: z.boolean().optional(),
  })
  .openapi('HelpdeskUpdateWebhook');

/**
 * The body's fields, whether sent wrapped (`{"webhook": {…}}`, as documented)
 * or bare. A non-object `webhook` is passed on as is, so it fails as a
 * malformed body rather than being read as a bare webhook.
 */
export function unwrapWebhook(body: unknown): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'webhook' in body) {
    return (body as { webhook: unknown }).webhook;
  }
  return body;
}

/** Validation reads both forms: the wrapped fields, or the body itself. */
function envelopeBody<T extends z.ZodType>(schema: T) {
  return z.preprocess(unwrapWebhook, schema);
}

/**
 * What the document shows for such a body: both forms. zod-openapi renders a
 * preprocess as its inner schema only, so the document gets this union instead.
 */
function envelopeDocument<T extends z.ZodType>(schema: T, name: string) {
  return z.union([z.object({ webhook: schema }), schema]).openapi(name);
}

const WebhookParams = z.object({
  id: z.string().openapi({
    param: { name: 'id', in: 'path' },
    example: 'whk_01JBZ8C1X9F8R5M6W0Q2V3T4YZ',
    pattern: webhookIds.pattern,
  }),
});

const errorDescriptions: Record<number, string> = {
  400: 'BAD_REQUEST (malformed JSON, not a JSON object, not application/json) or MISSING_WORKSPACE.',
  401: 'INVALID_API_KEY: the key is missing, invalid or revoked.',
  403: 'INSUFFICIENT_API_PERMISSION: the key lacks admin permission, or X-Workspace-Id names another workspace.',
  404: 'NOT_FOUND: no such webhook in this workspace.',
  413: 'PAYLOAD_TOO_LARGE: the body is larger than allowed.',
  422: 'VALIDATION_ERROR: a field is missing or invalid; details names each one.',
  429: 'RATE_LIMIT_EXCEEDED: the key has used its requests for this window; retry after Retry-After seconds.',
  500: 'INTERNAL_ERROR.',
  503: 'SERVICE_UNAVAILABLE: try again shortly.',
};

const errorContent = { 'application/json': { schema: HelpdeskErrorSchema } } as const;

/** Error responses of a route; 400 (workspace), 401, 403, 429, 500 and 503 can happen on every one. */
function errors<const S extends readonly number[]>(...statuses: S) {
  const out: Record<number, { description: string; content: typeof errorContent }> = {};
  for (const status of [400, 401, 403, 500, 503, ...statuses]) {
    out[status] = { description: errorDescriptions[status] ?? 'Error', content: errorContent };
  }
  out[429] = rateLimitedResponse(errorContent, errorDescriptions[429]);
  return out as {
    [K in S[number] | 400 | 401 | 403 | 500 | 503]: { description: string; content: typeof errorContent };
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
    ...errors(413, 422),
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

const TicketSchema = z
  .object({
    id: z.string().optional().openapi({ example: 'tkt_abc123' }),
    updatedFields: z
      .record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }))
      .optional()
      .openapi({
        description: 'On ticket.updated only: each changed field with its old and new value.',
        example: { status: { from: 'open', to: 'pending' } },
      }),
  })
  .catchall(z.unknown())
  .openapi('HelpdeskTicket');

export const HelpdeskPayloadSchema = z
  .object({
    event: z.string().openapi({ example: 'ticket.updated' }),
    timestamp: z.string().openapi({ description: 'When the event happened, with milliseconds.' }),
    data: z.object({ ticket: TicketSchema }).catchall(z.unknown()),
  })
  .openapi('HelpdeskPayload');

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
