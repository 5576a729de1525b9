import { adminRefusal, checkAccess, type SurfaceEnv, type SurfaceMiddleware, tenantScopes } from '@hookport/compat';
import { CoreError, grants, type Principal, type Scope } from '@hookport/spec';
import type { Context } from 'hono';

/** The WWW-Authenticate challenge of a native 401. */
export const challenge = { 'WWW-Authenticate': 'Bearer realm="hookport"' };

export type Access = 'admin' | Scope;

export interface AccessOptions {
  /**
   * Whether a portal session's token may use the route (with the scope among its fixed ones). Off
   * unless a route opts in, so a route added later is closed to portals until someone decides.
   */
  portal?: boolean;
}

const portalRefusal = 'A portal session cannot use this route.';

/**
 * Route middleware for one access need: the admin token for tenants and
 * tokens, a tenant token with the scope for everything else, and a portal
 * token where the route opts in. It runs before body validation, so a caller
 * without access learns nothing about the shape of the input.
 */
export function access(need: Access, options: AccessOptions = {}): SurfaceMiddleware {
  if (need === 'admin') {
    return checkAccess((principal) => {
      if (principal.kind !== 'admin')
        throw new CoreError('forbidden', 'Only the admin token manages tenants and tokens.');
    });
  }
  const tenantCheck = tenantScopes(need, () => new CoreError('forbidden', `The token lacks the scope ${need}.`));
  return checkAccess((principal, c) => {
    if (principal.kind !== 'portal') return tenantCheck(principal, c);
    if (!options.portal) throw new CoreError('forbidden', portalRefusal);
    if (!grants(principal.scopes, need)) throw new CoreError('forbidden', `This portal session is read-only.`);
  });
}

/** The tenant of the caller: a tenant token's or a portal session's (routes admitting neither have refused). */
export function tenantIn(c: Context<SurfaceEnv>): string {
  const principal: Principal = c.get('principal');
  if (principal.kind === 'admin') throw new CoreError('forbidden', adminRefusal);
  return principal.tenantId;
}
