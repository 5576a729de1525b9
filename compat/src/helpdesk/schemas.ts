import { z } from '@hono/zod-openapi';
import { prefixedId } from '@hookport/spec';
import { httpsUrlSchema } from '../shared/urls.ts';

/**
 * The bodies of the Helpdesk (Airclou) webhook API: `{webhook}` envelopes
 * (accepted bare too), camelCase fields, `whk_` ids, timestamps with
 * milliseconds, the `{error:{code, message, …}}` error body, and the payload
 * every delivery carries.
 */

export const webhookIds = prefixedId('whk');

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
export function envelopeBody<T extends z.ZodType>(schema: T) {
  return z.preprocess(unwrapWebhook, schema);
}

/**
 * What the document shows for such a body: both forms. zod-openapi renders a
 * preprocess as its inner schema only, so the document gets this union instead.
 */
export function envelopeDocument<T extends z.ZodType>(schema: T, name: string) {
  return z.union([z.object({ webhook: schema }), schema]).openapi(name);
}

export const WebhookParams = z.object({
  id: z.string().openapi({
    param: { name: 'id', in: 'path' },
    example: 'whk_01JBZ8C1X9F8R5M6W0Q2V3T4YZ',
    pattern: webhookIds.pattern,
  }),
});

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
