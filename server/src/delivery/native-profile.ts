import { standardWebhooksHeaders, standardWebhooksSignatureHeaders } from '@hookport/compat';
import type { DeliveryProfile, RenderedRequest, RenderInput } from '@hookport/spec';
import { toTypeId } from '@hookport/spec';

/**
 * Native retry delays after the first (immediate) attempt, in seconds: 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h — about three days in all,
 * close to the Standard Webhooks recommendation. HOOKPORT_RETRY_SCHEDULE
 * replaces it (tests use 1,1,2).
 */
export const nativeRetrySchedule: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

export function nativeProfile(retrySchedule: readonly number[], timeoutMs = 15_000): DeliveryProfile {
  return {
    name: 'native',
    retrySchedule,
    timeoutMs,
    signatureHeaders: standardWebhooksSignatureHeaders,
    // The payload's timestamp is when the event happened, the same on every attempt (Standard
    // Webhooks); when this attempt was signed is the webhook-timestamp header's business.
    render(input: RenderInput): RenderedRequest {
      const msgId = toTypeId('event', input.eventId);
      const body = JSON.stringify({
        type: input.eventType,
        timestamp: input.eventCreatedAt.toISOString(),
        data: input.data,
      });
      return { body, headers: { 'content-type': 'application/json', ...standardWebhooksHeaders(input, msgId, body) } };
    },
  };
}
