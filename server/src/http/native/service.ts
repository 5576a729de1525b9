import { createSurfaceRouter } from '@hookport/compat';
import { CoreError, service as routes } from '@hookport/spec';
import type { Database } from '../../db/database.ts';

export function serviceRouter(db: Database) {
  return createSurfaceRouter()
    .openapi(routes.health, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(routes.ready, async (c) => {
      try {
        await db.query('select 1');
      } catch {
        throw new CoreError('unavailable', 'The database is not answering.', [], { 'Retry-After': '1' });
      }
      return c.json({ status: 'ready' as const, database: 'ok' as const }, 200);
    });
}
