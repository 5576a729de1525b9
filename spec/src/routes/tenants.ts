import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { CursorQuerySchema, pageSchema } from '../schemas/common.ts';
import {
  CreatedTokenSchema,
  CreateTenantSchema,
  CreateTokenSchema,
  TenantIdSchema,
  TenantSchema,
  TokenIdSchema,
  TokenSchema,
  UpdateTenantSchema,
} from '../schemas/tenants.ts';
import { bearerAuth, jsonBody, jsonResponse, noContent } from './helpers.ts';

const tags = ['Tenants'];
const TenantParams = z.object({ id: TenantIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });
const TokenParams = TenantParams.extend({
  tokenId: TokenIdSchema.openapi({ param: { name: 'tokenId', in: 'path' } }),
});

export const createTenant = createRoute({
  operationId: 'createTenant',
  method: 'post',
  path: '/v1/tenants',
  tags,
  summary: 'Create a tenant (admin token)',
  security: bearerAuth,
  request: { body: jsonBody(CreateTenantSchema) },
  responses: {
    201: jsonResponse(TenantSchema, 'The new tenant'),
    ...errorResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export const listTenants = createRoute({
  operationId: 'listTenants',
  method: 'get',
  path: '/v1/tenants',
  tags,
  summary: 'List tenants (admin token)',
  security: bearerAuth,
  request: { query: CursorQuerySchema },
  responses: {
    200: jsonResponse(pageSchema(TenantSchema, 'TenantPage'), 'A page of tenants, newest first'),
    ...errorResponses(400, 401, 403, 422),
  },
});

export const getTenant = createRoute({
  operationId: 'getTenant',
  method: 'get',
  path: '/v1/tenants/{id}',
  tags,
  summary: 'Get a tenant (admin token)',
  security: bearerAuth,
  request: { params: TenantParams },
  responses: {
    200: jsonResponse(TenantSchema, 'The tenant'),
    ...errorResponses(401, 403, 404),
  },
});

export const updateTenant = createRoute({
  operationId: 'updateTenant',
  method: 'patch',
  path: '/v1/tenants/{id}',
  tags,
  summary: 'Update a tenant (admin token)',
  security: bearerAuth,
  request: { params: TenantParams, body: jsonBody(UpdateTenantSchema) },
  responses: {
    200: jsonResponse(TenantSchema, 'The updated tenant'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export const createToken = createRoute({
  operationId: 'createToken',
  method: 'post',
  path: '/v1/tenants/{id}/tokens',
  tags,
  summary: 'Create an API token for a tenant (admin token); the token is shown once',
  security: bearerAuth,
  request: { params: TenantParams, body: jsonBody(CreateTokenSchema) },
  responses: {
    201: jsonResponse(CreatedTokenSchema, 'The new token, with its secret value'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export const listTokens = createRoute({
  operationId: 'listTokens',
  method: 'get',
  path: '/v1/tenants/{id}/tokens',
  tags,
  summary: "List a tenant's active tokens (admin token)",
  security: bearerAuth,
  request: { params: TenantParams, query: CursorQuerySchema },
  responses: {
    200: jsonResponse(pageSchema(TokenSchema, 'TokenPage'), 'A page of tokens, newest first'),
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export const revokeToken = createRoute({
  operationId: 'revokeToken',
  method: 'delete',
  path: '/v1/tenants/{id}/tokens/{tokenId}',
  tags,
  summary: 'Revoke a token (admin token); it stops working at once',
  security: bearerAuth,
  request: { params: TokenParams },
  responses: {
    204: noContent,
    ...errorResponses(401, 403, 404),
  },
});
