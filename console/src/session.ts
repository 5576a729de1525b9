/**
 * The signed-in token lives in sessionStorage only: it is gone when the tab closes, never written to
 * localStorage, a cookie or a URL (where history, logs and Referer headers would keep it), and never logged.
 */
export type SessionKind = 'tenant' | 'admin' | 'portal';

/**
 * The tenant the admin picked (docs/console.md, "Admin: pick a tenant"): the native API refuses the admin
 * token on tenant routes, so the console opens a portal session for the tenant and acts with its token.
 */
export interface ActingTenant {
  id: string;
  name: string;
  /** The portal session's id, revoked when the admin switches tenants or signs out. */
  sessionId: string;
  token: string;
}

export interface Session {
  token: string;
  kind: SessionKind;
  /** Only for the admin token: the tenant it currently acts for. */
  tenant?: ActingTenant;
}

const key = 'hookport.console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { token, kind, tenant } = parsed as Record<string, unknown>;
    if (typeof token !== 'string' || (kind !== 'tenant' && kind !== 'admin' && kind !== 'portal')) return null;
    const acting = kind === 'admin' ? actingTenantOf(tenant) : undefined;
    return acting ? { token, kind, tenant: acting } : { token, kind };
  } catch {
    // Storage disabled or a corrupt value: signed out.
    return null;
  }
}

function actingTenantOf(value: unknown): ActingTenant | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, name, sessionId, token } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof name !== 'string') return undefined;
  if (typeof sessionId !== 'string' || typeof token !== 'string') return undefined;
  return { id, name, sessionId, token };
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(key, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(key);
}

const portalLink = /^#portal=(hpp_[A-Za-z0-9_-]{20,200})$/;

/**
 * A portal session's link (`/console#portal=hpp_…`, docs/console.md, "Portal") carries its token in the
 * fragment, which browsers never send to a server. Read it once at load: keep it in sessionStorage like a
 * signed-in token and take it out of the address bar (and so out of history and bookmarks) at once.
 * The session's kind is 'portal' (the token's `hpp_` prefix says so), so the console shows only what a
 * portal may do (app.tsx); the server limits it regardless.
 */
export function adoptPortalLink(): void {
  const token = portalLink.exec(window.location.hash)?.[1];
  if (!token) return;
  saveSession({ token, kind: 'portal' });
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
}

/** A portal token is told by its prefix; the console needs no API call for it. */
export function isPortalToken(token: string): boolean {
  return token.startsWith('hpp_');
}
