import { buildDocument } from '@hookport/spec';
import type { VendorSurface } from '../shared/surface.ts';
import { errorResponse } from './errors.ts';
import { spedyRouter } from './handlers.ts';
import { spedyProfile } from './profile.ts';
import { basePath, eventWebhook, spedyRoutes } from './routes.ts';

/** Spedy's document, from the route declarations alone (committed as compat/openapi/spedy.json). */
export function spedyDocument() {
  return buildDocument(
    spedyRoutes,
    {
      title: 'Hookport — Spedy-compatible webhook endpoints',
      version: '1.0.0',
      description:
        'The Spedy webhook endpoints API served by Hookport. Authorization: Bearer <Hookport tenant token>; webhooks:view = endpoints:read (+ deliveries:read for deliveries), webhooks:manage = endpoints:write (+ deliveries:write for ping and redeliver). Errors are NestJS bodies {statusCode, message, error}.',
    },
    [eventWebhook],
    {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A Hookport tenant token: webhooks:view = endpoints:read (+ deliveries:read), webhooks:manage = endpoints:write (+ deliveries:write).',
      },
    },
  );
}

/** Spedy's webhook endpoints API (`/api/v1/webhook-endpoints`) over the core port. */
export const spedySurface: VendorSurface = {
  vendor: 'spedy',
  title: 'Spedy-compatible API',
  basePaths: [basePath],
  documentPath: '/openapi/spedy.json',
  document: spedyDocument,
  routes: spedyRouter,
  errorResponse,
  profile: spedyProfile,
};
