import { createRoute, z } from '@hono/zod-openapi';

export const TsanetPayloadSchema = z
  .object({
    eventType: z.string().openapi({ example: 'note.created' }),
    requestToken: z.string().openapi({
      description: "The collaboration request's token: `requestToken` of the published event data, else the event id.",
      example: 'b7e3c1a2-0f4d-4c8e-9a51-2d6f7e8a9b0c',
    }),
    noteToken: z
      .string()
      .optional()
      .openapi({ description: '`noteToken` of the published event data, when it has one.', example: 'n-4711' }),
    timestamp: z.string().openapi({
      format: 'date-time',
      description: 'When the event was published, ISO 8601 UTC, whole seconds (the same in every attempt).',
      example: '2026-03-01T10:00:00Z',
    }),
  })
  .openapi('WebhookPayload');

/** What Hookport sends to a TSANet subscription, declared as an OpenAPI 3.1 webhook. */
export const tsanetDelivery = createRoute({
  operationId: 'tsanetEventWebhook',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to a callback URL, signed with X-Hub-Signature-256',
  request: {
    headers: z.object({
      'x-hub-signature-256': z.string().openapi({
        description:
          '`sha256=` + lowercase hex HMAC-SHA256 of the raw body, keyed with the UTF-8 bytes of the subscription secret.',
        example: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      }),
    }),
    body: { required: true, content: { 'application/json': { schema: TsanetPayloadSchema } } },
  },
  responses: {
    200: {
      description:
        'Any 2xx acknowledges the delivery; anything else (or no answer within 15 s) is retried up to 3 times, after 10 s, 60 s and 300 s.',
    },
  },
});
