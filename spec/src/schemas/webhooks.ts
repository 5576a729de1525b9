import { createRoute, z } from '@hono/zod-openapi';
import { EventDataSchema } from './events.ts';

/** The body every native-profile delivery carries. */
export const WebhookPayloadSchema = z
  .object({
    type: z.string().openapi({ example: 'ticket.created' }),
    timestamp: z.string().openapi({
      description: 'When the event happened (its createdAt), ISO 8601 UTC; the same on every attempt.',
    }),
    data: EventDataSchema,
  })
  .openapi('WebhookPayload');

/**
 * What Hookport sends to an endpoint (native profile), declared as an
 * OpenAPI 3.1 webhook so receivers and the SDK get its types from the contract.
 */
export const eventWebhook = createRoute({
  operationId: 'eventWebhook',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to an endpoint, signed with Standard Webhooks',
  request: {
    headers: z.object({
      'webhook-id': z.string().openapi({ description: 'The event id; the same across retries and redeliveries.' }),
      'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed.' }),
      'webhook-signature': z.string().openapi({
        description: 'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`; two during a secret rotation.',
      }),
    }),
    body: { required: true, content: { 'application/json': { schema: WebhookPayloadSchema } } },
  },
  responses: {
    200: { description: 'Any 2xx status accepts the delivery; anything else is retried.' },
  },
});
