import { CoreError, type CorePort, grants, principalFromAuthorization, type Scope } from '@hookport/spec';
import type { MiddlewareHandler } from 'hono';
import { tenantOf } from '../shared/http.ts';
import type { CompatEnv } from '../shared/surface.ts';

/**
 * Spedy's two permissions, as the Hookport scopes a token must hold.
 * `webhooks:view` reads endpoints (and, for the deliveries list, deliveries);
 * `webhooks:manage` writes endpoints (and, for ping and redeliver, which
 * create delivery attempts, deliveries). Write scopes imply read scopes.
 */
export const permissions = {
  view: ['endpoints:read'],
  viewDeliveries: ['endpoints:read', 'deliveries:read'],
  manage: ['endpoints:write'],
  manageDeliveries: ['endpoints:write', 'deliveries:write'],
} as const satisfies Record<string, readonly Scope[]>;

export type Permission = keyof typeof permissions;

const permissionNames: Record<Permission, string> = {
  view: 'webhooks:view',
  viewDeliveries: 'webhooks:view',
  manage: 'webhooks:manage',
  manageDeliveries: 'webhooks:manage',
};

/** The tenant metadata key naming the tenant's Spedy plan, set by the admin through /v1/tenants. */
export const planMetadataKey = 'spedy.plan';
/** Plans that include webhook endpoints. A tenant without the key is taken to be on Pro. */
export const plansWithWebhooks: readonly string[] = ['pro', 'enterprise'];

/** Whether a tenant's metadata grants webhook endpoints (the Pro-plan gate). */
export function hasWebhooksPlan(metadata: Record<string, string>): boolean {
  const plan = metadata[planMetadataKey];
  return plan === undefined || plansWithWebhooks.includes(plan.trim().toLowerCase());
}

/**
 * Route middleware, in NestJS guard order: the bearer token (401), a tenant
 * token (403), the permission (403), then the plan (403). It runs before any
 * input validation, so a caller without access learns nothing of the input's
 * shape and nothing is stored.
 */
export function requirePermission(port: CorePort, permission: Permission): MiddlewareHandler<CompatEnv> {
  return async (c, next) => {
    const principal = await principalFromAuthorization(port, c.req.header('authorization'));
    const tenantId = tenantOf(principal);
    const held = principal.kind === 'tenant' ? principal.scopes : [];
    const missing = permissions[permission].filter((scope) => !grants(held, scope));
    if (missing.length > 0) {
      throw new CoreError(
        'forbidden',
        `Missing permission ${permissionNames[permission]} (Hookport scope ${missing.join(', ')})`,
      );
    }
    const tenant = await port.tenants.get(tenantId);
    if (!hasWebhooksPlan(tenant.metadata)) {
      throw new CoreError('forbidden', 'Webhook endpoints require a Pro plan subscription');
    }
    c.set('principal', principal);
    await next();
  };
}
