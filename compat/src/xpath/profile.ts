import { type DeliveryProfile, prefixedId, type RenderedRequest, type RenderInput } from '@hookport/spec';
import { standardWebhooksHeaders, standardWebhooksSignatureHeaders } from '../shared/standard-webhooks.ts';
import type { ProfileOverrides } from '../shared/surface.ts';
import { isoSeconds } from '../shared/time.ts';

/** Seconds before each retry: three retries, four attempts in all (vendors.md). */
export const xpathRetrySchedule = [10, 60, 300] as const;
export const xpathTimeoutMs = 15_000;

/** `webhook-id`: the event id in XPath's id style, the same for every attempt and redelivery. */
const messageIds = prefixedId('evt');

/** The body every XPath delivery carries (Standard Webhooks' recommended payload). */
export function xpathPayload(input: RenderInput): { type: string; timestamp: string; data: Record<string, unknown> } {
  // When the event happened, not when this attempt was made: retries carry the same body.
  return { type: input.eventType, timestamp: isoSeconds(input.eventCreatedAt), data: input.data };
}

/** Deliveries to endpoints created through the XPath surface: Standard Webhooks over `whsec_` secrets. */
export function xpathProfile({ retrySchedule }: ProfileOverrides = {}): DeliveryProfile {
  return {
    name: 'xpath',
    retrySchedule: retrySchedule ?? xpathRetrySchedule,
    timeoutMs: xpathTimeoutMs,
    signatureHeaders: standardWebhooksSignatureHeaders,
    render(input: RenderInput): RenderedRequest {
      const body = JSON.stringify(xpathPayload(input));
      const msgId = messageIds.encode(input.eventId);
      return { body, headers: { 'content-type': 'application/json', ...standardWebhooksHeaders(input, msgId, body) } };
    },
  };
}
