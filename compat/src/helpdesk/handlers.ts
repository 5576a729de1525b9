import { randomBytes } from 'node:crypto';
import {
  CoreError,
  type CorePort,
  type EndpointRecord,
  principalFromAuthorization,
  principalFromToken,
  toTypeId,
  type UpdateEndpointInput,
} from '@hookport/spec';
import {
  type AccessCheck,
  authorize,
  type Credentials,
  tenantIn,
  tenantOf,
  tenantScopes,
} from '../shared/authorize.ts';
import { allEndpointsOf, endpointOf } from '../shared/endpoints.ts';
import { requireJsonBody } from '../shared/guard.ts';
import { createSurfaceRouter } from '../shared/router.ts';
import type { Mount, SurfaceMiddleware } from '../shared/surface.ts';
import { HelpdeskError } from './errors.ts';
import { basePath, createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook } from './routes.ts';
import { webhookIds } from './schemas.ts';

/**
 * Helpdesk's `admin` permission, which every webhook operation needs. Writing
 * endpoints implies reading them, so `endpoints:write` (or `*`) is the whole
 * of it; a read-only token is refused even for GET, as a Helpdesk `read` key is.
 */
export const adminScope = 'endpoints:write';

/** The workspace id a tenant answers to: its native tenant id (`tnt_…`, as /v1/tenants shows it). */
export function workspaceIdOf(tenantId: string): string {
  return toTypeId('tenant', tenantId);
}

/** Bearer first (as documented), X-API-Key otherwise; neither is a 401. */
const apiKeyOrBearer: Credentials = (c, port) => {
  const authorization = c.req.header('authorization');
  const apiKey = c.req.header('x-api-key');
  if (authorization === undefined && apiKey !== undefined) return principalFromToken(port, apiKey.trim());
  return principalFromAuthorization(port, authorization);
};

/** After the key: the workspace, then the permission, the order a Helpdesk client sees its errors in. */
const workspaceAdmin: AccessCheck = (principal, c) => {
  const workspace = c.req.header('x-workspace-id')?.trim();
  if (!workspace) {
    throw new HelpdeskError('bad_request', 'MISSING_WORKSPACE', 'The X-Workspace-Id header is required.');
  }
  const tenantId = tenantOf(principal, 'The admin token manages tenants and tokens only; use a tenant API key.');
  if (workspace !== workspaceIdOf(tenantId)) {
    throw new CoreError('forbidden', 'This API key has no access to the workspace named by X-Workspace-Id.');
  }
  tenantScopes(
    adminScope,
    () => new CoreError('forbidden', `Webhooks need admin permission (the ${adminScope} scope).`),
  )(principal, c);
};

function notFound(): CoreError {
  return new CoreError('not_found', 'Webhook not found.');
}

/** The endpoint behind a `whk_` id, if it is one of this surface's; anything else is Helpdesk's 404. */
function webhookOf(port: CorePort, tenantId: string, id: string): Promise<EndpointRecord> {
  return endpointOf(port, tenantId, 'helpdesk', webhookIds.decode(id), notFound);
}

export function renderWebhook(e: EndpointRecord) {
  return {
    id: webhookIds.encode(e.id),
    name: e.name,
    targetUrl: e.url,
    events: e.eventTypes,
    // Paused and auto-disabled endpoints both receive nothing: inactive.
    active: e.status === 'active',
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** A new signing secret in Standard Webhooks form: `whsec_` and the base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

interface WebhookChanges {
  name?: string | undefined;
  targetUrl?: string | undefined;
  events?: string[] | undefined;
  active?: boolean | undefined;
}

/**
 * Only the fields present change. `active: false` pauses an active endpoint and
 * leaves one the core disabled (after failures) as it is; `active: true`
 * resumes either.
 */
export function toUpdate(current: EndpointRecord, changes: WebhookChanges): UpdateEndpointInput {
  const input: UpdateEndpointInput = {};
  if (changes.name !== undefined) input.name = changes.name;
  if (changes.targetUrl !== undefined) input.url = changes.targetUrl;
  if (changes.events !== undefined) input.eventTypes = changes.events;
  if (changes.active === true && current.status !== 'active') input.status = 'active';
  if (changes.active === false && current.status === 'active') input.status = 'paused';
  return input;
}

/** POST and PUT carry JSON bodies; without this a body-less request would validate as `{}`. */
const jsonBodies: SurfaceMiddleware = (c, next) =>
  c.req.method === 'POST' || c.req.method === 'PUT' ? requireJsonBody(c, next) : next();

export function helpdeskRoutes(mount: Mount) {
  const { port } = mount;
  const router = createSurfaceRouter();
  // Every path of the surface, before any route's validation: a caller without access learns nothing
  // about the input's shape. `${basePath}/*` also matches the base path itself.
  router.use(`${basePath}/*`, ...authorize(mount, apiKeyOrBearer, workspaceAdmin), jsonBodies);
  return router
    .openapi(listWebhooks, async (c) => {
      const webhooks = await allEndpointsOf(port, tenantIn(c), 'helpdesk');
      return c.json({ webhooks: webhooks.map(renderWebhook) }, 200);
    })
    .openapi(getWebhook, async (c) => {
      const endpoint = await webhookOf(port, tenantIn(c), c.req.valid('param').id);
      return c.json({ webhook: renderWebhook(endpoint) }, 200);
    })
    .openapi(createWebhook, async (c) => {
      const body = c.req.valid('json');
      const { endpoint, secret } = await port.endpoints.create(tenantIn(c), {
        url: body.targetUrl,
        name: body.name,
        eventTypes: body.events,
        status: body.active === false ? 'paused' : 'active',
        profile: 'helpdesk',
        secret: newSigningSecret(),
      });
      return c.json({ webhook: { ...renderWebhook(endpoint), signingSecret: secret } }, 201);
    })
    .openapi(updateWebhook, async (c) => {
      const tenantId = tenantIn(c);
      const current = await webhookOf(port, tenantId, c.req.valid('param').id);
      const input = toUpdate(current, c.req.valid('json'));
      // Nothing to change: the webhook as it is, its updatedAt untouched.
      const endpoint =
        Object.keys(input).length === 0 ? current : await port.endpoints.update(tenantId, current.id, input);
      return c.json({ webhook: renderWebhook(endpoint) }, 200);
    })
    .openapi(deleteWebhook, async (c) => {
      const tenantId = tenantIn(c);
      const current = await webhookOf(port, tenantId, c.req.valid('param').id);
      await port.endpoints.delete(tenantId, current.id);
      return c.body(null, 204);
    });
}
