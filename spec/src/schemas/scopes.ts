import { z } from '@hono/zod-openapi';

export const scopes = [
  'endpoints:read',
  'endpoints:write',
  'events:publish',
  'deliveries:read',
  'deliveries:write',
  '*',
] as const;
export type Scope = (typeof scopes)[number];
export const ScopeSchema = z.enum(scopes).openapi('Scope');
