import type { RouteConfig } from '@hono/zod-openapi';
import { CoreError } from '@hookport/spec';
import type { SurfaceMiddleware } from './surface.ts';

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

/**
 * A request body must be JSON: zod-openapi answers 415 to a body of another
 * media type, but lets a request with no body and no Content-Type validate as
 * `{}`, which would turn an empty update into a silent no-op that still
 * touches updatedAt.
 */
export const requireJsonBody: SurfaceMiddleware = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
  if (!jsonMediaType.test(mediaType)) {
    throw new CoreError('unsupported_media_type', 'Send the body as application/json.');
  }
  await next();
};

/**
 * A route declaration with what runs in front of its validators: the given
 * middleware (the authorize step, first, so a caller without access learns
 * nothing about the shape of the input), then the JSON check when the route
 * takes a body.
 */
export function guard<R extends RouteConfig>(route: R, ...middleware: SurfaceMiddleware[]): R {
  const json = route.request?.body?.required ? [requireJsonBody] : [];
  return { ...route, middleware: [...middleware, ...json] };
}
