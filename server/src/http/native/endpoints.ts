import { type CorePort, endpoints as routes } from '@hookport/spec';
import { tenantIdOf } from '../auth.ts';
import { createRouter } from '../factory.ts';
import { guard } from './guard.ts';
import { uuidOf } from './ids.ts';
import { page, renderDelivery, renderEndpoint } from './render.ts';

export function endpointsRouter(core: CorePort) {
  return createRouter()
    .openapi(guard(routes.createEndpoint, 'endpoints:write'), async (c) => {
      const { endpoint, secret } = await core.endpoints.create(tenantIdOf(c), c.req.valid('json'));
      return c.json({ ...renderEndpoint(endpoint), secret }, 201);
    })
    .openapi(guard(routes.listEndpoints, 'endpoints:read'), async (c) => {
      return c.json(page(await core.endpoints.list(tenantIdOf(c), c.req.valid('query')), renderEndpoint), 200);
    })
    .openapi(guard(routes.getEndpoint, 'endpoints:read'), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      return c.json(renderEndpoint(await core.endpoints.get(tenantIdOf(c), id)), 200);
    })
    .openapi(guard(routes.updateEndpoint, 'endpoints:write'), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      return c.json(renderEndpoint(await core.endpoints.update(tenantIdOf(c), id, c.req.valid('json'))), 200);
    })
    .openapi(guard(routes.deleteEndpoint, 'endpoints:write'), async (c) => {
      await core.endpoints.delete(tenantIdOf(c), uuidOf('endpoint', c.req.valid('param').id));
      return c.body(null, 204);
    })
    .openapi(guard(routes.rotateEndpointSecret, 'endpoints:write'), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      const rotated = await core.endpoints.rotateSecret(tenantIdOf(c), id, c.req.valid('json'));
      return c.json(
        { secret: rotated.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt?.toISOString() ?? null },
        200,
      );
    })
    .openapi(guard(routes.pingEndpoint, 'endpoints:write'), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      return c.json(renderDelivery(await core.endpoints.ping(tenantIdOf(c), id)), 202);
    })
    .openapi(guard(routes.recoverEndpoint, 'deliveries:write'), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      const recovered = await core.endpoints.recover(tenantIdOf(c), id, new Date(c.req.valid('json').since));
      return c.json({ recovered }, 202);
    });
}
