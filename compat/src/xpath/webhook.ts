import { createRoute, z } from '@hono/zod-openapi';

export const XpathPayloadSchema = z
  .object({
    type: z.string().openapi({ example: 'cases.tasks.created' }),
    timestamp: z.string().openapi({
      format: 'date-time',
      description: 'When the event happened, ISO 8601 UTC, whole seconds.',
      example: '2026-04-29T09:10:00Z',
    }),
    data: z.record(z.string(), z.unknown()).openapi({ description: 'The event data as published.' }),
  })
  .openapi('WebhookPayload');

/** What Hookport sends to an XPath endpoint, declared as an OpenAPI 3.1 webhook. */
export const xpathDelivery = createRoute({
  operationId: 'xpathEventWebhook',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to a webhook endpoint, signed with Standard Webhooks',
  request: {
    headers: z.object({
      'webhook-id': z.string().openapi({
        description: 'The event id (`evt_` + ULID); the same across retries, for deduplication.',
      }),
      'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed.' }),
      'webhook-signature': z.string().openapi({
        description: 'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the endpoint secret.',
      }),
    }),
    body: { required: true, content: { 'application/json': { schema: XpathPayloadSchema } } },
  },
  responses: {
    200: {
      description:
        'Any 2xx acknowledges the delivery; anything else (or no answer within 15 s) is retried after 10 s, 60 s and 300 s.',
    },
  },
});
