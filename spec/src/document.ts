import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { nativeRoutes } from './routes/index.ts';
import { eventWebhook } from './schemas/webhooks.ts';

export const apiVersion = '0.1.0';

export type DocumentInfo = {
  title: string;
  version: string;
  description: string;
};

/** The OpenAPI security schemes our surfaces use: bearer tokens and API-key headers. */
export type SecurityScheme =
  | { type: 'http'; scheme: 'bearer'; description?: string }
  | { type: 'apiKey'; in: 'header'; name: string; description?: string };

const nativeSecurity: Record<string, SecurityScheme> = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'A tenant API token, or the admin token for /v1/tenants.',
  },
};

/**
 * Builds an OpenAPI 3.1 document from route declarations alone (no handlers),
 * so the contract exists without the server. The server serves this very
 * document, and spec/openapi.json is this output, checked for drift in CI.
 * Vendor surfaces build theirs the same way, with their own security schemes.
 */
export function buildDocument(
  routes: readonly RouteConfig[],
  info: DocumentInfo,
  webhooks: readonly RouteConfig[] = [],
  securitySchemes: Record<string, SecurityScheme> = nativeSecurity,
) {
  const app = new OpenAPIHono();
  for (const [name, scheme] of Object.entries(securitySchemes)) {
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  }
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
