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
import { endpointsRouter } from './native/endpoints.ts';
import { eventTypesRouter } from './native/event-types.ts';
import { eventsRouter } from './native/events.ts';
import { tenantsRouter } from './native/tenants.ts';
import { problemResponse, toCoreError } from './problem.ts';
import { serviceRouter } from './service.ts';

export interface AppOptions {
  core: CorePort;
  db: Database;
  logger: Logger;
  maxRequestBytes: number;
  maxEventBytes: number;
  /** The OpenAPI documents served, by path (`/openapi.json` is the native one). */
  documents: Record<string, object>;
}

export function createApp({ core, db, logger, maxRequestBytes, maxEventBytes, documents }: AppOptions) {
  const app = createRouter();

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
        problemResponse(
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
  app.use('/v1/*', authenticate(core));

  app.route('/', serviceRouter(db));
  app.route('/', tenantsRouter(core));
  app.route('/', eventTypesRouter(core));
  app.route('/', endpointsRouter(core));
  app.route('/', eventsRouter(core, maxEventBytes));

  for (const [path, doc] of Object.entries(documents)) {
    app.get(path, (c) => c.json(doc));
  }
  app.get(
    '/docs',
    Scalar({
      pageTitle: 'Hookport API reference',
      sources: Object.keys(documents).map((url) => ({ url, title: url })),
    }),
  );

  app.notFound((c) => problemResponse(c, new CoreError('not_found', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((err, c: Context) => {
    const known = toCoreError(err);
    if (known) {
      if (known.code === 'unavailable') logger.warn({ requestId: c.get('requestId'), err }, 'database unavailable');
      return problemResponse(c, known);
    }
    logger.error({ requestId: c.get('requestId'), err }, 'unhandled error');
    return problemResponse(c, new CoreError('internal', 'An unexpected error occurred; it has been logged.'));
  });
  return app;
}
