import { createSurfaceRouter, guard } from '@hookport/compat';
import { type CorePort, stats as routes, type StatsRecord } from '@hookport/spec';
import { access, tenantIn } from './access.ts';
import { refuseFilteredPortal, requireEndpointInScope } from './endpoint-scope.ts';
import { uuidOf } from './ids.ts';

/** The statistics as the native API shows them: ISO times, counts as they are. */
function renderStats(s: StatsRecord) {
  return {
    since: s.since.toISOString(),
    until: s.until.toISOString(),
    bucket: s.bucket,
    eventType: s.eventType,
    total: s.total,
    buckets: s.buckets.map(({ start, ...counts }) => ({ start: start.toISOString(), ...counts })),
  };
}

/**
 * The statistics routes. They need deliveries:read: they are a summary of the delivery log that scope
 * already reads in full (docs/api.md, "Statistics").
 */
const portal = { portal: true };

export function statsRouter(core: CorePort) {
  return createSurfaceRouter()
    .openapi(guard(routes.getEndpointStats, access('deliveries:read', portal)), async (c) => {
      const id = uuidOf('endpoint', c.req.valid('param').id);
      await requireEndpointInScope(core, c, id);
      return c.json(renderStats(await core.stats.endpoint(tenantIn(c), id, c.req.valid('query'))), 200);
    })
    .openapi(guard(routes.getStats, access('deliveries:read', portal)), async (c) => {
      // Tenant-wide counts would show a filtered portal the traffic of endpoints it cannot see.
      refuseFilteredPortal(c, 'tenant-wide statistics');
      return c.json(renderStats(await core.stats.tenant(tenantIn(c), c.req.valid('query'))), 200);
    });
}
