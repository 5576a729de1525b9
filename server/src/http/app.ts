import { owns, type VendorSurface } from '@hookport/compat';
import { CoreError, type CorePort } from '@hookport/spec';
import { Scalar } from '@scalar/hono-api-reference';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { authenticate } from './auth.ts';
import { createRouter } from './factory.ts';
import { strictJsonBodies } from './json-body.ts';
import { endpointsRouter } from './native/endpoints.ts';
import { eventTypesRouter } from './native/event-types.ts';
import { eventsRouter } from './native/events.ts';
import { tenantsRouter } from './native/tenants.ts';
import { problemResponse, toCoreError } from './problem.ts';
import { apiRateLimit, createRateLimiter, type RateLimitSettings } from './rate-limit.ts';
import { serviceRouter } from './service.ts';

export interface AppOptions {
  core: CorePort;
  db: Database;
  logger: Logger;
  maxRequestBytes: number;
  maxEventBytes: number;
  /** The OpenAPI documents served, by path (`/openapi.json` is the native one). */
  documents: Record<string, object>;
  /** Vendor-compatible surfaces mounted at their own paths, each with its own error shape. */
  surfaces?: readonly VendorSurface[];
  /** Requests per window per API token, on every surface; absent or a limit of 0: none. */
  rateLimit?: RateLimitSettings;
}

export function createApp({
  core: unlimitedCore,
  db,
  logger,
  maxRequestBytes,
  maxEventBytes,
  documents,
  surfaces = [],
  rateLimit,
}: AppOptions) {
  const app = createRouter();
  // Every surface authenticates through the port, so the limit is counted there, once per request.
  const limit = rateLimit && rateLimit.limit > 0 ? apiRateLimit(createRateLimiter(db, rateLimit)) : undefined;
  const core = limit ? limit.port(unlimitedCore) : unlimitedCore;
  const surfaceAt = (path: string) => surfaces.find((s) => owns(s, path));
  /** Every error goes out in the shape of the surface its path belongs to: the vendor's, or RFC 9457. */
  const errorResponse = (c: Context, err: CoreError): Response =>
    surfaceAt(c.req.path)?.errorResponse(c, err) ?? problemResponse(c, err);

  // Accept a caller's request id when it is sane, so traces join up; otherwise make one.
  app.use(requestId({ limitLength: 128 }));
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
  // Puts RateLimit headers on every response to an authenticated request (and 429s on the rest).
  if (limit) app.use(limit.middleware);
  // Native routes authenticate here; a vendor surface under /v1 (TSANet) authenticates its own way.
  const nativeAuth = authenticate(core);
  app.use('/v1/*', (c, next) => (surfaceAt(c.req.path) ? next() : nativeAuth(c, next)));

  app.route('/', serviceRouter(db));
  app.route('/', tenantsRouter(core));
  app.route('/', eventTypesRouter(core));
  app.route('/', endpointsRouter(core));
  app.route('/', eventsRouter(core, maxEventBytes));
  for (const surface of surfaces) app.route('/', surface.routes(core));

  for (const [path, doc] of Object.entries(documents)) {
    app.get(path, (c) => c.json(doc));
  }
  app.get(
    '/docs',
    Scalar({
      pageTitle: 'Hookport API reference',
      sources: Object.keys(documents).map((url) => ({
        url,
        title: surfaces.find((s) => url === `/openapi/${s.vendor}.json`)?.title ?? 'Hookport API',
      })),
    }),
  );

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
