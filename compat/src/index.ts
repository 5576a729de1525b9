/**
 * Vendor-compatible surfaces (Spedy, Helpdesk, TSANet, Rapidly, XPath v2.3)
 * over the core port of @hookport/spec, and the surface kit they and the
 * server's native API are built from (`shared/`). Each vendor has its own
 * folder: schemas, route declarations (createRoute, so each surface has its
 * own OpenAPI document), handlers that translate to and from the port, its
 * error shape and its delivery profile. The server mounts every surface
 * listed here, and its native one, the same way.
 */
import { helpdeskSurface } from './helpdesk/index.ts';
import { rapidlySurface } from './rapidly/index.ts';
import type { VendorSurface } from './shared/surface.ts';
import { spedySurface } from './spedy/index.ts';
import { tsanetSurface } from './tsanet/index.ts';
import { xpathSurface } from './xpath/index.ts';

export * from './shared/authorize.ts';
export * from './shared/endpoints.ts';
export * from './shared/guard.ts';
export * from './shared/router.ts';
export * from './shared/standard-webhooks.ts';
export * from './shared/surface.ts';

export const vendorSurfaces: readonly VendorSurface[] = [
  xpathSurface,
  spedySurface,
  helpdeskSurface,
  tsanetSurface,
  rapidlySurface,
];
