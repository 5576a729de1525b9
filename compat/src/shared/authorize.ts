import type { RouteConfig } from '@hono/zod-openapi';
import {
  CoreError,
  type CorePort,
  grants,
  type Principal,
  principalFromAuthorization,
  type Scope,
} from '@hookport/spec';
import type { Context } from 'hono';
import { guard } from './guard.ts';
import type { Mount, SurfaceEnv, SurfaceMiddleware } from './surface.ts';

/**
 * The authorize step of every surface, in the order a caller meets it:
 * credentials (401, with the surface's challenge), then the middleware the
 * server runs once the token is known (the per-token rate limit: 429), then
 * the surface's own access check (403, or whatever the vendor answers).
 */

/** Reads the caller's token from a request and resolves it through the port; throws the 401. */
export type Credentials = (c: Context<SurfaceEnv>, port: CorePort) => Promise<Principal>;

/** What a surface refuses an authenticated caller for; throws the refusal. */
export type AccessCheck = (principal: Principal, c: Context<SurfaceEnv>) => void | Promise<void>;

/** `Authorization: Bearer <token>`, with the surface's `WWW-Authenticate` challenge on a 401. */
export function bearer(challenge: Record<string, string> = {}): Credentials {
  return (c, port) => principalFromAuthorization(port, c.req.header('authorization'), challenge);
}

/** Credentials, then the server's after-authentication middleware; leaves the principal on the context. */
export function authenticate(mount: Mount, credentials: Credentials): SurfaceMiddleware[] {
  const identify: SurfaceMiddleware = async (c, next) => {
    c.set('principal', await credentials(c, mount.port));
    await next();
  };
  return [identify, ...mount.afterAuthentication];
}

/** The access check alone, for a surface that authenticates all its paths at once (the native API). */
export function checkAccess(check: AccessCheck): SurfaceMiddleware {
  return async (c, next) => {
    await check(c.get('principal'), c);
    await next();
  };
}

/** The whole step: authenticate, then check access. */
export function authorize(mount: Mount, credentials: Credentials, check: AccessCheck): SurfaceMiddleware[] {
  return [...authenticate(mount, credentials), checkAccess(check)];
}

/** Runs `middleware` only for paths the mounted surface owns (TSANet's `/v1/webhooks` is not the native API's). */
export function whereOwned(mount: Mount, middleware: readonly SurfaceMiddleware[]): SurfaceMiddleware {
  return (c, next) => {
    if (!mount.owns(c.req.path)) return next();
    const run = async (i: number): Promise<void> => {
      const step = middleware[i];
      if (step === undefined) {
        await next();
        return;
      }
      await step(c, () => run(i + 1));
    };
    return run(0);
  };
}

export const adminRefusal = 'The admin token manages tenants and tokens only; use a tenant token.';

/** The tenant of a principal; the admin token manages tenants only and has none (403). */
export function tenantOf(principal: Principal, refusal = adminRefusal): string {
  if (principal.kind !== 'tenant') throw new CoreError('forbidden', refusal);
  return principal.tenantId;
}

/** The tenant of the calling token, as the authorize step left it. */
export function tenantIn(c: Context<SurfaceEnv>): string {
  return tenantOf(c.get('principal'));
}

/**
 * The common access check: a tenant token (403 for the admin token) holding
 * every scope of `needed`; `lacking` words the refusal of the missing ones.
 */
export function tenantScopes(needed: Scope | readonly Scope[], lacking: (missing: Scope[]) => CoreError): AccessCheck {
  const scopes: readonly Scope[] = typeof needed === 'string' ? [needed] : needed;
  return (principal) => {
    tenantOf(principal);
    const held = principal.kind === 'tenant' ? principal.scopes : [];
    const missing = scopes.filter((scope) => !grants(held, scope));
    if (missing.length > 0) throw lacking(missing);
  };
}

/**
 * The guard of a surface whose every route needs one Hookport scope:
 * `guarded(route, 'endpoints:read')` puts the whole authorize step in front
 * of the route; `lacking` words the 403 of a token without the scope.
 */
export function scopeGuard(mount: Mount, credentials: Credentials, lacking: (scope: Scope) => CoreError) {
  return <R extends RouteConfig>(route: R, scope: Scope): R =>
    guard(
      route,
      ...authorize(
        mount,
        credentials,
        tenantScopes(scope, () => lacking(scope)),
      ),
    );
}
