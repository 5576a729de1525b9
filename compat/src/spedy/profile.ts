import type { DeliveryProfile, RenderedRequest, RenderInput } from '@hookport/spec';
import { standardWebhooksHeaders, standardWebhooksSignatureHeaders } from '../shared/standard-webhooks.ts';
import type { ProfileOverrides } from '../shared/surface.ts';
import { isoSeconds } from '../shared/time.ts';
import { messageIds } from './ids.ts';

/** Retries after 10 s, 60 s and 300 s: four attempts in all (vendors.md, decision). */
export const spedyRetrySchedule: readonly number[] = [10, 60, 300];
export const spedyTimeoutMs = 15_000;

/**
 * Deliveries to Spedy endpoints: the Standard Webhooks payload structure
 * `{type, timestamp, data}` (timestamp: when the event occurred, in Spedy's
 * whole-second format), signed with Standard Webhooks under the endpoint's
 * `whsec_` secret. The webhook-id is derived from the event, so a receiver
 * deduplicates retries and redeliveries.
 */
export function spedyProfile({ retrySchedule }: ProfileOverrides = {}): DeliveryProfile {
  return {
    name: 'spedy',
    retrySchedule: retrySchedule ?? spedyRetrySchedule,
    timeoutMs: spedyTimeoutMs,
    signatureHeaders: standardWebhooksSignatureHeaders,
    render(input: RenderInput): RenderedRequest {
      const body = JSON.stringify({
        type: input.eventType,
        timestamp: isoSeconds(input.eventCreatedAt),
        data: input.data,
      });
      const headers = standardWebhooksHeaders(input, messageIds.encode(input.eventId), body);
      return { body, headers: { 'content-type': 'application/json', ...headers } };
    },
  };
}
