import { createSurfaceRouter, guard, type SurfaceMiddleware, tenantIn } from '@hookport/compat';
import { CoreError, type CorePort, events as routes } from '@hookport/spec';
import { access } from './access.ts';
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
    .openapi(guard(routes.listEvents, access('deliveries:read')), async (c) => {
      return c.json(page(await core.events.list(tenantIn(c), c.req.valid('query')), renderEvent), 200);
    })
    .openapi(guard(routes.getEvent, access('deliveries:read')), async (c) => {
      const id = uuidOf('event', c.req.valid('param').id);
      return c.json(renderEvent(await core.events.get(tenantIn(c), id)), 200);
    })
    .openapi(guard(routes.listDeliveries, access('deliveries:read')), async (c) => {
      const { endpointId, eventId, ...filter } = c.req.valid('query');
      const list = await core.deliveries.list(tenantIn(c), {
        ...filter,
        endpointId: endpointId === undefined ? undefined : filterUuidOf('endpoint', endpointId, 'endpointId'),
        eventId: eventId === undefined ? undefined : filterUuidOf('event', eventId, 'eventId'),
      });
      return c.json(page(list, renderDelivery), 200);
    })
    .openapi(guard(routes.getDelivery, access('deliveries:read')), async (c) => {
      const id = uuidOf('delivery', c.req.valid('param').id);
      const { delivery, attempts } = await core.deliveries.get(tenantIn(c), id);
      return c.json({ ...renderDelivery(delivery), attempts: attempts.map(renderAttempt) }, 200);
    })
    .openapi(guard(routes.redeliver, access('deliveries:write')), async (c) => {
      const id = uuidOf('delivery', c.req.valid('param').id);
      return c.json(renderDelivery(await core.deliveries.redeliver(tenantIn(c), id)), 202);
    });
}
