import type { VendorSurface } from '../shared/surface.ts';
import { errorResponse } from './errors.ts';
import { spedyRouter } from './handlers.ts';
import { spedyProfile } from './profile.ts';
import { basePath, spedyDocument } from './routes.ts';

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
