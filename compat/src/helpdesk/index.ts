import { buildDocument } from '@hookport/spec';
import type { VendorSurface } from '../shared/surface.ts';
import { errorResponse } from './errors.ts';
import { helpdeskRoutes } from './handlers.ts';
import { helpdeskProfile } from './profile.ts';
import { basePath, documentedRoutes, ticketWebhook } from './routes.ts';

/** Helpdesk's OpenAPI 3.1 document, built from the route declarations alone. */
export function helpdeskDocument(): object {
  return buildDocument(
    documentedRoutes(),
    {
      title: 'Hookport — Helpdesk-compatible webhooks',
      version: '1.0.0',
      description:
        'The Airclou Helpdesk webhook API served by Hookport: {webhook} envelopes, whk_ ids, admin-only access, errors as {"error": {code, message, status, details?, field?, request_id}}. Deliveries are signed with Standard Webhooks.',
    },
    [ticketWebhook],
    {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A Hookport tenant token with the endpoints:write (or *) scope: Helpdesk admin permission.',
      },
      apiKey: {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'The same token, sent as X-API-Key instead of Authorization: Bearer.',
      },
      workspace: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Workspace-Id',
        description: "Required on every request: the token's tenant id (tnt_…). Missing: 400 MISSING_WORKSPACE.",
      },
    },
  );
}

export const helpdeskSurface: VendorSurface = {
  vendor: 'helpdesk',
  title: 'Helpdesk (Airclou) compatible API',
  basePaths: [basePath],
  documentPath: '/openapi/helpdesk.json',
  document: helpdeskDocument,
  routes: helpdeskRoutes,
  errorResponse,
  profile: helpdeskProfile,
};
