import { z } from '@hono/zod-openapi';
import { EventTypeFilterSchema, prefixedId } from '@hookport/spec';

/**
 * The bodies of XPath v2.3's webhook endpoints, as the vendor's document
 * shows them: snake_case fields, `wh_` + ULID ids, status active | paused,
 * and the payload every delivery carries.
 */

/** `wh_` + the 26-character upper-case ULID of the internal UUIDv7. */
export const webhookIds = prefixedId('wh');

export const xpathStatuses = ['active', 'paused'] as const;
export const XpathStatusSchema = z.enum(xpathStatuses).openapi('WebhookStatus', {
  description: 'active: events are delivered; paused: nothing is delivered until it is active again.',
});

export const EventsSchema = z
  .array(EventTypeFilterSchema.openapi({ example: 'cases.*' }))
  .min(1)
  .max(100)
  .openapi({
    description: 'Event types, or `prefix.*` wildcards that match every type below the prefix at any depth.',
    example: ['cases.*', 'assignments.*'],
  });

/** PostgreSQL text cannot hold NUL; refusing it here names the field instead of failing at the database. */
export const noNul = (text: string) => !text.includes('\u0000');

/** Destination URLs: https, or http for targets the operator allowlisted (the core's egress rules decide). */
export const UrlSchema = z
  .url({ protocol: /^https?$/, hostname: /.+/ })
  .max(2083)
  .refine(noNul, 'must not contain a NUL character')
  .openapi({ example: 'https://partner.example.com/webhooks/xpath' });

export const DescriptionSchema = z
  .string()
  .max(1000)
  .refine(noNul, 'must not contain a NUL character')
  .openapi({ example: 'Partner production endpoint' });

export const TimestampSchema = z.string().openapi({
  format: 'date-time',
  description: 'ISO 8601 UTC, whole seconds.',
  example: '2026-04-29T09:10:00Z',
});

export const WebhookSchema = z
  .object({
    id: z.string().openapi({ pattern: webhookIds.pattern, example: 'wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW' }),
    url: z.string().openapi({ example: 'https://partner.example.com/webhooks/xpath' }),
    description: z.string().openapi({ example: 'Partner production endpoint' }),
    events: z.array(z.string()).openapi({ example: ['cases.*', 'assignments.*'] }),
    status: XpathStatusSchema,
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('WebhookEndpoint');

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().openapi({
    description: 'The Standard Webhooks signing secret (`whsec_…`). Shown only in this response.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
}).openapi('WebhookEndpointWithSecret');

export const CreateWebhookSchema = z
  .strictObject({
    url: UrlSchema,
    events: EventsSchema,
    description: DescriptionSchema.optional(),
    status: XpathStatusSchema.optional(),
  })
  .openapi('CreateWebhookEndpoint');

export const UpdateWebhookSchema = z
  .strictObject({
    url: UrlSchema.optional(),
    events: EventsSchema.optional(),
    description: DescriptionSchema.optional(),
    status: XpathStatusSchema.optional(),
  })
  .openapi('UpdateWebhookEndpoint');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'No webhook endpoint wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW.' }),
    }),
  })
  .openapi('Error');

export function dataOf<T extends z.ZodType>(schema: T, name: string) {
  return z.object({ data: schema }).openapi(name);
}

export const WebhookParams = z.object({
  // Not validated here: the handler decodes it, so a malformed id is the same 404 as an unknown one.
  webhookId: z.string().openapi({
    param: { name: 'webhookId', in: 'path' },
    pattern: webhookIds.pattern,
    example: 'wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW',
  }),
});

/** The body of every delivery to an XPath endpoint. */
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
