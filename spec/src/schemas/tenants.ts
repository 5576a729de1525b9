import { z } from '@hono/zod-openapi';
import { MetadataSchema, TimestampSchema, typeIdSchema, VendorSchema } from './common.ts';
import { ScopeSchema } from './scopes.ts';

export const TenantIdSchema = typeIdSchema('tenant');
export const TokenIdSchema = typeIdSchema('token');

/** The kinds of quota a tenant has (docs/api.md, "Quotas"). */
export const quotaKinds = ['endpoints', 'eventTypes', 'tokens', 'eventsPerDay'] as const;
export type QuotaKind = (typeof quotaKinds)[number];

export const QuotaLimitSchema = z
  .union([z.number().int().min(1).max(1_000_000_000), z.literal('unlimited')])
  .openapi({ example: 100 });

export type QuotaLimit = z.infer<typeof QuotaLimitSchema>;

/** Every quota's limit. */
export type TenantLimits = Record<QuotaKind, QuotaLimit>;
/** The admin's overrides of the server defaults: a kind absent follows the default. */
export type TenantQuotas = Partial<TenantLimits>;

const quotaDescriptions: Record<QuotaKind, string> = {
  endpoints: 'Endpoints the tenant may have (default HOOKPORT_MAX_ENDPOINTS_PER_TENANT).',
  eventTypes: 'Event types in its catalogue, presets included (default HOOKPORT_MAX_EVENT_TYPES_PER_TENANT).',
  tokens: 'API tokens neither revoked nor expired (default HOOKPORT_MAX_TOKENS_PER_TENANT).',
  eventsPerDay: 'Events it may publish per UTC day (default HOOKPORT_MAX_EVENTS_PER_DAY).',
};

export const TenantQuotasSchema = z
  .strictObject({
    endpoints: QuotaLimitSchema.optional().openapi({ description: quotaDescriptions.endpoints }),
    eventTypes: QuotaLimitSchema.optional().openapi({ description: quotaDescriptions.eventTypes }),
    tokens: QuotaLimitSchema.optional().openapi({ description: quotaDescriptions.tokens }),
    eventsPerDay: QuotaLimitSchema.optional().openapi({ description: quotaDescriptions.eventsPerDay }),
  })
  .openapi('TenantQuotas', {
    description: "The tenant's own limits, overriding the server's defaults; a kind absent follows the default.",
  });

const resetToDefault = 'null: back to the server default.';

export const UpdateTenantQuotasSchema = z
  .strictObject({
    endpoints: QuotaLimitSchema.nullable()
      .optional()
      .openapi({ description: `${quotaDescriptions.endpoints} ${resetToDefault}` }),
    eventTypes: QuotaLimitSchema.nullable()
      .optional()
      .openapi({ description: `${quotaDescriptions.eventTypes} ${resetToDefault}` }),
    tokens: QuotaLimitSchema.nullable()
      .optional()
      .openapi({ description: `${quotaDescriptions.tokens} ${resetToDefault}` }),
    eventsPerDay: QuotaLimitSchema.nullable()
      .optional()
      .openapi({ description: `${quotaDescriptions.eventsPerDay} ${resetToDefault}` }),
  })
  .openapi('UpdateTenantQuotas', {
    description: 'Changes to the overrides: a kind absent is left as it is, null removes its override.',
  });

export const TenantLimitsSchema = z
  .object({
    endpoints: QuotaLimitSchema.openapi({ description: quotaDescriptions.endpoints }),
    eventTypes: QuotaLimitSchema.openapi({ description: quotaDescriptions.eventTypes }),
    tokens: QuotaLimitSchema.openapi({ description: quotaDescriptions.tokens }),
    eventsPerDay: QuotaLimitSchema.openapi({ description: quotaDescriptions.eventsPerDay }),
  })
  .openapi('TenantLimits', { description: "The limits in force: the tenant's overrides, else the server's defaults." });

/** Days an event is kept once its deliveries have all finished (docs/retention.md). */
export const RetentionDaysSchema = z.number().int().min(1).max(3650).openapi({
  description:
    "Days the tenant's events are kept once all their deliveries have finished, overriding HOOKPORT_RETENTION_DAYS.",
  example: 30,
});

export const TenantSchema = z
  .object({
    id: TenantIdSchema,
    name: z.string(),
    metadata: MetadataSchema,
    quotas: TenantQuotasSchema,
    limits: TenantLimitsSchema,
    retentionDays: RetentionDaysSchema.nullable().openapi({
      description: "The admin's retention override in days; null: the server's default (HOOKPORT_RETENTION_DAYS).",
    }),
    effectiveRetentionDays: z.number().int().openapi({
      description: 'The retention in force: retentionDays, else the server default.',
    }),
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
    quotas: TenantQuotasSchema.optional(),
    retentionDays: RetentionDaysSchema.optional(),
  })
  .openapi('CreateTenant');

export const UpdateTenantSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    metadata: MetadataSchema.optional(),
    quotas: UpdateTenantQuotasSchema.optional(),
    retentionDays: RetentionDaysSchema.nullable()
      .optional()
      .openapi({ description: `Days events are kept once their deliveries finished. ${resetToDefault}` }),
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
