import { createSurfaceRouter, guard } from '@hookport/compat';
import { type CorePort, tenants as routes } from '@hookport/spec';
import { access } from './access.ts';
import { uuidOf } from './ids.ts';
import { page, renderTenant, renderToken } from './render.ts';

export function tenantsRouter(core: CorePort) {
  return createSurfaceRouter()
    .openapi(guard(routes.createTenant, access('admin')), async (c) => {
      const tenant = await core.tenants.create(c.req.valid('json'));
      return c.json(renderTenant(tenant), 201);
    })
    .openapi(guard(routes.listTenants, access('admin')), async (c) => {
      return c.json(page(await core.tenants.list(c.req.valid('query')), renderTenant), 200);
    })
    .openapi(guard(routes.getTenant, access('admin')), async (c) => {
      const tenant = await core.tenants.get(uuidOf('tenant', c.req.valid('param').id));
      return c.json(renderTenant(tenant), 200);
    })
    .openapi(guard(routes.updateTenant, access('admin')), async (c) => {
      const id = uuidOf('tenant', c.req.valid('param').id);
      return c.json(renderTenant(await core.tenants.update(id, c.req.valid('json'))), 200);
    })
    .openapi(guard(routes.createToken, access('admin')), async (c) => {
      const tenantId = uuidOf('tenant', c.req.valid('param').id);
      const { record, token } = await core.tokens.create(tenantId, c.req.valid('json'));
      return c.json({ ...renderToken(record), token }, 201);
    })
    .openapi(guard(routes.listTokens, access('admin')), async (c) => {
      const tenantId = uuidOf('tenant', c.req.valid('param').id);
      return c.json(page(await core.tokens.list(tenantId, c.req.valid('query')), renderToken), 200);
    })
    .openapi(guard(routes.revokeToken, access('admin')), async (c) => {
      const { id, tokenId } = c.req.valid('param');
      await core.tokens.revoke(uuidOf('tenant', id), uuidOf('token', tokenId));
      return c.body(null, 204);
    });
}
