import { checkAccess, type SurfaceMiddleware, tenantScopes } from '@hookport/compat';
import { CoreError, type Scope } from '@hookport/spec';

/** The WWW-Authenticate challenge of a native 401. */
export const challenge = { 'WWW-Authenticate': 'Bearer realm="hookport"' };

export type Access = 'admin' | Scope;

/**
 * Route middleware for one access need: the admin token for tenants and
 * tokens, a tenant token with the scope for everything else. It runs before
 * body validation, so a caller without access learns nothing about the shape
 * of the input.
 */
export function access(need: Access): SurfaceMiddleware {
  if (need !== 'admin') {
    return checkAccess(tenantScopes(need, () => new CoreError('forbidden', `The token lacks the scope ${need}.`)));
  }
  return checkAccess((principal) => {
    if (principal.kind !== 'admin')
      throw new CoreError('forbidden', 'Only the admin token manages tenants and tokens.');
  });
}
