import type { RouteConfig } from '@hono/zod-openapi';
import { CoreError } from '@hookport/spec';
import type { MiddlewareHandler } from 'hono';
import { type Access, requireAccess } from '../auth.ts';
import type { AppEnv } from '../env.ts';

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

/**
 * zod-openapi answers 415 to a body of the wrong media type, but a request
 * with no body and no Content-Type still validates as `{}`: an empty PATCH
 * would then "succeed" and touch updatedAt. A required body must be JSON.
 */
const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
  if (!jsonMediaType.test(mediaType)) {
    throw new CoreError('unsupported_media_type', 'Send the body as application/json.');
  }
  await next();
};

/**
 * A spec route with the access check the server puts in front of it, any
 * extra route middleware, and the JSON check when it takes a body.
 */
export function guard<R extends RouteConfig>(route: R, access: Access, ...extra: MiddlewareHandler<AppEnv>[]): R {
  const json = route.request?.body?.required ? [requireJsonBody] : [];
  return { ...route, middleware: [requireAccess(access), ...extra, ...json] };
}
