import { createSurfaceRouter, type Mount, type Surface, surfaceOwning, type VendorSurface } from '@hookport/compat';
import { CoreError, type CorePort } from '@hookport/spec';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import type { PortalBranding } from '../config.ts';
import type { Database } from '../db/database.ts';
import { countRequests, metricsHandler, metricsPath } from '../metrics/http.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { traceRequests } from '../tracing/request-spans.ts';
import type { Tracing } from '../tracing/tracing.ts';
import { consolePath, consoleRouter } from './console.ts';
import { strictJsonBodies } from './json-body.ts';
import { nativeSurface } from './native/surface.ts';
import { toCoreError } from './problem.ts';
import { createRateLimiter, type RateLimitSettings, rateLimit } from './rate-limit.ts';
import { referenceRouter } from './reference.ts';

/** Where `GET /` sends a browser: the web console (the API reference is linked from its sign-in page). */
const homePath = consolePath;

export interface AppOptions {
  core: CorePort;
  db: Database;
  logger: Logger;
  maxRequestBytes: number;
  maxEventBytes: number;
  /** Vendor-compatible surfaces, mounted like the native one, each with its own error shape. */
  surfaces?: readonly VendorSurface[];
  /** Requests per window per API token, on every surface; absent or a limit of 0: none. */
  rateLimit?: RateLimitSettings;
  /** This process's metrics: requests are counted here (publishes by core), and GET /metrics serves them. */
  metrics?: { recorder: Metrics; token: string | undefined };
  /** A span per request, when tracing is on (docs/tracing.md); absent, no tracing middleware is mounted. */
  tracing?: Tracing | undefined;
  /** HOOKPORT_PUBLIC_URL: the base of portal sessions' console links; absent, the request's origin. */
  publicUrl?: string | undefined;
  /** The console's portal branding and framing (HOOKPORT_PORTAL_*). */
  portal?: PortalBranding | undefined;
}

export function createApp({
  core,
  db,
  logger,
  maxRequestBytes,
  maxEventBytes,
  surfaces: vendorSurfaces = [],
  rateLimit: limit,
  metrics,
  tracing,
  publicUrl,
  portal,
}: AppOptions) {
  const app = createSurfaceRouter();
  const surfaces: readonly Surface[] = [nativeSurface({ db, maxEventBytes, publicUrl }), ...vendorSurfaces];
  const ownerOf = surfaceOwning(surfaces);
  /** Every error goes out in the shape of the surface its path belongs to. */
  const errorResponse = (c: Context, err: CoreError): Response => ownerOf(c.req.path).errorResponse(c, err);
  // Runs on every surface once a request's token is known.
  const afterAuthentication = limit && limit.limit > 0 ? [rateLimit(createRateLimiter(db, limit))] : [];

  // First, so the span covers every other step and its context is active in all of them.
  if (tracing) app.use(traceRequests(tracing));
  // Accept a caller's request id when it is sane, so traces join up; otherwise make one.
  app.use(requestId({ limitLength: 128 }));
  if (metrics) app.use(countRequests(metrics.recorder));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // Method, path and status only: headers and bodies may carry tokens and secrets.
    logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        errorResponse(
          c,
          new CoreError('method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(', ')}.`, [], {
            Allow: allowed.join(', '),
          }),
        ),
    }),
  );
  // Checks Content-Length up front and counts streamed bytes, so an oversized body is never read whole.
  app.use(
    bodyLimit({
      maxSize: maxRequestBytes,
      onError: () => {
        throw new CoreError('payload_too_large', `The request body is larger than ${maxRequestBytes} bytes.`);
      },
    }),
  );
  // UTF-8 only and bounded nesting, so a hostile body is a 4xx in the surface's shape, never a stack overflow.
  app.use(strictJsonBodies);

  // Before every surface: no tenant token, no rate limit (docs/operations.md).
  if (metrics) app.get(metricsPath, metricsHandler(metrics.recorder, metrics.token));
  for (const surface of surfaces) {
    const mount: Mount = { port: core, afterAuthentication, owns: (path) => ownerOf(path) === surface };
    app.route('/', surface.routes(mount));
    const document = surface.document();
    app.get(surface.documentPath, (c) => c.json(document));
  }
  app.route('/', referenceRouter(surfaces.map((s) => ({ url: s.documentPath, title: s.title }))));
  app.route('/', consoleRouter(portal));
  app.get('/', (c) => c.redirect(homePath));

  app.notFound((c) => errorResponse(c, new CoreError('not_found', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((err, c: Context) => {
    const known = toCoreError(err);
    if (known) {
      if (known.code === 'unavailable') logger.warn({ requestId: c.get('requestId'), err }, 'database unavailable');
      return errorResponse(c, known);
    }
    logger.error({ requestId: c.get('requestId'), err }, 'unhandled error');
    return errorResponse(c, new CoreError('internal', 'An unexpected error occurred; it has been logged.'));
  });
  return app;
}
