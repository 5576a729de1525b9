import type { Hookport } from '@hookport/sdk';
import type { ActingTenant } from './session.ts';

/**
 * How long the portal session the admin acts through lives. Short, so a token left in a tab's storage is
 * soon worthless; the console opens a new one when it finds this one expired at load (app.tsx).
 */
export const actingTtlSeconds = 3600;

/**
 * The admin acts for a tenant through a portal session of that tenant, unfiltered and writable: the
 * native API refuses the admin token on tenant routes (server/src/http/native/access.ts), and a portal
 * session is the one credential the admin can mint for a tenant without creating a long-lived API token.
 */
export async function actAs(admin: Hookport, tenant: { id: string; name: string }): Promise<ActingTenant> {
  const portal = await admin.portalSessions.create({
    tenantId: tenant.id,
    readOnly: false,
    ttlSeconds: actingTtlSeconds,
  });
  return { id: tenant.id, name: tenant.name, sessionId: portal.id, token: portal.token };
}

/** Best effort: the session expires on its own within the hour if the server cannot be reached now. */
export function stopActing(admin: Hookport, tenant: ActingTenant | undefined): void {
  if (!tenant) return;
  admin.portalSessions.revoke(tenant.sessionId).catch(() => undefined);
}
