import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import {
  CreatePortalSessionSchema,
  CurrentPortalSessionSchema,
  PortalSessionIdSchema,
  PortalSessionSchema,
} from '../schemas/portal-sessions.ts';
import { bearerAuth, jsonBody, jsonResponse, noContent } from './helpers.ts';

const tags = ['Portal sessions'];

export const createPortalSession = createRoute({
  operationId: 'createPortalSession',
  method: 'post',
  path: '/v1/portal-sessions',
  tags,
  summary: "Open a portal session: a short-lived link to the console, limited to one tenant's endpoints",
  description:
    'The admin token (with tenantId) or a tenant token with endpoints:write. The token is shown once; only its SHA-256 is stored.',
  security: bearerAuth,
  request: { body: jsonBody(CreatePortalSessionSchema) },
  responses: {
    201: jsonResponse(PortalSessionSchema, 'The new session, with its token and console link'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export const revokePortalSession = createRoute({
  operationId: 'revokePortalSession',
  method: 'delete',
  path: '/v1/portal-sessions/{id}',
  tags,
  summary: 'Revoke a portal session; its token stops working at once',
  security: bearerAuth,
  request: { params: z.object({ id: PortalSessionIdSchema.openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    204: noContent,
    ...errorResponses(401, 403, 404),
  },
});

export const getCurrentPortalSession = createRoute({
  operationId: 'getCurrentPortalSession',
  method: 'get',
  path: '/v1/portal-sessions/current',
  tags,
  summary: 'The session of the calling portal token: its tenant, whether it is read-only, its endpoint filter',
  description:
    'A portal token only: any other token gets a 403 problem. A revoked or expired session is a 401, like every call with its token.',
  security: bearerAuth,
  responses: {
    200: jsonResponse(CurrentPortalSessionSchema, 'The session'),
    ...errorResponses(401, 403),
  },
});
