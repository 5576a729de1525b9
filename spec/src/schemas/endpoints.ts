import { z } from '@hono/zod-openapi';
import { MetadataSchema, ProfileSchema, TimestampSchema, typeIdSchema } from './common.ts';

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

/** Accepted secrets: `whsec_` and the base64 of 24 to 64 bytes. */
export const EndpointSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be whsec_ followed by the base64 of 24 to 64 bytes')
  .openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });

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
  })
  .openapi('UpdateEndpoint');

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
