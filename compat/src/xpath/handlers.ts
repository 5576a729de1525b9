import { randomBytes } from 'node:crypto';
import type { RouteConfig } from '@hono/zod-openapi';
import {
  CoreError,
  type CorePort,
  type EndpointRecord,
  grants,
  principalFromAuthorization,
  type Scope,
  type UpdateEndpointInput,
} from '@hookport/spec';
import type { MiddlewareHandler } from 'hono';
import { isoSeconds, principalIn, requireJsonBody, tenantOf } from '../shared/http.ts';
import { createVendorRouter } from '../shared/router.ts';
import type { CompatEnv } from '../shared/surface.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  updateWebhook,
  webhookIds,
  type xpathStatuses,
} from './routes.ts';

/** How an unauthenticated caller is told to authenticate. */
const challenge = { 'WWW-Authenticate': 'Bearer realm="xpath"' };

/**
 * XPath has one bearer token and no published scope names: reading endpoints
 * needs Hookport's endpoints:read, changing them endpoints:write (which
 * includes reading).
 */
function authorize(port: CorePort, scope: Scope): MiddlewareHandler<CompatEnv> {
  return async (c, next) => {
    const principal = await principalFromAuthorization(port, c.req.header('authorization'), challenge);
    // The admin token manages tenants only: tenantOf answers it with a 403.
    tenantOf(principal);
    if (principal.kind === 'tenant' && !grants(principal.scopes, scope)) {
      throw new CoreError('forbidden', `This token lacks the ${scope} scope this operation needs.`);
    }
    c.set('principal', principal);
    await next();
  };
}

/** A route with its access check in front, and the JSON check when it takes a body. */
function guarded<R extends RouteConfig>(route: R, port: CorePort, scope: Scope): R {
  const json = route.request?.body?.required ? [requireJsonBody] : [];
  return { ...route, middleware: [authorize(port, scope), ...json] };
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
async function xpathEndpoint(port: CorePort, tenantId: string, webhookId: string): Promise<EndpointRecord> {
  const id = webhookIds.decode(webhookId);
  if (id === null) throw notFound(webhookId);
  const endpoint = await port.endpoints.get(tenantId, id).catch((err: unknown) => {
    throw err instanceof CoreError && err.code === 'not_found' ? notFound(webhookId) : err;
  });
  if (endpoint.profile !== 'xpath') throw notFound(webhookId);
  return endpoint;
}

/** The vendor's list has no pagination: every XPath endpoint of the tenant, read in pages. */
async function allXpathEndpoints(port: CorePort, tenantId: string): Promise<EndpointRecord[]> {
  const pageSize = 500;
  const out: EndpointRecord[] = [];
  for (;;) {
    const page = await port.endpoints.listNumbered(tenantId, {
      profile: 'xpath',
      order: 'asc',
      offset: out.length,
      limit: pageSize,
    });
    out.push(...page.items);
    if (page.items.length < pageSize || out.length >= page.total) return out;
  }
}

export function xpathRouter(port: CorePort) {
  return createVendorRouter()
    .openapi(guarded(listWebhooks, port, 'endpoints:read'), async (c) => {
      const endpoints = await allXpathEndpoints(port, tenantOf(principalIn(c)));
      return c.json({ data: endpoints.map(renderWebhook) }, 200);
    })
    .openapi(guarded(createWebhook, port, 'endpoints:write'), async (c) => {
      const body = c.req.valid('json');
      const { endpoint, secret } = await port.endpoints.create(tenantOf(principalIn(c)), {
        url: body.url,
        eventTypes: body.events,
        description: body.description,
        status: body.status,
        profile: 'xpath',
        secret: newXpathSecret(),
      });
      return c.json({ data: renderCreated(endpoint, secret) }, 201);
    })
    .openapi(guarded(getWebhook, port, 'endpoints:read'), async (c) => {
      const endpoint = await xpathEndpoint(port, tenantOf(principalIn(c)), c.req.valid('param').webhookId);
      return c.json({ data: renderWebhook(endpoint) }, 200);
    })
    .openapi(guarded(updateWebhook, port, 'endpoints:write'), async (c) => {
      const tenantId = tenantOf(principalIn(c));
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
    .openapi(guarded(deleteWebhook, port, 'endpoints:write'), async (c) => {
      const tenantId = tenantOf(principalIn(c));
      const endpoint = await xpathEndpoint(port, tenantId, c.req.valid('param').webhookId);
      await port.endpoints.delete(tenantId, endpoint.id);
      return c.body(null, 204);
    });
}
