import { createSurfaceRouter, guard, type SurfaceMiddleware } from '@hookport/compat';
import { batchEventRefusal, CoreError, type CorePort, events as routes } from '@hookport/spec';
import { access, tenantIn } from './access.ts';
import { endpointScopeIn, refuseFilteredPortal, requireEndpointInScope } from './endpoint-scope.ts';
import { filterUuidOf, uuidOf } from './ids.ts';
import { page, renderAttempt, renderDelivery, renderEvent } from './render.ts';

/**
 * Event payloads have their own, smaller limit than other requests: it is
 * checked on the raw body before parsing, so the 413 names the real limit.
 */
function eventSizeLimit(maxEventBytes: number): SurfaceMiddleware {
  return async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    const size = Number.isFinite(declared) ? declared : (await c.req.raw.clone().arrayBuffer()).byteLength;
    if (size > maxEventBytes) {
      throw new CoreError('payload_too_large', `An event may be at most ${maxEventBytes} bytes of JSON.`);
    }
    await next();
  };
}

/**
 * A batch is bounded as a whole by the app's request limit (HOOKPORT_MAX_REQUEST_BYTES); each of its
 * events by the event limit, as its own POST /v1/events would be, measured on the event's JSON.
 */
function refuseLargeEvents(events: readonly { type: string; data: Record<string, unknown> }[], maxEventBytes: number) {
  for (const [index, { type, data }] of events.entries()) {
    if (Buffer.byteLength(JSON.stringify({ type, data })) > maxEventBytes) {
      const detail = `An event may be at most ${maxEventBytes} bytes of JSON.`;
      throw batchEventRefusal(index, new CoreError('payload_too_large', detail));
    }
  }
}

/**
 * Portal sessions read events and deliveries, redeliver and replay; a filtered one sees (and replays)
 * only the deliveries of its endpoints, and no events (an event is the tenant's, not an endpoint's).
 */
const portal = { portal: true };
const noSuchDelivery = () => new CoreError('not_found', 'No such delivery.');

export function eventsRouter(core: CorePort, maxEventBytes: number) {
  return createSurfaceRouter()
    .openapi(guard(routes.publishEvent, access('events:publish'), eventSizeLimit(maxEventBytes)), async (c) => {
      const body = c.req.valid('json');
      const { event, replayed } = await core.events.publish(tenantIn(c), {
        ...body,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(renderEvent(event), 202);
    })
    .openapi(guard(routes.publishEventBatch, access('events:publish')), async (c) => {
      const { events } = c.req.valid('json');
      refuseLargeEvents(events, maxEventBytes);
      const published = await core.events.publishBatch(tenantIn(c), events);
      return c.json({ events: published.map(({ event, replayed }) => ({ ...renderEvent(event), replayed })) }, 202);
    })
    .openapi(guard(routes.listEvents, access('deliveries:read', portal)), async (c) => {
      refuseFilteredPortal(c, 'the events of the whole tenant');
      return c.json(page(await core.events.list(tenantIn(c), c.req.valid('query')), renderEvent), 200);
    })
    .openapi(guard(routes.getEvent, access('deliveries:read', portal)), async (c) => {
      refuseFilteredPortal(c, 'the events of the whole tenant');
      const id = uuidOf('event', c.req.valid('param').id);
      return c.json(renderEvent(await core.events.get(tenantIn(c), id)), 200);
    })
    .openapi(guard(routes.expungeEventContent, access('deliveries:write')), async (c) => {
      const id = uuidOf('event', c.req.valid('param').id);
      return c.json(renderEvent(await core.events.expunge(tenantIn(c), id)), 200);
    })
    .openapi(guard(routes.listDeliveries, access('deliveries:read', portal)), async (c) => {
      const { endpointId, eventId, ...filter } = c.req.valid('query');
      const list = await core.deliveries.list(tenantIn(c), {
        ...filter,
        endpointId: endpointId === undefined ? undefined : filterUuidOf('endpoint', endpointId, 'endpointId'),
        eventId: eventId === undefined ? undefined : filterUuidOf('event', eventId, 'eventId'),
        endpointMetadata: endpointScopeIn(c) ?? undefined,
      });
      return c.json(page(list, renderDelivery), 200);
    })
    .openapi(guard(routes.getDelivery, access('deliveries:read', portal)), async (c) => {
      const id = uuidOf('delivery', c.req.valid('param').id);
      const { delivery, attempts } = await core.deliveries.get(tenantIn(c), id);
      await requireEndpointInScope(core, c, delivery.endpointId, noSuchDelivery);
      // The body sent is the event's payload, which a filtered portal is refused (GET /v1/events/{id}).
      const withBody = endpointScopeIn(c) === null;
      return c.json({ ...renderDelivery(delivery), attempts: attempts.map((a) => renderAttempt(a, withBody)) }, 200);
    })
    .openapi(guard(routes.redeliver, access('deliveries:write', portal)), async (c) => {
      const id = uuidOf('delivery', c.req.valid('param').id);
      const { delivery } = await core.deliveries.get(tenantIn(c), id);
      await requireEndpointInScope(core, c, delivery.endpointId, noSuchDelivery);
      return c.json(renderDelivery(await core.deliveries.redeliver(tenantIn(c), id)), 202);
    })
    .openapi(guard(routes.replayDeliveries, access('deliveries:write', portal)), async (c) => {
      const { endpointId, ...body } = c.req.valid('json');
      // A filtered portal replays only its own endpoints: a named one outside them is the route's 404.
      const endpoint = endpointId === undefined ? undefined : uuidOf('endpoint', endpointId);
      if (endpoint !== undefined) await requireEndpointInScope(core, c, endpoint);
      const { result, replayed } = await core.deliveries.replay(tenantIn(c), {
        ...body,
        endpointId: endpoint,
        endpointMetadata: endpointScopeIn(c) ?? undefined,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return result.dryRun ? c.json(result, 200) : c.json(result, 202);
    })
    .openapi(guard(routes.skipDelivery, access('deliveries:write', portal)), async (c) => {
      const id = uuidOf('delivery', c.req.valid('param').id);
      const { delivery } = await core.deliveries.get(tenantIn(c), id);
      await requireEndpointInScope(core, c, delivery.endpointId, noSuchDelivery);
      return c.json(renderDelivery(await core.deliveries.skip(tenantIn(c), id)), 200);
    });
}
