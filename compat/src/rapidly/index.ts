import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { VendorSurface } from '../shared/surface.ts';
import { errorResponse } from './errors.ts';
import { rapidlyRouter } from './handlers.ts';
import { rapidlyProfile } from './profile.ts';
import { basePath, rapidlyRoutes } from './routes.ts';

/** What Hookport sends to a Rapidly endpoint of format `raw`, declared as an OpenAPI 3.1 webhook. */
const rapidlyDelivery = createRoute({
  operationId: 'rapidlyEventWebhook',
  method: 'post',
  path: 'event',
  tags: ['Webhooks'],
  summary: 'An event delivered to a webhook endpoint, signed with Standard Webhooks (key: the whole secret string)',
  request: {
    headers: z.object({
      'webhook-id': z
        .string()
        .openapi({ description: 'The event id (a UUID); the same across retries and redeliveries.' }),
      'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed.' }),
      'webhook-signature': z.string().openapi({
        description:
          '`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the UTF-8 bytes of the whole `rapidly_whs_…` secret: verify with `new Webhook(base64(secret))`.',
      }),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              type: z.string().openapi({ example: 'customer.created' }),
              timestamp: z.string().openapi({ format: 'date-time', description: 'When the event was created.' }),
              data: z.record(z.string(), z.unknown()),
            })
            .openapi('WebhookPayload', {
              description: 'Format `raw`. Endpoints of format `discord` or `slack` receive a chat message instead.',
            }),
        },
      },
    },
  },
  responses: {
    200: {
      description:
        'Any 2xx acknowledges the delivery; anything else (3xx included, or no answer within 10 s) is retried, up to 10 attempts about 2 s·2ⁿ apart.',
    },
  },
});

/** Rapidly's document, from the route declarations alone (committed as compat/openapi/rapidly.json). */
function rapidlyDocument(): object {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A Hookport tenant token. `webhooks:read` routes need endpoints:read (deliveries: deliveries:read); `webhooks:write` routes need endpoints:write (redeliver: deliveries:write).',
  });
  for (const route of rapidlyRoutes) app.openAPIRegistry.registerPath(route);
  app.openAPIRegistry.registerWebhook(rapidlyDelivery);
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Rapidly webhooks (Hookport compatible surface)',
      version: '1.0',
      description:
        'The Rapidly (Polar) webhook API served by Hookport: snake_case, UUID ids, `{data, meta}` pages, FastAPI errors (`{error, detail}`, 422 `detail` lists, `insufficient_scope`). Deliveries are signed with Standard Webhooks keyed by the whole secret string.',
    },
  });
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
