import { CoreError } from '@hookport/spec';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { metricsAccess, metricsChallenge } from './access.ts';
import { unmatchedRoute } from './labels.ts';
import type { Metrics } from './metrics.ts';

export const metricsPath = '/metrics';

/**
 * The route a request matched, as its pattern (`/v1/endpoints/:id`): the last route Hono matched that
 * was declared for a method (middleware is declared for ALL). A request no route matched is one value,
 * so a scanner's random paths never become label values.
 */
export function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== 'ALL') return route.path;
  }
  return unmatchedRoute;
}

/** Counts and times every API request by route pattern and status. */
export function countRequests(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    metrics.requested(routeLabel(c), c.res.status, (performance.now() - started) / 1000);
  };
}

/**
 * GET /metrics on the API port: outside every surface's authentication and rate limit (a scraper holds
 * no tenant token), behind HOOKPORT_METRICS_TOKEN when it is set. The 401 is the native problem.
 */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  const allowed = metricsAccess(token);
  return async (c: Context) => {
    if (!allowed(c.req.header('authorization'))) {
      throw new CoreError('unauthorized', 'GET /metrics needs Authorization: Bearer <HOOKPORT_METRICS_TOKEN>.', [], {
        'WWW-Authenticate': metricsChallenge,
      });
    }
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  };
}
