import {
  CoreError,
  type CorePort,
  grants,
  type Principal,
  principalFromAuthorization,
  type Scope,
} from '@hookport/spec';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';

const challenge = { 'WWW-Authenticate': 'Bearer realm="hookport"' };

/** Reads `Authorization: Bearer <token>`; throws 401 when it is missing or not a token we know. */
export function principalOf(core: CorePort, header: string | undefined): Promise<Principal> {
  return principalFromAuthorization(core, header, challenge);
}

/** Authenticates every request below it and leaves the principal on the context. */
export function authenticate(core: CorePort): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('principal', await principalOf(core, c.req.header('authorization')));
    await next();
  };
}

export type Access = 'admin' | Scope;

/**
 * Route middleware for one access need. It runs before body validation, so a
 * caller without access learns nothing about the shape of the input.
 */
export function requireAccess(access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (access === 'admin') {
      if (p.kind !== 'admin') throw new CoreError('forbidden', 'Only the admin token manages tenants and tokens.');
    } else if (p.kind !== 'tenant') {
      throw new CoreError('forbidden', 'The admin token manages tenants and tokens only; use a tenant token.');
    } else if (!grants(p.scopes, access)) {
      throw new CoreError('forbidden', `The token lacks the scope ${access}.`);
    }
    await next();
  };
}

/** The tenant of the calling token (routes guarded by a scope have one). */
export function tenantIdOf(c: Context<AppEnv>): string {
  const p = c.get('principal');
  if (p.kind !== 'tenant') throw new CoreError('forbidden', 'A tenant token is required.');
  return p.tenantId;
}
