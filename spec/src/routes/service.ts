import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { jsonResponse } from './helpers.ts';

const tags = ['Service'];

export const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
export const ReadySchema = z.object({ status: z.literal('ready'), database: z.literal('ok') }).openapi('Ready');

export const health = createRoute({
  operationId: 'health',
  method: 'get',
  path: '/health',
  tags,
  summary: 'Liveness: the process answers',
  responses: { 200: jsonResponse(HealthSchema, 'Alive'), ...errorResponses() },
});

export const ready = createRoute({
  operationId: 'ready',
  method: 'get',
  path: '/ready',
  tags,
  summary: 'Readiness: the database answers',
  responses: {
    200: jsonResponse(ReadySchema, 'Ready to serve'),
    ...errorResponses(503),
  },
});
