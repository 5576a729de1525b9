import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { nativeRoutes } from './routes/index.ts';
import { eventWebhook } from './schemas/webhooks.ts';

export const apiVersion = '0.1.0';

export type DocumentInfo = {
  title: string;
  version: string;
  description: string;
};

/**
 * Builds an OpenAPI 3.1 document from route declarations alone (no handlers),
 * so the contract exists without the server. The server serves this very
 * document, and spec/openapi.json is this output, checked for drift in CI.
 */
export function buildDocument(
  routes: readonly RouteConfig[],
  info: DocumentInfo,
  webhooks: readonly RouteConfig[] = [],
) {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A tenant API token, or the admin token for /v1/tenants.',
  });
  for (const route of routes) app.openAPIRegistry.registerPath(route);
  for (const hook of webhooks) app.openAPIRegistry.registerWebhook(hook);
  return app.getOpenAPI31Document({ openapi: '3.1.0', info });
}

export function buildNativeDocument() {
  return buildDocument(
    nativeRoutes,
    {
      title: 'Hookport API',
      version: apiVersion,
      description:
        'Webhook delivery: manage tenants, tokens, event types and endpoints, publish events, inspect deliveries. Errors are RFC 9457 problem details.',
    },
    [eventWebhook],
  );
}
