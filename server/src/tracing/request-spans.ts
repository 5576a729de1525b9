import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter, trace } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Tracing } from './tracing.ts';

/** Reads a request's headers for the propagator (Headers is case-insensitive already). */
const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * The route template that answered (`/v1/endpoints/:id`), or undefined when no route did (a 404 for an
 * unknown path is answered by the app-wide middleware, whose method is ALL). A template, never the
 * path: the span name must not carry ids, and http.route must group requests by route.
 */
function routeOf(c: Parameters<MiddlewareHandler>[0]): string | undefined {
  const route = matchedRoutes(c)[c.req.routeIndex];
  return route && route.method !== 'ALL' ? route.path : undefined;
}

/**
 * One SERVER span per API request, on every surface, continuing the caller's trace when it sends a
 * `traceparent` (W3C trace context). The handlers run with it active, so the publish span is its child.
 * Attributes follow the HTTP semantic conventions; bodies and headers are never recorded (tokens).
 */
export function traceRequests({ tracer, propagator }: Tracing): MiddlewareHandler {
  return async (c, next) => {
    const parent = propagator.extract(ROOT_CONTEXT, c.req.raw.headers, headerGetter);
    const method = c.req.method;
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': c.req.path } },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      // Hono's onError has turned a throw into a response by now: c.res is what the caller gets.
      const status = c.res.status;
      const route = routeOf(c);
      if (route !== undefined) {
        span.setAttribute('http.route', route);
        span.updateName(`${method} ${route}`);
      }
      span.setAttribute('http.response.status_code', status);
      // Server spans are errors on 5xx only: a 4xx is the caller's mistake (HTTP semantic conventions).
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
