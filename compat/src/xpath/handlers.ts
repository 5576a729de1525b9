import { randomBytes } from 'node:crypto';
import { CoreError, type CorePort, type EndpointRecord, type Scope, type UpdateEndpointInput } from '@hookport/spec';
import { bearer, scopeGuard, tenantIn } from '../shared/authorize.ts';
import { allEndpointsOf, endpointOf } from '../shared/endpoints.ts';
import { createSurfaceRouter } from '../shared/router.ts';
import type { Mount } from '../shared/surface.ts';
import { isoSeconds } from '../shared/time.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook } from './routes.ts';
import { webhookIds, type xpathStatuses } from './schemas.ts';

/** How an unauthenticated caller is told to authenticate. */
const challenge = { 'WWW-Authenticate': 'Bearer realm="xpath"' };

/**
 * XPath has one bearer token and no published scope names: reading endpoints
 * needs Hookport's endpoints:read, changing them endpoints:write (which
 * includes reading).
 */
function lacking(scope: Scope): CoreError {
  return new CoreError('forbidden', `This token lacks the ${scope} scope this operation needs.`);
}

/** `whsec_` + base64 of 32 random bytes: the Standard Webhooks secret format receivers already handle. */
export function newXpathSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * XPath knows active and paused only. An endpoint Hookport disabled (after
 * continuous failures, or natively) receives nothing, so it shows as paused;
 * setting it active again resumes it.
 */
export function xpathStatus(endpoint: EndpointRecord): (typeof xpathStatuses)[number] {
  return endpoint.status === 'active' ? 'active' : 'paused';
}

export function renderWebhook(endpoint: EndpointRecord) {
  return {
    id: webhookIds.encode(endpoint.id),
    url: endpoint.url,
    description: endpoint.description,
    events: endpoint.eventTypes,
    status: xpathStatus(endpoint),
    created_at: isoSeconds(endpoint.createdAt),
    updated_at: isoSeconds(endpoint.updatedAt),
  };
}

/** The create response, keys in the order of the vendor's example (the secret before the timestamps). */
export function renderCreated(endpoint: EndpointRecord, secret: string) {
  const { created_at, updated_at, ...head } = renderWebhook(endpoint);
  return { ...head, secret, created_at, updated_at };
}

function notFound(webhookId: string): CoreError {
  // Echo an id back only when it is id-sized.
  return new CoreError(
    'not_found',
    webhookId.length <= 40 ? `No webhook endpoint ${webhookId}.` : 'No such webhook endpoint.',
  );
}

/** The endpoint behind a `wh_…` id, if it is this tenant's and was made through XPath; otherwise the 404. */
function xpathEndpoint(port: CorePort, tenantId: string, webhookId: string): Promise<EndpointRecord> {
  return endpointOf(port, tenantId, 'xpath', webhookIds.decode(webhookId), () => notFound(webhookId));
}

export function xpathRouter(mount: Mount) {
  const { port } = mount;
  const guarded = scopeGuard(mount, bearer(challenge), lacking);
  return createSurfaceRouter()
    .openapi(guarded(listWebhooks, 'endpoints:read'), async (c) => {
      const endpoints = await allEndpointsOf(port, tenantIn(c), 'xpath');
      return c.json({ data: endpoints.map(renderWebhook) }, 200);
    })
    .openapi(guarded(createWebhook, 'endpoints:write'), async (c) => {
      const body = c.req.valid('json');
      const { endpoint, secret } = await port.endpoints.create(tenantIn(c), {
        url: body.url,
        eventTypes: body.events,
        description: body.description,
        status: body.status,
        profile: 'xpath',
        secret: newXpathSecret(),
      });
      return c.json({ data: renderCreated(endpoint, secret) }, 201);
    })
    .openapi(guarded(getWebhook, 'endpoints:read'), async (c) => {
      const endpoint = await xpathEndpoint(port, tenantIn(c), c.req.valid('param').webhookId);
      return c.json({ data: renderWebhook(endpoint) }, 200);
    })
    .openapi(guarded(updateWebhook, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await xpathEndpoint(port, tenantId, c.req.valid('param').webhookId);
      const body = c.req.valid('json');
      const input: UpdateEndpointInput = {
        url: body.url,
        eventTypes: body.events,
        description: body.description,
        status: body.status,
      };
      // An empty PATCH changes nothing, not even updated_at.
      if (Object.values(input).every((v) => v === undefined)) return c.json({ data: renderWebhook(endpoint) }, 200);
      return c.json({ data: renderWebhook(await port.endpoints.update(tenantId, endpoint.id, input)) }, 200);
    })
    .openapi(guarded(deleteWebhook, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await xpathEndpoint(port, tenantId, c.req.valid('param').webhookId);
      await port.endpoints.delete(tenantId, endpoint.id);
      return c.body(null, 204);
    });
}
