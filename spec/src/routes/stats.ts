import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { DeliveryStatsSchema, StatsQuerySchema } from '../schemas/stats.ts';
import { EndpointParams } from './endpoints.ts';
import { bearerAuth, jsonResponse } from './helpers.ts';

const tags = ['Statistics'];
const description =
  'Counts per time bucket, read from per-minute rollups written with each attempt (docs/api.md, "Statistics"). At most 1,440 buckets per answer. Needs deliveries:read.';

export const getEndpointStats = createRoute({
  operationId: 'getEndpointStats',
  method: 'get',
  path: '/v1/endpoints/{id}/stats',
  tags,
  summary: "An endpoint's delivery statistics: outcomes, attempts by status class, latency percentiles",
  description,
  security: bearerAuth,
  request: { params: EndpointParams, query: StatsQuerySchema },
  responses: {
    200: jsonResponse(DeliveryStatsSchema, "The endpoint's statistics, bucket by bucket"),
    ...errorResponses(401, 403, 404, 422),
  },
});

export const getStats = createRoute({
  operationId: 'getStats',
  method: 'get',
  path: '/v1/stats',
  tags,
  summary: "The tenant's delivery statistics over all its endpoints, optionally for one event type",
  description,
  security: bearerAuth,
  request: { query: StatsQuerySchema },
  responses: {
    200: jsonResponse(DeliveryStatsSchema, "The tenant's statistics, bucket by bucket"),
    ...errorResponses(401, 403, 422),
  },
});
