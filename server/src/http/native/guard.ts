import type { RouteConfig } from '@hono/zod-openapi';
import { type Access, requireAccess } from '../auth.ts';

/** A spec route with the access check the server puts in front of it. */
export function guard<R extends RouteConfig>(route: R, access: Access): R {
  return { ...route, middleware: [requireAccess(access)] };
}
