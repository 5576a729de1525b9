import type { OpenAPIHono } from '@hono/zod-openapi';
import type { CoreError, CorePort, DeliveryProfile, Principal, Vendor } from '@hookport/spec';
import type { Context } from 'hono';

/** What the server leaves on the Hono context before a surface's handlers run. */
export interface CompatEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}

/** Operator settings that apply to every profile (tests shorten the schedule with HOOKPORT_RETRY_SCHEDULE). */
export interface ProfileOverrides {
  retrySchedule?: readonly number[] | undefined;
}

/**
 * One vendor-compatible surface. The server mounts `routes()` at the root,
 * renders every error under `basePaths` (including 404s of unknown routes,
 * 405s, 413s and database outages) with `errorResponse`, serves `document()` at
 * /openapi/<vendor>.json, and registers `profile()` with the delivery worker.
 * A surface sees only the core port.
 */
export interface VendorSurface {
  vendor: Vendor;
  /** A human title for /docs. */
  title: string;
  /** Path prefixes the surface owns, e.g. `/v1/webhooks`. */
  basePaths: readonly string[];
  /** Its OpenAPI 3.1 document, from the route declarations alone; committed as compat/openapi/<vendor>.json. */
  document(): object;
  /** The routes with their handlers over the core port. Authentication is each surface's own. */
  routes(port: CorePort): OpenAPIHono<CompatEnv>;
  /** The one place this vendor's error bodies are built. */
  errorResponse(c: Context, err: CoreError): Response;
  /** How deliveries to endpoints created through this surface are shaped, signed and retried. */
  profile(overrides: ProfileOverrides): DeliveryProfile;
}

/** Whether `path` lies under one of the surface's base paths. */
export function owns(surface: VendorSurface, path: string): boolean {
  return surface.basePaths.some((base) => path === base || path.startsWith(`${base}/`));
}
