import { z } from '@hono/zod-openapi';
import { payloadFilterIssues, payloadFilterLimits } from '../payload-filter.ts';
import { MetadataSchema, ProfileSchema, TimestampSchema, typeIdSchema } from './common.ts';
import { EventTypeNameSchema, eventTypeExampleLimits } from './event-types.ts';

export const EndpointIdSchema = typeIdSchema('endpoint');

/** An exact event type, a `prefix.*` wildcard (any depth below the prefix), or `*` for all. */
export const eventTypeFilterPattern = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;

export const EventTypeFilterSchema = z
  .string()
  .min(1)
  .max(130)
  .regex(eventTypeFilterPattern, 'must be an event type, a prefix.* wildcard or *')
  .openapi({ example: 'ticket.*' });

export const endpointStatuses = ['active', 'paused', 'disabled'] as const;
export const EndpointStatusSchema = z.enum(endpointStatuses).openapi('EndpointStatus', {
  description: 'active: delivering; paused: deliveries wait until resumed; disabled: deliveries are skipped.',
});

export const endpointOrderings = ['unordered', 'fifo'] as const;
export const EndpointOrderingSchema = z.enum(endpointOrderings).openapi('EndpointOrdering', {
  description:
    'unordered (the default): deliveries run in parallel and retries do not hold others back; fifo: one ' +
    'delivery at a time in publish order, the next sent only once the previous succeeded, failed for good ' +
    'or was skipped (docs/delivery.md, "Ordered delivery").',
});

/**
 * Headers Hookport sets itself. A custom header may not override them, or a
 * receiver could be handed a forged signature or a broken framing.
 */
export const reservedHeaderNames = [
  'host',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'user-agent',
  // Per-attempt trace context (docs/tracing.md): a fixed value would make every delivery claim one parent.
  'traceparent',
  'tracestate',
];
export const reservedHeaderPrefixes = ['webhook-', 'svix-', 'x-hub-signature', 'x-hookport-', 'proxy-'];

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return reservedHeaderNames.includes(lower) || reservedHeaderPrefixes.some((p) => lower.startsWith(p));
}

const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Visible ASCII and tab/space only: no CR, LF or NUL that could split a request. The bullet is the mark of
// a masked value sent back (header-mask.ts): the core keeps the stored value it stands for, or refuses it.
const headerValuePattern = /^[\t\x20-\x7e•]*$/;

export const CustomHeadersSchema = z
  .record(z.string().min(1).max(100), z.string().max(1024))
  .superRefine((headers, ctx) => {
    const keys = Object.keys(headers);
    if (keys.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 custom headers' });
    for (const key of keys) {
      if (!headerNamePattern.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'is not a valid header name' });
      } else if (isReservedHeader(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'is a reserved header and cannot be set' });
      } else if (!headerValuePattern.test(headers[key] ?? '')) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'must be printable ASCII without line breaks' });
      }
    }
  })
  .openapi('CustomHeaders', {
    example: { Authorization: 'Bearer 3b1c0e6f2a9d4f3f9a', 'X-Team': 'billing' },
    description:
      'Sent with every delivery; values are encrypted at rest and masked on read. The map replaces the stored one: ' +
      'a name left out is removed, and a value sent back as read (masked) keeps the stored value.',
  });

export const EndpointUrlSchema = z
  .url({ protocol: /^https?$/, hostname: /.+/ })
  .max(2083)
  .openapi({ example: 'https://example.com/webhooks' });

export const RateLimitSchema = z.number().int().min(1).max(10_000).openapi({ description: 'Requests per second.' });

/**
 * Per-endpoint delivery settings (docs/delivery.md, "Per-endpoint delivery settings"). A schedule of at most
 * 20 waits of 1 s to 24 h each: the longest wait of the profile schedules (native's last step is 24 h), and
 * as many steps as twice the longest of them. An empty schedule makes one attempt and no retry.
 */
export const endpointSettingsLimits = {
  maxRetries: 20,
  minRetrySeconds: 1,
  maxRetrySeconds: 86_400,
  minTimeoutMs: 1_000,
  // The sender's undici backstops are twice the deadline, and a job expires after 120 s (queue.ts): a
  // longer deadline could outlive the job that makes the attempt.
  maxTimeoutMs: 60_000,
} as const;

export const RetryScheduleSchema = z
  .array(z.number().int().min(endpointSettingsLimits.minRetrySeconds).max(endpointSettingsLimits.maxRetrySeconds))
  .max(endpointSettingsLimits.maxRetries)
  .openapi({
    description:
      'Seconds to wait before each retry after the first attempt (at most 20 entries, each 1 to 86400); the ' +
      "delivery fails for good after the last. Overrides the profile's schedule on this endpoint; [] makes " +
      'one attempt only.',
    example: [10, 60, 600],
  });

export const TimeoutMsSchema = z
  .number()
  .int()
  .min(endpointSettingsLimits.minTimeoutMs)
  .max(endpointSettingsLimits.maxTimeoutMs)
  .openapi({
    description: "Each attempt's deadline in milliseconds (1000 to 60000); overrides the profile's on this endpoint.",
    example: 5000,
  });

/** Accepted secrets: `whsec_` and the base64 of 24 to 64 bytes. */
export const EndpointSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be whsec_ followed by the base64 of 24 to 64 bytes')
  .openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });

const limits = payloadFilterLimits;

/** Which events an endpoint receives, by their content; its issues are 422s with code `invalid_filter`. */
export const PayloadFilterSchema = z
  .record(z.string(), z.unknown())
  .superRefine((filter, ctx) => {
    for (const issue of payloadFilterIssues(filter)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, params: { code: 'invalid_filter' } });
    }
  })
  .openapi('PayloadFilter', {
    description:
      'Only events whose `{type, data}` this document matches are delivered (docs/delivery.md, "Payload filters"). ' +
      'Keys are dotted paths (`data.customer.id`) or operators: `$eq $neq $gt $gte $lt $lte $in $nin $exist ' +
      '$startsWith $endsWith $and $or $not`; keys side by side must all hold; a path reaching an array matches ' +
      `when any element does. Bounds: ${limits.maxBytes} bytes of JSON, ${limits.maxKeys} keys, ` +
      `${limits.maxDepth} levels, ${limits.maxListLength} values per \`$in\`, ${limits.maxStringLength} characters ` +
      'per string.',
    example: { data: { amount: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'platinum'] } } },
  });

/** The filter or null, the filter kept as a reference to its one component (nullable() would rename it). */
const nullableFilter = (description: string) => z.union([PayloadFilterSchema, z.null()]).openapi({ description });

export const EndpointSchema = z
  .object({
    id: EndpointIdSchema,
    url: z.string(),
    name: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    status: EndpointStatusSchema,
    profile: ProfileSchema,
    headers: z.record(z.string(), z.string()).openapi({
      description:
        'Custom header names with masked values, never the clear value: an auth scheme word is kept, then •••• ' +
        'and the last 4 characters (•••• alone for 8 characters or fewer), e.g. `Bearer ••••3f9a`.',
      example: { Authorization: 'Bearer ••••3f9a', 'X-Team': '••••' },
    }),
    rateLimit: z.number().int().nullable(),
    metadata: MetadataSchema,
    filter: nullableFilter('The payload filter; null delivers every event.'),
    retrySchedule: RetryScheduleSchema.nullable().openapi({
      description: "The endpoint's retry schedule; null: its profile's.",
    }),
    timeoutMs: TimeoutMsSchema.nullable().openapi({
      description: "The endpoint's attempt timeout; null: its profile's.",
    }),
    ordering: EndpointOrderingSchema,
    disabledReason: z.string().nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .openapi('Endpoint');

export const EndpointWithSecretSchema = EndpointSchema.extend({
  secret: z.string().openapi({ description: 'The signing secret. Shown only in this response.' }),
}).openapi('EndpointWithSecret');

export const CreateEndpointSchema = z
  .strictObject({
    url: EndpointUrlSchema,
    name: z.string().trim().max(200).optional(),
    description: z.string().max(1000).optional(),
    eventTypes: z.array(EventTypeFilterSchema).min(1).max(100),
    status: z.enum(['active', 'paused']).optional(),
    profile: ProfileSchema.optional(),
    headers: CustomHeadersSchema.optional(),
    rateLimit: RateLimitSchema.nullable().optional(),
    metadata: MetadataSchema.optional(),
    filter: nullableFilter('The payload filter; null or absent delivers every event.').optional(),
    retrySchedule: RetryScheduleSchema.nullable().optional(),
    timeoutMs: TimeoutMsSchema.nullable().optional(),
    ordering: EndpointOrderingSchema.optional().openapi({ description: 'unordered when absent.' }),
    secret: EndpointSecretSchema.optional().openapi({
      description: 'Bring your own secret (for a migration); generated when absent.',
    }),
  })
  .openapi('CreateEndpoint');

export const UpdateEndpointSchema = z
  .strictObject({
    url: EndpointUrlSchema.optional(),
    name: z.string().trim().max(200).optional(),
    description: z.string().max(1000).optional(),
    eventTypes: z.array(EventTypeFilterSchema).min(1).max(100).optional(),
    status: EndpointStatusSchema.optional(),
    headers: CustomHeadersSchema.optional(),
    rateLimit: RateLimitSchema.nullable().optional(),
    metadata: MetadataSchema.optional(),
    filter: nullableFilter('Replaces the payload filter; null removes it.').optional(),
    retrySchedule: RetryScheduleSchema.nullable()
      .optional()
      .openapi({ description: "Replaces the endpoint's retry schedule; null goes back to its profile's." }),
    timeoutMs: TimeoutMsSchema.nullable()
      .optional()
      .openapi({ description: "Replaces the endpoint's attempt timeout; null goes back to its profile's." }),
    ordering: EndpointOrderingSchema.optional().openapi({
      description:
        'Changes the ordering. To unordered: every waiting delivery is queued at once. To fifo: deliveries ' +
        'published from then on wait their turn; those already queued finish unordered.',
    }),
  })
  .openapi('UpdateEndpoint');

export const TestFilterSchema = z
  .strictObject({
    filter: PayloadFilterSchema,
    event: z.strictObject({
      type: z.string().min(1).max(130).openapi({ example: 'invoice.paid' }),
      data: z.record(z.string(), z.unknown()).openapi({ example: { amount: 250, customer: { tier: 'gold' } } }),
    }),
  })
  .openapi('TestFilter');

export const SendExampleSchema = z
  .strictObject({
    eventType: EventTypeNameSchema,
    example: z
      .number()
      .int()
      .min(0)
      .max(eventTypeExampleLimits.maxExamples - 1)
      .default(0)
      .openapi({ description: "Which of the type's examples to send, from 0 (the default).", example: 0 }),
  })
  .openapi('SendExample');

export const FilterResultSchema = z.object({ matches: z.boolean() }).openapi('FilterResult');

export const RotateSecretSchema = z
  .strictObject({
    secret: EndpointSecretSchema.optional(),
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .optional()
      .openapi({ description: 'How long the old secret keeps signing too. Default 86400 (24 h).' }),
  })
  .openapi('RotateSecret');

export const RotatedSecretSchema = z
  .object({
    secret: z.string(),
    previousSecretExpiresAt: TimestampSchema.nullable(),
  })
  .openapi('RotatedSecret');
