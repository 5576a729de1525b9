import { CoreError, type Principal } from '@hookport/spec';
import type { Context, MiddlewareHandler } from 'hono';
import type { CompatEnv } from './surface.ts';

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

/**
 * A request body must be JSON: zod-openapi lets a request with no body and no
 * Content-Type validate as `{}`, which would turn an empty update into a
 * silent no-op. Put it in front of every route that takes a body.
 */
export const requireJsonBody: MiddlewareHandler<CompatEnv> = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
  if (!jsonMediaType.test(mediaType)) {
    throw new CoreError('unsupported_media_type', 'Send the body as application/json.');
  }
  await next();
};

/** The tenant of the calling token; the admin token manages tenants only and has none. */
export function tenantOf(principal: Principal): string {
  if (principal.kind !== 'tenant') {
    throw new CoreError('forbidden', 'The admin token manages tenants and tokens only; use a tenant token.');
  }
  return principal.tenantId;
}

/** The principal the surface's auth middleware left on the context. */
export function principalIn(c: Context<CompatEnv>): Principal {
  return c.get('principal');
}

/** Timestamps without milliseconds (`2025-06-01T10:00:00Z`), as Spedy and TSANet show them. */
export function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
