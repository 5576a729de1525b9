import { checkAccess, createSurfaceRouter, guard, type SurfaceEnv } from '@hookport/compat';
import {
  CoreError,
  type CorePort,
  grants,
  portalSessionDefaultTtlSeconds,
  portalSessions as routes,
  toTypeId,
} from '@hookport/spec';
import type { Context } from 'hono';
import { uuidOf } from './ids.ts';

/**
 * Who may open or revoke portal sessions: the admin token, or a tenant token with endpoints:write
 * (the portal can change the tenant's endpoints). A portal token never opens another portal. Checked
 * before the body is read, like every native access check.
 */
const managesPortals = checkAccess((principal) => {
  if (principal.kind === 'portal') throw new CoreError('forbidden', 'A portal session cannot manage portal sessions.');
  if (principal.kind === 'tenant' && !grants(principal.scopes, 'endpoints:write'))
    throw new CoreError('forbidden', 'The token lacks the scope endpoints:write.');
});

const currentRefusal = "Only a portal session's token has a current portal session.";

/** GET /v1/portal-sessions/current answers a portal token only; the admin and tenant tokens have no session. */
const portalOnly = checkAccess((principal) => {
  if (principal.kind !== 'portal') throw new CoreError('forbidden', currentRefusal);
});

/** The tenant a new session is for: the one the admin names, or the tenant token's own. */
function tenantForPortal(c: Context<SurfaceEnv>, named: string | undefined): string {
  const principal = c.get('principal');
  if (principal.kind === 'admin') {
    if (named === undefined) {
      throw new CoreError('validation_failed', 'The admin token must name the tenant.', [
        { path: 'tenantId', message: 'required with the admin token', code: 'invalid_type' },
      ]);
    }
    return uuidOf('tenant', named);
  }
  if (principal.kind !== 'tenant') throw new CoreError('forbidden', 'A portal session cannot manage portal sessions.');
  if (named !== undefined && uuidOf('tenant', named) !== principal.tenantId)
    throw new CoreError('forbidden', 'A tenant token opens portal sessions for its own tenant only.');
  return principal.tenantId;
}

/** The console's address: HOOKPORT_PUBLIC_URL when set, else the origin this request came in on. */
function consoleUrl(c: Context<SurfaceEnv>, publicUrl: string | undefined, token: string): string {
  const base = (publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
  // In the fragment: browsers never send it, so the token stays out of access logs and Referer headers.
  return `${base}/console#portal=${token}`;
}

export function portalSessionsRouter(core: CorePort, publicUrl: string | undefined) {
  return createSurfaceRouter()
    .openapi(guard(routes.createPortalSession, managesPortals), async (c) => {
      const body = c.req.valid('json');
      const tenantId = tenantForPortal(c, body.tenantId);
      const { record, token } = await core.portalSessions.create(tenantId, {
        ...(body.endpointMetadata === undefined ? {} : { endpointMetadata: body.endpointMetadata }),
        ttlSeconds: body.ttlSeconds ?? portalSessionDefaultTtlSeconds,
        readOnly: body.readOnly ?? false,
      });
      return c.json(
        {
          id: toTypeId('portalSession', record.id),
          url: consoleUrl(c, publicUrl, token),
          token,
          expiresAt: record.expiresAt.toISOString(),
        },
        201,
      );
    })
    .openapi(guard(routes.revokePortalSession, managesPortals), async (c) => {
      const principal = c.get('principal');
      // The admin revokes any session; a tenant token only its own tenant's (another's is a 404).
      const tenantId = principal.kind === 'admin' ? null : principal.tenantId;
      await core.portalSessions.revoke(tenantId, uuidOf('portalSession', c.req.valid('param').id));
      return c.body(null, 204);
    })
    .openapi(guard(routes.getCurrentPortalSession, portalOnly), async (c) => {
      const principal = c.get('principal');
      if (principal.kind !== 'portal') throw new CoreError('forbidden', currentRefusal);
      const record = await core.portalSessions.get(principal.sessionId);
      // Revoked or expired between authentication and this read: the same answer as a moment later.
      if (!record) throw new CoreError('unauthorized', 'The portal session has expired or was revoked.');
      return c.json(
        {
          id: toTypeId('portalSession', record.id),
          tenantId: toTypeId('tenant', record.tenantId),
          readOnly: record.readOnly,
          endpointMetadata: record.endpointMetadata,
          createdAt: record.createdAt.toISOString(),
          expiresAt: record.expiresAt.toISOString(),
        },
        200,
      );
    });
}
