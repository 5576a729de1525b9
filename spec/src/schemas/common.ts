import { z } from '@hono/zod-openapi';
import { type IdKind, typeIds } from '../ids.ts';

/** A TypeID: prefix, underscore, 26 characters of Crockford base32 (first one 0-7). */
export function typeIdSchema(kind: IdKind) {
  const { prefix, pattern } = typeIds[kind];
  return z
    .string()
    .regex(new RegExp(pattern), `must be a ${kind} id (${prefix}_…)`)
    .openapi({ example: `${prefix}_01jbz8c1x9f8r5m6w0q2v3t4yz` });
}

export const TimestampSchema = z.iso.datetime({ offset: true }).openapi({ example: '2026-01-15T10:30:00.000Z' });

export const MetadataSchema = z
  .record(z.string().min(1).max(64), z.string().max(1024))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata keys')
  .openapi('Metadata', { description: 'Free-form string pairs, at most 50 keys.', example: { team: 'billing' } });

export const CursorQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 20 }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'The nextCursor of the previous page.' }),
});

/** A page of a cursor-paginated list. */
export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
    })
    .openapi(name);
}

/** Vendor surfaces whose event catalogues and delivery profiles Hookport knows. */
export const vendors = ['spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'] as const;
export type Vendor = (typeof vendors)[number];
export const VendorSchema = z.enum(vendors).openapi('Vendor');

export const profiles = ['native', ...vendors] as const;
export type ProfileName = (typeof profiles)[number];
export const ProfileSchema = z.enum(profiles).openapi('Profile', {
  description: 'How deliveries to the endpoint are shaped and signed.',
});
