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

/** What each scope implies beyond itself: writing a resource includes reading it. */
const impliedBy: Partial<Record<Scope, Scope>> = {
  'endpoints:read': 'endpoints:write',
  'deliveries:read': 'deliveries:write',
};

/** Whether a token with `held` may do what `needed` allows (every surface checks access this way). */
export function grants(held: readonly Scope[], needed: Scope): boolean {
  const alsoBy = impliedBy[needed];
  return held.includes('*') || held.includes(needed) || (alsoBy !== undefined && held.includes(alsoBy));
}
