/**
 * @hookport/sdk: a typed client for the Hookport API and signature
 * verification for webhook receivers.
 */
export { Hookport, type HookportOptions } from './client.ts';
export {
  type FieldError,
  HookportError,
  HookportNetworkError,
  HookportTimeoutError,
  type ProblemCode,
} from './errors.ts';
export { type Page, PagePromise } from './pagination.ts';
export type {
  Deliveries,
  Endpoints,
  Events,
  EventTypes,
  PortalSessions,
  PublishOptions,
  RawClient,
  ReplayOptions,
  RequestOptions,
  Stats,
  Tenants,
  Tokens,
} from './resources.ts';
export type { FetchLike } from './transport.ts';
export type * from './types.ts';
export {
  type RawBody,
  type VerifyWebhookOptions,
  verifyHubSignature,
  verifyRapidlyWebhook,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookPayload,
  WebhookVerificationError,
  type WebhookVerificationFailure,
} from './webhooks.ts';
