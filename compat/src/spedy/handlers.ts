import { randomBytes } from 'node:crypto';
import type { RouteConfig } from '@hono/zod-openapi';
import {
  type AttemptView,
  CoreError,
  type CorePort,
  type EndpointRecord,
  type EventTypeRecord,
  type UpdateEndpointInput,
} from '@hookport/spec';
import { authorize, bearer, tenantIn } from '../shared/authorize.ts';
import { allEndpointsOf, allEventTypesOf, endpointOf, notFoundAs } from '../shared/endpoints.ts';
import { guard } from '../shared/guard.ts';
import { createSurfaceRouter } from '../shared/router.ts';
import type { Mount } from '../shared/surface.ts';
import { isoSeconds } from '../shared/time.ts';
import { type Permission, permissionCheck } from './access.ts';
import { deliveryIds, endpointIds } from './ids.ts';
import * as routes from './routes.ts';

/** A Standard Webhooks secret: whsec_ and the base64 of 24 random bytes. */
export function newSpedySecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function renderEndpoint(e: EndpointRecord) {
  return {
    id: endpointIds.encode(e.id),
    name: e.name,
    url: e.url,
    events: e.eventTypes,
    isActive: e.status === 'active',
    createdAt: isoSeconds(e.createdAt),
    updatedAt: isoSeconds(e.updatedAt),
  };
}

/** One attempt as a Spedy delivery; success means a 2xx answer (no error of any kind). */
export function renderDelivery(a: AttemptView) {
  const success = a.errorKind === null;
  return {
    id: deliveryIds.encode(a.id),
    endpointId: endpointIds.encode(a.endpointId),
    eventType: a.eventType,
    statusCode: a.httpStatus,
    success,
    attempt: a.number,
    error: success ? null : (a.errorMessage ?? a.errorKind),
    createdAt: isoSeconds(a.startedAt),
  };
}

function renderEventType(e: EventTypeRecord) {
  return { event: e.name, description: e.description };
}

const notFound = () => new CoreError('not_found', 'Webhook endpoint not found');

/** The Spedy endpoint a path id names; an id of another shape, tenant or profile is a 404. */
function spedyEndpoint(port: CorePort, tenantId: string, id: string): Promise<EndpointRecord> {
  return endpointOf(port, tenantId, 'spedy', endpointIds.decode(id), notFound);
}

/** Spedy's PATCH fields as the core's update: isActive false disables (events are not kept for later). */
function toUpdate(body: {
  name?: string | undefined;
  url?: string | undefined;
  events?: string[] | undefined;
  isActive?: boolean | undefined;
}): UpdateEndpointInput {
  return {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.url !== undefined ? { url: body.url } : {}),
    ...(body.events !== undefined ? { eventTypes: body.events } : {}),
    ...(body.isActive !== undefined ? { status: body.isActive ? 'active' : 'disabled' } : {}),
  };
}

export function spedyRouter(mount: Mount) {
  const { port } = mount;
  const guarded = <R extends RouteConfig>(route: R, permission: Permission) =>
    guard(route, ...authorize(mount, bearer(), permissionCheck(port, permission)));
  return createSurfaceRouter()
    .openapi(guarded(routes.listEventTypes, 'view'), async (c) => {
      const types = await allEventTypesOf(port, tenantIn(c));
      return c.json(types.map(renderEventType), 200);
    })
    .openapi(guarded(routes.listEndpoints, 'view'), async (c) => {
      return c.json((await allEndpointsOf(port, tenantIn(c), 'spedy')).map(renderEndpoint), 200);
    })
    .openapi(guarded(routes.createEndpoint, 'manage'), async (c) => {
      const body = c.req.valid('json');
      const { endpoint, secret } = await port.endpoints.create(tenantIn(c), {
        url: body.url,
        name: body.name,
        eventTypes: body.events,
        profile: 'spedy',
        secret: newSpedySecret(),
      });
      return c.json({ ...renderEndpoint(endpoint), secret }, 201);
    })
    .openapi(guarded(routes.getEndpoint, 'view'), async (c) => {
      const endpoint = await spedyEndpoint(port, tenantIn(c), c.req.valid('param').id);
      return c.json(renderEndpoint(endpoint), 200);
    })
    .openapi(guarded(routes.updateEndpoint, 'manage'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await spedyEndpoint(port, tenantId, c.req.valid('param').id);
      const update = toUpdate(c.req.valid('json'));
      // An empty PATCH changes nothing, not even updatedAt.
      const updated =
        Object.keys(update).length > 0 ? await port.endpoints.update(tenantId, endpoint.id, update) : endpoint;
      return c.json(renderEndpoint(updated), 200);
    })
    .openapi(guarded(routes.deleteEndpoint, 'manage'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await spedyEndpoint(port, tenantId, c.req.valid('param').id);
      await port.endpoints.delete(tenantId, endpoint.id);
      return c.body(null, 204);
    })
    .openapi(guarded(routes.pingEndpoint, 'manageDeliveries'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await spedyEndpoint(port, tenantId, c.req.valid('param').id);
      await port.endpoints.ping(tenantId, endpoint.id);
      return c.body(null, 204);
    })
    .openapi(guarded(routes.listDeliveries, 'viewDeliveries'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await spedyEndpoint(port, tenantId, c.req.valid('param').id);
      const { limit } = c.req.valid('query');
      const attempts = await port.attempts.list(tenantId, { endpointIds: [endpoint.id], offset: 0, limit });
      return c.json(attempts.items.map(renderDelivery), 200);
    })
    .openapi(guarded(routes.redeliver, 'manageDeliveries'), async (c) => {
      const tenantId = tenantIn(c);
      const params = c.req.valid('param');
      const endpoint = await spedyEndpoint(port, tenantId, params.id);
      const attempt = await deliveryOf(port, tenantId, endpoint.id, params.deliveryId);
      await port.deliveries.redeliver(tenantId, attempt.deliveryId);
      return c.body(null, 204);
    });
}

/** The attempt a Spedy delivery id names, if it belongs to that endpoint; 404 otherwise. */
async function deliveryOf(port: CorePort, tenantId: string, endpointId: string, id: string): Promise<AttemptView> {
  const missing = () => new CoreError('not_found', 'Webhook delivery not found');
  const uuid = deliveryIds.decode(id);
  if (uuid === null) throw missing();
  const attempt = await port.attempts.get(tenantId, uuid).catch(notFoundAs(missing));
  if (attempt.endpointId !== endpointId) throw missing();
  return attempt;
}
