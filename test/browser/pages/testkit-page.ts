/**
 * Bundled for the browser by testkit.test.ts: the SDK test kit used in a page
 * with nothing from Node, through msw's getResponse as the client's fetch.
 * The outcome is left on globalThis.testKitResult for the test to read.
 */
import { getResponse } from 'msw';
import { Hookport, HookportError, verifyWebhook } from '../../../sdk/src/index.ts';
import { hookportHandlers, signTestWebhook } from '../../../sdk/src/testing/index.ts';

async function run() {
  const handlers = hookportHandlers();
  const hp = new Hookport({
    baseUrl: 'https://hookport.test',
    token: 'browser-token',
    fetch: async (request) =>
      (await getResponse(handlers, request)) ?? Response.json({ unhandled: request.url }, { status: 599 }),
  });
  await hp.eventTypes.create({ name: 'order.paid' });
  const endpoint = await hp.endpoints.create({ url: 'https://example.com/hooks', eventTypes: ['order.*'] });
  const event = await hp.events.publish({ type: 'order.paid', data: { orderId: 'o-1' } });
  const deliveries = await hp.deliveries.list({ eventId: event.id });
  const refused = await hp.endpoints.create({ url: 'https://example.com/hooks', eventTypes: ['order.lost'] }).then(
    () => undefined,
    (error: unknown) => (error instanceof HookportError ? [error.status, error.code, error.errors[0]?.path] : error),
  );
  const body = JSON.stringify({ type: 'order.paid', timestamp: new Date().toISOString(), data: { orderId: 'o-1' } });
  const headers = await signTestWebhook({ secret: endpoint.secret, body });
  const verified = await verifyWebhook(body, new Headers(headers), endpoint.secret);
  return {
    delivered: deliveries.data.map((d) => [d.endpointId === endpoint.id, d.status]),
    refused,
    verified: verified.data,
  };
}

(globalThis as { testKitResult?: Promise<unknown> }).testKitResult = run().catch((error: unknown) => ({
  failed: String(error),
}));
