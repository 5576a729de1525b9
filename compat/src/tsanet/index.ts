import { buildDocument } from '@hookport/spec';
import type { VendorSurface } from '../shared/surface.ts';
import { errorResponse } from './errors.ts';
import { tsanetRouter } from './handlers.ts';
import { tsanetProfile } from './profile.ts';
import { basePath, tsanetDelivery, tsanetRoutes } from './routes.ts';

/** TSANet Connect's webhook document, from the route declarations alone (committed as compat/openapi/tsanet.json). */
function tsanetDocument(): object {
  return buildDocument(
    tsanetRoutes,
    {
      title: 'TSANet Connect webhooks (Hookport compatible surface)',
      version: '1',
      description:
        'The TSANet Connect webhook subscription API served by Hookport: int64 ids, bare JSON, 200 on create, a Spring page of delivery attempts, errors as `{"message", "validationErrors": [{"field", "message"}]}`. Deliveries are signed with X-Hub-Signature-256.',
    },
    [tsanetDelivery],
    {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A Hookport tenant token. Listing needs endpoints:read, creating and deleting endpoints:write, the delivery log deliveries:read.',
      },
    },
  );
}

export const tsanetSurface: VendorSurface = {
  vendor: 'tsanet',
  title: 'TSANet Connect (compatible)',
  basePaths: [basePath],
  documentPath: '/openapi/tsanet.json',
  document: tsanetDocument,
  routes: tsanetRouter,
  errorResponse,
  profile: tsanetProfile,
};
