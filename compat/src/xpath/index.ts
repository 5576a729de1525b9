import { buildDocument } from '@hookport/spec';
import type { VendorSurface } from '../shared/surface.ts';
import { errorResponse } from './errors.ts';
import { xpathRouter } from './handlers.ts';
import { xpathProfile } from './profile.ts';
import { basePath, xpathDelivery, xpathRoutes } from './routes.ts';

/** XPath v2.3's document, from the route declarations alone (committed as compat/openapi/xpath.json). */
function xpathDocument(): object {
  return buildDocument(
    xpathRoutes,
    {
      title: 'XPath v2.3 webhooks (Hookport compatible surface)',
      version: '2.3',
      description:
        'The XPath v2.3 webhook endpoint API served by Hookport: `{"data": …}` responses, `wh_` ids, errors as `{"error": {"code", "message"}}`. Deliveries are signed with Standard Webhooks.',
    },
    [xpathDelivery],
    {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A Hookport tenant token. Reading needs the endpoints:read scope, creating, updating and deleting endpoints:write.',
      },
    },
  );
}

export const xpathSurface: VendorSurface = {
  vendor: 'xpath',
  title: 'XPath v2.3 (compatible)',
  basePaths: [basePath],
  documentPath: '/openapi/xpath.json',
  document: xpathDocument,
  routes: xpathRouter,
  errorResponse,
  profile: xpathProfile,
};
