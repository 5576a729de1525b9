import { type RawBody, signStandardWebhook } from '../webhooks.ts';
import { newId } from './ids.ts';

export interface SignTestWebhookOptions {
  /** The endpoint's secret, `whsec_…`, as your receiver is configured with. */
  secret: string;
  /** The body exactly as your test will send it. */
  body: RawBody;
  /** `webhook-id`; a fresh `evt_…` TypeID (what Hookport sends) when absent. */
  id?: string;
  /** When the delivery was signed; now when absent. An old one tests your replay window. */
  timestamp?: Date;
}

/** The headers of a native Hookport delivery (a type alias, so it is a plain `Record<string, string>` too). */
export type SignedWebhookHeaders = {
  'content-type': 'application/json';
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * The headers a real Hookport delivery of `body` would carry, signed with
 * `secret` the way Hookport signs (Standard Webhooks), so a receiver's tests
 * can send it signed requests. Web Crypto only: Node and browsers alike.
 */
export async function signTestWebhook(options: SignTestWebhookOptions): Promise<SignedWebhookHeaders> {
  const id = options.id ?? newId('evt');
  const timestamp = String(Math.floor((options.timestamp ?? new Date()).getTime() / 1000));
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': await signStandardWebhook(options.secret, id, timestamp, options.body),
  };
}
