import { createSurfaceRouter, guard, tenantIn } from '@hookport/compat';
import { type CorePort, endpoints as routes } from '@hookport/spec';
import { access } from './access.ts';
import { uuidOf } from './ids.ts';
import { page, renderDelivery, renderEndpoint } from './render.ts';

export function endpointsRouter(core: CorePort) {
  return createSurfaceRouter()
    .openapi(guard(routes.createEndpoint, access('endpoints:write')), async (c) => {
      const { endpoint, secret } = await core.endpoints.create(tenantIn(c), c.req.valid('json'));
      return c.json({ ...renderEndpoint(endpoint), secret }, 201);
    })
    .openapi(guard(routes.listEndpoints, access('endpoints:read')), async (c) => {
      return c.json(page(await core.endpoints.list(tenantIn(c), c.req.valid('query')), renderEndpoint), 200);
    })
    .openapi(guard(routes.getEndpoint, access('endpoints:read')), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      return c.json(renderEndpoint(await core.endpoints.get(tenantIn(c), id)), 200);
    })
    .openapi(guard(routes.updateEndpoint, access('endpoints:write')), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      return c.json(renderEndpoint(await core.endpoints.update(tenantIn(c), id, c.req.valid('json'))), 200);
    })
    .openapi(guard(routes.deleteEndpoint, access('endpoints:write')), async (c) => {
      await core.endpoints.delete(tenantIn(c), uuidOf('endpoint', c.req.valid('param').id));
      return c.body(null, 204);
    })
    .openapi(guard(routes.rotateEndpointSecret, access('endpoints:write')), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      const rotated = await core.endpoints.rotateSecret(tenantIn(c), id, c.req.valid('json'));
      return c.json(
        { secret: rotated.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt?.toISOString() ?? null },
        200,
      );
    })
    .openapi(guard(routes.pingEndpoint, access('endpoints:write')), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      return c.json(renderDelivery(await core.endpoints.ping(tenantIn(c), id)), 202);
    })
    .openapi(guard(routes.recoverEndpoint, access('deliveries:write')), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      const recovered = await core.endpoints.recover(tenantIn(c), id, new Date(c.req.valid('json').since));
      return c.json({ recovered }, 202);
    });
}
