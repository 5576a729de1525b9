import { type Hookport, HookportError } from '@hookport/sdk';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/**
 * What the signed-in session may do, so the console shows no page or button the server would refuse.
 * The server enforces all of it anyway (docs/api.md, "Portal sessions"); this only spares the user 403s.
 */
export interface Access {
  /** A portal session (a link, or the admin acting for a tenant): no tenants or tokens. */
  portal: boolean;
  /**
   * Whether tenant-wide reads (an event's payload, GET /v1/stats) are allowed: not for a portal limited to
   * some endpoints (`endpointMetadata`), which the API refuses them.
   */
  tenantWide: boolean;
  /** Create, edit, delete, pause, ping, rotate, recover, redeliver, skip, bulk replay. */
  canWrite: boolean;
}

export const fullAccess: Access = { portal: false, tenantWide: true, canWrite: true };

export const AccessContext = createContext<Access>(fullAccess);

export function useAccess(): Access {
  return useContext(AccessContext);
}

export type PortalProbe = { state: 'ok'; access: Access } | { state: 'expired' };

/**
 * What the portal token may do (write or not, its endpoints or the whole tenant), asked of the API (`GET /v1/portal-sessions/current`, which answers a
 * portal token only). A 401 means the link expired or was revoked.
 */
export async function probePortal(client: Hookport): Promise<PortalProbe> {
  try {
    const session = await client.portalSessions.current();
    return {
      state: 'ok',
      access: { portal: true, canWrite: !session.readOnly, tenantWide: session.endpointMetadata === null },
    };
  } catch (err) {
    if (err instanceof HookportError && err.status === 401) return { state: 'expired' };
    throw err;
  }
}
