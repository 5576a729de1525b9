import { CoreError, type CorePort, type Scope } from '@hookport/spec';
import { type AccessCheck, tenantOf, tenantScopes } from '../shared/authorize.ts';

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
 * The access check, in NestJS guard order after the bearer token (401): a
 * tenant token (403), the permission (403), then the plan (403). The
 * authorize step runs it before any input validation, so a caller without
 * access learns nothing of the input's shape and nothing is stored.
 */
export function permissionCheck(port: CorePort, permission: Permission): AccessCheck {
  const held = tenantScopes(
    permissions[permission],
    (missing) =>
      new CoreError(
        'forbidden',
        `Missing permission ${permissionNames[permission]} (Hookport scope ${missing.join(', ')})`,
      ),
  );
  return async (principal, c) => {
    held(principal, c);
    const tenant = await port.tenants.get(tenantOf(principal));
    if (!hasWebhooksPlan(tenant.metadata)) {
      throw new CoreError('forbidden', 'Webhook endpoints require a Pro plan subscription');
    }
  };
}
