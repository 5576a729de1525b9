import { type CorePort, eventTypes as routes } from '@hookport/spec';
import { tenantIdOf } from '../auth.ts';
import { createRouter } from '../factory.ts';
import { guard } from './guard.ts';
import { page, renderEventType } from './render.ts';

/** The catalogue is read with endpoints:read and changed with endpoints:write (docs/architecture.md). */
export function eventTypesRouter(core: CorePort) {
  return createRouter()
    .openapi(guard(routes.createEventType, 'endpoints:write'), async (c) => {
      const created = await core.eventTypes.create(tenantIdOf(c), c.req.valid('json'));
      return c.json(renderEventType(created), 201);
    })
    .openapi(guard(routes.listEventTypes, 'endpoints:read'), async (c) => {
      return c.json(page(await core.eventTypes.list(tenantIdOf(c), c.req.valid('query')), renderEventType), 200);
    })
    .openapi(guard(routes.getEventType, 'endpoints:read'), async (c) => {
      return c.json(renderEventType(await core.eventTypes.get(tenantIdOf(c), c.req.valid('param').name)), 200);
    })
    .openapi(guard(routes.updateEventType, 'endpoints:write'), async (c) => {
      const updated = await core.eventTypes.update(tenantIdOf(c), c.req.valid('param').name, c.req.valid('json'));
      return c.json(renderEventType(updated), 200);
    })
    .openapi(guard(routes.deleteEventType, 'endpoints:write'), async (c) => {
      await core.eventTypes.delete(tenantIdOf(c), c.req.valid('param').name);
      return c.body(null, 204);
    });
}
