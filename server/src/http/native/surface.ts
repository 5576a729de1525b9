import { authenticate, bearer, createSurfaceRouter, type Surface, whereOwned } from '@hookport/compat';
import { buildNativeDocument } from '@hookport/spec';
import type { Database } from '../../db/database.ts';
import { problemResponse } from '../problem.ts';
import { challenge } from './access.ts';
import { endpointsRouter } from './endpoints.ts';
import { eventTypesRouter } from './event-types.ts';
import { eventsRouter } from './events.ts';
import { portalSessionsRouter } from './portal-sessions.ts';
import { serviceRouter } from './service.ts';
import { statsRouter } from './stats.ts';
import { tenantsRouter } from './tenants.ts';

export interface NativeSurfaceOptions {
  db: Database;
  maxEventBytes: number;
  /** HOOKPORT_PUBLIC_URL: the base of a portal session's console link (else the request's origin). */
  publicUrl?: string | undefined;
}

/**
 * The native API, the first surface: RFC 9457 problems, TypeIDs, scopes. It
 * owns `/`, so every path no vendor claims (the service routes, /docs,
 * unknown paths) answers in its shape. Everything under /v1 it owns is
 * authenticated at once, before routing, so an unknown /v1 path asks for a
 * token like a known one; each route then checks its own access.
 */
export function nativeSurface({ db, maxEventBytes, publicUrl }: NativeSurfaceOptions): Surface {
  return {
    title: 'Hookport API',
    basePaths: ['/'],
    documentPath: '/openapi.json',
    document: buildNativeDocument,
    errorResponse: problemResponse,
    routes(mount) {
      const router = createSurfaceRouter();
      router.use('/v1/*', whereOwned(mount, authenticate(mount, bearer(challenge))));
      const { port } = mount;
      return router
        .route('/', serviceRouter(db))
        .route('/', tenantsRouter(port))
        .route('/', portalSessionsRouter(port, publicUrl))
        .route('/', eventTypesRouter(port))
        .route('/', endpointsRouter(port))
        .route('/', statsRouter(port))
        .route('/', eventsRouter(port, maxEventBytes));
    },
  };
}
