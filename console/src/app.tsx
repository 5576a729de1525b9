import type { Hookport } from '@hookport/sdk';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { actAs, stopActing } from './acting.ts';
import { ClientContext, createClient, describeError } from './api.ts';
import { applyBranding, type Branding, BrandingContext, loadBranding, noBranding, useBranding } from './branding.ts';
import { DeliveriesPage } from './pages/deliveries.tsx';
import { DeliveryPage } from './pages/delivery.tsx';
import { EndpointPage } from './pages/endpoint.tsx';
import { EndpointFormPage } from './pages/endpoint-form.tsx';
import { EndpointsPage } from './pages/endpoints.tsx';
import { EventTypesPage } from './pages/event-types.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { TenantsPage } from './pages/tenants.tsx';
import { type Access, AccessContext, fullAccess, probePortal } from './portal.ts';
import { type Route, useRoute } from './router.ts';
import { clearSession, loadSession, type Session, saveSession } from './session.ts';

const expiredMessage = 'This portal link has expired or was revoked. Ask for a new link, or sign in with a token.';

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [branding, setBranding] = useState<Branding>(noBranding);
  const [signedOutReason, setSignedOutReason] = useState<string | null>(null);
  const [adminNotice, setAdminNotice] = useState<string | null>(null);
  // The admin acting for a tenant calls the tenant's routes with the tenant's portal token (acting.ts).
  const client = useMemo(() => (session ? createClient(session.tenant?.token ?? session.token) : null), [session]);
  const admin = useMemo(() => (session?.kind === 'admin' ? createClient(session.token) : null), [session]);

  useEffect(() => {
    void loadBranding().then((b) => {
      applyBranding(b);
      setBranding(b);
    });
  }, []);

  const update = (s: Session) => {
    saveSession(s);
    setSession(s);
  };

  const signOut = (reason: string | null) => {
    if (admin) stopActing(admin, session?.tenant);
    clearSession();
    setSession(null);
    setSignedOutReason(reason);
    window.location.hash = '';
  };

  /**
   * The admin picks a tenant (or another one): a new portal session for it, the previous one revoked, and
   * its endpoints shown. A renewal (`stay`) keeps the page the admin was on.
   */
  const pickTenant = async (tenant: { id: string; name: string }, stay = false) => {
    if (!session || !admin) return;
    const acting = await actAs(admin, tenant);
    stopActing(admin, session.tenant);
    setAdminNotice(null);
    update({ token: session.token, kind: 'admin', tenant: acting });
    if (!stay) window.location.hash = '#/endpoints';
  };

  /** The portal session expired: a link's user signs in again; the admin gets a fresh session for the tenant. */
  const onExpired = () => {
    const tenant = session?.tenant;
    if (!session || !tenant) return signOut(expiredMessage);
    pickTenant(tenant, true).catch((err: unknown) => {
      update({ token: session.token, kind: 'admin' });
      setAdminNotice(`Could not open ${tenant.name} again: ${describeError(err)}`);
      window.location.hash = '#/tenants';
    });
  };

  return (
    <BrandingContext.Provider value={branding}>
      {!session || !client ? (
        <SignIn
          title={branding.name ?? 'Hookport console'}
          message={signedOutReason}
          onSignedIn={(s) => {
            setSignedOutReason(null);
            update(s);
          }}
        />
      ) : (
        <ClientContext.Provider value={client}>
          <SessionAccess session={session} client={client} onExpired={onExpired}>
            {(access) => (
              <Shell
                session={session}
                access={access}
                tenants={admin ? { client: admin, pick: pickTenant, notice: adminNotice } : null}
                onSignOut={() => signOut(null)}
              />
            )}
          </SessionAccess>
        </ClientContext.Provider>
      )}
    </BrandingContext.Provider>
  );
}

/**
 * A portal's access is asked once (probePortal, GET /v1/portal-sessions/current), and so is that of the
 * admin acting for a tenant through one; other tokens need no question.
 */
function SessionAccess({
  session,
  client,
  onExpired,
  children,
}: {
  session: Session;
  client: Hookport;
  onExpired: () => void;
  children: (access: Access) => ComponentChildren;
}) {
  const viaPortal = session.kind === 'portal' || session.tenant !== undefined;
  const [access, setAccess] = useState<Access | null>(viaPortal ? null : fullAccess);
  useEffect(() => {
    if (!viaPortal) {
      setAccess(fullAccess);
      return;
    }
    setAccess(null);
    let live = true;
    probePortal(client).then(
      (probe) => {
        if (!live) return;
        if (probe.state === 'expired') onExpired();
        else setAccess(probe.access);
      },
      // The server did not answer: assume the narrowest view; the pages will show their own errors.
      () => live && setAccess({ portal: true, tenantWide: false, canWrite: false }),
    );
    return () => {
      live = false;
    };
  }, [session]);
  if (!access) return <p class="loading">Loading…</p>;
  return <AccessContext.Provider value={access}>{children(access)}</AccessContext.Provider>;
}

const tenantNav = [
  { href: '#/endpoints', label: 'Endpoints', pages: ['endpoints', 'endpoint', 'endpoint-new', 'endpoint-edit'] },
  { href: '#/deliveries', label: 'Deliveries', pages: ['deliveries', 'delivery'] },
  { href: '#/event-types', label: 'Event types', pages: ['event-types'] },
];
const adminNav = [{ href: '#/tenants', label: 'Tenants', pages: ['tenants'] }];

/** What the admin's shell needs for the tenants page: the admin token's client and the pick action. */
interface TenantPicking {
  client: Hookport;
  pick: (tenant: { id: string; name: string }) => Promise<void>;
  notice: string | null;
}

function navFor(session: Session) {
  if (session.kind !== 'admin') return tenantNav;
  return session.tenant ? [...adminNav, ...tenantNav] : adminNav;
}

function Shell({
  session,
  access,
  tenants,
  onSignOut,
}: {
  session: Session;
  access: Access;
  tenants: TenantPicking | null;
  onSignOut: () => void;
}) {
  const route = useRoute();
  const branding = useBranding();
  const main = useRef<HTMLElement>(null);
  const nav = navFor(session);
  const routeKey = JSON.stringify(route, (_, v: unknown) => (v instanceof URLSearchParams ? v.toString() : v));

  // On every page change, focus moves to the new page's heading, so a screen reader announces it and
  // the keyboard continues from the top of the content rather than from the link that was pressed.
  useEffect(() => {
    const heading = main.current?.querySelector<HTMLElement>('h1');
    heading?.focus();
  }, [route.page, routeKey]);

  return (
    <>
      {/* A button, not a link to #main: the fragment holds the route. */}
      <button type="button" class="skip" onClick={() => main.current?.querySelector('h1')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">
          {branding.logoUrl && <img class="logo" src={branding.logoUrl} alt={`${branding.name ?? 'Hookport'} logo`} />}
          <span data-testid="brand-name">{branding.name ?? 'Hookport'}</span>
        </span>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">{who(session, access)}</span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main}>
        {tenants && (route.page === 'tenants' || !session.tenant) ? (
          <TenantsPage
            client={tenants.client}
            current={session.tenant?.id ?? null}
            onPick={tenants.pick}
            notice={tenants.notice}
          />
        ) : (
          <TenantPage route={route} access={access} />
        )}
      </main>
    </>
  );
}

function who(session: Session, access: Access): string {
  if (session.kind === 'admin') return session.tenant ? `Admin, as ${session.tenant.name}` : 'Admin';
  if (access.portal) return access.canWrite ? 'Portal' : 'Portal (read-only)';
  return 'Tenant token';
}

/** A tenant's or a portal's pages; a read-only session has no forms to change endpoints. */
function TenantPage({ route, access }: { route: Route; access: Access }) {
  switch (route.page) {
    case 'endpoints':
      return <EndpointsPage />;
    case 'endpoint-new':
      return access.canWrite ? <EndpointFormPage /> : <NotFound />;
    case 'endpoint-edit':
      return access.canWrite ? <EndpointFormPage id={route.id} /> : <NotFound />;
    case 'endpoint':
      return <EndpointPage id={route.id} />;
    case 'deliveries':
      return <DeliveriesPage query={route.query} />;
    case 'delivery':
      return <DeliveryPage id={route.id} />;
    case 'event-types':
      return <EventTypesPage />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <a href="#/endpoints">Go to the endpoints</a>
      </p>
    </>
  );
}
