import type { OpenAPIHono } from '@hono/zod-openapi';
import type { CoreError, CorePort, DeliveryProfile, Principal, Vendor } from '@hookport/spec';
import type { Context, MiddlewareHandler } from 'hono';

/** What the app and the authorize step leave on the Hono context before a surface's handlers run. */
export interface SurfaceEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}

export type SurfaceMiddleware = MiddlewareHandler<SurfaceEnv>;

/** What the server hands a surface when it mounts it. */
export interface Mount {
  /** The core port, the only way into Hookport a surface has. */
  port: CorePort;
  /** Ordinary middleware that runs right after a request's token is known, on every surface (the per-token rate limit). */
  afterAuthentication: readonly SurfaceMiddleware[];
  /** Whether a path belongs to the surface being mounted (the most specific base path wins). */
  owns(path: string): boolean;
}

/**
 * One API surface: the native API or a vendor-compatible one. The server
 * mounts every surface the same way: `routes()` at the root, every error
 * under its base paths (its own, and the app's 404, 405, 413, 503 and 500)
 * rendered by `errorResponse`, and `document()` served at `documentPath`.
 */
export interface Surface {
  /** A human title for /docs. */
  title: string;
  /**
   * Path prefixes the surface owns, e.g. `/v1/webhooks`. A path belongs to the
   * surface with the longest base path that contains it; one surface owns `/`.
   */
  basePaths: readonly string[];
  /** Where its OpenAPI 3.1 document is served. */
  documentPath: string;
  /** Its document, from the route declarations alone. */
  document(): object;
  /** The routes with their handlers over the port, built with the kit. */
  routes(mount: Mount): OpenAPIHono<SurfaceEnv>;
  /** The one place this surface's error bodies are built. */
  errorResponse(c: Context, err: CoreError): Response;
}

/** Operator settings that apply to every profile (tests shorten the schedule with HOOKPORT_RETRY_SCHEDULE). */
export interface ProfileOverrides {
  retrySchedule?: readonly number[] | undefined;
}

/**
 * A vendor-compatible surface: its document is committed as
 * compat/openapi/<vendor>.json, and its delivery profile is registered with
 * the worker.
 */
export interface VendorSurface extends Surface {
  vendor: Vendor;
  /** How deliveries to endpoints created through this surface are shaped, signed and retried. */
  profile(overrides: ProfileOverrides): DeliveryProfile;
}

function contains(base: string, path: string): boolean {
  return base === '/' || path === base || path.startsWith(`${base}/`);
}

/**
 * The owner of every path: the surface with the longest base path containing
 * it (TSANet's `/v1/webhooks` lies inside the native `/v1`). One surface must
 * own `/`, so every path has an owner.
 */
export function surfaceOwning<S extends Surface>(surfaces: readonly S[]): (path: string) => S {
  const bases = surfaces
    .flatMap((surface) => surface.basePaths.map((base) => ({ base, surface })))
    .sort((a, b) => b.base.length - a.base.length);
  const root = bases.find((b) => b.base === '/')?.surface;
  if (root === undefined) throw new Error('One surface must own the base path "/".');
  return (path) => bases.find((b) => contains(b.base, path))?.surface ?? root;
}
