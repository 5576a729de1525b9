import { z } from '@hono/zod-openapi';
import { MetadataSchema, TimestampSchema, typeIdSchema, VendorSchema } from './common.ts';
import { ScopeSchema } from './scopes.ts';

export const TenantIdSchema = typeIdSchema('tenant');
export const TokenIdSchema = typeIdSchema('token');

export const TenantSchema = z
  .object({
    id: TenantIdSchema,
    name: z.string(),
    metadata: MetadataSchema,
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .openapi('Tenant');

export const CreateTenantSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    metadata: MetadataSchema.optional(),
    presets: z
      .array(VendorSchema)
      .max(5)
      .optional()
      .openapi({ description: "Vendor event catalogues to load into the tenant's event types." }),
  })
  .openapi('CreateTenant');

export const UpdateTenantSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    metadata: MetadataSchema.optional(),
  })
  .openapi('UpdateTenant');

export const TokenSchema = z
  .object({
    id: TokenIdSchema,
    tenantId: TenantIdSchema,
    name: z.string(),
    scopes: z.array(ScopeSchema),
    createdAt: TimestampSchema,
    expiresAt: TimestampSchema.nullable(),
  })
  .openapi('Token');

export const CreateTokenSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    scopes: z
      .array(ScopeSchema)
      .min(1)
      .max(10)
      .refine((s) => new Set(s).size === s.length, 'scopes must not repeat'),
    expiresAt: TimestampSchema.optional().openapi({ description: 'When the token stops working; never if absent.' }),
  })
  .openapi('CreateToken');

export const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().openapi({ description: 'The bearer token. Shown only in this response.', example: 'hp_…' }),
}).openapi('CreatedToken');
