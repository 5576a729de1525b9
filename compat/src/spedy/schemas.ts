import { z } from '@hono/zod-openapi';
import { EventDataSchema } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';
import { deliveryIds, endpointIds } from './ids.ts';

/**
 * The request and response bodies of Spedy's webhook endpoints API (seed 000,
 * vendors.md "Spedy"): camelCase, `wh_` endpoint ids and `dlv_` delivery ids,
 * timestamps without milliseconds. Messages of the request schemas are worded
 * the way class-validator words them, field name first.
 */

const secondsTimestamp = (example: string) =>
  z.string().openapi({ format: 'date-time', example, description: 'ISO 8601 UTC, whole seconds.' });

const endpointId = z.string().openapi({
  pattern: endpointIds.pattern,
  example: 'wh_01JXB4Q7W8T9V2M3N4P5R6S7T8',
});
const deliveryId = z.string().openapi({
  pattern: deliveryIds.pattern,
  example: 'dlv_01JXB4Q7W8T9V2M3N4P5R6S7T9',
});

export const EndpointParams = z.object({ id: endpointId.openapi({ param: { name: 'id', in: 'path' } }) });
export const DeliveryParams = EndpointParams.extend({
  deliveryId: deliveryId.openapi({ param: { name: 'deliveryId', in: 'path' } }),
});

/** An event name of the catalogue; Spedy has no wildcards. */
const eventName = z
  .string({ error: 'each value in events must be a string' })
  .min(1, 'each value in events must be a supported event type')
  .max(130, 'each value in events must be a supported event type')
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'each value in events must be a supported event type')
  .openapi({ example: 'ticket.created' });

const events = z
  .array(eventName, { error: 'events must be an array' })
  .min(1, 'events should not be empty')
  .max(100, 'events must contain no more than 100 elements');

const name = z
  .string({ error: 'name must be a string' })
  .min(1, 'name should not be empty')
  .max(100, 'name must be shorter than or equal to 100 characters')
  .openapi({ example: 'CI/CD Pipeline' });

const url = httpsUrlSchema().openapi({ example: 'https://ci.example.com/hooks/spedy' });

export const WebhookEndpointSchema = z
  .object({
    id: endpointId,
    name: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    isActive: z.boolean(),
    createdAt: secondsTimestamp('2025-06-01T10:00:00Z'),
    updatedAt: secondsTimestamp('2025-06-01T10:00:00Z'),
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  secret: z.string().openapi({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks). Returned only once, in this response.',
  }),
}).openapi('WebhookEndpointWithSecret');

export const CreateWebhookEndpointSchema = z
  .strictObject({ name, url, events }, { error: 'The body must be a JSON object' })
  .openapi('CreateWebhookEndpoint');

export const UpdateWebhookEndpointSchema = z
  .strictObject(
    {
      name: name.optional(),
      url: url.optional(),
      events: events.optional(),
      isActive: z.boolean({ error: 'isActive must be a boolean value' }).optional(),
    },
    { error: 'The body must be a JSON object' },
  )
  .openapi('UpdateWebhookEndpoint');

export const EventTypeSchema = z
  .object({
    event: z.string().openapi({ example: 'ticket.created' }),
    description: z.string().openapi({ example: 'A ticket was created' }),
  })
  .openapi('WebhookEventType');

export const DeliverySchema = z
  .object({
    id: deliveryId,
    endpointId,
    eventType: z.string().openapi({ example: 'ticket.created' }),
    statusCode: z.number().int().nullable().openapi({ example: 200, description: 'Null when no response came.' }),
    success: z.boolean(),
    attempt: z.number().int().openapi({ example: 1, description: '1 for the first try, then 2, 3, …' }),
    error: z.string().nullable().openapi({ example: null }),
    createdAt: secondsTimestamp('2025-06-15T14:30:00Z'),
  })
  .openapi('WebhookDelivery', { description: 'One delivery attempt.' });

export const DeliveriesQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'limit must be an integer number' })
    .int('limit must be an integer number')
    .min(1, 'limit must not be less than 1')
    .max(200, 'limit must not be greater than 200')
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 50, description: 'Default 50, at most 200.' }),
});

/** The body of every delivery to a Spedy endpoint: the Standard Webhooks payload structure. */
export const SpedyPayloadSchema = z
  .object({
    type: z.string().openapi({ example: 'ticket.created' }),
    timestamp: secondsTimestamp('2025-06-15T14:30:00Z').openapi({ description: 'When the event occurred.' }),
    data: EventDataSchema,
  })
  .openapi('SpedyWebhookPayload');
