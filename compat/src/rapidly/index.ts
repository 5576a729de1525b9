import { buildDocument } from '@hookport/spec';
import type { VendorSurface } from '../shared/surface.ts';
import { errorResponse } from './errors.ts';
import { rapidlyRouter } from './handlers.ts';
import { rapidlyProfile } from './profile.ts';
import { basePath, rapidlyDelivery, rapidlyRoutes } from './routes.ts';

/** Rapidly's document, from the route declarations alone (committed as compat/openapi/rapidly.json). */
function rapidlyDocument(): object {
  return buildDocument(
    rapidlyRoutes,
    {
      title: 'Rapidly webhooks (Hookport compatible surface)',
      version: '1.0',
      description:
        'The Rapidly (Polar) webhook API served by Hookport: snake_case, UUID ids, `{data, meta}` pages, FastAPI errors (`{error, detail}`, 422 `detail` lists, `insufficient_scope`). Deliveries are signed with Standard Webhooks keyed by the whole secret string.',
    },
    [rapidlyDelivery],
    {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A Hookport tenant token. `webhooks:read` routes need endpoints:read (deliveries: deliveries:read); `webhooks:write` routes need endpoints:write (redeliver: deliveries:write).',
      },
    },
  );
}

export const rapidlySurface: VendorSurface = {
  vendor: 'rapidly',
  title: 'Rapidly (compatible)',
  basePaths: [basePath],
  documentPath: '/openapi/rapidly.json',
  document: rapidlyDocument,
  routes: rapidlyRouter,
  errorResponse,
  profile: rapidlyProfile,
};
