import { z } from '@hono/zod-openapi';
import { MetadataSchema, TimestampSchema, typeIdSchema } from './common.ts';
import { TenantIdSchema } from './tenants.ts';

export const PortalSessionIdSchema = typeIdSchema('portalSession');

/** A portal session lives an hour unless asked otherwise, and a day at most (docs/api.md, "Portal sessions"). */
export const portalSessionDefaultTtlSeconds = 3600;
export const portalSessionMaxTtlSeconds = 86_400;

export const CreatePortalSessionSchema = z
  .strictObject({
    tenantId: TenantIdSchema.optional().openapi({
      description: 'The tenant the portal shows. Required with the admin token; a tenant token may only name its own.',
    }),
    endpointMetadata: MetadataSchema.optional().openapi({
      description: 'Limits the portal to endpoints whose metadata contains these pairs; endpoints it creates get them.',
    }),
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(portalSessionMaxTtlSeconds)
      .optional()
      .openapi({ description: 'Lifetime in seconds: 3600 if absent, at most 86400.', example: 3600 }),
    readOnly: z
      .boolean()
      .optional()
      .openapi({ description: 'A portal that can look but not change endpoints or redeliver.' }),
  })
  .openapi('CreatePortalSession');

export const PortalSessionSchema = z
  .object({
    id: PortalSessionIdSchema,
    url: z.string().openapi({
      description: 'The console with the token in the URL fragment, which browsers never send to a server.',
      example: 'https://hooks.example.com/console#portal=hpp_…',
    }),
    token: z.string().openapi({ description: 'The portal token. Shown only in this response.', example: 'hpp_…' }),
    expiresAt: TimestampSchema,
  })
  .openapi('PortalSession');

/**
 * What a portal token learns about its own session (GET /v1/portal-sessions/current): enough for the
 * console to show only what the session may do, and nothing it could not already read or was not given.
 */
export const CurrentPortalSessionSchema = z
  .object({
    id: PortalSessionIdSchema,
    tenantId: TenantIdSchema,
    readOnly: z.boolean().openapi({ description: 'The session can look but not change endpoints or redeliver.' }),
    // A union, not nullable(): the Metadata component stays a plain reference (as for an endpoint's filter).
    endpointMetadata: z.union([MetadataSchema, z.null()]).openapi({
      description: 'The pairs an endpoint must carry for the session to see it; null: every endpoint of the tenant.',
    }),
    createdAt: TimestampSchema,
    expiresAt: TimestampSchema,
  })
  .openapi('CurrentPortalSession');
