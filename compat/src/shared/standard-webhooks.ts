import { boundedCache, type RenderInput } from '@hookport/spec';
import { Webhook } from 'standardwebhooks';

/**
 * Signers by key: building one decodes the key, which cost as much as the signature itself when it
 * was done for every attempt.
 */
const signers = boundedCache<Webhook>(10_000);
const signerFor = (key: string): Webhook => signers.get(key, () => new Webhook(key));

/** The header standardWebhooksHeaders signs into, and what a read of the request shows in its place. */
export const standardWebhooksSignatureHeaders: Readonly<Record<string, string>> = {
  'webhook-signature': 'v1,<signature>',
};

/**
 * Standard Webhooks signature headers for `body`, signed with every live
 * secret (two, space-separated, while a rotation's grace period runs).
 * `keyOf` turns a stored secret into what the `standardwebhooks` library
 * takes: the secret itself for `whsec_` secrets, the base64 of the whole string
 * for vendors whose HMAC key is the secret's UTF-8 bytes (Rapidly).
 */
export function standardWebhooksHeaders(
  input: RenderInput,
  msgId: string,
  body: string,
  keyOf: (secret: string) => string = (secret) => secret,
): Record<string, string> {
  const signatures = [input.secrets.current, input.secrets.previous]
    .filter((s): s is string => s !== null)
    .map((secret) => signerFor(keyOf(secret)).sign(msgId, input.now, body));
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(input.now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** The key of a secret used as raw UTF-8 bytes, in the base64 form `standardwebhooks` expects. */
export const wholeStringKey = (secret: string): string => Buffer.from(secret, 'utf8').toString('base64');
