import { createSurfaceRouter, guard } from '@hookport/compat';
import { type CorePort, payloadFilterMatches, endpoints as routes } from '@hookport/spec';
import { access, tenantIn } from './access.ts';
import { endpointScopeIn, requireEndpointInScope, withScopedMetadata } from './endpoint-scope.ts';
import { uuidOf } from './ids.ts';
import { page, renderDelivery, renderEndpoint } from './render.ts';

/** Portal sessions use every endpoint route, within their endpoint scope (endpoint-scope.ts). */
const portal = { portal: true };

export function endpointsRouter(core: CorePort) {
  return createSurfaceRouter()
    .openapi(guard(routes.createEndpoint, access('endpoints:write', portal)), async (c) => {
      const input = withScopedMetadata(c, c.req.valid('json'), true);
      const { endpoint, secret } = await core.endpoints.create(tenantIn(c), input);
      return c.json({ ...renderEndpoint(endpoint), secret }, 201);
    })
    .openapi(guard(routes.listEndpoints, access('endpoints:read', portal)), async (c) => {
      const filter = { ...c.req.valid('query'), metadata: endpointScopeIn(c) ?? undefined };
      return c.json(page(await core.endpoints.list(tenantIn(c), filter), renderEndpoint), 200);
    })
    .openapi(guard(routes.getEndpoint, access('endpoints:read', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      return c.json(renderEndpoint(await core.endpoints.get(tenantIn(c), id)), 200);
    })
    .openapi(guard(routes.updateEndpoint, access('endpoints:write', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      const input = withScopedMetadata(c, c.req.valid('json'), false);
      return c.json(renderEndpoint(await core.endpoints.update(tenantIn(c), id, input)), 200);
    })
    .openapi(guard(routes.deleteEndpoint, access('endpoints:write', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      await core.endpoints.delete(tenantIn(c), id);
      return c.body(null, 204);
    })
    .openapi(guard(routes.rotateEndpointSecret, access('endpoints:write', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      const rotated = await core.endpoints.rotateSecret(tenantIn(c), id, c.req.valid('json'));
      return c.json(
        { secret: rotated.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt?.toISOString() ?? null },
        200,
      );
    })
    .openapi(guard(routes.pingEndpoint, access('endpoints:write', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      return c.json(renderDelivery(await core.endpoints.ping(tenantIn(c), id)), 202);
    })
    .openapi(guard(routes.sendExampleToEndpoint, access('endpoints:write', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      return c.json(renderDelivery(await core.endpoints.sendExample(tenantIn(c), id, c.req.valid('json'))), 202);
    })
    .openapi(guard(routes.testEndpointFilter, access('endpoints:read', portal)), (c) => {
      // Pure: the body's schema has validated the filter, so evaluating it cannot fail and stores nothing.
      const { filter, event } = c.req.valid('json');
      return c.json({ matches: payloadFilterMatches(filter, event) }, 200);
    })
    .openapi(guard(routes.recoverEndpoint, access('deliveries:write', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      const recovered = await core.endpoints.recover(tenantIn(c), id, new Date(c.req.valid('json').since));
      return c.json({ recovered }, 202);
    });
}
