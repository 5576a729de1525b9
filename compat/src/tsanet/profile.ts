import { createHmac, randomBytes } from 'node:crypto';
import type { DeliveryProfile, RenderedRequest, RenderInput } from '@hookport/spec';
import type { ProfileOverrides } from '../shared/surface.ts';
import { isoSeconds } from '../shared/time.ts';

/** Up to 3 retries after the first attempt: 10 s, 60 s, 300 s (the vendor's document). */
export const tsanetRetrySchedule: readonly number[] = [10, 60, 300];
export const tsanetTimeoutMs = 15_000;
export const signatureHeader = 'x-hub-signature-256';

/** A new subscription secret: 32 random bytes as 64 lowercase hex characters, used as UTF-8 text for the HMAC. */
export function newTsanetSecret(): string {
  return randomBytes(32).toString('hex');
}

/** `sha256=` and the lowercase hex HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes (GitHub's scheme). */
export function hubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body, 'utf8').digest('hex')}`;
}

/** A token-like value of the event data: a non-empty string, or a number written as text. */
function tokenIn(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export interface TsanetPayload {
  eventType: string;
  requestToken: string;
  noteToken?: string;
  timestamp: string;
}

/**
 * The vendor's payload from a Hookport event. The publisher puts
 * `requestToken` (and `noteToken` for notes) in the event data; an event
 * without one (a ping, an operational event) carries its event id instead, so
 * the SDK's parser, which requires a requestToken, still accepts it. The
 * timestamp is when the event was published, so every attempt sends the same
 * bytes and the delivery log can show exactly what was sent.
 */
export function tsanetPayload(event: {
  eventId: string;
  eventType: string;
  data: Record<string, unknown>;
  eventCreatedAt: Date;
}): TsanetPayload {
  const noteToken = tokenIn(event.data, 'noteToken');
  return {
    eventType: event.eventType,
    requestToken: tokenIn(event.data, 'requestToken') ?? event.eventId,
    ...(noteToken !== undefined ? { noteToken } : {}),
    timestamp: isoSeconds(event.eventCreatedAt),
  };
}

export function tsanetBody(event: Parameters<typeof tsanetPayload>[0]): string {
  return JSON.stringify(tsanetPayload(event));
}

/**
 * TSANet deliveries: the thin payload above, signed with X-Hub-Signature-256.
 * One signature only, with the current secret, even while a rotation's grace
 * period runs: the vendor's SDK compares the whole header with one expected
 * value, so a second, space-separated signature would fail every receiver.
 */
export function tsanetProfile({ retrySchedule }: ProfileOverrides = {}): DeliveryProfile {
  return {
    name: 'tsanet',
    retrySchedule: retrySchedule ?? tsanetRetrySchedule,
    timeoutMs: tsanetTimeoutMs,
    signatureHeaders: { [signatureHeader]: 'sha256=<signature>' },
    render(input: RenderInput): RenderedRequest {
      const body = tsanetBody(input);
      return {
        body,
        headers: { 'content-type': 'application/json', [signatureHeader]: hubSignature(input.secrets.current, body) },
      };
    },
  };
}
