/**
 * @hookport/sdk/testing: an in-memory mock of the Hookport API for msw, and
 * signed webhook requests for a receiver's tests. Needs `msw` (a peer
 * dependency); imports nothing from Node, so it runs in browser test runners.
 */
export { defaultBaseUrl, type HookportHandlersOptions, hookportHandlers } from './handlers.ts';
export { type SignedWebhookHeaders, type SignTestWebhookOptions, signTestWebhook } from './sign.ts';
