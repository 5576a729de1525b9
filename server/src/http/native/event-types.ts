import { createSurfaceRouter, guard } from '@hookport/compat';
import { type CorePort, eventTypes as routes } from '@hookport/spec';
import { access, tenantIn } from './access.ts';
import { page, renderEventType } from './render.ts';

/**
 * The catalogue is read with endpoints:read and changed with endpoints:write (docs/architecture.md);
 * a portal session reads it (to pick an endpoint's event types) but never changes it.
 */
export function eventTypesRouter(core: CorePort) {
  return createSurfaceRouter()
    .openapi(guard(routes.createEventType, access('endpoints:write')), async (c) => {
      const created = await core.eventTypes.create(tenantIn(c), c.req.valid('json'));
      return c.json(renderEventType(created), 201);
    })
    .openapi(guard(routes.listEventTypes, access('endpoints:read', { portal: true })), async (c) => {
      return c.json(page(await core.eventTypes.list(tenantIn(c), c.req.valid('query')), renderEventType), 200);
    })
    .openapi(guard(routes.getEventType, access('endpoints:read', { portal: true })), async (c) => {
      return c.json(renderEventType(await core.eventTypes.get(tenantIn(c), c.req.valid('param').name)), 200);
    })
    .openapi(guard(routes.updateEventType, access('endpoints:write')), async (c) => {
      const updated = await core.eventTypes.update(tenantIn(c), c.req.valid('param').name, c.req.valid('json'));
      return c.json(renderEventType(updated), 200);
    })
    .openapi(guard(routes.deleteEventType, access('endpoints:write')), async (c) => {
      await core.eventTypes.delete(tenantIn(c), c.req.valid('param').name);
      return c.body(null, 204);
    });
}
