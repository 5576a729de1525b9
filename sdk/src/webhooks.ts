/**
 * Signature verification for webhook receivers, on Web Crypto only, so it runs
 * unchanged in Node, Bun, Deno and edge runtimes.
 *
 * Native endpoints sign with Standard Webhooks. Endpoints created through a
 * vendor adapter sign the vendor's way; the verifiers for those conventions
 * are here too, so a receiver migrating off a vendor needs one library.
 */
import type { EventData, Schemas } from './types.ts';

/**
 * The body Hookport delivers to native endpoints (Rapidly's `raw` format has
 * the same shape), generated from the spec's `webhooks.event`; `data` can be
 * narrowed to the caller's own event type.
 */
export type WebhookPayload<TData = EventData> = Omit<Schemas['WebhookPayload'], 'data'> & { data: TData };

/**
 * Request headers in any of the usual forms: Fetch `Headers`, Node's
 * `IncomingHttpHeaders` (`req.headers`) or a plain object. Names are matched
 * case-insensitively.
 */
export type WebhookHeaders =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** The request body exactly as received: verify before parsing, never a re-serialised object. */
export type RawBody = string | Uint8Array | ArrayBuffer;

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, in either direction. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The current time, for tests. Default `Date.now()`. */
  now?: Date | number;
  /**
   * How the secret becomes the HMAC key. `base64` (Standard Webhooks, the
   * default): the part after `whsec_` is base64-decoded. `raw`: the UTF-8
   * bytes of the whole secret string, prefix included (Rapidly).
   */
  keyEncoding?: 'base64' | 'raw';
}

export type WebhookVerificationFailure =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature'
  | 'invalid_payload';

/** The request is not a genuine, fresh webhook: answer it with a 4xx and do not act on it. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationFailure;

  constructor(reason: WebhookVerificationFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

const encoder = new TextEncoder();

/**
 * Verifies a Standard Webhooks request (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64> [v1,<base64> …]`) and returns the parsed body.
 * Any one valid signature is enough, so it keeps working while a secret
 * rotation sends two. Throws `WebhookVerificationError`.
 */
export async function verifyWebhook<TData = EventData>(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookPayload<TData>> {
  const id = requireHeader(headers, 'webhook-id');
  const timestamp = requireHeader(headers, 'webhook-timestamp');
  const signatures = requireHeader(headers, 'webhook-signature');
  checkTimestamp(timestamp, options);

  const key = await hmacKey(keyBytes(secret, options.keyEncoding), 'verify');
  const body = toBytes(rawBody);
  const signed = signedContent(id, timestamp, body);
  for (const candidate of signatures.split(' ')) {
    const comma = candidate.indexOf(',');
    if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue;
    const signature = fromBase64(candidate.slice(comma + 1));
    // subtle.verify compares in constant time.
    if (signature && (await globalThis.crypto.subtle.verify('HMAC', key, signature, signed))) {
      return parsePayload<TData>(body);
    }
  }
  throw new WebhookVerificationError(
    'no_matching_signature',
    'No webhook-signature matches the body: wrong secret, or the body was changed (verify the raw bytes as received).',
  );
}

/** `verifyWebhook` with Rapidly's key convention: the HMAC key is the whole secret string (`rapidly_whs_…`). */
export function verifyRapidlyWebhook<TData = EventData>(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: string,
  options: Omit<VerifyWebhookOptions, 'keyEncoding'> = {},
): Promise<WebhookPayload<TData>> {
  return verifyWebhook<TData>(rawBody, headers, secret, { ...options, keyEncoding: 'raw' });
}

/**
 * Verifies TSANet's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`,
 * keyed with the secret's UTF-8 bytes, and returns the parsed JSON body. The
 * scheme has no timestamp, so it cannot reject a replayed request: deduplicate
 * on the payload's own identifiers.
 */
export async function verifyHubSignature<T = unknown>(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: string,
): Promise<T> {
  const header = requireHeader(headers, 'x-hub-signature-256').trim();
  const signature = header.startsWith('sha256=') ? fromHex(header.slice('sha256='.length)) : undefined;
  const body = toBytes(rawBody);
  const key = await hmacKey(encoder.encode(secret), 'verify');
  if (!signature || !(await globalThis.crypto.subtle.verify('HMAC', key, signature, body))) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      'X-Hub-Signature-256 does not match the body: wrong secret, or the body was changed (verify the raw bytes as received).',
    );
  }
  return parseJson<T>(body);
}

/**
 * The `v1,<base64>` Standard Webhooks signature of a message: what Hookport
 * sends in `webhook-signature`. The test kit signs with it, so a signed test
 * request and `verifyWebhook` share one implementation of the scheme.
 */
export async function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: string,
  rawBody: RawBody,
  keyEncoding: VerifyWebhookOptions['keyEncoding'] = 'base64',
): Promise<string> {
  const key = await hmacKey(keyBytes(secret, keyEncoding), 'sign');
  const signature = await globalThis.crypto.subtle.sign('HMAC', key, signedContent(id, timestamp, toBytes(rawBody)));
  return `v1,${toBase64(new Uint8Array(signature))}`;
}

/** What Standard Webhooks signs: `<id>.<timestamp>.<body>`. */
function signedContent(id: string, timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat(encoder.encode(`${id}.${timestamp}.`), body);
}

function keyBytes(secret: string, keyEncoding: VerifyWebhookOptions['keyEncoding']): Uint8Array<ArrayBuffer> {
  return keyEncoding === 'raw' ? encoder.encode(secret) : decodeSecret(secret);
}

function checkTimestamp(value: string, options: VerifyWebhookOptions): void {
  if (!/^\d{1,15}$/.test(value)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `webhook-timestamp "${value}" is not a Unix time in seconds.`,
    );
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor(Number(options.now ?? Date.now()) / 1000);
  const age = now - Number(value);
  if (age > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp is ${age} s in the past, more than the ${tolerance} s tolerance: a replay, or this machine's clock is wrong.`,
    );
  }
  if (-age > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `webhook-timestamp is ${-age} s in the future, more than the ${tolerance} s tolerance: check this machine's clock.`,
    );
  }
}

function parsePayload<TData>(body: Uint8Array): WebhookPayload<TData> {
  const payload = parseJson<unknown>(body);
  if (
    typeof payload !== 'object' ||
    payload === null ||
    !('type' in payload && typeof payload.type === 'string') ||
    !('timestamp' in payload && typeof payload.timestamp === 'string') ||
    !('data' in payload)
  ) {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not a {type, timestamp, data} object.');
  }
  return payload as WebhookPayload<TData>;
}

function parseJson<T>(body: Uint8Array): T {
  try {
    return JSON.parse(new TextDecoder().decode(body)) as T;
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not JSON.');
  }
}

function requireHeader(headers: WebhookHeaders, name: string): string {
  const value = readHeader(headers, name);
  if (value === undefined || value === '') {
    throw new WebhookVerificationError('missing_header', `The ${name} header is missing.`);
  }
  return value;
}

function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    // A header sent twice arrives as an array from Node: both values take part, as Fetch joins them.
    return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

function isFetchHeaders(headers: WebhookHeaders): headers is { get(name: string): string | null } {
  return typeof headers.get === 'function';
}

function decodeSecret(secret: string): Uint8Array<ArrayBuffer> {
  const key = fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (!key || key.length === 0) {
    throw new TypeError('The webhook secret is not a Standard Webhooks secret (whsec_ followed by base64).');
  }
  return key;
}

function hmacKey(raw: Uint8Array<ArrayBuffer>, usage: 'sign' | 'verify') {
  return globalThis.crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

function toBytes(body: RawBody): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return encoder.encode(body);
  // A copy: Web Crypto wants a view on a plain ArrayBuffer, and Node's Buffer may share a pool.
  return new Uint8Array(body instanceof ArrayBuffer ? body.slice(0) : body);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) return undefined;
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}
